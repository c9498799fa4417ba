"""Identity resolution: which Paper a record is, and the name rules researchers are compared by.

Pure decisions over an in-memory `Index` of what the graph already holds (loaded once per
import by `graphdb.identity.load_snapshot`) plus what the import has decided so far. Which
Researcher an authorship is, is decided by `ingest.resolver` over the whole import at once.
Nothing here does I/O. The rules are in docs/identity.md.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from scholargraph import text
from scholargraph.graphdb.model import PREFIX, Label, make_id, paper_id
from scholargraph.ingest.records import AuthorRecord, PaperRecord


class Evidence(StrEnum):
    """Why an author occurrence is on a researcher: how it joined an authorship already known
    (the first three), or how its authorship joined the researcher (see ingest.resolver)."""

    EXTERNAL_ID = "external-id"
    SAME_PAPER = "same-paper"
    POSITION_SURNAME = "position-surname"
    STORED = "stored"
    SCORE = "score"
    NEW = "new"
    NEW_NAMESAKE = "new-namesake"


class PaperEvidence(StrEnum):
    EXTERNAL_ID = "external-id"
    TITLE_AUTHORS = "title-and-authors"
    NEW = "new"
    NEW_SAME_TITLE = "new-same-title"  # a title already taken by a paper with other authors


# --- names ------------------------------------------------------------------------------------


def surname(key: str) -> str:
    parts = key.split()
    return parts[-1] if parts else ""


def _given_compatible(a: str, b: str) -> bool:
    return a == b or (len(a) == 1 and b.startswith(a)) or (len(b) == 1 and a.startswith(b))


def names_compatible(a: str, b: str) -> bool:
    """Could name keys `a` and `b` be one person's spellings? Never evidence on its own.

    Same surname; first given names equal or one an initial of the other; middle names may be
    missing on one side ("ricky t q chen" ~ "ricky chen") but must not contradict
    ("john a smith" !~ "john b smith"); given names written joined or split are equal
    ("kuanchieh wang" ~ "kuan chieh wang").
    """
    if a == b:
        return bool(a)
    ta, tb = a.split(), b.split()
    if len(ta) < 2 or len(tb) < 2 or ta[-1] != tb[-1]:
        return False
    ga, gb = ta[:-1], tb[:-1]
    if "".join(ga) == "".join(gb):
        return True
    if not _given_compatible(ga[0], gb[0]):
        return False
    return all(_given_compatible(x, y) for x, y in zip(ga[1:], gb[1:], strict=False))


def _short_hash(value: str, length: int = 8) -> str:
    return hashlib.sha1(value.encode(), usedforsecurity=False).hexdigest()[:length]


# --- the index --------------------------------------------------------------------------------


@dataclass
class Person:
    id: str
    name: str
    spellings: set[str]  # the name and every alias, as written
    keys: set[str]  # name keys of the spellings
    external_ids: set[str]
    papers: dict[str, int | None]  # paper id -> byline position (None: listed without one)
    stored: bool = False  # already a node in the graph (else created by this import)
    as_written: dict[str, str] = field(default_factory=dict)  # paper id -> asWritten


@dataclass
class PaperEntry:
    id: str
    title_key: str
    external_ids: set[str]
    authors: dict[str, int | None]  # researcher id -> byline position
    has_abstract: bool
    publications: set[tuple[str, str]]  # (venue id, relationship key)
    topics: set[str] = field(default_factory=set)  # topic ids
    # Names and ids on the byline, from the graph and from this import's records: what a
    # same-titled record must share to be this paper.
    byline_keys: set[str] = field(default_factory=set)
    byline_ids: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class PaperDecision:
    paper: str
    evidence: PaperEvidence
    created: bool


@dataclass
class Index:
    """What the graph holds, as far as identity needs it, kept current through an import."""

    people: dict[str, Person] = field(default_factory=dict)
    papers: dict[str, PaperEntry] = field(default_factory=dict)
    venues: dict[str, str] = field(default_factory=dict)  # folded name or alias -> venue id
    known_venues: set[str] = field(default_factory=set)
    topics: set[str] = field(default_factory=set)
    institutions: set[str] = field(default_factory=set)
    # Ids that must not be handed out again: every node id seen, and ids merged away.
    taken: set[str] = field(default_factory=set)
    # Pairs a person split apart after a merge; never merged again automatically.
    apart: set[frozenset[str]] = field(default_factory=set)
    _by_external: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    _by_title: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    _paper_by_external: dict[str, str] = field(default_factory=dict)

    # -- building ------------------------------------------------------------------------------

    def add_person(self, person: Person) -> None:
        self.people[person.id] = person
        self.taken.add(person.id)
        self._index_person(person)

    def _index_person(self, person: Person) -> None:
        for ext in person.external_ids:
            self._by_external[ext].add(person.id)

    def by_external_id(self, ext: str) -> set[str]:
        return set(self._by_external.get(ext, ()))

    def add_paper(self, paper: PaperEntry) -> None:
        self.papers[paper.id] = paper
        self.taken.add(paper.id)
        self._by_title[paper.title_key].add(paper.id)
        for ext in paper.external_ids:
            self._paper_by_external.setdefault(ext, paper.id)

    # -- looking up ----------------------------------------------------------------------------

    def paper_by_external_id(self, ext: str) -> str | None:
        return self._paper_by_external.get(ext)

    def papers_titled(self, title_key: str) -> set[str]:
        return set(self._by_title.get(title_key, ()))

    def venue_id(self, series: str) -> str:
        folded = text.fold(series)
        return self.venues.get(folded) or make_id(Label.VENUE, _SERIES_ALIASES.get(folded, series))

    # -- papers --------------------------------------------------------------------------------

    def resolve_paper(self, record: PaperRecord) -> PaperDecision:
        """The existing paper this record is (same external id, or same normalized title and
        at least one author in common), else a new deterministic id."""
        for ext in (record.external_id, *record.other_ids):
            known = self._paper_by_external.get(ext)
            if known is not None:
                return PaperDecision(known, PaperEvidence.EXTERNAL_ID, created=False)
        title_key = text.title_key(record.title)
        same_title = sorted(self._by_title.get(title_key, ()))
        best: tuple[int, str] | None = None
        for candidate in same_title:
            overlap = self._author_overlap(candidate, record.authors)
            if overlap and (best is None or overlap > best[0]):
                best = (overlap, candidate)
        if best is not None:
            return PaperDecision(best[1], PaperEvidence.TITLE_AUTHORS, created=False)
        first = text.name_key(record.authors[0].name) if record.authors else ""
        for new_id in (
            paper_id(record.title),
            f"{PREFIX[Label.PAPER]}:{_short_hash(f'{title_key}|{first}', 16)}",
            f"{PREFIX[Label.PAPER]}:{_short_hash(f'{title_key}|{record.external_id}', 16)}",
        ):
            if new_id not in self.taken:
                evidence = PaperEvidence.NEW_SAME_TITLE if same_title else PaperEvidence.NEW
                return PaperDecision(new_id, evidence, created=True)
        raise ValueError(f"no free id for paper {record.title!r}")  # needs a sha1 collision

    def _author_overlap(self, paper: str, authors: Sequence[AuthorRecord]) -> int:
        entry = self.papers[paper]
        count = 0
        for author in authors:
            key = text.name_key(author.name)
            if not entry.byline_ids.isdisjoint(author.external_ids) or any(
                names_compatible(key, known) for known in entry.byline_keys
            ):
                count += 1
        return count

    def new_paper(self, decision: PaperDecision, record: PaperRecord) -> PaperEntry:
        entry = PaperEntry(
            decision.paper,
            text.title_key(record.title),
            {record.external_id},
            {},
            has_abstract=bool(record.abstract),
            publications=set(),
        )
        self.add_paper(entry)
        return entry

    def note_paper(self, paper: str, record: PaperRecord) -> None:
        entry = self.papers[paper]
        for ext in (record.external_id, *record.other_ids):
            entry.external_ids.add(ext)
            self._paper_by_external.setdefault(ext, paper)
        entry.has_abstract = entry.has_abstract or bool(record.abstract)
        for author in record.authors:
            if key := text.name_key(author.name):
                entry.byline_keys.add(key)
            entry.byline_ids.update(author.external_ids)


# Series names that other sources spell differently from the seed's venues.
_SERIES_ALIASES = {"nips": "NeurIPS"}


__all__ = [
    "Evidence",
    "Index",
    "PaperDecision",
    "PaperEntry",
    "PaperEvidence",
    "Person",
    "names_compatible",
    "surname",
]
