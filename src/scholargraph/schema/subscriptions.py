"""Subscriptions: live changes of researchers, over WebSocket (graphql-transport-ws at /graphql).

Events come from the store's change feed (docs/subscriptions.md); each payload's objects are
read when the event is delivered, so a client selects fields as it would in a query.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Iterator
from enum import Enum
from typing import Annotated

import strawberry
from graphql import GraphQLError
from strawberry import enum_value
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from scholargraph.graphdb import events
from scholargraph.graphdb.model import Label
from scholargraph.graphdb.reads import NodeRecord
from scholargraph.resolvers import live
from scholargraph.schema.entities import Award, Info, Paper, Researcher, Talk


@strawberry.enum(description="What changed about a researcher.")
class ChangeKind(Enum):
    WORK_ADDED = enum_value(
        events.Kind.WORK_ADDED.value, description="A work (paper) was added; see `work`."
    )
    TALK_ADDED = enum_value(
        events.Kind.TALK_ADDED.value, description="A talk was added; see `talk`."
    )
    AWARD_ADDED = enum_value(
        events.Kind.AWARD_ADDED.value, description="An award was added; see `award`."
    )
    FOLLOWER_ADDED = enum_value(
        events.Kind.FOLLOWER_ADDED.value, description="An account started following them."
    )
    FOLLOWER_REMOVED = enum_value(
        events.Kind.FOLLOWER_REMOVED.value, description="An account stopped following them."
    )
    TRUST_CHANGED = enum_value(
        events.Kind.TRUST_CHANGED.value,
        description="A claim on the profile was approved, rejected or released: `researcher "
        "{ trust }` may read differently.",
    )
    MERGED = enum_value(
        events.Kind.MERGED.value,
        description="Records were merged (an approved merge request, an administrator's or an "
        "import's merge): the survivor now holds the works, talks, awards and followers of "
        "the others. Sent to the survivor and to each merged-away record, whose id now reads "
        "as the survivor.",
    )
    SPLIT = enum_value(
        events.Kind.SPLIT.value,
        description="A merge was undone: the survivor gave back what the merge brought and the "
        "merged-away records exist again with it. Sent to each of them.",
    )
    WORK_MOVED_OUT = enum_value(
        events.Kind.WORK_MOVED_OUT.value,
        description="The profile's owner said a work is not theirs (markNotMe): it left this "
        "researcher for another record; see `work`.",
    )
    WORK_MOVED_IN = enum_value(
        events.Kind.WORK_MOVED_IN.value,
        description="A work another profile's owner said was not theirs (markNotMe) was moved "
        "onto this researcher; see `work`.",
    )


@strawberry.type(description="One change of a researcher, as the change feed recorded it.")
class ResearcherChange:
    seq: int = strawberry.field(
        description="The change's position in the feed: increasing, the same on every server."
    )
    kind: ChangeKind = strawberry.field(description="What changed.")
    at: str = strawberry.field(description="When, in UTC (ISO 8601).")
    researcher_id: strawberry.Private[str]
    subject_id: strawberry.Private[str | None]

    @classmethod
    def of(cls, event: events.Event) -> ResearcherChange:
        return cls(
            seq=event.seq,
            kind=ChangeKind(event.kind.value),
            at=event.at,
            researcher_id=event.researcher_id,
            subject_id=event.subject_id,
        )

    async def _subject(
        self, info: Info, kinds: frozenset[events.Kind], label: Label
    ) -> NodeRecord | None:
        if events.Kind[self.kind.name] not in kinds or self.subject_id is None:
            return None
        found = await info.context.loaders.node.load(self.subject_id)
        return found if found is not None and found.label == label else None

    @strawberry.field(description="The researcher as it is now; null if it has been merged away.")
    async def researcher(self, info: Info) -> Researcher | None:
        found = await info.context.loaders.node.load(self.researcher_id)
        return Researcher.of(found) if found else None

    @strawberry.field(
        description="The work added (WORK_ADDED) or moved (WORK_MOVED_OUT, WORK_MOVED_IN); "
        "else null."
    )
    async def work(self, info: Info) -> Paper | None:
        found = await self._subject(info, events.ABOUT_WORK, Label.PAPER)
        return Paper.of(found) if found else None

    @strawberry.field(description="The talk added, for TALK_ADDED; else null.")
    async def talk(self, info: Info) -> Talk | None:
        found = await self._subject(info, frozenset({events.Kind.TALK_ADDED}), Label.TALK)
        return Talk.of(found) if found else None

    @strawberry.field(description="The award added, for AWARD_ADDED; else null.")
    async def award(self, info: Info) -> Award | None:
        found = await self._subject(info, frozenset({events.Kind.AWARD_ADDED}), Label.AWARD)
        return Award.of(found) if found else None


async def _changes(
    source: AsyncGenerator[events.Event, None],
) -> AsyncGenerator[ResearcherChange, None]:
    try:
        async for event in source:
            yield ResearcherChange.of(event)
    finally:
        await source.aclose()


@strawberry.type(
    description="Live updates, over WebSocket with the graphql-transport-ws protocol at /graphql "
    "(docs/subscriptions.md). Each event arrives once a change is committed, through the store, "
    "whichever server made it."
)
class Subscription:
    @strawberry.subscription(
        description="Every change of one researcher from now on: works, talks and awards added, "
        "followers, trust, merges and splits, works moved by markNotMe. Public; no token needed."
    )
    async def researcher_changed(
        self,
        info: Info,
        id: Annotated[
            strawberry.ID,
            strawberry.argument(description="The researcher's id, e.g. researcher:will-grathwohl."),
        ],
    ) -> AsyncGenerator[ResearcherChange, None]:
        return _changes(await live.researcher_changed(info.context, id))

    @strawberry.subscription(
        description="New works, talks and awards of the researchers the caller follows (as they "
        "follow them when each event arrives). Needs an API token in connection_init's payload: "
        '{"Authorization": "Bearer <token>"}.'
    )
    async def followed_activity(self, info: Info) -> AsyncGenerator[ResearcherChange, None]:
        return _changes(await live.followed_activity(info.context))


class SubscriptionRefusals(SchemaExtension):
    """Strawberry runs a subscription even when an earlier extension refused it by setting the
    result (cost, input hygiene): raise that refusal instead. Goes after those extensions."""

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        result = context.result
        if context.operation_type is OperationType.SUBSCRIPTION and result is not None:
            errors = getattr(result, "errors", None) or []
            if errors and isinstance(errors[0], GraphQLError):
                raise errors[0]
        yield


__all__ = ["ChangeKind", "ResearcherChange", "Subscription", "SubscriptionRefusals"]
