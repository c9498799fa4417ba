"""The identity rule before issue 10 (a verbatim copy of ingest/identity.py at 51f7400), kept
only so that bench/identity_eval.py can score it as a baseline. Not used by the application.

Pure decisions over an in-memory `Index` of what the graph already holds (loaded once per
import by `graphdb.identity.load_snapshot`) plus what the import has decided so far. Nothing
here does I/O; the importer turns decisions into rows and merges. The rules are in
docs/identity.md.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from scholargraph import text
from scholargraph.graphdb.model import PREFIX, Label, make_id, paper_id
from scholargraph.ingest.records import AuthorRecord, PaperRecord, ResearcherRecord


class Evidence(StrEnum):
    """Why an author occurrence was attached to a researcher (strongest first)."""

    EXTERNAL_ID = "external-id"
    SAME_PAPER = "same-paper"
    POSITION_SURNAME = "position-surname"
    SHARED_COAUTHOR = "shared-coauthor"
    NEW = "new"
    NEW_NAMESAKE = "new-namesake"


STRENGTH: dict[Evidence, int] = {
    Evidence.EXTERNAL_ID: 4,
    Evidence.SAME_PAPER: 3,
    Evidence.POSITION_SURNAME: 2,
    Evidence.SHARED_COAUTHOR: 1,
}
# Evidence that ties an occurrence to one node firmly enough to merge other nodes into it.
STRONG = frozenset({Evidence.EXTERNAL_ID, Evidence.SAME_PAPER, Evidence.POSITION_SURNAME})


class PaperEvidence(StrEnum):
    EXTERNAL_ID = "external-id"
    TITLE_AUTHORS = "title-and-authors"
    NEW = "new"
    NEW_SAME_TITLE = "new-same-title"  # a title already taken by a paper with other authors


# --- names ------------------------------------------------------------------------------------


def surname(key: str) -> str:
    parts = key.split()
    return parts[-1] if parts else ""


def _bucket(key: str) -> str:
    """Compatible names share their surname and first initial; candidates are looked up so."""
    parts = key.split()
    return f"{parts[-1]}|{parts[0][0]}" if parts else ""


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


@dataclass
class PaperEntry:
    id: str
    title_key: str
    external_ids: set[str]
    authors: dict[str, int | None]  # researcher id -> byline position
    has_abstract: bool
    publications: set[tuple[str, str]]  # (venue id, relationship key)


@dataclass(frozen=True)
class Match:
    researcher: str
    kind: Evidence
    detail: str
    exact_position: bool = False
    shared: int = 0  # shared coauthors, for SHARED_COAUTHOR

    def rank(self, papers: int) -> tuple[int, int, int, int]:
        return (STRENGTH[self.kind], int(self.exact_position), self.shared, papers)


@dataclass(frozen=True)
class AuthorDecision:
    author: AuthorRecord
    researcher: str
    evidence: Evidence
    detail: str = ""
    created: bool = False
    # Other existing researchers this occurrence proves to be the same person: merged into
    # `researcher` (by the importer, through an audited merge) before the rows are written.
    merge: tuple[str, ...] = ()
    merge_evidence: tuple[Match, ...] = ()
    # Several namesakes had only shared-coauthor evidence; the best was taken, none merged.
    ambiguous: bool = False


@dataclass(frozen=True)
class MergeEvent:
    """An author occurrence that proved several researchers to be one person."""

    into: str
    others: tuple[str, ...]
    evidence: tuple[Match, ...]
    source: str
    record_no: int
    where: str


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
    # Merged-away id -> the id it was merged into; root id -> every id it has absorbed.
    redirect: dict[str, str] = field(default_factory=dict)
    members: dict[str, set[str]] = field(default_factory=dict)
    merges: list[MergeEvent] = field(default_factory=list)
    _by_external: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    _by_bucket: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
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
        for key in person.keys:
            if key:
                self._by_bucket[_bucket(key)].add(person.id)

    def add_paper(self, paper: PaperEntry) -> None:
        self.papers[paper.id] = paper
        self.taken.add(paper.id)
        self._by_title[paper.title_key].add(paper.id)
        for ext in paper.external_ids:
            self._paper_by_external.setdefault(ext, paper.id)

    def link(self, researcher: str, paper: str, position: int | None) -> None:
        person, entry = self.people[researcher], self.papers[paper]
        if paper not in person.papers or person.papers[paper] is None:
            person.papers[paper] = position
        if researcher not in entry.authors or entry.authors[researcher] is None:
            entry.authors[researcher] = position
        # Keep the two views in step: the paper's position is the person's position.
        person.papers[paper] = entry.authors[researcher]

    def add_spelling(self, researcher: str, spelling: str, external_ids: Iterable[str]) -> None:
        person = self.people[researcher]
        person.spellings.add(spelling)
        key = text.name_key(spelling)
        if key:
            person.keys.add(key)
        person.external_ids.update(external_ids)
        self._index_person(person)

    def merge(self, into: str, others: Sequence[str], event: MergeEvent | None = None) -> None:
        """Fold `others` into `into`, as `graphdb.identity.merge_researchers` does in the graph."""
        target = self.people[into]
        absorbed = self.members.setdefault(into, {into})
        for other_id in others:
            other = self.people.pop(other_id)
            for ext in other.external_ids:
                self._by_external[ext].discard(other_id)
            for key in other.keys:
                self._by_bucket[_bucket(key)].discard(other_id)
            target.spellings |= other.spellings
            target.keys |= other.keys
            target.external_ids |= other.external_ids
            for paper, position in other.papers.items():
                authors = self.papers[paper].authors
                authors.pop(other_id, None)
                if into not in authors or authors[into] is None:
                    authors[into] = position
                target.papers[paper] = authors[into]
            self.redirect[other_id] = into
            absorbed |= self.members.pop(other_id, {other_id})
        self._index_person(target)
        if event is not None:
            self.merges.append(event)

    def canonical(self, researcher: str) -> str:
        """The id a researcher id stands for after this import's merges."""
        seen = []
        while researcher in self.redirect:
            seen.append(researcher)
            researcher = self.redirect[researcher]
        for hop in seen[:-1]:
            self.redirect[hop] = researcher
        return researcher

    # -- looking up ----------------------------------------------------------------------------

    def coauthors(self, researcher: str) -> set[str]:
        found: set[str] = set()
        for paper in self.people[researcher].papers:
            found.update(self.papers[paper].authors)
        found.discard(researcher)
        return found

    def are_coauthors(self, a: str, b: str) -> bool:
        return not self.people[a].papers.keys().isdisjoint(self.people[b].papers.keys())

    def namesakes(self, key: str) -> set[str]:
        """Researchers with a spelling compatible with `key`."""
        if not key:
            return set()
        return {
            rid
            for rid in self._by_bucket.get(_bucket(key), ())
            if any(names_compatible(key, known) for known in self.people[rid].keys)
        }

    def by_external_id(self, ext: str) -> set[str]:
        return set(self._by_external.get(ext, ()))

    def venue_id(self, series: str) -> str:
        folded = text.fold(series)
        return self.venues.get(folded) or make_id(Label.VENUE, _SERIES_ALIASES.get(folded, series))

    # -- papers --------------------------------------------------------------------------------

    def resolve_paper(self, record: PaperRecord) -> PaperDecision:
        """The existing paper this record is (same external id, or same normalized title and
        at least one author in common), else a new deterministic id."""
        known = self._paper_by_external.get(record.external_id)
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
        existing = [self.people[rid] for rid in self.papers[paper].authors]
        count = 0
        for author in authors:
            key = text.name_key(author.name)
            ids = set(author.external_ids)
            if any(
                not ids.isdisjoint(person.external_ids)
                or any(names_compatible(key, known) for known in person.keys)
                for person in existing
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
        entry.external_ids.add(record.external_id)
        self._paper_by_external.setdefault(record.external_id, paper)
        entry.has_abstract = entry.has_abstract or bool(record.abstract)

    # -- researchers ---------------------------------------------------------------------------

    def resolve_authors(
        self, paper: str | None, authors: Sequence[AuthorRecord], *, new_paper: str = ""
    ) -> list[AuthorDecision]:
        """One decision per author. `paper` is the existing paper the record was matched to,
        or None for a paper new to the graph (then only ids and coauthors are evidence), whose
        id is `new_paper` (it seeds the ids of new namesakes)."""
        keys = [text.name_key(a.name) for a in authors]
        strong = [
            self._strong_matches(paper, author, key)
            for author, key in zip(authors, keys, strict=True)
        ]
        namesakes = [self.namesakes(key) for key in keys]
        # Author index -> the researcher ids that author is (more than one when merging).
        chosen: dict[int, set[str]] = {}
        decisions: dict[int, AuthorDecision] = {}
        # Firmest first, so that a person claimed by one author is not offered to another.
        order = sorted(
            range(len(authors)),
            key=lambda i: (-max((STRENGTH[m.kind] for m in strong[i]), default=0), i),
        )
        # Coauthor evidence is mutual: each undecided author's candidates count as the others'
        # coauthors, so two names that appeared together before are found together again.
        # Repeat while decisions unlock more evidence.
        progress = True
        while progress:
            progress = False
            for i in order:
                if i in decisions:
                    continue
                decision = self._decide(i, authors, strong, namesakes, chosen)
                if decision is not None:
                    decisions[i] = decision
                    progress = True
        reserved: set[str] = set()  # one byline may name two new people alike
        for i in order:
            if i not in decisions:
                decisions[i] = self._new_person(
                    authors[i], paper or new_paper, namesakes[i], reserved
                )
                reserved.add(decisions[i].researcher)
        return [decisions[i] for i in range(len(authors))]

    def _strong_matches(self, paper: str | None, author: AuthorRecord, key: str) -> list[Match]:
        found: dict[str, Match] = {}

        def offer(match: Match) -> None:
            current = found.get(match.researcher)
            if current is None or STRENGTH[match.kind] > STRENGTH[current.kind]:
                found[match.researcher] = match

        for ext in author.external_ids:
            for rid in sorted(self._by_external.get(ext, ())):
                offer(Match(rid, Evidence.EXTERNAL_ID, ext))
        if paper is not None:
            last = surname(key)
            for rid, position in sorted(self.papers[paper].authors.items()):
                person = self.people[rid]
                exact = position is not None and position == author.position
                where = f"{paper} position {position}" if position else paper
                if any(names_compatible(key, known) for known in person.keys):
                    offer(Match(rid, Evidence.SAME_PAPER, where, exact_position=exact))
                elif exact and last and last in {surname(k) for k in person.keys}:
                    offer(Match(rid, Evidence.POSITION_SURNAME, where, exact_position=True))
        return list(found.values())

    def _decide(
        self,
        i: int,
        authors: Sequence[AuthorRecord],
        strong: list[list[Match]],
        namesakes: list[set[str]],
        chosen: dict[int, set[str]],
    ) -> AuthorDecision | None:
        """The decision for author `i` if there is evidence for anyone, else None."""
        author = authors[i]
        taken = set().union(*chosen.values()) if chosen else set()
        # Coauthors the record firmly has (decided, or held by id or byline) and those it may
        # have (namesakes of authors still undecided). Only firm ones justify a merge.
        firm: set[str] = set()
        loose: set[str] = set()
        for j in range(len(authors)):
            if j in chosen:
                firm |= chosen[j]
            elif j != i and strong[j]:
                firm |= {m.researcher for m in strong[j]}
            elif j != i:
                loose |= namesakes[j]
        firm -= chosen.get(i, set())
        matches = {m.researcher: m for m in strong[i] if m.researcher not in taken}
        # With a firm match in hand, another namesake counts only by firm coauthors.
        others = firm if matches else firm | loose
        for rid in sorted(namesakes[i] - taken - matches.keys()):
            shared = self.coauthors(rid) & others
            if shared:
                detail = "coauthors " + ", ".join(sorted(shared)[:3])
                matches[rid] = Match(rid, Evidence.SHARED_COAUTHOR, detail, shared=len(shared))
        if not matches:
            return None
        ranked = sorted(
            matches.values(),
            key=lambda m: (m.rank(len(self.people[m.researcher].papers)), m.researcher),
            reverse=True,
        )
        best = ranked[0]
        if best.kind not in STRONG:
            chosen[i] = {best.researcher}
            return AuthorDecision(
                author, best.researcher, best.kind, best.detail, ambiguous=len(ranked) > 1
            )
        # A firm match plus further evidenced matches: those are this person too. Never merge
        # two people who share a byline, nor a pair someone split apart.
        group = [best]
        for match in ranked[1:]:
            if all(self._mergeable(match.researcher, g.researcher) for g in group):
                group.append(match)
        chosen[i] = {m.researcher for m in group}
        if len(group) == 1:
            return AuthorDecision(author, best.researcher, best.kind, best.detail)
        into = self._into(group)
        return AuthorDecision(
            author,
            into.researcher,
            best.kind,
            best.detail,
            merge=tuple(sorted(m.researcher for m in group if m is not into)),
            merge_evidence=tuple(group),
        )

    def _mergeable(self, a: str, b: str) -> bool:
        if self.are_coauthors(a, b):
            return False
        ma, mb = self.members.get(a, {a}), self.members.get(b, {b})
        return not any(frozenset((x, y)) in self.apart for x in ma for y in mb)

    def _into(self, group: Sequence[Match]) -> Match:
        """Who keeps the id: a node already in the graph (so the graph merge has a target),
        then the best established, so that the fewest relationships move."""
        return max(
            group,
            key=lambda m: (
                self.people[m.researcher].stored,
                len(self.people[m.researcher].papers),
                STRENGTH[m.kind],
                m.researcher,
            ),
        )

    def _new_person(
        self,
        author: AuthorRecord,
        paper: str | None,
        namesakes: set[str],
        reserved: set[str] | frozenset[str] = frozenset(),
    ) -> AuthorDecision:
        hint = author.external_ids[0] if author.external_ids else f"{paper}#{author.position}"
        new_id = self.new_researcher_id(author.name, hint, reserved)
        evidence = Evidence.NEW_NAMESAKE if namesakes else Evidence.NEW
        detail = "no evidence for " + ", ".join(sorted(namesakes)[:3]) if namesakes else ""
        return AuthorDecision(author, new_id, evidence, detail, created=True)

    def new_researcher_id(
        self, name: str, hint: str, reserved: set[str] | frozenset[str] = frozenset()
    ) -> str:
        """`researcher:<slug>`, or for a second person of that name `researcher:<slug>-<hash of
        their first external id, else the paper and position they were first seen at>`."""
        base = make_id(Label.RESEARCHER, name)
        if base not in self.taken and base not in reserved:
            return base
        for n in range(100):
            candidate = f"{base}-{_short_hash(f'{hint}|{n}' if n else hint, 6)}"
            if candidate not in self.taken and candidate not in reserved:
                return candidate
        raise ValueError(f"no free id for researcher {name!r}")  # needs 100 sha1 collisions

    def create_person(self, decision: AuthorDecision) -> Person:
        author = decision.author
        key = text.name_key(author.name)
        person = Person(
            decision.researcher,
            author.name,
            {author.name},
            {key} if key else set(),
            set(author.external_ids),
            {},
        )
        self.add_person(person)
        return person

    def resolve_declared(self, record: ResearcherRecord) -> AuthorDecision:
        """A researcher record says its external ids are one person: every node holding one of
        them is that person (merged unless split apart before or coauthors)."""
        author = AuthorRecord(record.name, 0, record.external_ids)
        matches: dict[str, Match] = {}
        for ext in record.external_ids:
            for rid in sorted(self._by_external.get(ext, ())):
                matches.setdefault(rid, Match(rid, Evidence.EXTERNAL_ID, ext))
        if not matches:
            return self._new_person(author, None, self.namesakes(text.name_key(record.name)))
        ranked = sorted(matches.values(), key=lambda m: m.researcher)
        group = [ranked[0]]
        for match in ranked[1:]:
            if all(self._mergeable(match.researcher, g.researcher) for g in group):
                group.append(match)
        into = self._into(group)
        return AuthorDecision(
            author,
            into.researcher,
            Evidence.EXTERNAL_ID,
            into.detail,
            merge=tuple(sorted(m.researcher for m in group if m is not into)),
            merge_evidence=tuple(group) if len(group) > 1 else (),
        )


# Series names that other sources spell differently from the seed's venues.
_SERIES_ALIASES = {"nips": "NeurIPS"}


__all__ = [
    "STRENGTH",
    "STRONG",
    "AuthorDecision",
    "Evidence",
    "Index",
    "Match",
    "MergeEvent",
    "PaperDecision",
    "PaperEntry",
    "PaperEvidence",
    "Person",
    "names_compatible",
    "surname",
]
