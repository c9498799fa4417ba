"""The research-graph explorer as clients see it: neighborhoods, collaboration paths, search."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any

import strawberry
from strawberry.scalars import JSON

from scholargraph.graphdb import explorer as explorer_db
from scholargraph.graphdb.model import Label, Rel
from scholargraph.resolvers import explorer
from scholargraph.resolvers.filters import FacetScope
from scholargraph.resolvers.pagination import encode_cursor, given
from scholargraph.schema.entities import (
    FACETS_DESCRIPTION,
    FILTER_ARG,
    HOPS,
    HOPS_ARG,
    LABELS_ARG,
    LIMIT,
    LIMIT_ARG,
    RELATIONSHIPS_ARG,
    Info,
    Node,
    PageInfo,
    Paper,
    Researcher,
    WorkFacets,
    WorkFilterInput,
    facet_scope,
    resolve_facets,
    to_node,
)

PATH_HOPS, SEARCH = 6, 20  # defaults of nullable arguments (see entities.HOPS)


@strawberry.enum(description="The kinds of node the explorer walks and search finds.")
class EntityType(Enum):
    RESEARCHER = strawberry.enum_value(
        Label.RESEARCHER.value,
        description="A person who authors papers, gives talks or receives awards.",
    )
    PAPER = strawberry.enum_value(
        Label.PAPER.value, description="A paper (one work, whatever its venues)."
    )
    VENUE = strawberry.enum_value(
        Label.VENUE.value,
        description="A conference, workshop, journal, preprint server or seminar series.",
    )
    TALK = strawberry.enum_value(Label.TALK.value, description="A talk.")
    AWARD = strawberry.enum_value(Label.AWARD.value, description="An award or fellowship.")
    INSTITUTION = strawberry.enum_value(
        Label.INSTITUTION.value, description="A university, company, lab, institute or funder."
    )
    TOPIC = strawberry.enum_value(Label.TOPIC.value, description="A research topic.")


@strawberry.enum(description="The relationships of the scholarly graph.")
class RelationType(Enum):
    AUTHORED = strawberry.enum_value(
        Rel.AUTHORED.value,
        description="Researcher -> Paper: an authorship (position, equalContribution, asWritten).",
    )
    PUBLISHED_AT = strawberry.enum_value(
        Rel.PUBLISHED_AT.value,
        description="Paper -> Venue: an appearance (year, kind, presentation, honors, notes).",
    )
    AFFILIATED_WITH = strawberry.enum_value(
        Rel.AFFILIATED_WITH.value,
        description="Researcher -> Institution: a position (role, since, until, place).",
    )
    EDUCATED_AT = strawberry.enum_value(
        Rel.EDUCATED_AT.value,
        description="Researcher -> Institution: a degree (degree, field, year, status).",
    )
    SUPERVISED_BY = strawberry.enum_value(
        Rel.SUPERVISED_BY.value,
        description="Researcher -> Researcher: student to supervisor (role).",
    )
    INTERESTED_IN = strawberry.enum_value(
        Rel.INTERESTED_IN.value, description="Researcher -> Topic."
    )
    HAS_TOPIC = strawberry.enum_value(Rel.HAS_TOPIC.value, description="Paper -> Topic.")
    GAVE = strawberry.enum_value(Rel.GAVE.value, description="Researcher -> Talk: the speaker.")
    TALK_AT = strawberry.enum_value(
        Rel.TALK_AT.value, description="Talk -> Venue: the series or conference it was part of."
    )
    TALK_HOSTED_BY = strawberry.enum_value(
        Rel.TALK_HOSTED_BY.value, description="Talk -> Institution: the host."
    )
    RECEIVED = strawberry.enum_value(Rel.RECEIVED.value, description="Researcher -> Award (year).")
    AWARD_FOR = strawberry.enum_value(
        Rel.AWARD_FOR.value, description="Award -> Paper: the paper it honours."
    )
    AWARDED_AT = strawberry.enum_value(
        Rel.AWARDED_AT.value, description="Award -> Venue: the venue that gave it."
    )
    FUNDED_BY = strawberry.enum_value(
        Rel.FUNDED_BY.value, description="Award -> Institution: the funder."
    )
    PART_OF = strawberry.enum_value(
        Rel.PART_OF.value,
        description="Venue -> Venue (a workshop at a conference), "
        "Institution -> Institution (a lab in a university).",
    )
    HOSTED_BY = strawberry.enum_value(
        Rel.HOSTED_BY.value, description="Venue -> Institution: the host of a series."
    )
    CITES = strawberry.enum_value(
        Rel.CITES.value,
        description="Paper -> Paper: a resolved reference. Walked only when named in "
        "`relationships`.",
    )


async def _node(info: Info, node_id: str) -> Node:
    found = to_node(await info.context.loaders.node.load(node_id))
    if found is None:
        raise RuntimeError(f"{node_id} disappeared while the request ran")
    return found


@strawberry.type(
    description="A node of a neighborhood, light enough to draw: id, kind, display name, distance."
)
class GraphNode:
    id: strawberry.ID = strawberry.field(
        description="The node's id; pass it to `node`, or to `neighborhood` to expand it."
    )
    label: EntityType = strawberry.field(description="The node's kind.")
    name: str = strawberry.field(description="The name, or the title of a paper or talk.")
    distance: int = strawberry.field(description="Fewest relationships from the center.")

    @strawberry.field(description="The full node.")
    async def node(self, info: Info) -> Node:
        return await _node(info, self.id)


@strawberry.type(description="A relationship, in its stored direction.")
class GraphEdge:
    source: strawberry.ID = strawberry.field(
        description="The id of the node the relationship starts from."
    )
    target: strawberry.ID = strawberry.field(description="The id of the node it points to.")
    type: RelationType = strawberry.field(description="The relationship's type.")
    properties: JSON | None = strawberry.field(
        description="The relationship's facts as a JSON object (e.g. AUTHORED: position, "
        "equalContribution; PUBLISHED_AT: year, kind, presentation); null when it has "
        "none."
    )


async def _center(root: Subgraph, info: Info) -> Node:
    return await _node(info, root.center_id)


@strawberry.type(description="The nodes within `hops` relationships of a center.")
class Subgraph:
    center_id: strawberry.Private[str]
    center: Node = strawberry.field(
        resolver=_center, description="The node the neighborhood is around."
    )
    nodes: list[GraphNode] = strawberry.field(
        description="Without the center; by distance, then label, then name, then id."
    )
    edges: list[GraphEdge] = strawberry.field(
        description="Every relationship of the walked types between two returned nodes."
    )
    truncated: bool = strawberry.field(description="More nodes were in reach than `limit`.")
    hops: int = strawberry.field(description="The number of hops walked.")


def _edge_properties(props: dict[str, Any]) -> dict[str, Any]:
    # An empty `key` only makes the stored identity of a relationship unique; it says nothing.
    return {k: v for k, v in props.items() if not (k == "key" and not v)}


def _subgraph(found: explorer_db.Neighborhood) -> Subgraph:
    return Subgraph(
        center_id=found.center.id,
        nodes=[
            GraphNode(
                id=strawberry.ID(n.id),
                label=EntityType(n.label.value),
                name=n.name,
                distance=n.distance,
            )
            for n in found.nodes
        ],
        edges=[
            GraphEdge(
                source=strawberry.ID(e.source),
                target=strawberry.ID(e.target),
                type=RelationType(e.type.value),
                properties=JSON(_edge_properties(e.props)),
            )
            for e in found.edges
        ],
        truncated=found.truncated,
        hops=found.hops,
    )


async def subgraph(
    info: Info,
    center_id: str,
    hops: int,
    labels: list[EntityType] | None,
    relationships: list[RelationType] | None,
    limit: int,
) -> Subgraph:
    found = await explorer.neighborhood(
        info.context,
        center_id,
        hops,
        None if labels is None else [Label[x.name] for x in labels],
        None if relationships is None else [Rel[x.name] for x in relationships],
        limit,
    )
    return _subgraph(found)


@strawberry.type(description="A shortest chain of coauthorships between two researchers.")
class CollaborationPath:
    distance: int = strawberry.field(description="Coauthorship steps (papers on the path).")
    nodes: list[Node] = strawberry.field(
        description="Researchers and papers alternating, from `from` to `to`."
    )
    researchers: list[Researcher] = strawberry.field(
        description="The researchers on the path, from `from` to `to`."
    )
    papers: list[Paper] = strawberry.field(
        description="The shared papers on the path, in path order."
    )


@strawberry.type(description="One search hit.")
class SearchEdge:
    cursor: str = strawberry.field(description="Pass as `after` to continue after this hit.")
    score: float = strawberry.field(description="Higher is better; comparable within a search.")
    matched: str = strawberry.field(description="The name or title that ranked it.")
    node: Node = strawberry.field(
        description="The node found: a Researcher, Paper, Venue, Talk, Award, Institution or Topic."
    )


@strawberry.type(description="A page of search hits, best first.")
class SearchConnection:
    total_count: int = strawberry.field(description="How many nodes match in all pages.")
    edges: list[SearchEdge] = strawberry.field(description="The hits of this page, best first.")
    page_info: PageInfo = strawberry.field(description="Where this page sits.")
    scope: strawberry.Private[FacetScope | None] = None

    @strawberry.field(
        description=FACETS_DESCRIPTION + " Over search, the facets count the paper hits of all "
        "pages (other kinds of hit have no year, kind, venue or topic)."
    )
    async def facets(self, info: Info) -> WorkFacets:
        return await resolve_facets(info, self.scope)


NEIGHBORHOOD_DESCRIPTION = (
    "Nodes within `hops` (1 to 4) relationships, each once at its smallest distance, at most "
    "`limit` (1 to 2000) of them, and the relationships among them. `labels` and "
    "`relationships` restrict what is walked; an empty list walks nothing."
)


@strawberry.type
class ExplorerQuery:
    @strawberry.field(description=NEIGHBORHOOD_DESCRIPTION)
    async def neighborhood(
        self,
        info: Info,
        id: Annotated[
            strawberry.ID,
            strawberry.argument(
                description="The center: any Researcher, Paper, Venue, Talk, Award, Institution or "
                "Topic id."
            ),
        ],
        hops: Annotated[int | None, strawberry.argument(description=HOPS_ARG)] = HOPS,
        labels: Annotated[
            list[EntityType] | None, strawberry.argument(description=LABELS_ARG)
        ] = None,
        relationships: Annotated[
            list[RelationType] | None, strawberry.argument(description=RELATIONSHIPS_ARG)
        ] = None,
        limit: Annotated[int | None, strawberry.argument(description=LIMIT_ARG)] = LIMIT,
    ) -> Subgraph:
        return await subgraph(
            info, id, given(hops, HOPS), labels, relationships, given(limit, LIMIT)
        )

    @strawberry.field(
        description="A shortest coauthorship chain between two researchers, at most `maxHops` "
        "(1 to 10) coauthorships long; null when there is none or either is unknown. When "
        "too many researchers lie within reach, a BAD_USER_INPUT error asks for a lower "
        "`maxHops`."
    )
    async def collaboration_path(
        self,
        info: Info,
        from_: Annotated[
            strawberry.ID,
            strawberry.argument(
                name="from", description="The id of the researcher the path starts from."
            ),
        ],
        to: Annotated[
            strawberry.ID,
            strawberry.argument(description="The id of the researcher the path ends at."),
        ],
        max_hops: Annotated[
            int | None,
            strawberry.argument(
                description="At most this many coauthorships (papers) on the path, 1 to 10; null "
                "means 6."
            ),
        ] = PATH_HOPS,
    ) -> CollaborationPath | None:
        path = await explorer.collaboration_path(
            info.context, from_, to, given(max_hops, PATH_HOPS)
        )
        if path is None:
            return None
        return CollaborationPath(
            distance=path.distance,
            nodes=[n for n in map(to_node, path.nodes) if n is not None],
            researchers=[Researcher.of(n) for n in path.nodes if n.label is Label.RESEARCHER],
            papers=[Paper.of(n) for n in path.nodes if n.label is Label.PAPER],
        )

    @strawberry.field(
        description="Researchers (names and aliases), papers (titles and abstracts), venues, "
        "talks, awards, institutions and topics, best first; case- and accent-insensitive."
    )
    async def search(
        self,
        info: Info,
        query: Annotated[
            str,
            strawberry.argument(
                description="Words to look for, at most 500 characters; case, accents and "
                "punctuation do not matter."
            ),
        ],
        types: Annotated[
            list[EntityType] | None,
            strawberry.argument(
                description="Only nodes of these kinds; every kind when null, nothing when empty."
            ),
        ] = None,
        first: Annotated[
            int | None, strawberry.argument(description="Page size, 0 to 100; null means 20.")
        ] = SEARCH,
        after: Annotated[
            str | None,
            strawberry.argument(
                description="A cursor from the previous page; from the start when null."
            ),
        ] = None,
        filter: Annotated[
            WorkFilterInput | None,
            strawberry.argument(
                description=FILTER_ARG + " With a filter, search finds papers only."
            ),
        ] = None,
    ) -> SearchConnection:
        labels = None if types is None else [Label[t.name] for t in types]
        scope = facet_scope("papers", (), filter)
        tag = scope.filter.fingerprint()
        page = await explorer.search(
            info.context, query, labels, given(first, SEARCH), after, scope.filter
        )
        edges = [
            SearchEdge(
                cursor=encode_cursor(item.offset, tag),
                score=item.hit.score,
                matched=item.hit.matched,
                node=node,
            )
            for item in page.items
            if (node := to_node(item.node)) is not None
        ]
        offsets = [item.offset for item in page.items]
        return SearchConnection(
            total_count=page.total,
            edges=edges,
            page_info=PageInfo(
                has_next_page=page.has_next,
                has_previous_page=page.has_previous,
                start_cursor=encode_cursor(offsets[0], tag) if offsets else None,
                end_cursor=encode_cursor(offsets[-1], tag) if offsets else None,
            ),
            scope=FacetScope("papers", page.papers, scope.filter),
        )


__all__ = [
    "JSON",
    "CollaborationPath",
    "EntityType",
    "ExplorerQuery",
    "GraphEdge",
    "GraphNode",
    "RelationType",
    "SearchConnection",
    "SearchEdge",
    "Subgraph",
    "subgraph",
]
