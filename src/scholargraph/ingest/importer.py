"""Import parsed records into the graph: resolve identities, write bounded atomic batches.

Every record is read first; the graph's researchers and papers are loaded once
(`graphdb.identity.load_snapshot`); then the whole input is resolved in memory at once, in a
fixed order (`ingest.plan`: papers, authorships, the scored resolver, the final ids). Only then
is anything written: stored researchers the import proves to be one person are merged through
`graphdb.identity.merge_researchers` (an audited MergeRecord each, with an id made of the ids so
that a re-run writes the same one), and the rows go out through `writes.upsert`, one query per
batch of records, keyed by the final ids. An interrupted import leaves whole batches only; run
it again and it derives the same plan (what only this import's sources asserted is re-derived,
not taken as given) and writes the same rows, so the graph is that of one clean import.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from scholargraph import text
from scholargraph.graphdb import writes
from scholargraph.graphdb.identity import Snapshot, load_snapshot, merge_researchers
from scholargraph.graphdb.model import Label, Rel, make_id
from scholargraph.graphdb.stats import GraphCounts, graph_counts
from scholargraph.graphdb.store import Store, StoreError
from scholargraph.graphdb.writes import EdgeRow, NodeRow
from scholargraph.ingest.identity import Evidence, Index, PaperEntry, Person
from scholargraph.ingest.jsonl import parse_jsonl
from scholargraph.ingest.paperlists import parse_paperlists
from scholargraph.ingest.plan import Entry, Mention, Plan, plan_import
from scholargraph.ingest.records import (
    ImportProblem,
    PaperRecord,
    Reference,
    ResearcherRecord,
    StatedCount,
)

RECORDS_PER_BATCH = 500

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


def openalex_sources(paths: Sequence[Path]) -> list[SourceFile]:
    """OpenAlex `results` pages are parsed whole, JSON Lines snapshots lazily."""
    from scholargraph.ingest.openalex import LINE_SUFFIXES, parse_openalex

    sources = []
    for path in paths:
        tag = _fixed(f"import:openalex/{path.name}")
        if path.suffix.lower() in LINE_SUFFIXES:
            sources.append(SourceFile(path, parse_openalex(path), _count_lines(path), tag))
        else:
            items = list(parse_openalex(path))
            sources.append(SourceFile(path, items, len(items), tag))
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
    merged: int = 0  # researchers already in the graph, merged into another (audited)
    scored_merges: int = 0  # clusters the resolver joined on a score
    refused: Counter[str] = field(default_factory=Counter)  # id links refused, by reason
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
    citations: int = 0  # references resolved to a paper (CITES relationships asserted)
    # References that name no paper in the graph or the import, by how they name it; they
    # are reported, never turned into papers.
    unresolved_references: Counter[str] = field(default_factory=Counter)
    unresolved_examples: list[str] = field(default_factory=list)

    def skip(self, problem: ImportProblem) -> None:
        self.problems.append(problem)
        # "skipped: status Reject" is a category; "not valid JSON: <detail>" groups by its head.
        reason = problem.reason
        self.skipped[reason if reason.startswith("skipped") else reason.split(": ", 1)[0]] += 1


def index_from(snapshot: Snapshot, owned: frozenset[str] = frozenset()) -> Index:
    """The graph as identity resolution sees it. `owned` are the sources of the import about to
    run: what only they asserted (a researcher all of whose sources are among them, an
    authorship likewise) is an earlier run's output, left out so that it is derived again."""
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
                set(paper.topics),
            )
        )
    keep = snapshot.merged_into | {i for pair in snapshot.apart for i in pair}

    def ours(sources: Sequence[str]) -> bool:
        return bool(owned) and bool(sources) and set(sources) <= owned

    for row in snapshot.researchers:
        spellings = {s for s in (row.name, *row.aliases) if s}
        keys = set(row.name_keys) | {text.name_key(s) for s in spellings}
        for pid, written, *_ in row.authorships:
            if pid in index.papers and written:
                index.papers[pid].byline_keys.add(text.name_key(written))
        if ours(row.sources) and row.id not in keep:
            continue
        mine = {pid for pid, _, sources, _ in row.authorships if ours(sources)}
        # Ids only this import's authorships brought are derived again from its records.
        brought = {i for _, _, sources, ids in row.authorships if ours(sources) for i in ids}
        brought -= {i for _, _, sources, ids in row.authorships if not ours(sources) for i in ids}
        works = {
            pid: position for pid, position in row.papers if pid in index.papers and pid not in mine
        }
        person = Person(
            row.id,
            row.name,
            spellings,
            keys - {""},
            set(row.external_ids) - brought,
            works,
            stored=True,
            as_written={pid: w for pid, w, *_ in row.authorships if pid in works and w},
        )
        index.add_person(person)
        for pid, position in works.items():
            index.papers[pid].authors[row.id] = position
            index.papers[pid].byline_keys |= person.keys
            index.papers[pid].byline_ids |= person.external_ids
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


