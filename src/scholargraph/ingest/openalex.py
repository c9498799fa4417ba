"""Parser for OpenAlex work records: the API's `{"results": [...]}` pages and the snapshot's
JSON Lines (one work per line). See docs/import-format.md, "OpenAlex".

A work becomes one PaperRecord: the OpenAlex work id is its external id (`openalex:W...`), the
DOI (and the arXiv id an arXiv DOI spells) further ids; authorships in order, each author by the
raw name the paper prints with `openalex:A...` and `orcid:...` ids; the institutions of an
authorship as its affiliations (their ROR and OpenAlex ids in `institution_ids`);
`primary_location.source` as the venue; `referenced_works` as references; `primary_topic` and
`topics` as keywords (they become Topic nodes); `abstract_inverted_index` rebuilt to text;
`cited_by_count` as a stated count with source "OpenAlex", as of the record's `updated_date`.

Errors: a `.json` file that cannot be read or is not JSON yields one problem for the file
(`record_no` None, naming the line and column where parsing stopped); a JSON Lines file is
judged line by line like our own format. A work that cannot be imported (no id, title, year,
authors or source) yields a problem with its record number (results index + 1, or line
number) and the others are still read.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path

import orjson

from scholargraph import text
from scholargraph.ingest.jsonl import MAX_LINE_BYTES
from scholargraph.ingest.records import (
    AuthorRecord,
    ImportProblem,
    PaperRecord,
    Reference,
    StatedCount,
    unique_cleaned,
)

CITATION_SOURCE = "OpenAlex"
# The API pages are at most 200 works; a snapshot is read as JSON Lines, never whole.
MAX_RESULTS_FILE_BYTES = 256 * 1024 * 1024
LINE_SUFFIXES = frozenset({".jsonl", ".ndjson"})

_OPENALEX = re.compile(r"^(?:https?://openalex\.org/)?([WAISTPFC]\d+)$", re.IGNORECASE)
_ORCID = re.compile(r"^(?:https?://orcid\.org/)?(\d{4}-\d{4}-\d{4}-\d{3}[\dX])$", re.IGNORECASE)
_ROR = re.compile(r"^(?:https?://ror\.org/)?([0-9a-z]{9})$", re.IGNORECASE)
_DOI = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/)?(10\.\S+)$", re.IGNORECASE)
_ARXIV_DOI = re.compile(r"^10\.48550/arxiv\.(.+)$", re.IGNORECASE)
_KINDS = {"journal": "journal", "conference": "conference", "repository": "preprint"}


class _Invalid(Exception):
    """A work that is not imported; the message is the problem's reason."""


def parse_openalex(path: Path) -> Iterator[PaperRecord | ImportProblem]:
    """One PaperRecord or ImportProblem per work of `path`, in file order."""
    if path.suffix.lower() in LINE_SUFFIXES:
        yield from _parse_lines(path)
    else:
        yield from _parse_results(path)


