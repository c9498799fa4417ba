"""Resolvers of the profile API: validate arguments, batch through loaders, return records."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

from scholargraph.errors import BadUserInput
from scholargraph.graphdb import reads
from scholargraph.graphdb import search as search_db
from scholargraph.graphdb.model import Label, MalformedId, Rel, label_of
from scholargraph.graphdb.reads import EdgeRecord, NodeRecord
from scholargraph.resolvers.context import Context
from scholargraph.resolvers.loaders import Hop
from scholargraph.resolvers.pagination import check_first, decode_cursor
from scholargraph.trust import Evidence, Trust, assess


def checked_label(node_id: str, argument: str = "id") -> Label:
    try:
        return label_of(node_id)
    except MalformedId as exc:
        raise BadUserInput(str(exc), argument=argument) from None


async def node(ctx: Context, node_id: str, label: Label | None = None) -> NodeRecord | None:
    """The node with this id, or None when unknown (or of another kind than asked for)."""
    found_label = checked_label(node_id)
    if label is not None and found_label is not label:
        return None
    return await ctx.loaders.node.load(node_id)


async def researcher(ctx: Context, node_id: str | None, name: str | None) -> NodeRecord | None:
    if (node_id is None) == (name is None):
        raise BadUserInput("pass exactly one of `id` or `name`")
    if node_id is not None:
        return await node(ctx, node_id, Label.RESEARCHER)
    assert name is not None
    if len(name) > 300:
        raise BadUserInput("`name` is longer than 300 characters", argument="name")
    found = await reads.researcher_id_by_name(ctx.store, name)
    return await ctx.loaders.node.load(found) if found else None


async def linked(
    ctx: Context, origin: str, rel: Rel, direction: reads.Direction
) -> list[tuple[EdgeRecord, NodeRecord]]:
    """The relationships of one node and the nodes at their far ends (one batched call)."""
    return list(await ctx.loaders.linked(rel, direction).load(origin))


async def linked_nodes(
    ctx: Context, origin: str, rel: Rel, direction: reads.Direction
) -> list[NodeRecord]:
    return [n for _, n in await linked(ctx, origin, rel, direction)]


@dataclass(frozen=True)
class Page:
    items: list[tuple[int, NodeRecord]]  # (offset, node)
    total: int
    has_next: bool
    has_previous: bool


def _page_of(
    ids: list[str], first: int, after: str | None, tag: str = ""
) -> tuple[list[str], int, int]:
    check_first(first)
    start = decode_cursor(after, tag)
    return ids[start : start + first], start, len(ids)


async def _load_page(
    ctx: Context, ids: list[str], first: int, after: str | None, tag: str = ""
) -> Page:
    window, start, total = _page_of(ids, first, after, tag)
    nodes = await ctx.loaders.node.load_many(window)
    items = [(start + i, n) for i, n in enumerate(nodes) if n is not None]
    return Page(items, total, start + first < total, start > 0)


# A paper's hops that a page of works can load ahead for all its papers at once.
PAPER_AUTHORS: Hop = (Rel.AUTHORED, "in")
PAPER_VENUES: Hop = (Rel.PUBLISHED_AT, "out")


async def works(
    ctx: Context,
    researcher_id: str,
    kind: str | None,
    first: int,
    after: str | None,
    passing: set[str] | None = None,
    tag: str = "",
    ahead: Sequence[Hop] = (),
) -> Page:
    """`passing`: the papers a filter keeps (None: all); `tag`: that filter's fingerprint;
    `ahead`: hops of the page's papers the request will read, loaded with the page
    (Loaders.prefetch)."""
    refs = await ctx.loaders.works.load(researcher_id)
    if kind is not None:
        refs = [r for r in refs if kind in r.kinds]
    if passing is not None:
        refs = [r for r in refs if r.paper in passing]
    page = await _load_page(ctx, [r.paper for r in refs], first, after, tag)
    if ahead and page.items:
        await ctx.loaders.prefetch([n.id for _, n in page.items], ahead)
    return page


def known_linked(
    ctx: Context, origin: str, rel: Rel, direction: reads.Direction
) -> list[tuple[EdgeRecord, NodeRecord]] | None:
    """`linked`, when everything it reads is already loaded; else None (then await `linked`)."""
    return ctx.loaders.known_linked(origin, rel, direction)


async def venue_publications(
    ctx: Context,
    venue_id: str,
    year: int | None,
    first: int,
    after: str | None,
    passing: set[str] | None = None,
    tag: str = "",
) -> tuple[Page, list[tuple[EdgeRecord, NodeRecord]]]:
    """A venue's papers, newest first; the page and the publication behind each paper."""
    found = await linked(ctx, venue_id, Rel.PUBLISHED_AT, "in")
    if year is not None:
        found = [p for p in found if p[0].props.get("year") == year]
    if passing is not None:
        found = [p for p in found if p[1].id in passing]
    found.sort(key=lambda p: (-(p[0].props.get("year") or 0), p[1].get("title", ""), p[1].id))
    window, start, total = _page_of([n.id for _, n in found], first, after, tag)
    chosen = found[start : start + len(window)]
    items = [(start + i, n) for i, (_, n) in enumerate(chosen)]
    return Page(items, total, start + first < total, start > 0), chosen


