"""Normalized import records: what every source parser yields and every loader consumes.

Parsers turn a source's own shape into these records and nothing else, so that the loader never
learns about delimiters, entity escapes or status spellings. Text fields are already cleaned
(`scholargraph.text.clean`); external ids are `<scheme>:<value>` strings such as
`openreview:~Will_Grathwohl1`, `email:someone@example.org` or `dblp:homepages/12/3456`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from scholargraph import text


@dataclass(frozen=True, slots=True)
class AuthorRecord:
    """One author of one paper, as that paper lists them.

    `position` is 1-based (the first author is 1). `external_ids` and `affiliations` are empty
    whenever the source could not pair them with this author unambiguously.
    """

    name: str
    position: int
    external_ids: tuple[str, ...] = ()
    affiliations: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Reference:
    """One entry of a paper's reference list: the cited paper by one of our ids (`paper:...`),
    an external id (`doi:...`, `arxiv:...`, `openalex:W...`), or its exact title."""

    id: str | None = None
    title: str | None = None

    @property
    def label(self) -> str:
        return self.id if self.id is not None else f"title {self.title!r}"


@dataclass(frozen=True, slots=True)
class StatedCount:
    """A citation count as a source states it (not the live count of CITES relationships).

    `as_of` is the date the source counted (YYYY, YYYY-MM or YYYY-MM-DD), None when unknown."""

    count: int
    source: str
    as_of: str | None = None


@dataclass(frozen=True, slots=True)
class PaperRecord:
    """One paper as published at one venue in one year.

    `source` tags provenance (`paperlists:iclr2019`, `jsonl:dblp.jsonl`); `record_no` is the
    1-based position of the record in its file (array index + 1, or the line number).
    `venue` is the series name ("ICLR", "NeurIPS"), `kind` is conference | workshop (JSON Lines
    imports may also say journal | preprint), `presentation` is oral | spotlight | poster (JSON
    Lines may also say long_oral) or None when the source does not say. `status` is the source's
    raw decision string, kept so that rejected papers imported on purpose stay recognisable.
    `links` are (kind, url) pairs.
    """

    source: str
    record_no: int
    external_id: str
    title: str
    abstract: str | None
    year: int
    venue: str
    kind: str
    presentation: str | None
    status: str
    authors: tuple[AuthorRecord, ...]
    keywords: tuple[str, ...] = ()
    primary_area: str | None = None
    links: tuple[tuple[str, str], ...] = ()
    # Author ids the source gives for this paper that fit no name on the byline: evidence
    # kept on the paper, never put on an author (see ingest.authorids).
    unassigned_author_ids: tuple[str, ...] = ()
    # Further ids of the same work (a DOI beside an OpenAlex id); they identify it like
    # `external_id` does, for the resolver and for references.
    other_ids: tuple[str, ...] = ()
    references: tuple[Reference, ...] = ()
    stated_citations: tuple[StatedCount, ...] = ()
    # (institution name as in an author's affiliations, its ids: `ror:...`, `openalex:I...`)
    institution_ids: tuple[tuple[str, tuple[str, ...]], ...] = ()


@dataclass(frozen=True, slots=True)
class ResearcherRecord:
    """A statement that these external ids and spellings all belong to one person."""

    source: str
    record_no: int
    name: str
    aliases: tuple[str, ...]
    external_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ImportProblem:
    """Why a record (or, with `record_no` None, a whole file) was not imported."""

    file: str
    record_no: int | None
    reason: str


def unique_cleaned(values: Iterable[str]) -> tuple[str, ...]:
    """Clean values, drop empty ones and keep the first spelling of those that fold alike.

    For keywords and affiliations, where "Deep Learning" and "deep learning" are one entry.
    """
    seen: set[str] = set()
    kept: list[str] = []
    for value in values:
        cleaned = text.clean(value)
        # Text with no Latin transliteration folds to ""; it is then its own key.
        key = text.fold(cleaned) or cleaned
        if cleaned and key not in seen:
            seen.add(key)
            kept.append(cleaned)
    return tuple(kept)


__all__ = [
    "AuthorRecord",
    "ImportProblem",
    "PaperRecord",
    "Reference",
    "ResearcherRecord",
    "StatedCount",
    "unique_cleaned",
]
