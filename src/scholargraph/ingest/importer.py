"""Import parsed records into the graph: resolve identities, write bounded atomic batches.

The graph's researchers and papers are loaded once (`graphdb.identity.load_snapshot`) into an
`identity.Index`; each record is resolved in Python against it and the index is updated at
once, so later records see earlier decisions. Rows go out through `writes.upsert`, one query
per batch of records, so an interrupted import leaves whole batches only and the same command
simply runs again: every id is deterministic and every write is an upsert. A record that
proves two existing researchers to be one person flushes the batch, then merges them through
`graphdb.identity.merge_researchers`, which records the evidence in a MergeRecord.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from scholargraph import text
from scholargraph.graphdb import writes
from scholargraph.graphdb.identity import Snapshot, load_snapshot, merge_researchers
from scholargraph.graphdb.model import Label, Rel, make_id
from scholargraph.graphdb.stats import GraphCounts, graph_counts
from scholargraph.graphdb.store import Store, StoreError
from scholargraph.graphdb.writes import EdgeRow, NodeRow
from scholargraph.ingest.identity import (
    AuthorDecision,
    Index,
    MergeEvent,
    PaperEntry,
    Person,
)
from scholargraph.ingest.jsonl import parse_jsonl
from scholargraph.ingest.paperlists import parse_paperlists
from scholargraph.ingest.records import (
    AuthorRecord,
    ImportProblem,
    PaperRecord,
    ResearcherRecord,
)

RECORDS_PER_BATCH = 500
# Consolidation normally settles in two or three passes; the cap only bounds a pathological file.
MAX_PASSES = 10

Item = PaperRecord | ResearcherRecord | ImportProblem

# Decisions that did not lead to a publication; kept only with --keep-rejected.
_NOT_PUBLISHED = frozenset({"reject", "rejected", "withdraw", "withdrawn", "desk reject", "active"})
_VENUE_KINDS = {"preprint": "preprint_server"}


@dataclass(frozen=True)
class SourceFile:
    path: Path
    items: Iterable[Item]
    records: int | None  # how many items, when known before reading (for the progress bar)
    provenance: Callable[[Item], str]


def _fixed(tag: str) -> Callable[[Item], str]:
    def provenance(_item: Item) -> str:
        return tag

    return provenance


def paperlists_sources(paths: Sequence[Path], *, keep_rejected: bool = False) -> list[SourceFile]:
    """The parser reads a whole file before yielding, so each file is parsed here, up front."""
    sources = []
    for path in paths:
        items = list(parse_paperlists(path, keep_rejected=keep_rejected))
        sources.append(
            SourceFile(path, items, len(items), _fixed(f"import:paperlists/{path.name}"))
        )
    return sources


def _count_lines(path: Path) -> int | None:
    try:
        with path.open("rb") as handle:
            count, last = 0, b"\n"
            while chunk := handle.read(1 << 20):
                count += chunk.count(b"\n")
                last = chunk[-1:]
    except OSError:
        return None
    return count + (last != b"\n")


def jsonl_sources(paths: Sequence[Path]) -> list[SourceFile]:
    """Lines are read lazily; a line's own `source` tag is its provenance when it has one."""
    sources = []
    for path in paths:
        default = f"jsonl:{path.name}"

        def provenance(item: Item, default: str = default, name: str = path.name) -> str:
            tag = getattr(item, "source", default)
            return f"import:jsonl/{name}" if tag == default else f"import:{tag}"

        sources.append(SourceFile(path, parse_jsonl(path), _count_lines(path), provenance))
    return sources


@dataclass
class ImportSummary:
    files: list[str] = field(default_factory=list)
    failed_files: list[ImportProblem] = field(default_factory=list)
    read: int = 0
    papers_created: int = 0
    papers_matched: int = 0
    researchers_created: int = 0  # new Researcher nodes
    researchers_matched: int = 0  # author occurrences attached to a researcher already known
    consolidated: int = 0  # researchers this import first created, then found to be one
    merged: int = 0  # researchers already in the graph, merged into another (audited)
    ambiguous: int = 0
    evidence: Counter[str] = field(default_factory=Counter)
    merges: list[str] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)
    problems: list[ImportProblem] = field(default_factory=list)
    passes: int = 0
    batches: int = 0
    elapsed: float = 0.0
    phases: dict[str, float] = field(default_factory=dict)  # seconds per phase
    before: GraphCounts | None = None
    after: GraphCounts | None = None

    def skip(self, problem: ImportProblem) -> None:
        self.problems.append(problem)
        # "skipped: status Reject" is a category; "not valid JSON: <detail>" groups by its head.
        reason = problem.reason
        self.skipped[reason if reason.startswith("skipped") else reason.split(": ", 1)[0]] += 1


