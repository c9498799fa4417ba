"""Reader and writer for scholargraph's own JSON Lines import format (version 1).

The format is specified in `docs/import-format.md`. Each line is judged on its own: a line that
is too long, not JSON, of an unknown version or type, or missing a required field yields an
`ImportProblem` naming the file and line number, and the following lines are still read.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO

import orjson

from scholargraph import text
from scholargraph.ingest.records import (
    AuthorRecord,
    ImportProblem,
    PaperRecord,
    Reference,
    ResearcherRecord,
    StatedCount,
    unique_cleaned,
)

VERSION = 1
MAX_LINE_BYTES = 8 * 1024 * 1024
# How much of an over-long line is held in memory at a time while skipping it.
_SKIP_CHUNK = 1024 * 1024

KINDS = frozenset({"conference", "workshop", "journal", "preprint"})
PRESENTATIONS = frozenset({"oral", "long_oral", "spotlight", "poster"})
EXTERNAL_ID = re.compile(r"^[a-z][a-z0-9_.-]*:\S")

_PAPER_FIELDS = frozenset(
    {
        "v",
        "type",
        "source",
        "externalId",
        "title",
        "year",
        "venue",
        "kind",
        "presentation",
        "status",
        "abstract",
        "authors",
        "keywords",
        "primaryArea",
        "links",
        "unassignedAuthorIds",
        "otherIds",
        "references",
        "citationCount",
    }
)
_AUTHOR_FIELDS = frozenset({"name", "externalIds", "affiliations"})
_LINK_FIELDS = frozenset({"kind", "url"})
_RESEARCHER_FIELDS = frozenset({"v", "type", "source", "name", "aliases", "externalIds"})
_REFERENCE_FIELDS = frozenset({"title"})
_COUNT_FIELDS = frozenset({"count", "source", "asOf"})
AS_OF = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
MAX_REFERENCES = 10_000

Record = PaperRecord | ResearcherRecord


class _Invalid(Exception):
    """A line that is not imported; the message is the problem's reason."""


def parse_jsonl(path: Path) -> Iterator[PaperRecord | ResearcherRecord | ImportProblem]:
    """Yield one record or ImportProblem per non-blank line of `path`, in file order."""
    file = str(path)
    try:
        handle = path.open("rb")
    except OSError as exc:
        yield ImportProblem(file, None, f"cannot read file: {exc.strerror or exc}")
        return
    default_source = f"jsonl:{path.name}"
    with handle:
        for line_no, line in _lines(handle):
            item = _parse_line(line, line_no, file, default_source)
            if item is not None:
                yield item


def _lines(handle: IO[bytes]) -> Iterator[tuple[int, bytes | None]]:
    """(line number, line) pairs; the line is None when it is longer than MAX_LINE_BYTES."""
    line_no = 0
    # A bounded readline keeps a single 50 MB line from being read into memory whole.
    while line := handle.readline(MAX_LINE_BYTES + 1):
        line_no += 1
        if len(line) > MAX_LINE_BYTES and not line.endswith(b"\n"):
            _skip_to_next_line(handle)
            yield line_no, None
        else:
            yield line_no, line


def _skip_to_next_line(handle: IO[bytes]) -> None:
    while chunk := handle.readline(_SKIP_CHUNK):
        if chunk.endswith(b"\n"):
            return


def _parse_line(
    line: bytes | None, line_no: int, file: str, default_source: str
) -> Record | ImportProblem | None:
    if line is None:
        return ImportProblem(file, line_no, f"line is longer than {MAX_LINE_BYTES} bytes")
    if line_no == 1:
        line = line.removeprefix(codecs.BOM_UTF8)
    if not line.strip():
        return None
    try:
        data = orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        return ImportProblem(file, line_no, f"not valid JSON: {exc}")
    try:
        return _record(data, line_no, default_source)
    except _Invalid as exc:
        return ImportProblem(file, line_no, str(exc))


def _record(data: object, line_no: int, default_source: str) -> Record:
    if not isinstance(data, dict):
        raise _Invalid("line is not a JSON object")
    version = data.get("v")
    if version is None:
        raise _Invalid("missing v (the format version)")
    # `type(...) is int` because True == 1 and 1.0 == 1 in Python.
    if type(version) is not int or version != VERSION:
        raise _Invalid(f"unsupported version {_short(version)}: this reader knows v {VERSION}")
    kind = data.get("type")
    if kind == "paper":
        return _paper(data, line_no, default_source)
    if kind == "researcher":
        return _researcher(data, line_no, default_source)
    raise _Invalid(f"unknown type {_short(kind)}: expected paper or researcher")