def _parse_results(path: Path) -> Iterator[PaperRecord | ImportProblem]:
    file = str(path)
    try:
        if path.stat().st_size > MAX_RESULTS_FILE_BYTES:
            yield ImportProblem(
                file, None, f"file is over {MAX_RESULTS_FILE_BYTES} bytes: convert it to JSON Lines"
            )
            return
        raw = path.read_bytes()
    except OSError as exc:
        yield ImportProblem(file, None, f"cannot read file: {exc.strerror or exc}")
        return
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        yield ImportProblem(
            file, None, f"not valid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        )
        return
    if isinstance(data, dict) and "results" in data:
        works = data["results"]
    elif isinstance(data, dict):
        works = [data]  # one work, as /works/W... answers
    else:
        works = data
    if not isinstance(works, list):
        yield ImportProblem(file, None, "expected an object with a `results` array of works")
        return
    source = f"openalex:{path.name}"
    for record_no, work in enumerate(works, start=1):
        try:
            yield work_record(work, source, record_no)
        except _Invalid as exc:
            yield ImportProblem(file, record_no, f"results[{record_no - 1}]: {exc}")


def _parse_lines(path: Path) -> Iterator[PaperRecord | ImportProblem]:
    file = str(path)
    try:
        handle = path.open("rb")
    except OSError as exc:
        yield ImportProblem(file, None, f"cannot read file: {exc.strerror or exc}")
        return
    source = f"openalex:{path.name}"
    with handle:
        line_no = 0
        while line := handle.readline(MAX_LINE_BYTES + 1):
            line_no += 1
            if len(line) > MAX_LINE_BYTES and not line.endswith(b"\n"):
                while (rest := handle.readline(1 << 20)) and not rest.endswith(b"\n"):
                    pass
                yield ImportProblem(file, line_no, f"line is longer than {MAX_LINE_BYTES} bytes")
                continue
            if not line.strip():
                continue
            try:
                work = orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                yield ImportProblem(
                    file, line_no, f"not valid JSON: {exc.msg} (column {exc.colno})"
                )
                continue
            try:
                yield work_record(work, source, line_no)
            except _Invalid as exc:
                yield ImportProblem(file, line_no, str(exc))


def work_record(work: object, source: str, record_no: int) -> PaperRecord:
    """The PaperRecord of one OpenAlex work object; _Invalid when it cannot be imported."""
    if not isinstance(work, dict):
        raise _Invalid("a work must be a JSON object")
    work_id = _openalex_id(work.get("id"), "W")
    if work_id is None:
        raise _Invalid(f"no OpenAlex work id (https://openalex.org/W...): {_short(work.get('id'))}")
    title = text.clean(_str(work.get("title")) or _str(work.get("display_name")) or "")
    if not title:
        raise _Invalid("no title")
    year = work.get("publication_year")
    if type(year) is not int or not 1000 <= year <= 9999:
        raise _Invalid(f"publication_year must be a four-digit integer, not {_short(year)}")
    location = _dict(work.get("primary_location"))
    venue_source = _dict(location.get("source"))
    venue = text.clean(_str(venue_source.get("display_name")) or "")
    if not venue:
        raise _Invalid("no primary_location.source: no venue to publish it at")
    authors, institution_ids = _authors(work.get("authorships"))
    if not authors:
        raise _Invalid("no authorships with a name")
    work_type = _str(work.get("type")) or ""
    kind = _KINDS.get(_str(venue_source.get("type")) or "", "journal")
    if work_type == "preprint":
        kind = "preprint"
    return PaperRecord(
        source=source,
        record_no=record_no,
        external_id=f"openalex:{work_id}",
        title=title,
        abstract=abstract_text(work.get("abstract_inverted_index")),
        year=year,
        venue=venue,
        kind=kind,
        presentation=None,
        status=work_type,
        authors=authors,
        keywords=_topics(work),
        links=_links(location),
        other_ids=_work_ids(work),
        references=_references(work.get("referenced_works")),
        stated_citations=_cited_by(work),
        institution_ids=institution_ids,
    )


def abstract_text(index: object) -> str | None:
    """The abstract an `abstract_inverted_index` ({word: [positions]}) encodes."""
    if not isinstance(index, dict) or not index:
        return None
    at: dict[int, str] = {}
    for word, positions in index.items():
        if not isinstance(positions, list):
            raise _Invalid("abstract_inverted_index must map words to lists of positions")
        for position in positions:
            if type(position) is not int or position < 0:
                raise _Invalid(f"abstract_inverted_index has a bad position {_short(position)}")
            at[position] = str(word)
    return text.clean(" ".join(at[p] for p in sorted(at))) or None


def _authors(
    value: object,
) -> tuple[tuple[AuthorRecord, ...], tuple[tuple[str, tuple[str, ...]], ...]]:
    if not isinstance(value, list):
        raise _Invalid("authorships must be an array")
    authors: list[AuthorRecord] = []
    institutions: dict[str, tuple[str, ...]] = {}
    for index, entry in enumerate(value):
        if not isinstance(entry, dict):
            raise _Invalid(f"authorships[{index}] must be an object")
        author = _dict(entry.get("author"))
        name = text.clean(
            _str(entry.get("raw_author_name")) or _str(author.get("display_name")) or ""
        )
        if not name:
            continue
        ids = []
        if (aid := _openalex_id(author.get("id"), "A")) is not None:
            ids.append(f"openalex:{aid}")
        if (orcid := _match(_ORCID, author.get("orcid"))) is not None:
            ids.append(f"orcid:{orcid.upper()}")
        names = []
        for place in _list(entry.get("institutions")):
            institution = _dict(place)
            iname = text.clean(_str(institution.get("display_name")) or "")
            if not iname:
                continue
            names.append(iname)
            iids = []
            if (ror := _match(_ROR, institution.get("ror"))) is not None:
                iids.append(f"ror:{ror.lower()}")
            if (iid := _openalex_id(institution.get("id"), "I")) is not None:
                iids.append(f"openalex:{iid}")
            institutions.setdefault(iname, tuple(iids))
        authors.append(
            AuthorRecord(
                name=name,
                position=len(authors) + 1,
                external_ids=tuple(ids),
                affiliations=unique_cleaned(names),
            )
        )
    return tuple(authors), tuple(institutions.items())


def _topics(work: Mapping[str, object]) -> tuple[str, ...]:
    names = []
    for topic in [work.get("primary_topic"), *_list(work.get("topics"))]:
        name = _str(_dict(topic).get("display_name"))
        if name:
            names.append(name)
    return unique_cleaned(names)


def _links(location: Mapping[str, object]) -> tuple[tuple[str, str], ...]:
    links = []
    for key, kind in (("landing_page_url", "site"), ("pdf_url", "pdf")):
        url = _str(location.get(key))
        if url and url.startswith(("http://", "https://")):
            links.append((kind, url.strip()))
    return tuple(dict.fromkeys(links))


def _work_ids(work: Mapping[str, object]) -> tuple[str, ...]:
    ids: list[str] = []
    doi = _match(_DOI, work.get("doi")) or _match(_DOI, _dict(work.get("ids")).get("doi"))
    if doi is not None:
        doi = doi.lower()
        ids.append(f"doi:{doi}")
        if (arxiv := _ARXIV_DOI.match(doi)) is not None:
            ids.append(f"arxiv:{arxiv.group(1)}")
    pmid = _str(_dict(work.get("ids")).get("pmid"))
    if pmid and (number := pmid.rstrip("/").rsplit("/", 1)[-1]).isdigit():
        ids.append(f"pmid:{number}")
    return tuple(dict.fromkeys(ids))


def _references(value: object) -> tuple[Reference, ...]:
    refs = []
    for entry in _list(value):
        wid = _openalex_id(entry, "W")
        if wid is None:
            raise _Invalid(f"referenced_works holds {_short(entry)}, not an OpenAlex work id")
        refs.append(Reference(id=f"openalex:{wid}"))
    return tuple(dict.fromkeys(refs))


def _cited_by(work: Mapping[str, object]) -> tuple[StatedCount, ...]:
    count = work.get("cited_by_count")
    if type(count) is not int or count < 0:
        return ()
    updated = _str(work.get("updated_date")) or ""
    as_of = updated[:10] if re.match(r"^\d{4}-\d{2}-\d{2}", updated) else None
    return (StatedCount(count, CITATION_SOURCE, as_of),)


def _openalex_id(value: object, kind: str) -> str | None:
    found = _match(_OPENALEX, value)
    if found is None or found[0].upper() != kind:
        return None
    return found.upper()


def _match(pattern: re.Pattern[str], value: object) -> str | None:
    if not isinstance(value, str):
        return None
    found = pattern.match(value.strip())
    return found.group(1) if found else None


def _str(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _dict(value: object) -> Mapping[str, object]:
    return value if isinstance(value, dict) else {}


def _list(value: object) -> list[object]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise _Invalid(f"expected an array, not {_short(value)}")
    return value


def _short(value: object) -> str:
    shown = repr(value)
    return shown if len(shown) <= 80 else f"{shown[:77]}..."


__all__ = ["CITATION_SOURCE", "abstract_text", "parse_openalex", "work_record"]