def index_from(snapshot: Snapshot) -> Index:
    index = Index()
    for paper in snapshot.papers:
        index.add_paper(
            PaperEntry(
                paper.id,
                paper.title_key,
                set(paper.external_ids),
                {},
                paper.has_abstract,
                set(paper.publications),
            )
        )
    for row in snapshot.researchers:
        spellings = {s for s in (row.name, *row.aliases) if s}
        keys = set(row.name_keys) | {text.name_key(s) for s in spellings}
        works = {pid: position for pid, position in row.papers if pid in index.papers}
        index.add_person(
            Person(
                row.id,
                row.name,
                spellings,
                keys - {""},
                set(row.external_ids),
                works,
                stored=True,
            )
        )
        for pid, position in works.items():
            index.papers[pid].authors[row.id] = position
    for venue in snapshot.venues:
        for name in (venue.name, *venue.aliases):
            index.venues.setdefault(text.fold(name), venue.id)
    index.known_venues.update(venue.id for venue in snapshot.venues)
    index.topics |= snapshot.topics
    index.institutions |= snapshot.institutions
    index.taken |= snapshot.merged_away
    index.apart |= snapshot.apart
    return index


def _terms(*values: str | None) -> list[str]:
    return [folded for v in values if v and (folded := text.fold(v))]


@dataclass(frozen=True)
class _Spelling:
    """A researcher as one record spells them; the node row is built when written, from the
    index's final state, because merges later in the import may change who that is."""

    researcher: str
    spellings: tuple[str, ...]
    external_ids: tuple[str, ...]
    source: str


@dataclass
class _Rows:
    """What one record asserts, held until the write phase."""

    nodes: list[NodeRow] = field(default_factory=list)
    people: list[_Spelling] = field(default_factory=list)
    edges: list[EdgeRow] = field(default_factory=list)


@dataclass(frozen=True)
class _Byline:
    """What the consolidation phase replays: one record's authors on its paper."""

    paper: str
    authors: tuple[AuthorRecord, ...]
    source: str
    record_no: int
    title: str


