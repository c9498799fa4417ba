"""Filters on paper connections (works, venue publications, search) and their facets."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from scholargraph.errors import BadUserInput
from scholargraph.graphdb import facets as facets_db
from scholargraph.graphdb.facets import MAX_FILTER_VALUES, Scope, WorkFilter
from scholargraph.graphdb.model import Label
from scholargraph.graphdb.reads import EdgeRecord, NodeRecord
from scholargraph.resolvers import profile
from scholargraph.resolvers.context import Context
from scholargraph.resolvers.pagination import check_first, decode_cursor
from scholargraph.resolvers.profile import checked_label

MIN_YEAR, MAX_YEAR = 0, 9999


def _ids(values: Sequence[str] | None, label: Label, argument: str) -> tuple[str, ...] | None:
    if values is None:
        return None
    if len(values) > MAX_FILTER_VALUES:
        raise BadUserInput(
            f"`{argument}` holds {len(values)} ids; at most {MAX_FILTER_VALUES}", argument=argument
        )
    for value in values:
        if checked_label(value, argument) is not label:
            raise BadUserInput(
                f"`{argument}` takes {label.lower()} ids; got {value[:80]!r}", argument=argument
            )
    return tuple(values)


def _year(value: int | None, argument: str) -> int | None:
    if value is not None and not MIN_YEAR <= value <= MAX_YEAR:
        raise BadUserInput(
            f"`{argument}` must be between {MIN_YEAR} and {MAX_YEAR}; got {value}",
            argument=argument,
        )
    return value


def work_filter(
    kinds: Sequence[str] | None,
    year_from: int | None,
    year_to: int | None,
    venue_ids: Sequence[str] | None,
    topic_ids: Sequence[str] | None,
) -> WorkFilter:
    """The checked filter; an empty list keeps nothing (as `types` does), null keeps all."""
    low, high = _year(year_from, "filter.yearFrom"), _year(year_to, "filter.yearTo")
    if low is not None and high is not None and low > high:
        raise BadUserInput(
            f"`filter.yearFrom` ({low}) is after `filter.yearTo` ({high})", argument="filter"
        )
    return WorkFilter(
        kinds=None if kinds is None else tuple(kinds),
        year_from=low,
        year_to=high,
        venue_ids=_ids(venue_ids, Label.VENUE, "filter.venueIds"),
        topic_ids=_ids(topic_ids, Label.TOPIC, "filter.topicIds"),
    )


@dataclass(frozen=True)
class FacetScope:
    """Which papers a connection's facets count: the scope's, filtered like the connection."""

    scope: Scope
    key: str | tuple[str, ...]
    filter: WorkFilter


async def passing(ctx: Context, scope: FacetScope) -> set[str] | None:
    """The ids of the scope's papers that pass its filter; None when there is no filter."""
    if scope.filter.empty:
        return None
    return await facets_db.filtered(ctx.store, scope.scope, scope.key, scope.filter)


@dataclass(frozen=True)
class ResolvedFacets:
    years: list[tuple[int, int]]
    kinds: list[tuple[str, int]]
    venues: list[tuple[NodeRecord, int]]
    topics: list[tuple[NodeRecord, int]]


async def facets(ctx: Context, scope: FacetScope) -> ResolvedFacets:
    if scope.scope == "papers" and not scope.key:
        return ResolvedFacets([], [], [], [])
    found = await facets_db.facets(ctx.store, scope.scope, scope.key, scope.filter)
    nodes = found.nodes

    def resolved(pairs: list[tuple[str, int]]) -> list[tuple[NodeRecord, int]]:
        return [(node, n) for key, n in pairs if (node := nodes.get(key)) is not None]

    return ResolvedFacets(found.years, found.kinds, resolved(found.venues), resolved(found.topics))


async def _passing_for(
    ctx: Context, scope: FacetScope, first: int, after: str | None
) -> set[str] | None:
    # Bad paging is refused before the filter's round trip.
    check_first(first)
    decode_cursor(after, scope.filter.fingerprint())
    return await passing(ctx, scope)


async def works(
    ctx: Context,
    researcher_id: str,
    kind: str | None,
    scope: FacetScope,
    first: int,
    after: str | None,
    ahead: Sequence[profile.Hop] = (),
) -> profile.Page:
    kept = await _passing_for(ctx, scope, first, after)
    return await profile.works(
        ctx, researcher_id, kind, first, after, kept, scope.filter.fingerprint(), ahead
    )


async def venue_publications(
    ctx: Context, venue_id: str, year: int | None, scope: FacetScope, first: int, after: str | None
) -> tuple[profile.Page, list[tuple[EdgeRecord, NodeRecord]]]:
    kept = await _passing_for(ctx, scope, first, after)
    return await profile.venue_publications(
        ctx, venue_id, year, first, after, kept, scope.filter.fingerprint()
    )


__all__ = [
    "FacetScope",
    "ResolvedFacets",
    "Scope",
    "facets",
    "passing",
    "venue_publications",
    "work_filter",
    "works",
]
