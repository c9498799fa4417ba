"""Parser for papercopilot `paperlists` conference files (ICLR, ICML, NeurIPS).

A file is one JSON array of paper objects whose per-author fields are delimited strings; see
`/work/shared/data/paperlists/SOURCE.md`. Venue and year come from the file name only:
`iclr2019.json` is ICLR 2019, `icml2020.json` ICML 2020, `nips2020.json` (or `neurips2020.json`)
NeurIPS 2020.

External ids:
- paper: `openreview:<id>` for ICLR (the id is an OpenReview forum id, unique across OpenReview);
  `paperlists:<file stem>:<id>` otherwise (`paperlists:icml2019:3768`,
  `paperlists:nips2020:site_3962615abf`), because those ids are only unique within one file.
- author: `email:<address, lower-cased>` for an `authorids` entry holding an `@`,
  `openreview:<~Profile_Id1>` for one starting with `~`; anything else (e.g. the
  `ICLR.cc/2018/Conference/Paper1107/Authors` group placeholders) gives no id. Ids are paired
  with the byline by the names they encode (`authorids.pair`), not by position: ICLR lists
  some in another order. An id that fits no name is kept in `unassigned_author_ids`.

Decisions: Oral and Talk -> oral, Spotlight -> spotlight, Poster -> poster, Workshop -> kind
"workshop" with no presentation. Reject, Withdraw, Desk Reject, Active (still under review) and
a missing status are not publications: such records yield `ImportProblem("skipped: status X")`
unless `keep_rejected`, which keeps them with presentation None and the raw status. Any other
status is reported as unknown rather than guessed.

Citations: `gs_citation` (iclr2018, icml2019) is Google Scholar's count as the list states it,
kept as a `StatedCount` with source GS_CITATION_SOURCE and no date (the files do not say when
it was counted). A null, negative or non-integer value states no count; the paper is kept.

Errors: the whole file is parsed before anything is yielded, because a truncated JSON array
cannot be told apart from a short one until its end; a file that is not a readable JSON array
yields exactly one `ImportProblem` with `record_no` None and nothing else. Problems with one
record (not an object, no title, no authors, a field over 1 MB, a field of the wrong type)
yield an `ImportProblem` for that record and parsing goes on.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import orjson

from scholargraph import text
from scholargraph.ingest import authorids
from scholargraph.ingest.records import (
    AuthorRecord,
    ImportProblem,
    PaperRecord,
    StatedCount,
    unique_cleaned,
)

MAX_FIELD_BYTES = 1024 * 1024
GS_CITATION_SOURCE = "Google Scholar via paperlists"
# The real files are 3 MB at most; the cap keeps a wrong path from loading gigabytes.
MAX_FILE_BYTES = 256 * 1024 * 1024

_FILE_NAME = re.compile(r"^(iclr|icml|nips|neurips)(\d{4})\.json$")
_SERIES = {"iclr": "ICLR", "icml": "ICML", "nips": "NeurIPS", "neurips": "NeurIPS"}

_PRESENTATION = {"oral": "oral", "talk": "oral", "spotlight": "spotlight", "poster": "poster"}
_NOT_ACCEPTED = frozenset({"reject", "withdraw", "desk reject", "active", ""})

# (field, link kind). iclr2021 repeats the site URL as slides and video; the first kind wins.
_LINK_FIELDS = (
    ("site", "site"),
    ("openreview", "openreview"),
    ("pdf", "pdf"),
    ("oa", "proceedings"),
    ("proceeding", "proceedings"),
    ("supp", "supplement"),
    ("project", "project"),
    ("github", "code"),
    ("poster", "poster"),
    ("slides", "slides"),
    ("video", "video"),
)
# iclr2018 link fields hold Markdown badges: "[![github](/images/github_icon.svg) a/b](https://...)".
_URL = re.compile(r"https?://[^\s()\[\]<>\"']+")


@dataclass(frozen=True, slots=True)
class _Family:
    stem: str
    series: str
    year: int
    delimiter: str  # ";" or ","
    openreview: bool
    plus_joins_affiliations: bool


class _Skip(Exception):
    """A record that is not imported; the message is the problem's reason."""