class _Run:
    def __init__(self, store: Store, index: Index, summary: ImportSummary) -> None:
        self.store = store
        self.index = index
        self.summary = summary
        self.rows: list[_Rows] = []
        self.bylines: list[_Byline] = []
        self.created: set[str] = set()

    # -- phase 1: resolve every record against the index ---------------------------------------

    def item(self, item: Item, source: str) -> None:
        if isinstance(item, ImportProblem):
            self.summary.skip(item)
        elif isinstance(item, PaperRecord):
            self.paper(item, source)
        else:
            self.researcher(item, source)

    def merge(self, decision: AuthorDecision, source: str, record_no: int, where: str) -> None:
        event = MergeEvent(
            decision.researcher,
            decision.merge,
            decision.merge_evidence,
            source,
            record_no,
            f"{decision.author.name!r} {where}",
        )
        self.index.merge(decision.researcher, decision.merge, event)

    def person(
        self, decision: AuthorDecision, spellings: Sequence[str], source: str, rows: _Rows
    ) -> None:
        author = decision.author
        if decision.created:
            self.index.create_person(decision)
            self.created.add(decision.researcher)
        else:
            self.summary.researchers_matched += 1
            self.summary.ambiguous += decision.ambiguous
        self.summary.evidence[str(decision.evidence)] += 1
        for spelling in spellings:
            self.index.add_spelling(decision.researcher, spelling, author.external_ids)
        rows.people.append(
            _Spelling(decision.researcher, tuple(spellings), tuple(author.external_ids), source)
        )

    def researcher(self, record: ResearcherRecord, source: str) -> None:
        decision = self.index.resolve_declared(record)
        if decision.merge:
            self.merge(decision, source, record.record_no, "by its external ids")
        rows = _Rows()
        self.person(decision, [record.name, *record.aliases], source, rows)
        self.rows.append(rows)

    def paper(self, record: PaperRecord, source: str) -> None:
        index = self.index
        found = index.resolve_paper(record)
        decisions = index.resolve_authors(
            None if found.created else found.paper, record.authors, new_paper=found.paper
        )
        for decision in decisions:
            if decision.merge:
                where = f"at position {decision.author.position} of {record.title!r}"
                self.merge(decision, source, record.record_no, where)
        pid = found.paper
        rows = _Rows()
        if found.created:
            entry = index.new_paper(found, record)
            self.summary.papers_created += 1
            props: dict[str, Any] = {
                "title": record.title,
                "titleKey": text.title_key(record.title),
                "abstract": record.abstract,
                "primaryArea": record.primary_area,
            }
            terms = _terms(record.title, record.abstract)
        else:
            entry = index.papers[pid]
            self.summary.papers_matched += 1
            # Never overwrite what another source said; only fill what is missing.
            fill = bool(record.abstract) and not entry.has_abstract
            props = {"abstract": record.abstract} if fill else {}
            terms = _terms(record.abstract) if fill else []
            index.note_paper(pid, record)
        rows.nodes.append(
            NodeRow(
                pid,
                Label.PAPER,
                source,
                props,
                {"externalIds": [record.external_id], "searchTerms": terms},
            )
        )
        self.publication(entry, record, source, rows)
        for topic in record.keywords:
            if text.fold(topic):
                tid = make_id(Label.TOPIC, topic)
                if tid not in index.topics:
                    index.topics.add(tid)
                    rows.nodes.append(
                        NodeRow(
                            tid,
                            Label.TOPIC,
                            source,
                            {"name": topic},
                            {"searchTerms": _terms(topic)},
                        )
                    )
                rows.edges.append(EdgeRow(Rel.HAS_TOPIC, pid, tid, source))
        evidence_source = f"{source}#{record.record_no}"
        for decision in decisions:
            author = decision.author
            known = index.people.get(decision.researcher)
            evidence = {
                "evidence": str(decision.evidence),
                "evidenceSource": evidence_source,
                "evidenceDetail": decision.detail or None,
            }
            edge_props: dict[str, Any] = {}
            if known is None or pid not in known.papers:
                # The first source to assert an authorship describes it; others add provenance.
                edge_props = {"position": author.position, "asWritten": author.name, **evidence}
            elif decision.merge or author.name not in known.spellings:
                # A new spelling of a known authorship (or one that merged people): keep why it
                # was taken to be this person. A re-run finds neither, so writes nothing.
                edge_props = {**evidence, "evidenceAsWritten": author.name}
            self.person(decision, [author.name], source, rows)
            index.link(decision.researcher, pid, author.position)
            rows.edges.append(
                EdgeRow(Rel.AUTHORED, decision.researcher, pid, source, props=edge_props)
            )
            for affiliation in author.affiliations:
                self.affiliation(decision.researcher, affiliation, record.year, source, rows)
        self.rows.append(rows)
        self.bylines.append(_Byline(pid, record.authors, source, record.record_no, record.title))

    def publication(self, entry: PaperEntry, record: PaperRecord, source: str, rows: _Rows) -> None:
        index = self.index
        vid = index.venue_id(record.venue)
        if vid not in index.known_venues:
            index.known_venues.add(vid)
            index.venues.setdefault(text.fold(record.venue), vid)
            rows.nodes.append(
                NodeRow(
                    vid,
                    Label.VENUE,
                    source,
                    {"name": record.venue, "kind": _VENUE_KINDS.get(record.kind, record.kind)},
                    {"searchTerms": _terms(record.venue)},
                )
            )
        key = str(record.year)
        props: dict[str, Any] = {}
        if (vid, key) not in entry.publications:
            entry.publications.add((vid, key))
            rejected = record.presentation is None and record.status.lower() in _NOT_PUBLISHED
            props = {
                "year": record.year,
                "kind": "submission" if rejected else record.kind,
                "presentation": record.presentation,
                "status": record.status or None,
            }
        rows.edges.append(EdgeRow(Rel.PUBLISHED_AT, entry.id, vid, source, key=key, props=props))

    def affiliation(self, researcher: str, name: str, year: int, source: str, rows: _Rows) -> None:
        if not text.fold(name):
            return
        iid = make_id(Label.INSTITUTION, name)
        if iid not in self.index.institutions:
            self.index.institutions.add(iid)
            rows.nodes.append(
                NodeRow(
                    iid, Label.INSTITUTION, source, {"name": name}, {"searchTerms": _terms(name)}
                )
            )
        rows.edges.append(
            EdgeRow(
                Rel.AFFILIATED_WITH,
                researcher,
                iid,
                source,
                key=str(year),
                props={"since": year, "source": source},
            )
        )

    # -- phase 2: replay bylines until no more evidence turns up -------------------------------

    def consolidate(self, max_passes: int = MAX_PASSES) -> None:
        """A record resolved early could not see evidence that later records brought (a
        namesake created, then found to share coauthors). Replaying every byline against the
        final index until nothing merges makes the import reach the state a second run would
        find, so a second run changes nothing."""
        for _ in range(max_passes):
            self.summary.passes += 1
            merged = 0
            for byline in self.bylines:
                for decision in self.index.resolve_authors(byline.paper, byline.authors):
                    if decision.merge:
                        where = f"at position {decision.author.position} of {byline.title!r}"
                        self.merge(decision, byline.source, byline.record_no, where)
                        merged += 1
            if not merged:
                return

    # -- phase 3: write ------------------------------------------------------------------------

    async def merge_stored(self) -> None:
        """One audited graph merge per person whose nodes existed before this import."""
        index = self.index
        groups: dict[str, list[str]] = {}
        for merged_id in sorted(index.redirect):
            if merged_id not in self.created:
                groups.setdefault(index.canonical(merged_id), []).append(merged_id)
        for into, ids in sorted(groups.items()):
            members = index.members.get(into, {into})
            events = [e for e in index.merges if e.into in members or members & set(e.others)]
            evidence = [
                {
                    "kind": str(m.kind),
                    "researcher": m.researcher,
                    "detail": m.detail,
                    "source": e.source,
                    "record": e.record_no,
                    "where": e.where,
                }
                for e in events
                for m in e.evidence
            ]
            first = events[0] if events else None
            result = await merge_researchers(
                self.store,
                ids,
                into,
                actor=first.source if first else "import",
                reason=(
                    f"record {first.record_no}: {first.where} is each of these researchers"
                    if first
                    else "import"
                ),
                evidence=evidence,
            )
            self.summary.merges.append(result.merge_id)
            self.summary.merged += len(ids)

    def researcher_row(self, spelling: _Spelling, named: set[str]) -> NodeRow:
        rid = self.index.canonical(spelling.researcher)
        person = self.index.people[rid]
        props: dict[str, Any] = {}
        if not person.stored and rid not in named:
            named.add(rid)
            props = {"name": person.name, "nameKey": text.name_key(person.name)}
        return NodeRow(
            rid,
            Label.RESEARCHER,
            spelling.source,
            props,
            {
                "aliases": [s for s in spelling.spellings if s != person.name],
                "nameKeys": [k for s in spelling.spellings if (k := text.name_key(s))],
                "searchTerms": _terms(*spelling.spellings),
                "externalIds": list(spelling.external_ids),
            },
        )

    def edge_row(self, edge: EdgeRow) -> EdgeRow:
        if edge.type not in (Rel.AUTHORED, Rel.AFFILIATED_WITH):
            return edge
        src = self.index.canonical(edge.src)
        return edge if src == edge.src else replace(edge, src=src)

    async def write(self, batch_records: int, progress: Callable[[int], None] | None) -> None:
        named: set[str] = set()
        for batch in writes.batched(self.rows, batch_records):
            nodes = [n for rows in batch for n in rows.nodes]
            nodes += [self.researcher_row(p, named) for rows in batch for p in rows.people]
            edges = [self.edge_row(e) for rows in batch for e in rows.edges]
            if nodes or edges:
                await writes.upsert(self.store, nodes, edges)
                self.summary.batches += 1
            if progress is not None:
                progress(len(batch))

    def tally(self) -> None:
        survivors = {self.index.canonical(rid) for rid in self.created}
        self.summary.researchers_created = len(survivors & self.created)
        self.summary.consolidated = len(self.created) - self.summary.researchers_created


