"""Root query fields of the profile API."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import strawberry

from scholargraph.graphdb.model import Label
from scholargraph.resolvers import lookup, profile
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
from scholargraph.schema.explorer import EntityType

SUGGEST = 10  # default of a nullable argument (see entities.HOPS)


@strawberry.enum(description="How a suggestion matched what was typed, best first.")
class SuggestionMatch(Enum):
    EXACT = strawberry.enum_value(
        "exact", description="The whole name, an alias or the title is what was typed."
    )
    PREFIX = strawberry.enum_value(
        "prefix", description="The whole name, an alias or the title starts with what was typed."
    )
    WORDS = strawberry.enum_value(
        "words", description="Each typed word starts a word of the name, an alias or the title."
    )


@strawberry.type(description="One suggestion for what was typed into a search box.")
class Suggestion:
    id: strawberry.ID = strawberry.field(description="The suggested node's id.")
    type: EntityType = strawberry.field(description="The suggested node's kind.")
    label: str = strawberry.field(description="What to show: the name, or a paper's title.")
    matched: str = strawberry.field(
        description="The spelling that matched, as the sources write it: the name, an alias or "
        "the title."
    )
    match: SuggestionMatch = strawberry.field(description="How it matched.")
    node: Node = strawberry.field(description="The suggested node.")


@strawberry.type
class ProfileQuery:
    @strawberry.field(description="Any node by id; null when no node has it.")
    async def node(
        self,
        info: Info,
        id: Annotated[
            strawberry.ID,
            strawberry.argument(
                description="Any id the API gave out, e.g. researcher:will-grathwohl or "
                "paper:<hash>."
            ),
        ],
    ) -> Node | None:
        return to_node(await profile.node(info.context, id))

    @strawberry.field(
        description="Many nodes by id at once (Relay), in the order asked, duplicates included: "
        "one store round trip for up to 100 ids. An id no node has, or that is not a valid id, "
        "gives null in its place; more than 100 ids is a BAD_USER_INPUT error."
    )
    async def nodes(
        self,
        info: Info,
        ids: Annotated[
            list[strawberry.ID],
            strawberry.argument(
                description="Up to 100 ids the API gave out, e.g. researcher:will-grathwohl, "
                "paper:<hash>."
            ),
        ],
    ) -> list[Node | None]:
        return [to_node(record) for record in await lookup.nodes(info.context, ids)]

    @strawberry.field(
        description="Suggestions for a search box: researchers, papers, venues, talks, awards, "
        "institutions and topics whose name, alias or title starts with what was typed, "
        "folding case, accents and transliterations (Joern, jorn and JÖRN find Jörn). Best "
        "first: the whole name exactly, then the whole name as a prefix, then each typed word "
        "starting a word; then the most connected (a researcher's works, a venue's papers); "
        "then by id. Empty when nothing searchable was typed."
    )
    async def suggest(
        self,
        info: Info,
        prefix: Annotated[
            str,
            strawberry.argument(
                description="What was typed so far, at most 200 characters; case, accents and "
                "punctuation do not matter, and the last word may be incomplete."
            ),
        ],
        types: Annotated[
            list[EntityType] | None,
            strawberry.argument(
                description="Only nodes of these kinds; every kind when null, nothing when empty."
            ),
        ] = None,
        first: Annotated[
            int | None,
            strawberry.argument(description="At most this many, 0 to 50; null means 10."),
        ] = SUGGEST,
    ) -> list[Suggestion]:
        labels = None if types is None else [Label[t.name] for t in types]
        found = await lookup.suggest(info.context, prefix, labels, given(first, SUGGEST))
        return [
            Suggestion(
                id=strawberry.ID(s.id),
                type=EntityType(s.label.value),
                label=s.name,
                matched=s.matched,
                match=SuggestionMatch(s.match.name.lower()),
                node=node,
            )
            for s, record in found
            if (node := to_node(record)) is not None
        ]

    @strawberry.field(
        description="By id, or by name: the name or any alias, case- and diacritic-insensitive."
    )
    async def researcher(
        self,
        info: Info,
        id: Annotated[
            strawberry.ID | None,
            strawberry.argument(
                description="The researcher's id, e.g. researcher:will-grathwohl. Give exactly one "
                "of `id` and `name`."
            ),
        ] = None,
        name: Annotated[
            str | None,
            strawberry.argument(
                description="A name or alias, e.g. will grathwohl, at most 300 characters; the "
                "record most sources attest when several share it."
            ),
        ] = None,
    ) -> Researcher | None:
        found = await profile.researcher(info.context, id, name)
        return Researcher.of(found) if found else None

    @strawberry.field(
        description="Researchers by name (and alias) when `search` is given, best match first; "
        "otherwise every researcher, by name."
    )
    async def researchers(
        self,
        info: Info,
        search: Annotated[
            str | None,
            strawberry.argument(
                description="Words of a name or alias; every researcher when null."
            ),
        ] = None,
        first: Annotated[
            int | None, strawberry.argument(description="Page size, 0 to 1000; null means 20.")
        ] = 20,
        after: Annotated[
            str | None,
            strawberry.argument(
                description="A cursor from the previous page; from the start when null."
            ),
        ] = None,
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

    @strawberry.field(description="A paper by id; null when no paper has it.")
    async def paper(
        self,
        info: Info,
        id: Annotated[
            strawberry.ID, strawberry.argument(description="A paper id (paper:<16 hex digits>).")
        ],
    ) -> Paper | None:
        found = await profile.node(info.context, id, Label.PAPER)
        return Paper.of(found) if found else None

    @strawberry.field(description="A venue by id; null when no venue has it.")
    async def venue(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="A venue id (venue:<slug>).")],
    ) -> Venue | None:
        found = await profile.node(info.context, id, Label.VENUE)
        return Venue.of(found) if found else None

    @strawberry.field(description="A talk by id; null when no talk has it.")
    async def talk(
        self,
        info: Info,
        id: Annotated[
            strawberry.ID,
            strawberry.argument(description="A talk id (talk:<slug of title>-<date>)."),
        ],
    ) -> Talk | None:
        found = await profile.node(info.context, id, Label.TALK)
        return Talk.of(found) if found else None

    @strawberry.field(description="An award by id; null when no award has it.")
    async def award(
        self,
        info: Info,
        id: Annotated[
            strawberry.ID, strawberry.argument(description="An award id (award:<slug>).")
        ],
    ) -> Award | None:
        found = await profile.node(info.context, id, Label.AWARD)
        return Award.of(found) if found else None

    @strawberry.field(description="An institution by id; null when no institution has it.")
    async def institution(
        self,
        info: Info,
        id: Annotated[
            strawberry.ID,
            strawberry.argument(description="An institution id (institution:<slug>)."),
        ],
    ) -> Institution | None:
        found = await profile.node(info.context, id, Label.INSTITUTION)
        return Institution.of(found) if found else None

    @strawberry.field(description="A topic by id; null when no topic has it.")
    async def topic(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="A topic id (topic:<slug>).")],
    ) -> Topic | None:
        found = await profile.node(info.context, id, Label.TOPIC)
        return Topic.of(found) if found else None


__all__ = ["ProfileQuery"]