def _paper(data: Mapping[str, object], line_no: int, default_source: str) -> PaperRecord:
    _check_fields(data, _PAPER_FIELDS, "paper")
    title = _required_text(data, "title")
    authors = _authors(data.get("authors"))
    return PaperRecord(
        source=_optional_text(data, "source") or default_source,
        record_no=line_no,
        external_id=_external_id(data.get("externalId"), "externalId"),
        title=title,
        abstract=_optional_text(data, "abstract"),
        year=_year(data.get("year")),
        venue=_required_text(data, "venue"),
        kind=_choice(data, "kind", KINDS) or "conference",
        presentation=_choice(data, "presentation", PRESENTATIONS),
        status=_optional_text(data, "status") or "",
        authors=authors,
        keywords=unique_cleaned(_string_list(data.get("keywords"), "keywords")),
        primary_area=_optional_text(data, "primaryArea"),
        links=_links(data.get("links")),
        unassigned_author_ids=_external_ids(data.get("unassignedAuthorIds"), "unassignedAuthorIds"),
        other_ids=_external_ids(data.get("otherIds"), "otherIds"),
        references=_references(data.get("references")),
        stated_citations=_stated_counts(data.get("citationCount")),
    )


def _references(value: object) -> tuple[Reference, ...]:
    entries = _list(value, "references")
    if len(entries) > MAX_REFERENCES:
        raise _Invalid(f"references has {len(entries)} entries; at most {MAX_REFERENCES}")
    found: list[Reference] = []
    for index, entry in enumerate(entries):
        where = f"references[{index}]"
        if isinstance(entry, str):
            found.append(Reference(id=_external_id(entry, where)))
            continue
        if not isinstance(entry, dict):
            raise _Invalid(f"{where} must be an id string or an object with a title")
        _check_fields(entry, _REFERENCE_FIELDS, where)
        title = entry.get("title")
        if not isinstance(title, str) or not text.clean(title):
            raise _Invalid(f"{where} needs a title")
        found.append(Reference(title=text.clean(title)))
    return tuple(dict.fromkeys(found))


def _stated_counts(value: object) -> tuple[StatedCount, ...]:
    if value is None:
        return ()
    entries = value if isinstance(value, list) else [value]
    return tuple(_stated_count(entry, f"citationCount[{i}]") for i, entry in enumerate(entries))


def _stated_count(entry: object, where: str) -> StatedCount:
    if not isinstance(entry, dict):
        raise _Invalid(f"{where} must be an object with count and source")
    _check_fields(entry, _COUNT_FIELDS, where)
    count = entry.get("count")
    if type(count) is not int or count < 0:
        raise _Invalid(f"{where}.count must be a non-negative integer, not {_short(count)}")
    source = entry.get("source")
    if not isinstance(source, str) or not text.clean(source):
        raise _Invalid(f"{where} needs a source (who counted)")
    as_of = entry.get("asOf")
    if as_of is not None and (not isinstance(as_of, str) or not AS_OF.match(as_of)):
        raise _Invalid(f"{where}.asOf must be YYYY, YYYY-MM or YYYY-MM-DD, not {_short(as_of)}")
    return StatedCount(count, text.clean(source), as_of)


def _researcher(data: Mapping[str, object], line_no: int, default_source: str) -> ResearcherRecord:
    _check_fields(data, _RESEARCHER_FIELDS, "researcher")
    name = _required_text(data, "name")
    external_ids = _external_ids(data.get("externalIds"), "externalIds")
    if not external_ids:
        raise _Invalid("a researcher needs at least one externalIds entry")
    aliases = [text.clean(alias) for alias in _string_list(data.get("aliases"), "aliases")]
    return ResearcherRecord(
        source=_optional_text(data, "source") or default_source,
        record_no=line_no,
        name=name,
        # Aliases are spellings, so only exact repeats (and the name itself) are dropped.
        aliases=tuple(dict.fromkeys(a for a in aliases if a and a != name)),
        external_ids=external_ids,
    )


def _authors(value: object) -> tuple[AuthorRecord, ...]:
    if value is None:
        raise _Invalid("missing authors")
    if not isinstance(value, list):
        raise _Invalid("authors must be an array")
    if not value:
        raise _Invalid("authors is empty: a paper needs at least one author")
    return tuple(_author(entry, position) for position, entry in enumerate(value, start=1))


def _author(entry: object, position: int) -> AuthorRecord:
    where = f"authors[{position - 1}]"
    if not isinstance(entry, dict):
        raise _Invalid(f"{where} must be an object")
    _check_fields(entry, _AUTHOR_FIELDS, where)
    name = entry.get("name")
    if not isinstance(name, str) or not text.clean(name):
        raise _Invalid(f"{where} has no name")
    return AuthorRecord(
        name=text.clean(name),
        position=position,
        external_ids=_external_ids(entry.get("externalIds"), f"{where}.externalIds"),
        affiliations=unique_cleaned(
            _string_list(entry.get("affiliations"), f"{where}.affiliations")
        ),
    )


