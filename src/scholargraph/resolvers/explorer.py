"""Resolvers of the explorer: argument checks, then one graphdb call, then batched node loads."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from scholargraph.errors import BadUserInput, NotFound
from scholargraph.graphdb import explorer as explorer_db
from scholargraph.graphdb import facets as facets_db
from scholargraph.graphdb import search as search_db
from scholargraph.graphdb.facets import WorkFilter
from scholargraph.graphdb.model import KNOWLEDGE_LABELS, Label, Rel
from scholargraph.graphdb.reads import NodeRecord
from scholargraph.resolvers.context import Context
from scholargraph.resolvers.pagination import check_first, decode_cursor
from scholargraph.resolvers.profile import checked_label

MAX_SEARCH_FIRST = 100


def _check_range(value: int, low: int, high: int, argument: str) -> int:
    if not low <= value <= high:
        raise BadUserInput(
            f"`{argument}` must be between {low} and {high}; got {value}", argument=argument
        )
    return value


async def neighborhood(
    ctx: Context,
    center_id: str,
    hops: int,
    labels: Sequence[Label] | None,
    rels: Sequence[Rel] | None,
    limit: int,
) -> explorer_db.Neighborhood:
    _check_range(hops, 1, explorer_db.MAX_HOPS, "hops")
    _check_range(limit, 1, explorer_db.MAX_LIMIT, "limit")
    label = checked_label(center_id)
    found = None
    if label in KNOWLEDGE_LABELS:
        found = await explorer_db.neighborhood(ctx.store, center_id, hops, labels, rels, limit)
    if found is None:
        # Accounts, claims and audit records exist but are not part of the explorable graph.
        raise NotFound(f"no node has the id {center_id[:80]!r}", argument="id")
    return found


@dataclass(frozen=True)
class Path:
    nodes: list[NodeRecord]  # researcher, paper, researcher, ..., researcher

    @property
    def distance(self) -> int:
        return len(self.nodes) // 2


async def collaboration_path(ctx: Context, from_id: str, to_id: str, max_hops: int) -> Path | None:
    _check_range(max_hops, 1, explorer_db.MAX_PATH_HOPS, "maxHops")
    for argument, node_id in (("from", from_id), ("to", to_id)):
        if checked_label(node_id, argument) is not Label.RESEARCHER:
            raise BadUserInput(
                f"`{argument}` must be a researcher id (researcher:...); got {node_id[:80]!r}",
                argument=argument,
            )
    try:
        ids = await explorer_db.collaboration_path(ctx.store, from_id, to_id, max_hops)
    except explorer_db.PathSearchTooWide as exc:
        raise BadUserInput(f"{exc}; lower `maxHops`", argument="maxHops") from None
    if ids is None:
        return None
    nodes = await ctx.loaders.node.load_many(ids)
    if any(n is None for n in nodes):
        return None  # a node on the path was removed meanwhile
    return Path([n for n in nodes if n is not None])


@dataclass(frozen=True)
class SearchResult:
    offset: int
    hit: search_db.Hit
    node: NodeRecord


@dataclass(frozen=True)
class SearchPage:
    items: list[SearchResult]
    total: int
    has_next: bool
    has_previous: bool
    papers: tuple[str, ...] = ()  # the paper hits of every page: what facets count


async def search(
    ctx: Context,
    query: str,
    labels: Sequence[Label] | None,
    first: int,
    after: str | None,
    work_filter: WorkFilter | None = None,
) -> SearchPage:
    work_filter = work_filter or WorkFilter()
    check_first(first, maximum=MAX_SEARCH_FIRST)
    start = decode_cursor(after, work_filter.fingerprint())
    if labels is not None and not labels:
        return SearchPage([], 0, False, start > 0)  # an empty filter matches nothing
    if not work_filter.empty:
        if labels is not None and Label.PAPER not in labels:
            return SearchPage([], 0, False, start > 0)  # a work filter keeps papers only
        labels = [Label.PAPER]
    try:
        hits = await search_db.search(ctx.store, query, labels)
    except search_db.SearchInputError as exc:
        raise BadUserInput(str(exc), argument="query") from None
    papers = tuple(h.id for h in hits if h.label is Label.PAPER)
    if not work_filter.empty and papers:
        kept = await facets_db.filtered(ctx.store, "papers", papers, work_filter)
        hits = [h for h in hits if h.id in kept]
        papers = tuple(h.id for h in hits)
    window = hits[start : start + first]
    nodes = await ctx.loaders.node.load_many([h.id for h in window])
    items = [
        SearchResult(start + i, hit, node)
        for i, (hit, node) in enumerate(zip(window, nodes, strict=True))
        if node is not None
    ]
    return SearchPage(items, len(hits), start + first < len(hits), start > 0, papers)


__all__ = [
    "MAX_SEARCH_FIRST",
    "Path",
    "SearchPage",
    "SearchResult",
    "collaboration_path",
    "neighborhood",
    "search",
]