def parse_paperlists(
    path: Path, *, keep_rejected: bool = False
) -> Iterator[PaperRecord | ImportProblem]:
    """Yield one PaperRecord or ImportProblem per record of `path`, in file order."""
    file = str(path)
    family = _family_of(path)
    if family is None:
        yield ImportProblem(
            file,
            None,
            "file name does not name a venue and year: expected e.g. iclr2019.json, "
            "icml2020.json or nips2020.json",
        )
        return
    records = _load_array(path)
    if isinstance(records, ImportProblem):
        yield records
        return
    for record_no, raw in enumerate(records, start=1):
        item: PaperRecord | ImportProblem
        try:
            item = _parse_record(raw, record_no, family, keep_rejected=keep_rejected)
        except _Skip as skip:
            item = ImportProblem(file, record_no, str(skip))
        yield item


def _family_of(path: Path) -> _Family | None:
    match = _FILE_NAME.match(path.name.lower())
    if match is None:
        return None
    prefix, year = match.group(1), int(match.group(2))
    # SOURCE.md: ";" in iclr* and icml2019, ", " in icml2020 and nips*.
    old_icml = prefix == "icml" and year <= 2019
    return _Family(
        stem=f"{prefix}{year}",
        series=_SERIES[prefix],
        year=year,
        delimiter=";" if prefix == "iclr" or old_icml else ",",
        openreview=prefix == "iclr",
        plus_joins_affiliations=old_icml,
    )


def _load_array(path: Path) -> list[object] | ImportProblem:
    file = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return ImportProblem(file, None, f"file is {size} bytes, over {MAX_FILE_BYTES}")
        data = orjson.loads(path.read_bytes())
    except OSError as exc:
        return ImportProblem(file, None, f"cannot read file: {exc.strerror or exc}")
    except orjson.JSONDecodeError as exc:
        return ImportProblem(file, None, f"not valid JSON (truncated or malformed): {exc}")
    if not isinstance(data, list):
        return ImportProblem(
            file, None, f"expected a JSON array of records, found {_json_type(data)}"
        )
    return data


def _parse_record(
    raw: object, record_no: int, family: _Family, *, keep_rejected: bool
) -> PaperRecord:
    if not isinstance(raw, dict):
        raise _Skip(f"record is {_json_type(raw)}, not an object")
    _check_sizes(raw)
    title = text.clean(_string(raw, "title"))
    if not title:
        raise _Skip("record has no title")
    source_id = _string(raw, "id", allow_number=True).strip()
    if not source_id:
        raise _Skip("record has no id")
    status = text.clean(_string(raw, "status"))
    kind, presentation = _decision(status, keep_rejected=keep_rejected)
    authors, unassigned = _authors(raw, family)
    if not authors:
        raise _Skip("record has no authors")
    return PaperRecord(
        source=f"paperlists:{family.stem}",
        record_no=record_no,
        external_id=_paper_external_id(source_id, family),
        title=title,
        abstract=text.clean(_string(raw, "abstract")) or None,
        year=family.year,
        venue=family.series,
        kind=kind,
        presentation=presentation,
        status=status,
        authors=authors,
        keywords=unique_cleaned(_split(text.clean(_string(raw, "keywords")), ";")),
        primary_area=text.clean(_string(raw, "primary_area")) or None,
        links=_links(raw),
        unassigned_author_ids=unassigned,
        stated_citations=_gs_citation(raw),
    )


def _gs_citation(record: Mapping[str, object]) -> tuple[StatedCount, ...]:
    value = record.get("gs_citation")
    # `type(...) is int` because True is an int to isinstance.
    if type(value) is not int or value < 0:
        return ()
    return (StatedCount(value, GS_CITATION_SOURCE),)


def _check_sizes(record: Mapping[str, object]) -> None:
    for key, value in record.items():
        if isinstance(value, str):
            # len() counts characters; only encode when the string could be over the limit.
            too_large = len(value) > MAX_FIELD_BYTES // 4 and len(_utf8(value)) > MAX_FIELD_BYTES
        elif isinstance(value, list | dict):
            too_large = len(orjson.dumps(value)) > MAX_FIELD_BYTES
        else:
            too_large = False
        if too_large:
            raise _Skip(f"field {key[:80]} too large")


def _utf8(value: str) -> bytes:
    return value.encode("utf-8", "surrogatepass")


def _string(record: Mapping[str, object], key: str, *, allow_number: bool = False) -> str:
    value = record.get(key)
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if allow_number and isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise _Skip(f"field {key} is {_json_type(value)}, not a string")


