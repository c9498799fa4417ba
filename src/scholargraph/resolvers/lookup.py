"""Batch lookup by id (Relay `nodes`) and suggestions for a search box."""

from __future__ import annotations

from collections.abc import Sequence

from scholargraph.errors import BadUserInput
from scholargraph.graphdb import suggest as suggest_db
from scholargraph.graphdb.model import Label, MalformedId, label_of
from scholargraph.graphdb.reads import NodeRecord
from scholargraph.resolvers.context import Context
from scholargraph.resolvers.pagination import check_first

MAX_IDS = 100


async def nodes(ctx: Context, ids: Sequence[str]) -> list[NodeRecord | None]:
    """The node of each id, in the order asked (duplicates too); None where no node has it."""
    if len(ids) > MAX_IDS:
        raise BadUserInput(
            f"`ids` holds {len(ids)} ids; at most {MAX_IDS} per request: split the list",
            argument="ids",
        )
    wellformed = []
    for node_id in ids:
        try:
            label_of(node_id)
        except MalformedId:
            continue  # can name no node: null in place, like an unknown id
        wellformed.append(node_id)
    # The loader sends every distinct id of the request in one batch: one round trip.
    found = dict(zip(wellformed, await ctx.loaders.node.load_many(wellformed), strict=True))
    return [found.get(node_id) for node_id in ids]


async def suggest(
    ctx: Context, prefix: str, labels: Sequence[Label] | None, first: int
) -> list[tuple[suggest_db.Suggestion, NodeRecord]]:
    """Suggestions for what was typed, best first, each with its node."""
    check_first(first, maximum=suggest_db.MAX_FIRST)
    try:
        found = await suggest_db.suggest(ctx.store, prefix, labels, first)
    except suggest_db.SuggestInputError as exc:
        raise BadUserInput(str(exc), argument="prefix") from None
    nodes_ = await ctx.loaders.node.load_many([s.id for s in found])
    return [(s, n) for s, n in zip(found, nodes_, strict=True) if n is not None]


__all__ = ["MAX_IDS", "nodes", "suggest"]