async def researchers(ctx: Context, search: str | None, first: int, after: str | None) -> Page:
    check_first(first)
    if search is None:
        start = decode_cursor(after)
        ids, total = await reads.researcher_page(ctx.store, start, first)
        nodes = await ctx.loaders.node.load_many(ids)
        items = [(start + i, n) for i, n in enumerate(nodes) if n is not None]
        return Page(items, total, start + first < total, start > 0)
    hits = await search_hits(ctx, search, [Label.RESEARCHER])
    return await _load_page(ctx, [h.id for h in hits], first, after)


async def search_hits(ctx: Context, query: str, labels: list[Label] | None) -> list[search_db.Hit]:
    try:
        return await search_db.search(ctx.store, query, labels)
    except search_db.SearchInputError as exc:
        raise BadUserInput(str(exc), argument="query") from None


@dataclass(frozen=True)
class Collaborator:
    researcher: NodeRecord
    shared_works: list[NodeRecord]
    last_shared_year: int | None


async def collaborators(ctx: Context, researcher_id: str, first: int) -> list[Collaborator]:
    check_first(first, maximum=500)
    refs = (await ctx.loaders.collaborators.load(researcher_id))[:first]
    people = await ctx.loaders.node.load_many([r.researcher for r in refs])
    papers = await ctx.loaders.nodes(sorted({p for r in refs for p in r.papers}))
    by_id = {p.id: p for p in papers}
    return [
        Collaborator(person, [by_id[p] for p in ref.papers if p in by_id], ref.last_year)
        for ref, person in zip(refs, people, strict=True)
        if person is not None
    ]


@dataclass(frozen=True)
class Stats:
    works: int
    followers: int
    topics: int
    collaborators: int
    talks: int
    awards: int


async def stats(ctx: Context, researcher_id: str) -> Stats:
    loaders = ctx.loaders
    works_, followers, topics, coauthors, talks, awards = await asyncio.gather(
        loaders.works.load(researcher_id),
        loaders.degree(Rel.FOLLOWS, "in").load(researcher_id),
        loaders.degree(Rel.INTERESTED_IN, "out").load(researcher_id),
        loaders.collaborators.load(researcher_id),
        loaders.degree(Rel.GAVE, "out").load(researcher_id),
        loaders.degree(Rel.RECEIVED, "out").load(researcher_id),
    )
    return Stats(len(works_), followers, topics, len(coauthors), talks, awards)


async def trust(ctx: Context, record: NodeRecord) -> Trust:
    owners = await ctx.loaders.degree(Rel.OWNS, "in").load(record.id)
    public_sources = [s for s in record.get("sources", []) if not s.startswith("account:")]
    return assess(
        Evidence(
            public_sources=len(public_sources),
            claimed=owners > 0,
            verified_evidence=int(record.get("verifiedEvidence", 0) or 0),
            admin_confirmed=bool(record.get("adminConfirmed", False)),
        )
    )


__all__ = [
    "PAPER_AUTHORS",
    "PAPER_VENUES",
    "Collaborator",
    "Hop",
    "Page",
    "Stats",
    "checked_label",
    "collaborators",
    "known_linked",
    "linked",
    "linked_nodes",
    "node",
    "researcher",
    "researchers",
    "search_hits",
    "stats",
    "trust",
    "venue_publications",
    "works",
]