def _decision(status: str, *, keep_rejected: bool) -> tuple[str, str | None]:
    """(kind, presentation) for a raw status, or _Skip for a record that is not imported."""
    key = status.lower()
    if key in _PRESENTATION:
        return "conference", _PRESENTATION[key]
    if key == "workshop":
        return "workshop", None
    if key in _NOT_ACCEPTED:
        if keep_rejected:
            return "conference", None
        raise _Skip(f"skipped: status {status}" if status else "skipped: no status")
    raise _Skip(f"unknown status {status[:80]!r}")


def _authors(
    record: Mapping[str, object], family: _Family
) -> tuple[tuple[AuthorRecord, ...], tuple[str, ...]]:
    """The byline, and the author ids that fit no name on it (see `authorids.pair`)."""
    # Entities are decoded before splitting because "d&amp;#x27;Autume" ends in ";".
    names_field = text.clean(_string(record, "author"))
    delimiter = _record_delimiter(names_field, family.delimiter)
    names = _split(names_field, delimiter)
    # A record that disagrees with its file about the delimiter cannot be trusted to agree with
    # itself either, so its side fields are not paired with its authors.
    trusted = delimiter == family.delimiter
    ids_field = text.clean(_string(record, "authorids")) if trusted else ""
    raw_ids = [_author_id(entry) for entry in _split(ids_field, delimiter)] if ids_field else []
    # Ids are paired by the names they encode, whatever their order or count.
    paired, unassigned = authorids.pair(names, raw_ids)
    affs = _per_author(record, "aff", delimiter, len(names)) if trusted else None
    authors: list[AuthorRecord] = []
    for index, name in enumerate(names):
        if not name:
            continue
        authors.append(
            AuthorRecord(
                name=name,
                position=len(authors) + 1,
                external_ids=paired[index],
                affiliations=_affiliations(affs[index], family) if affs else (),
            )
        )
    return tuple(authors), unassigned


def _record_delimiter(names_field: str, default: str) -> str:
    # icml2019 has a comma-delimited record in a ";" file; trust the record only when it is
    # unambiguous (it holds the other delimiter and not the file's own).
    if default == ";" and ";" not in names_field and ", " in names_field:
        return ","
    if default == "," and ", " not in names_field and ";" in names_field:
        return ";"
    return default


def _per_author(
    record: Mapping[str, object], key: str, delimiter: str, count: int
) -> list[str] | None:
    """The field split into one entry per author, or None when the counts differ."""
    value = text.clean(_string(record, key))
    if not value:
        return None
    parts = _split(value, delimiter)
    # Never guess a pairing: iclr2021 lists fewer affiliations than authors in 1,604 records.
    return parts if len(parts) == count else None


def _split(value: str, delimiter: str) -> list[str]:
    """Split keeping empty entries, because positions pair entries across fields."""
    return [part.strip() for part in value.split(delimiter)]


def _author_id(entry: str) -> str | None:
    if entry.startswith("~") and " " not in entry:
        return f"openreview:{entry}"
    if "@" in entry and " " not in entry:
        return f"email:{entry.lower()}"
    return None


def _affiliations(entry: str, family: _Family) -> tuple[str, ...]:
    parts = entry.split("+") if family.plus_joins_affiliations else [entry]
    return unique_cleaned(parts)


def _paper_external_id(source_id: str, family: _Family) -> str:
    if family.openreview:
        return f"openreview:{source_id}"
    return f"paperlists:{family.stem}:{source_id}"


def _links(record: Mapping[str, object]) -> tuple[tuple[str, str], ...]:
    seen: set[str] = set()
    links: list[tuple[str, str]] = []
    for field, kind in _LINK_FIELDS:
        for url in _urls(_string(record, field)):
            if url not in seen:
                seen.add(url)
                links.append((kind, url))
    return tuple(links)


def _urls(value: str) -> list[str]:
    value = value.strip()
    # icml2019 writes some code links without a scheme ("www.github.com/google/compare_gan").
    if value.startswith("www."):
        value = f"https://{value}"
    return _URL.findall(value)


def _json_type(value: object) -> str:
    names: list[tuple[type, str]] = [
        (bool, "a boolean"),
        (dict, "an object"),
        (list, "an array"),
        (str, "a string"),
        (int, "a number"),
        (float, "a number"),
    ]
    if value is None:
        return "null"
    return next((name for kind, name in names if isinstance(value, kind)), type(value).__name__)


__all__ = ["GS_CITATION_SOURCE", "MAX_FIELD_BYTES", "MAX_FILE_BYTES", "parse_paperlists"]