def _items(source: SourceFile, summary: ImportSummary) -> Iterator[Item]:
    for item in source.items:
        if isinstance(item, ImportProblem) and item.record_no is None:
            summary.failed_files.append(item)
        else:
            summary.read += 1
            yield item


async def run_import(
    store: Store,
    sources: Sequence[SourceFile],
    *,
    batch_records: int = RECORDS_PER_BATCH,
    progress: Callable[[int], None] | None = None,
) -> ImportSummary:
    """Import `sources`; `progress` is called with a count of records, twice per record (once
    when resolved, once when written)."""
    started = time.perf_counter()
    summary = ImportSummary(files=[str(s.path) for s in sources])
    clock = started

    def lap(phase: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        summary.phases[phase] = now - clock
        clock = now

    summary.before = await graph_counts(store)
    run = _Run(store, index_from(await load_snapshot(store)), summary)
    lap("load")
    for source in sources:
        for item in _items(source, summary):
            run.item(item, source.provenance(item))
            if progress is not None:
                progress(1)
    lap("resolve")
    run.consolidate()
    run.tally()
    lap("consolidate")
    try:
        await run.merge_stored()
        lap("merge")
        await run.write(batch_records, progress)
        lap("write")
    except StoreError as exc:
        raise StoreError(
            f"import stopped after {summary.batches} batches: {exc}. Every batch written is "
            "complete; run the same import again to finish."
        ) from exc
    await store.compact()
    lap("compact")
    summary.after = await graph_counts(store)
    summary.elapsed = time.perf_counter() - started
    return summary


def _delta(before: int, after: int) -> str:
    return f"{before:,} -> {after:,} ({after - before:+,})"


def summary_lines(summary: ImportSummary, *, examples: int = 10) -> list[str]:
    """The human summary the CLI prints: what was read, created, matched, merged, skipped."""
    lines = [
        f"read        {summary.read:,} records from {len(summary.files)} file(s)",
        f"papers      {summary.papers_created:,} created, {summary.papers_matched:,} matched "
        "to papers already known",
        f"researchers {summary.researchers_created:,} created, "
        f"{summary.researchers_matched:,} author occurrences matched to known researchers",
    ]
    kinds = ", ".join(f"{kind} {count:,}" for kind, count in summary.evidence.most_common())
    lines.append(f"  evidence  {kinds or 'none'}")
    lines.append(
        f"  merged    {summary.consolidated:,} researchers first created by this import "
        f"(consolidated in {summary.passes} passes); {summary.merged:,} researchers already in "
        f"the graph, in {len(summary.merges)} audited merges"
        + (
            f" ({', '.join(summary.merges[:3])}{', ...' if len(summary.merges) > 3 else ''})"
            if summary.merges
            else ""
        )
    )
    if summary.ambiguous:
        lines.append(
            f"  ambiguous {summary.ambiguous:,} occurrences had coauthor evidence for several "
            "namesakes: the best was taken, none merged"
        )
    lines.append(f"skipped     {sum(summary.skipped.values()):,} records")
    for reason, count in summary.skipped.most_common():
        lines.append(f"  {count:>9,}  {reason}")
    shown = [p for p in summary.problems if not p.reason.startswith("skipped")]
    for problem in shown[:examples]:
        lines.append(f"  {problem.file} record {problem.record_no}: {problem.reason}")
    if len(shown) > examples:
        lines.append(f"  ... and {len(shown) - examples:,} more")
    for problem in summary.failed_files:
        lines.append(f"FAILED      {problem.file}: {problem.reason} (nothing imported from it)")
    if summary.before is not None and summary.after is not None:
        lines.append(f"graph       nodes {_delta(summary.before.nodes, summary.after.nodes)}")
        lines.append(
            f"            relationships {_delta(summary.before.edges, summary.after.edges)}"
        )
    lines.append(f"written in {summary.batches:,} atomic batches")
    if summary.phases:
        lines.append(
            "phases      "
            + ", ".join(f"{name} {secs:.2f} s" for name, secs in summary.phases.items())
        )
    return lines


async def import_paperlists(
    store: Store,
    paths: Sequence[Path],
    *,
    keep_rejected: bool = False,
    batch_records: int = RECORDS_PER_BATCH,
) -> ImportSummary:
    sources = paperlists_sources(paths, keep_rejected=keep_rejected)
    return await run_import(store, sources, batch_records=batch_records)


async def import_jsonl(
    store: Store, paths: Sequence[Path], *, batch_records: int = RECORDS_PER_BATCH
) -> ImportSummary:
    return await run_import(store, jsonl_sources(paths), batch_records=batch_records)


__all__ = [
    "MAX_PASSES",
    "RECORDS_PER_BATCH",
    "ImportSummary",
    "SourceFile",
    "import_jsonl",
    "import_paperlists",
    "index_from",
    "jsonl_sources",
    "paperlists_sources",
    "run_import",
    "summary_lines",
]