def _links(value: object) -> tuple[tuple[str, str], ...]:
    links: list[tuple[str, str]] = []
    for index, entry in enumerate(_list(value, "links")):
        where = f"links[{index}]"
        if not isinstance(entry, dict):
            raise _Invalid(f"{where} must be an object")
        _check_fields(entry, _LINK_FIELDS, where)
        kind, url = entry.get("kind"), entry.get("url")
        if not isinstance(kind, str) or not kind or not isinstance(url, str) or not url:
            raise _Invalid(f"{where} needs a kind and a url")
        links.append((kind, url.strip()))
    return tuple(links)


def _check_fields(data: Mapping[str, object], allowed: frozenset[str], what: str) -> None:
    # Strict on purpose: a misspelt optional field ("abstact") would otherwise vanish silently.
    unknown = sorted(key for key in data if key not in allowed)
    if unknown:
        raise _Invalid(f"unknown field {_short(unknown[0])} in {what}")


def _required_text(data: Mapping[str, object], key: str) -> str:
    value = _optional_text(data, key)
    if not value:
        raise _Invalid(f"missing {key}")
    return value


def _optional_text(data: Mapping[str, object], key: str) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise _Invalid(f"{key} must be a string")
    return text.clean(value) or None


def _year(value: object) -> int:
    if value is None:
        raise _Invalid("missing year")
    if type(value) is not int or not 1000 <= value <= 9999:
        raise _Invalid(f"year must be a four-digit integer, not {_short(value)}")
    return value


def _choice(data: Mapping[str, object], key: str, allowed: frozenset[str]) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if value not in allowed:
        raise _Invalid(f"{key} must be one of {', '.join(sorted(allowed))}, not {_short(value)}")
    return str(value)


def _external_id(value: object, where: str) -> str:
    if value is None:
        raise _Invalid(f"missing {where}")
    if not isinstance(value, str) or not EXTERNAL_ID.match(value.strip()):
        raise _Invalid(f"{where} must be '<scheme>:<value>', not {_short(value)}")
    return value.strip()


def _external_ids(value: object, where: str) -> tuple[str, ...]:
    ids = [_external_id(entry, f"{where} entry") for entry in _list(value, where)]
    return tuple(dict.fromkeys(ids))


def _string_list(value: object, where: str) -> list[str]:
    items = _list(value, where)
    if not all(isinstance(item, str) for item in items):
        raise _Invalid(f"{where} must be an array of strings")
    return [str(item) for item in items]


def _list(value: object, where: str) -> list[object]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise _Invalid(f"{where} must be an array")
    return value


def _short(value: object) -> str:
    """A repr short enough for a problem report, whatever the line held."""
    shown = repr(value)
    return shown if len(shown) <= 80 else f"{shown[:77]}..."


def to_json(record: Record) -> dict[str, object]:
    """The version-1 line object for a record; `parse_jsonl` reads it back to an equal record
    (apart from `record_no`, which is where the line lands)."""
    if isinstance(record, ResearcherRecord):
        return {
            "v": VERSION,
            "type": "researcher",
            "source": record.source,
            "name": record.name,
            "aliases": list(record.aliases),
            "externalIds": list(record.external_ids),
        }
    return {
        "v": VERSION,
        "type": "paper",
        "source": record.source,
        "externalId": record.external_id,
        "title": record.title,
        "year": record.year,
        "venue": record.venue,
        "kind": record.kind,
        "presentation": record.presentation,
        "status": record.status,
        "abstract": record.abstract,
        "authors": [
            {
                "name": author.name,
                "externalIds": list(author.external_ids),
                "affiliations": list(author.affiliations),
            }
            for author in record.authors
        ],
        "keywords": list(record.keywords),
        "primaryArea": record.primary_area,
        "links": [{"kind": kind, "url": url} for kind, url in record.links],
        **(
            {"unassignedAuthorIds": list(record.unassigned_author_ids)}
            if record.unassigned_author_ids
            else {}
        ),
        **({"otherIds": list(record.other_ids)} if record.other_ids else {}),
        **(
            {"references": [_reference_json(r) for r in record.references]}
            if record.references
            else {}
        ),
        **(
            {"citationCount": [_count_json(c) for c in record.stated_citations]}
            if record.stated_citations
            else {}
        ),
    }


def _reference_json(reference: Reference) -> str | dict[str, str | None]:
    return reference.id if reference.id is not None else {"title": reference.title}


def _count_json(count: StatedCount) -> dict[str, object]:
    return {"count": count.count, "source": count.source, "asOf": count.as_of}


def to_line(record: Record) -> bytes:
    """One newline-terminated UTF-8 line for a record."""
    return orjson.dumps(to_json(record)) + b"\n"


__all__ = [
    "EXTERNAL_ID",
    "KINDS",
    "MAX_LINE_BYTES",
    "PRESENTATIONS",
    "VERSION",
    "parse_jsonl",
    "to_json",
    "to_line",
]
