"""Resolvers of citations: a paper's references and citing papers, one page at a time."""

from __future__ import annotations

from scholargraph.graphdb.citations import StatedCitations, stated_citations
from scholargraph.graphdb.reads import NodeRecord
from scholargraph.resolvers.context import Context
from scholargraph.resolvers.pagination import check_first, decode_cursor
from scholargraph.resolvers.profile import Page


async def citation_page(
    ctx: Context, paper_id: str, cited_by: bool, first: int, after: str | None
) -> Page:
    """The papers `paper_id` cites (or, with `cited_by`, that cite it), newest first."""
    check_first(first)
    start = decode_cursor(after)
    loader = ctx.loaders.cited_by if cited_by else ctx.loaders.references
    refs = await loader.load(paper_id)
    window = refs[start : start + first]
    nodes = await ctx.loaders.node.load_many([r.paper for r in window])
    items = [(start + i, n) for i, n in enumerate(nodes) if n is not None]
    return Page(items, len(refs), start + first < len(refs), start > 0)


def stated(record: NodeRecord) -> list[StatedCitations]:
    return stated_citations(record.props)


__all__ = ["citation_page", "stated"]
