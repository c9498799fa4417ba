"""The research-graph explorer as clients see it: neighborhoods, collaboration paths, search."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any

import strawberry
from strawberry.scalars import JSON

from scholargraph.graphdb import explorer as explorer_db
from scholargraph.graphdb.model import Label, Rel
from scholargraph.resolvers import explorer
from scholargraph.resolvers.pagination import encode_cursor, given
from scholargraph.schema.entities import (
    HOPS,
    LIMIT,
    Info,
    Node,
    PageInfo,
    Paper,
    Researcher,
    to_node,
)

PATH_HOPS, SEARCH = 6, 20  # defaults of nullable arguments (see entities.HOPS)


@strawberry.enum(description="The kinds of node the explorer walks and search finds.")
class EntityType(Enum):
    RESEARCHER = Label.RESEARCHER.value
    PAPER = Label.PAPER.value
    VENUE = Label.VENUE.value
    TALK = Label.TALK.value
    AWARD = Label.AWARD.value
    INSTITUTION = Label.INSTITUTION.value
    TOPIC = Label.TOPIC.value


@strawberry.enum(description="The relationships of the scholarly graph.")
class RelationType(Enum):
    AUTHORED = Rel.AUTHORED.value
    PUBLISHED_AT = Rel.PUBLISHED_AT.value
    AFFILIATED_WITH = Rel.AFFILIATED_WITH.value
    EDUCATED_AT = Rel.EDUCATED_AT.value
    SUPERVISED_BY = Rel.SUPERVISED_BY.value
    INTERESTED_IN = Rel.INTERESTED_IN.value
    HAS_TOPIC = Rel.HAS_TOPIC.value
    GAVE = Rel.GAVE.value
    TALK_AT = Rel.TALK_AT.value
    TALK_HOSTED_BY = Rel.TALK_HOSTED_BY.value
    RECEIVED = Rel.RECEIVED.value
    AWARD_FOR = Rel.AWARD_FOR.value
    AWARDED_AT = Rel.AWARDED_AT.value
    FUNDED_BY = Rel.FUNDED_BY.value
    PART_OF = Rel.PART_OF.value
    HOSTED_BY = Rel.HOSTED_BY.value


async def _node(info: Info, node_id: str) -> Node:
    found = to_node(await info.context.loaders.node.load(node_id))
    if found is None:
        raise RuntimeError(f"{node_id} disappeared while the request ran")
    return found


@strawberry.type
class GraphNode:
    id: strawberry.ID
    label: EntityType
    name: str = strawberry.field(description="The name, or the title of a paper or talk.")
    distance: int = strawberry.field(description="Fewest relationships from the center.")

    @strawberry.field(description="The full node.")
    async def node(self, info: Info) -> Node:
        return await _node(info, self.id)


@strawberry.type(description="A relationship, in its stored direction.")
class GraphEdge:
    source: strawberry.ID
    target: strawberry.ID
    type: RelationType
    properties: JSON | None


async def _center(root: Subgraph, info: Info) -> Node:
    return await _node(info, root.center_id)


@strawberry.type(description="The nodes within `hops` relationships of a center.")
class Subgraph:
    center_id: strawberry.Private[str]
    center: Node = strawberry.field(resolver=_center)
    nodes: list[GraphNode] = strawberry.field(
        description="Without the center; by distance, then label, then name, then id."
    )
    edges: list[GraphEdge] = strawberry.field(
        description="Every relationship of the walked types between two returned nodes."
    )
    truncated: bool = strawberry.field(description="More nodes were in reach than `limit`.")
    hops: int


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
        None if labels is None else [Label(x.value) for x in labels],
        None if relationships is None else [Rel(x.value) for x in relationships],
        limit,
    )
    return _subgraph(found)


@strawberry.type(description="A shortest chain of coauthorships between two researchers.")
class CollaborationPath:
    distance: int = strawberry.field(description="Coauthorship steps (papers on the path).")
    nodes: list[Node] = strawberry.field(
        description="Researchers and papers alternating, from `from` to `to`."
    )
    researchers: list[Researcher]
    papers: list[Paper]


@strawberry.type
class SearchEdge:
    cursor: str
    score: float = strawberry.field(description="Higher is better; comparable within a search.")
    matched: str = strawberry.field(description="The name or title that ranked it.")
    node: Node


@strawberry.type
class SearchConnection:
    total_count: int
    edges: list[SearchEdge]
    page_info: PageInfo


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
        id: strawberry.ID,
        hops: int | None = HOPS,
        labels: list[EntityType] | None = None,
        relationships: list[RelationType] | None = None,
        limit: int | None = LIMIT,
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
        from_: Annotated[strawberry.ID, strawberry.argument(name="from")],
        to: strawberry.ID,
        max_hops: int | None = PATH_HOPS,
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
        query: str,
        types: list[EntityType] | None = None,
        first: int | None = SEARCH,
        after: str | None = None,
    ) -> SearchConnection:
        labels = None if types is None else [Label(t.value) for t in types]
        page = await explorer.search(info.context, query, labels, given(first, SEARCH), after)
        edges = [
            SearchEdge(
                cursor=encode_cursor(item.offset),
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
                start_cursor=encode_cursor(offsets[0]) if offsets else None,
                end_cursor=encode_cursor(offsets[-1]) if offsets else None,
            ),
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
