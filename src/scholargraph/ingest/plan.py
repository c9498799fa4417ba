"""Plan an import in memory: papers, authorships, who is whom, and the ids, before any write.

The whole input is resolved at once, in a fixed order (records sorted by provenance and record
number), against what the graph holds *apart from this import's own earlier output*: a
researcher or authorship whose every source is one of this import's sources was written by an
earlier (maybe interrupted) run of it, so it is re-derived, not taken as given. Hence the plan,
and the graph written from it, do not depend on file order, batch size, or on a run interrupted
half-way (docs/identity.md, "Deterministic").

Steps:
1. papers: each record is the paper it names by external id, or a same-titled one sharing an
   author, or a new one (`Index.resolve_paper`);
2. authorships ("slots"): each author of a record joins an authorship the paper already has
   (the same external id, a compatible name, or the same position and surname), else opens one;
3. people: `resolver.Resolver` clusters the slots;
4. ids: a cluster holding stored researchers keeps one of their ids (several are merged); a new
   cluster gets `researcher:<slug of its name>`, namesakes after the first (most works first)
   `researcher:<slug>-<6 hex of its first authorship's key>`.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from scholargraph import text
from scholargraph.graphdb.model import Label, make_id
from scholargraph.ingest.identity import (
    Evidence,
    Index,
    PaperDecision,
    names_compatible,
    surname,
)
from scholargraph.ingest.records import AuthorRecord, PaperRecord, ResearcherRecord
from scholargraph.ingest.resolver import (
    Decision,
    NameStats,
    PaperFacts,
    Resolver,
    Result,
    Slot,
    block_of,
    title_terms,
)


@dataclass(frozen=True)
class Entry:
    """One record to import and the provenance tag of what it asserts."""

    item: PaperRecord | ResearcherRecord
    source: str

    @property
    def order(self) -> tuple[str, int]:
        return (self.source, self.item.record_no)


@dataclass
class Mention:
    entry: int
    author: AuthorRecord
    slot: int
    # How it joined an authorship the graph already had (None: one of this import's).
    align: Evidence | None = None
    align_detail: str = ""


@dataclass
class SlotInfo:
    paper: str | None
    position: int | None
    keys: set[str]
    ids: set[str]
    pinned: str | None = None  # stored researcher
    stored_as_written: str | None = None  # the stored authorship's own spelling
    affiliations: set[str] = field(default_factory=set)
    mentions: list[int] = field(default_factory=list)


@dataclass
class MergePlan:
    into: str
    others: tuple[str, ...]
    evidence: list[dict[str, object]]


@dataclass
class Plan:
    entries: list[Entry]
    papers: dict[int, PaperDecision]  # entry index -> paper decision
    slots: list[SlotInfo]
    mentions: list[Mention]
    by_entry: dict[int, list[int]]  # entry index -> mention indices (byline order)
    result: Result
    researcher: list[str]  # per slot
    created: set[str]  # new researcher ids
    names: dict[str, str]  # new researcher id -> its name
    merges: list[MergePlan]
    namesakes: set[str]  # new researcher ids that share a block with another cluster

    def decision(self, slot: int) -> Decision:
        return self.result.decisions[slot]


def _short_hash(value: str, length: int = 6) -> str:
    return hashlib.sha1(value.encode(), usedforsecurity=False).hexdigest()[:length]


def sort_entries(entries: Iterable[Entry]) -> list[Entry]:
    return sorted(entries, key=lambda e: e.order)


class _Planner:
    def __init__(self, index: Index, entries: Sequence[Entry], hide_ids: bool) -> None:
        self.index = index
        self.entries = list(entries)
        self.hide_ids = hide_ids
        self.slots: list[SlotInfo] = []
        self.mentions: list[Mention] = []
        self.by_entry: dict[int, list[int]] = {}
        self.paper_slots: dict[str, list[int]] = defaultdict(list)
        self.papers: dict[int, PaperDecision] = {}

    def ids(self, author: AuthorRecord) -> set[str]:
        return set() if self.hide_ids else set(author.external_ids)

    # -- 1. papers -----------------------------------------------------------------------------

    def resolve_papers(self) -> None:
        index = self.index
        for n, entry in enumerate(self.entries):
            record = entry.item
            if not isinstance(record, PaperRecord):
                continue
            found = index.resolve_paper(record)
            if found.created:
                index.new_paper(found, record)
            index.note_paper(found.paper, record)
            paper = index.papers[found.paper]
            paper.publications.add((index.venue_id(record.venue), str(record.year)))
            paper.topics.update(make_id(Label.TOPIC, k) for k in record.keywords if text.fold(k))
            self.papers[n] = found

    # -- 2. authorships ------------------------------------------------------------------------

    def stored_slots(self) -> None:
        for person in sorted(self.index.people.values(), key=lambda p: p.id):
            for paper, position in sorted(person.papers.items()):
                if paper not in self.index.papers:
                    continue
                self._open(
                    SlotInfo(
                        paper,
                        position,
                        set(person.keys),
                        set() if self.hide_ids else set(person.external_ids),
                        pinned=person.id,
                        stored_as_written=person.as_written.get(paper),
                    )
                )

    def _open(self, info: SlotInfo) -> int:
        self.slots.append(info)
        n = len(self.slots) - 1
        if info.paper is not None:
            self.paper_slots[info.paper].append(n)
        return n

    def align(self, n: int, record: PaperRecord) -> None:
        paper = self.papers[n].paper
        candidates = self.paper_slots[paper]
        authors = record.authors
        keys = [text.name_key(a.name) for a in authors]
        chosen: dict[int, tuple[int, Evidence, str]] = {}
        claimed: set[int] = set()

        def claim(i: int, slot: int, kind: Evidence) -> None:
            info = self.slots[slot]
            where = f"{paper} position {info.position}" if info.position else paper
            chosen[i] = (slot, kind, where)
            claimed.add(slot)

        def by_name(exact: bool) -> None:
            for i, author in enumerate(authors):
                if i in chosen or not keys[i]:
                    continue
                fits = [
                    slot
                    for slot in candidates
                    if slot not in claimed
                    and (self.slots[slot].position == author.position) is exact
                    and any(names_compatible(keys[i], k) for k in self.slots[slot].keys)
                ]
                if fits:
                    best = min(
                        fits,
                        key=lambda s: (abs((self.slots[s].position or 0) - author.position), s),
                    )
                    claim(i, best, Evidence.SAME_PAPER)

        # A compatible name at the same position first: it does not depend on ids a stored
        # researcher may have gained from an earlier run of this very import. Then a shared id,
        # a compatible name elsewhere on the byline, the same position and surname.
        by_name(True)
        for i, author in enumerate(authors):
            ids = self.ids(author)
            if i in chosen or not ids:
                continue
            for slot in candidates:
                if slot not in claimed and not ids.isdisjoint(self.slots[slot].ids):
                    claim(i, slot, Evidence.EXTERNAL_ID)
                    break
        by_name(False)
        for i, author in enumerate(authors):
            if i in chosen or not keys[i]:
                continue
            last = surname(keys[i])
            for slot in candidates:
                info = self.slots[slot]
                if (
                    slot not in claimed
                    and info.position == author.position
                    and last in {surname(k) for k in info.keys}
                ):
                    claim(i, slot, Evidence.POSITION_SURNAME)
                    break
        mentions = []
        for i, author in enumerate(authors):
            if i in chosen:
                slot, kind, where = chosen[i]
                info = self.slots[slot]
                align = kind if info.pinned is not None else None
            else:
                slot = self._open(SlotInfo(paper, author.position, set(), set()))
                info, align, where = self.slots[slot], None, ""
            if keys[i]:
                info.keys.add(keys[i])
            info.ids |= self.ids(author)
            info.affiliations.update(text.fold(a) for a in author.affiliations if text.fold(a))
            self.mentions.append(Mention(n, author, slot, align, where if align else ""))
            info.mentions.append(len(self.mentions) - 1)
            mentions.append(len(self.mentions) - 1)
        self.by_entry[n] = mentions

    def declared(self, n: int, record: ResearcherRecord) -> None:
        author = AuthorRecord(record.name, 0, record.external_ids)
        keys = {k for s in (record.name, *record.aliases) if (k := text.name_key(s))}
        slot = self._open(SlotInfo(None, None, keys, self.ids(author)))
        self.mentions.append(Mention(n, author, slot))
        self.slots[slot].mentions.append(len(self.mentions) - 1)
        self.by_entry[n] = [len(self.mentions) - 1]

    # -- 3. people -----------------------------------------------------------------------------

    def slot_key(self, n: int) -> str:
        info = self.slots[n]
        if info.paper is None:
            entry = self.entries[self.mentions[info.mentions[0]].entry]
            return f"~researcher-line:{entry.source}#{entry.item.record_no:06d}"
        rank = self.paper_slots[info.paper].index(n)
        return f"{info.paper}#{info.position or 0:04d}#{rank:03d}"

    def facts(self) -> dict[str, PaperFacts]:
        facts = {}
        for pid, entry in self.index.papers.items():
            years = {int(k) for _, k in entry.publications if k.isdigit()}
            facts[pid] = PaperFacts(
                frozenset(v for v, _ in entry.publications),
                frozenset(years),
                frozenset(entry.topics),
                title_terms(entry.title_key),
            )
        return facts

    def cluster(self, stats: NameStats | None) -> tuple[list[Slot], Result]:
        slots = [
            Slot(
                self.slot_key(n),
                info.paper,
                frozenset(info.keys),
                frozenset(info.ids),
                info.pinned,
                frozenset(info.affiliations),
            )
            for n, info in enumerate(self.slots)
        ]
        resolver = Resolver(slots, self.facts(), apart=self.index.apart, stats=stats)
        return slots, resolver.run()

    # -- 4. ids --------------------------------------------------------------------------------

    def spelling_order(self, members: list[int]) -> list[str]:
        """Spellings of a cluster, the most used first, then in record order."""
        count: Counter[str] = Counter()
        first: dict[str, tuple[str, int]] = {}
        for slot in members:
            for m in self.slots[slot].mentions:
                mention = self.mentions[m]
                name = mention.author.name
                count[name] += 1
                order = self.entries[mention.entry].order
                first[name] = min(first.get(name, order), order)
        return sorted(count, key=lambda name: (-count[name], first[name], name))

    def assign(
        self, slots: list[Slot], result: Result
    ) -> tuple[list[str], set[str], dict[str, str], list[MergePlan], set[str]]:
        index = self.index
        researcher = [""] * len(self.slots)
        merges: list[MergePlan] = []
        fresh: list[tuple[str, int, str, list[int]]] = []  # (base id, -size, key, members)
        blocks: Counter[str] = Counter()
        for members in result.clusters:
            for block in {block_of(k) for s in members for k in slots[s].names}:
                blocks[block] += 1
        for members in result.clusters:
            stored = sorted({p for s in members if (p := self.slots[s].pinned) is not None})
            if stored:
                size = Counter(self.slots[s].pinned for s in members)
                into = max(stored, key=lambda rid: (size[rid], len(index.people[rid].papers), rid))
                if len(stored) > 1:
                    merges.append(self.merge_plan(into, stored, members, result))
                for s in members:
                    researcher[s] = into
                continue
            names = self.spelling_order(members)
            base = make_id(Label.RESEARCHER, names[0] if names else "x")
            fresh.append((base, -len(members), slots[members[0]].key, members))
        created: set[str] = set()
        named: dict[str, str] = {}
        namesakes: set[str] = set()
        used = set(index.taken)
        for base, _, key, members in sorted(fresh):
            new_id = base
            n = 0
            while new_id in used:
                new_id = f"{base}-{_short_hash(key if n == 0 else f'{key}|{n}')}"
                n += 1
            used.add(new_id)
            created.add(new_id)
            named[new_id] = self.spelling_order(members)[0]
            if any(blocks[block_of(k)] > 1 for s in members for k in slots[s].names):
                namesakes.add(new_id)
            for s in members:
                researcher[s] = new_id
        return researcher, created, named, merges, namesakes

    def merge_plan(
        self, into: str, stored: list[str], members: list[int], result: Result
    ) -> MergePlan:
        evidence: list[dict[str, object]] = []
        for s in members:
            info = self.slots[s]
            decision = result.decisions[s]
            for m in info.mentions:
                mention = self.mentions[m]
                if mention.align is not None:
                    entry = self.entries[mention.entry]
                    evidence.append(
                        {
                            "kind": str(mention.align),
                            "researcher": info.pinned,
                            "detail": mention.align_detail,
                            "source": entry.source,
                            "record": entry.item.record_no,
                            "where": f"{mention.author.name!r} at position "
                            f"{mention.author.position}",
                        }
                    )
            if decision.score is not None and info.pinned is not None:
                for term in decision.terms:
                    evidence.append(
                        {"researcher": info.pinned, "score": decision.score, **term.json()}
                    )
        return MergePlan(into, tuple(r for r in stored if r != into), evidence)

    def run(self, stats: NameStats | None) -> Plan:
        self.resolve_papers()
        self.stored_slots()
        for n, entry in enumerate(self.entries):
            if isinstance(entry.item, PaperRecord):
                self.align(n, entry.item)
            else:
                self.declared(n, entry.item)
        slots, result = self.cluster(stats)
        researcher, created, names, merges, namesakes = self.assign(slots, result)
        return Plan(
            self.entries,
            self.papers,
            self.slots,
            self.mentions,
            self.by_entry,
            result,
            researcher,
            created,
            names,
            merges,
            namesakes,
        )


def plan_import(
    index: Index,
    entries: Sequence[Entry],
    *,
    hide_ids: bool = False,
    stats: NameStats | None = None,
) -> Plan:
    """Resolve `entries` (sorted first) against `index`; `index` gains the new papers."""
    return _Planner(index, sort_entries(entries), hide_ids).run(stats)


__all__ = ["Entry", "Mention", "MergePlan", "Plan", "SlotInfo", "plan_import", "sort_entries"]