def _merge_id(into: str, others: Sequence[str]) -> str:
    digest = hashlib.sha1("|".join([into, *others]).encode(), usedforsecurity=False)
    return f"merge:import-{digest.hexdigest()[:16]}"


@dataclass
class _Rows:
    """What one record asserts."""

    nodes: list[NodeRow] = field(default_factory=list)
    edges: list[EdgeRow] = field(default_factory=list)
    record: bool = True  # False for a record's citations, written after every record


class _Run:
    def __init__(self, store: Store, snapshot: Snapshot, summary: ImportSummary) -> None:
        self.store = store
        self.snapshot = snapshot
        self.summary = summary
        self.entries: list[Entry] = []
        self.index = Index()
        self.plan: Plan | None = None
        self._stored_pubs = {p.id: set(p.publications) for p in snapshot.papers}
        self._pubs_written: set[tuple[str, str, str]] = set()

    # -- phase 1: read, then resolve everything at once ----------------------------------------

    def item(self, item: Item, source: str) -> None:
        if isinstance(item, ImportProblem):
            self.summary.skip(item)
        else:
            self.entries.append(Entry(item, source))

    def resolve(self) -> None:
        owned = frozenset(e.source for e in self.entries)
        self.index = index_from(self.snapshot, owned)
        self.plan = plan_import(self.index, self.entries)
        plan = self.plan
        summary = self.summary
        summary.passes = 1
        for decision in plan.papers.values():
            if decision.created:
                summary.papers_created += 1
            else:
                summary.papers_matched += 1
        existing = {row.id for row in self.snapshot.researchers}
        summary.researchers_created = len(plan.created - existing)
        summary.scored_merges = plan.result.scored_merges
        summary.refused = plan.result.refused
        for mention in plan.mentions:
            kind, _, _, _ = self.evidence(mention)
            summary.evidence[kind] += 1
            if plan.researcher[mention.slot] in existing:
                summary.researchers_matched += 1

    def evidence(self, mention: Mention) -> tuple[str, float | None, list[str], str]:
        """(kind, score, kinds, detail) of why this author occurrence is on its researcher."""
        assert self.plan is not None
        if mention.align is not None:
            return str(mention.align), None, [str(mention.align)], mention.align_detail
        decision = self.plan.decision(mention.slot)
        if decision.kind == "score":
            kinds = [t.kind for t in sorted(decision.terms, key=lambda t: -t.weight)]
            detail = "; ".join(f"{t.kind} {t.weight:+.1f} ({t.detail})" for t in decision.terms)
            return kinds[0] if kinds else "score", decision.score, kinds, detail
        if decision.kind == "new":
            rid = self.plan.researcher[mention.slot]
            kind = Evidence.NEW_NAMESAKE if rid in self.plan.namesakes else Evidence.NEW
            return str(kind), None, [], ""
        return decision.kind, None, [decision.kind], decision.detail

    # -- phase 2: write ------------------------------------------------------------------------

    async def merge_stored(self) -> None:
        """One audited graph merge per cluster that holds several stored researchers."""
        assert self.plan is not None
        for merge in self.plan.merges:
            result = await merge_researchers(
                self.store,
                list(merge.others),
                merge.into,
                actor="import",
                reason=f"the import found {', '.join(merge.others)} to be {merge.into}",
                evidence=merge.evidence,
                merge_id=_merge_id(merge.into, merge.others),
            )
            self.summary.merges.append(result.merge_id)
            self.summary.merged += len(merge.others)

    def rows(self) -> list[_Rows]:
        assert self.plan is not None
        plan, index = self.plan, self.index
        out: list[_Rows] = []
        topics: set[str] = set(self.snapshot.topics)
        venues: set[str] = set(index.known_venues - self._new_venues())
        institutions: set[str] = set(self.snapshot.institutions)
        stored_papers = {p.id for p in self.snapshot.papers}
        abstract_from: dict[str, int] = {}
        unassigned: dict[str, set[str]] = defaultdict(set)
        stored_abstract = {p.id for p in self.snapshot.papers if p.has_abstract}
        for n, entry in enumerate(plan.entries):
            record = entry.item
            if isinstance(record, PaperRecord):
                pid = plan.papers[n].paper
                if record.abstract and pid not in stored_abstract:
                    abstract_from.setdefault(pid, n)
                unassigned[pid].update(record.unassigned_author_ids)
        created_by: dict[str, int] = {}
        for n, decision in plan.papers.items():
            if decision.created:
                created_by.setdefault(decision.paper, n)
        named: set[str] = set()
        for n, entry in enumerate(plan.entries):
            rows = _Rows()
            source = entry.source
            record = entry.item
            if isinstance(record, ResearcherRecord):
                (m,) = plan.by_entry[n]
                rows.nodes.append(
                    self.researcher_row(
                        plan.researcher[plan.mentions[m].slot],
                        [record.name, *record.aliases],
                        record.external_ids,
                        source,
                        named,
                    )
                )
                out.append(rows)
                continue
            pid = plan.papers[n].paper
            props: dict[str, Any] = {}
            terms: list[str] = []
            if created_by.get(pid) == n and pid not in stored_papers:
                props = {
                    "title": record.title,
                    "titleKey": text.title_key(record.title),
                    "primaryArea": record.primary_area,
                }
                terms = _terms(record.title)
            if abstract_from.get(pid) == n:
                props["abstract"] = record.abstract
                terms += _terms(record.abstract)
            if unassigned.get(pid):
                props["unassignedAuthorIds"] = sorted(unassigned[pid])
            rows.nodes.append(
                NodeRow(
                    pid,
                    Label.PAPER,
                    source,
                    props,
                    {
                        "externalIds": [record.external_id, *record.other_ids],
                        "searchTerms": terms,
                        writes.STATED_CITATIONS: [stated_json(c) for c in record.stated_citations],
                    },
                )
            )
            self.publication(pid, record, source, rows, venues)
            for topic in record.keywords:
                if text.fold(topic):
                    tid = make_id(Label.TOPIC, topic)
                    if tid not in topics:
                        topics.add(tid)
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
            institution_ids = dict(record.institution_ids)
            for m in plan.by_entry[n]:
                mention = plan.mentions[m]
                author = mention.author
                slot = plan.slots[mention.slot]
                rid = plan.researcher[mention.slot]
                kind, score, kinds, detail = self.evidence(mention)
                edge_props: dict[str, Any] = {
                    "authorIds": list(author.external_ids) or None,
                    "evidence": kind,
                    "evidenceScore": score,
                    "evidenceKinds": kinds,
                    "evidenceSource": evidence_source,
                    "evidenceDetail": detail or None,
                }
                if slot.pinned is not None and slot.stored_as_written is not None:
                    # An authorship another source described: it keeps its own position and
                    # spelling; this import adds why it is this person.
                    edge_props["evidenceAsWritten"] = author.name
                else:
                    edge_props = {"position": author.position, "asWritten": author.name,
                                  **edge_props}  # fmt: skip
                rows.nodes.append(
                    self.researcher_row(rid, [author.name], author.external_ids, source, named)
                )
                rows.edges.append(EdgeRow(Rel.AUTHORED, rid, pid, source, props=edge_props))
                for affiliation in author.affiliations:
                    self.affiliation(
                        rid,
                        affiliation,
                        record.year,
                        source,
                        rows,
                        institutions,
                        institution_ids.get(affiliation, ()),
                    )
            out.append(rows)
        # After every record: a reference may name a paper a later batch creates, and a
        # relationship is written only once both its papers are.
        out.extend(self.citation_rows())
        return out

    def citation_rows(self) -> list[_Rows]:
        assert self.plan is not None
        plan, summary = self.plan, self.summary
        lookup = _References(self.index)
        out: list[_Rows] = []
        for n, entry in enumerate(plan.entries):
            record = entry.item
            if not isinstance(record, PaperRecord) or not record.references:
                continue
            pid = plan.papers[n].paper
            rows = _Rows(record=False)
            for reference in record.references:
                cited, why = lookup.find(reference)
                if cited is None or cited == pid:
                    kind = "itself" if cited == pid else why
                    summary.unresolved_references[kind] += 1
                    if len(summary.unresolved_examples) < 10:
                        summary.unresolved_examples.append(
                            f"{entry.source} record {record.record_no}: {reference.label} ({kind})"
                        )
                    continue
                summary.citations += 1
                rows.edges.append(EdgeRow(Rel.CITES, pid, cited, entry.source))
            out.append(rows)
        return out

    def _new_venues(self) -> set[str]:
        return set(self.index.known_venues) - {v.id for v in self.snapshot.venues}

    def researcher_row(
        self,
        rid: str,
        spellings: Sequence[str],
        external_ids: Sequence[str],
        source: str,
        named: set[str],
    ) -> NodeRow:
        assert self.plan is not None
        props: dict[str, Any] = {}
        name = self.plan.names.get(rid)
        if name is not None and rid not in named:
            named.add(rid)
            props = {"name": name, "nameKey": text.name_key(name)}
        canonical = name or (self.index.people[rid].name if rid in self.index.people else "")
        return NodeRow(
            rid,
            Label.RESEARCHER,
            source,
            props,
            {
                "aliases": [s for s in spellings if s != canonical],
                "nameKeys": [k for s in spellings if (k := text.name_key(s))],
                "searchTerms": _terms(*spellings),
                "externalIds": list(external_ids),
            },
        )

    def publication(
        self, pid: str, record: PaperRecord, source: str, rows: _Rows, venues: set[str]
    ) -> None:
        vid = self.index.venue_id(record.venue)
        if vid not in venues:
            venues.add(vid)
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
        stored = self._stored_pubs.get(pid, set())
        props: dict[str, Any] = {}
        if (vid, key) not in stored and (pid, vid, key) not in self._pubs_written:
            self._pubs_written.add((pid, vid, key))
            rejected = record.presentation is None and record.status.lower() in _NOT_PUBLISHED
            props = {
                "year": record.year,
                "kind": "submission" if rejected else record.kind,
                "presentation": record.presentation,
                "status": record.status or None,
            }
        rows.edges.append(EdgeRow(Rel.PUBLISHED_AT, pid, vid, source, key=key, props=props))

    def affiliation(
        self,
        researcher: str,
        name: str,
        year: int,
        source: str,
        rows: _Rows,
        institutions: set[str],
        ids: Sequence[str] = (),
    ) -> None:
        if not text.fold(name):
            return
        iid = make_id(Label.INSTITUTION, name)
        if iid not in institutions:
            institutions.add(iid)
            rows.nodes.append(
                NodeRow(
                    iid,
                    Label.INSTITUTION,
                    source,
                    {"name": name},
                    {"searchTerms": _terms(name), "externalIds": list(ids)},
                )
            )
        elif ids:
            rows.nodes.append(
                NodeRow(iid, Label.INSTITUTION, source, {}, {"externalIds": list(ids)})
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

    async def write(self, batch_records: int, progress: Callable[[int], None] | None) -> None:
        for batch in writes.batched(self.rows(), batch_records):
            nodes = [n for rows in batch for n in rows.nodes]
            edges = [e for rows in batch for e in rows.edges]
            if nodes or edges:
                await writes.upsert(self.store, nodes, edges)
                self.summary.batches += 1
            if progress is not None:
                progress(sum(rows.record for rows in batch))


def stated_json(count: StatedCount) -> str:
    """One stated count as stored in a paper's `statedCitations` list (graphdb.citations reads
    it back)."""
    return orjson.dumps(
        {"count": count.count, "source": count.source, "asOf": count.as_of},
        option=orjson.OPT_SORT_KEYS,
    ).decode()


_ARXIV_VERSION = re.compile(r"v\d+$")
_DOI_PREFIX = re.compile(r"^(https?://(dx\.)?doi\.org/|doi:)", re.IGNORECASE)


def canonical_id(ext: str) -> str:
    """The spelling ids are compared in: DOIs are case-insensitive and come with or without a
    resolver prefix; an arXiv id names every version of the paper."""
    scheme, _, value = ext.partition(":")
    if scheme == "doi":
        return f"doi:{_DOI_PREFIX.sub('', value.strip()).lower()}"
    if scheme == "arxiv":
        return f"arxiv:{_ARXIV_VERSION.sub('', value.strip().lower())}"
    if scheme == "openalex":
        return f"openalex:{value.strip().upper()}"
    return ext


class _References:
    """Which paper a reference names, among the graph's papers and this import's."""

    def __init__(self, index: Index) -> None:
        self.index = index
        self.by_id: dict[str, str] = {}
        for pid in sorted(index.papers):
            for ext in index.papers[pid].external_ids:
                self.by_id.setdefault(canonical_id(ext), pid)

    def find(self, reference: Reference) -> tuple[str | None, str]:
        """(paper id, "") or (None, why)."""
        if reference.id is not None:
            scheme = reference.id.partition(":")[0]
            if scheme == "paper":
                found = reference.id if reference.id in self.index.papers else None
            else:
                found = self.index.paper_by_external_id(reference.id) or self.by_id.get(
                    canonical_id(reference.id)
                )
            return (found, "") if found else (None, f"unknown {scheme}")
        titled = sorted(self.index.papers_titled(text.title_key(reference.title or "")))
        if len(titled) == 1:
            return titled[0], ""
        return None, "ambiguous title" if titled else "unknown title"


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
    run = _Run(store, await load_snapshot(store), summary)
    lap("load")
    for source in sources:
        for item in _items(source, summary):
            run.item(item, source.provenance(item))
            if progress is not None:
                progress(1)
    lap("read")
    run.resolve()
    lap("resolve")
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
        f"  merged    {summary.scored_merges:,} clusters joined on a score; "
        f"{summary.merged:,} researchers already in "
        f"the graph, in {len(summary.merges)} audited merges"
        + (
            f" ({', '.join(summary.merges[:3])}{', ...' if len(summary.merges) > 3 else ''})"
            if summary.merges
            else ""
        )
    )
    if summary.refused:
        refused = ", ".join(f"{why} {n:,}" for why, n in summary.refused.most_common())
        lines.append(f"  refused   links by a shared id that would join {refused}")
    if summary.citations or summary.unresolved_references:
        unresolved = ", ".join(
            f"{why} {n:,}" for why, n in sorted(summary.unresolved_references.items())
        )
        lines.append(
            f"citations   {summary.citations:,} references resolved to papers; "
            f"{sum(summary.unresolved_references.values()):,} unresolved"
            + (f" ({unresolved})" if unresolved else "")
        )
        for example in summary.unresolved_examples[:examples]:
            lines.append(f"  {example}")
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


async def import_openalex(
    store: Store, paths: Sequence[Path], *, batch_records: int = RECORDS_PER_BATCH
) -> ImportSummary:
    return await run_import(store, openalex_sources(paths), batch_records=batch_records)


async def import_jsonl(
    store: Store, paths: Sequence[Path], *, batch_records: int = RECORDS_PER_BATCH
) -> ImportSummary:
    return await run_import(store, jsonl_sources(paths), batch_records=batch_records)


__all__ = [
    "RECORDS_PER_BATCH",
    "ImportSummary",
    "SourceFile",
    "canonical_id",
    "import_jsonl",
    "import_openalex",
    "import_paperlists",
    "index_from",
    "jsonl_sources",
    "openalex_sources",
    "paperlists_sources",
    "run_import",
    "stated_json",
    "summary_lines",
]
