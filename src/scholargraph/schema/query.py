"""Root query fields of the profile API."""

from __future__ import annotations

import strawberry

from scholargraph.graphdb.model import Label
from scholargraph.resolvers import profile
from scholargraph.resolvers.pagination import encode_cursor, given
from scholargraph.schema.entities import (
    Award,
    Info,
    Institution,
    Node,
    Paper,
    Researcher,
    ResearcherConnection,
    ResearcherEdge,
    Talk,
    Topic,
    Venue,
    page_info,
    to_node,
)


@strawberry.type
class ProfileQuery:
    @strawberry.field(description="Any node by id; null when no node has it.")
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        return to_node(await profile.node(info.context, id))

    @strawberry.field(
        description="By id, or by name: the name or any alias, case- and diacritic-insensitive."
    )
    async def researcher(
        self, info: Info, id: strawberry.ID | None = None, name: str | None = None
    ) -> Researcher | None:
        found = await profile.researcher(info.context, id, name)
        return Researcher.of(found) if found else None

    @strawberry.field
    async def researchers(
        self,
        info: Info,
        search: str | None = None,
        first: int | None = 20,
        after: str | None = None,
    ) -> ResearcherConnection:
        page = await profile.researchers(info.context, search, given(first, 20), after)
        return ResearcherConnection(
            total_count=page.total,
            edges=[
                ResearcherEdge(cursor=encode_cursor(o), node=Researcher.of(n))
                for o, n in page.items
            ],
            page_info=page_info(page),
        )

    @strawberry.field
    async def paper(self, info: Info, id: strawberry.ID) -> Paper | None:
        found = await profile.node(info.context, id, Label.PAPER)
        return Paper.of(found) if found else None

    @strawberry.field
    async def venue(self, info: Info, id: strawberry.ID) -> Venue | None:
        found = await profile.node(info.context, id, Label.VENUE)
        return Venue.of(found) if found else None

    @strawberry.field
    async def talk(self, info: Info, id: strawberry.ID) -> Talk | None:
        found = await profile.node(info.context, id, Label.TALK)
        return Talk.of(found) if found else None

    @strawberry.field
    async def award(self, info: Info, id: strawberry.ID) -> Award | None:
        found = await profile.node(info.context, id, Label.AWARD)
        return Award.of(found) if found else None

    @strawberry.field
    async def institution(self, info: Info, id: strawberry.ID) -> Institution | None:
        found = await profile.node(info.context, id, Label.INSTITUTION)
        return Institution.of(found) if found else None

    @strawberry.field
    async def topic(self, info: Info, id: strawberry.ID) -> Topic | None:
        found = await profile.node(info.context, id, Label.TOPIC)
        return Topic.of(found) if found else None


__all__ = ["ProfileQuery"]
