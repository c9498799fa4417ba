"""Identity types: why each work is on a profile, owner corrections ("not me", merge requests)
and their approval (docs/identity.md)."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any

import strawberry

from scholargraph.graphdb.reads import EdgeRecord
from scholargraph.resolvers import identity
from scholargraph.schema.entities import Info, Paper, Researcher


@strawberry.enum(description="Where a merge request stands.")
class MergeRequestStatus(Enum):
    PENDING = strawberry.enum_value("pending", description="Waiting for an admin.")
    APPROVED = strawberry.enum_value(
        "approved", description="Merged (by an admin, or at once on a shared id)."
    )


@strawberry.type(description="One term of the score that placed an authorship.")
class EvidenceTerm:
    kind: str = strawberry.field(
        description="name, rare-name, shared-coauthor, topic, venue, affiliation, "
        "email-domain or year-gap (docs/identity.md)."
    )
    weight: float = strawberry.field(description="Its log-odds weight.")
    detail: str = strawberry.field(description="What matched, e.g. the coauthor's name.")


def _terms(detail: Any) -> list[EvidenceTerm]:
    """Terms as the importer stores them: 'kind +w (detail); ...'."""
    if not detail:
        return []
    found = []
    for part in str(detail).split("; "):
        head, _, rest = part.partition(" (")
        kind, _, weight = head.rpartition(" ")
        try:
            found.append(EvidenceTerm(kind=kind, weight=float(weight), detail=rest.rstrip(")")))
        except ValueError:
            continue
    return found


@strawberry.type(
    description="Why one work is on a profile: how the import placed it (evidence kinds and "
    "score), the author ids that came with it, and whether an owner decided it."
)
class AuthorshipIdentity:
    paper_id: strawberry.Private[str]
    evidence: str | None = strawberry.field(
        description="The primary kind: external-id, same-paper, position-surname, stored, new, "
        "new-namesake, or the strongest score term; null when a curated source (the seed, an "
        "owner) asserted it."
    )
    score: float | None = strawberry.field(
        description="The resolver's score (log-odds) when a score joined it; threshold 0.5."
    )
    kinds: list[str] = strawberry.field(description="Every positive score term's kind.")
    terms: list[EvidenceTerm] = strawberry.field(description="Each score term with its weight.")
    detail: str | None = strawberry.field(
        description="The stored detail: the score terms, or what the authorship was matched on "
        "(an id, a paper position)."
    )
    matched_ids: list[str] = strawberry.field(
        description="The author ids the source gave with this authorship (openreview:~..., "
        "email:...)."
    )
    sources: list[str] = strawberry.field(description="Where the authorship was read.")
    owner_decision: str | None = strawberry.field(
        description='"not-me" when the owner of another profile moved the work here; null when '
        "no owner decided."
    )
    decided_by: str | None = strawberry.field(description="The account that decided it.")
    decided_at: str | None = strawberry.field(description="When (ISO 8601, UTC).")
    moved_from: strawberry.ID | None = strawberry.field(
        description="The profile whose owner said this work is not theirs."
    )

    @strawberry.field(description="The paper.")
    async def paper(self, info: Info) -> Paper | None:
        found = await info.context.loaders.node.load(self.paper_id)
        return Paper.of(found) if found else None

    @classmethod
    def of(cls, edge: EdgeRecord) -> AuthorshipIdentity:
        props = edge.props
        score = props.get("evidenceScore")
        moved_from = props.get("ownerDecisionFrom")
        return cls(
            paper_id=edge.other,
            evidence=props.get("evidence"),
            score=float(score) if score is not None else None,
            kinds=[str(k) for k in props.get("evidenceKinds") or []],
            # Only a scored decision's detail is a list of terms ("name +0.2 (xuchen li); ...").
            terms=_terms(props.get("evidenceDetail")) if score is not None else [],
            detail=props.get("evidenceDetail"),
            matched_ids=[str(i) for i in props.get("authorIds") or []],
            sources=[str(s) for s in props.get("sources") or []],
            owner_decision=props.get("ownerDecision"),
            decided_by=props.get("ownerDecisionBy"),
            decided_at=props.get("ownerDecisionAt"),
            moved_from=strawberry.ID(moved_from) if moved_from else None,
        )


async def identity_of(info: Info, researcher_id: str) -> list[AuthorshipIdentity]:
    edges = await identity.authorships(info.context, researcher_id)
    return [AuthorshipIdentity.of(e) for e in edges]


async def merged_from(info: Info, researcher_id: str) -> list[strawberry.ID]:
    return [strawberry.ID(i) for i in await identity.merged_from(info.context, researcher_id)]


async def _researcher(info: Info, node_id: str | None) -> Researcher | None:
    found = await info.context.loaders.node.load(node_id) if node_id else None
    return Researcher.of(found) if found else None


@strawberry.type(description="The result of markNotMe.")
class NotMePayload:
    researcher_id: strawberry.Private[str]
    moved_to_id: strawberry.Private[str]
    paper_id: strawberry.Private[str]
    created: bool = strawberry.field(description="Whether `movedTo` is a new record.")

    @strawberry.field(description="The owner's profile, without the work.")
    async def researcher(self, info: Info) -> Researcher | None:
        return await _researcher(info, self.researcher_id)

    @strawberry.field(description="The record the work went to.")
    async def moved_to(self, info: Info) -> Researcher | None:
        return await _researcher(info, self.moved_to_id)

    @strawberry.field(description="The paper.")
    async def paper(self, info: Info) -> Paper | None:
        found = await info.context.loaders.node.load(self.paper_id)
        return Paper.of(found) if found else None


@strawberry.type(description="An owner's request that another record be merged into theirs.")
class MergeRequest:
    id: strawberry.ID = strawberry.field(description="The request's id (mergerequest:...).")
    status: MergeRequestStatus = strawberry.field(description="Pending or approved.")
    into_id: strawberry.Private[str]
    other_id: strawberry.ID = strawberry.field(
        description="The record to merge into the owner's (gone once approved)."
    )
    requester: str = strawberry.field(description="The account name of the owner who asked.")
    reason: str | None = strawberry.field(description="Why, as the owner wrote it.")
    created_at: str = strawberry.field(description="When it was asked (ISO 8601, UTC).")
    decided_at: str | None = strawberry.field(description="When it was approved.")
    decided_by: str | None = strawberry.field(
        description='The admin who approved it, or "shared id <id>" when an id proved it.'
    )
    proof: str | None = strawberry.field(
        description="The external id both records carried (ORCID, OpenReview or e-mail), if any."
    )
    merge_id: strawberry.ID | None = strawberry.field(
        description="The merge that carried it out; splitResearcher undoes it."
    )

    @strawberry.field(description="The owner's profile (the survivor once approved).")
    async def into(self, info: Info) -> Researcher | None:
        return await _researcher(info, self.into_id)

    @classmethod
    def of(cls, props: dict[str, Any]) -> MergeRequest:
        merge_id = props.get("mergeId")
        return cls(
            id=strawberry.ID(props["id"]),
            status=MergeRequestStatus(props.get("status", "pending")),
            into_id=props["into"],
            other_id=strawberry.ID(props["other"]),
            requester=props.get("requester", ""),
            reason=props.get("reason") or None,
            created_at=props.get("createdAt", ""),
            decided_at=props.get("decidedAt"),
            decided_by=props.get("decidedBy"),
            proof=props.get("proof") or None,
            merge_id=strawberry.ID(merge_id) if merge_id else None,
        )


_REASON = "Why, at most 1,000 characters; kept in the audit log."


@strawberry.type
class IdentityMutation:
    @strawberry.mutation(
        description="The owner of a claimed profile says a work is not theirs: the authorship "
        "moves to `moveTo` or to a new record named as the paper writes it, and later imports "
        "keep it there."
    )
    async def mark_not_me(
        self,
        info: Info,
        researcher_id: Annotated[
            strawberry.ID, strawberry.argument(description="The profile this account owns.")
        ],
        paper_id: Annotated[
            strawberry.ID, strawberry.argument(description="The work that is not theirs.")
        ],
        move_to: Annotated[
            strawberry.ID | None,
            strawberry.argument(
                description="Another record bearing the name the paper gives; a new record when "
                "null."
            ),
        ] = None,
        reason: Annotated[str | None, strawberry.argument(description=_REASON)] = None,
    ) -> NotMePayload:
        done = await identity.mark_not_me(info.context, researcher_id, paper_id, move_to, reason)
        return NotMePayload(
            researcher_id=done.researcher,
            moved_to_id=done.moved_to,
            paper_id=done.paper,
            created=done.created,
        )

    @strawberry.mutation(
        description="The owner of a claimed profile asks for another record to be merged into "
        "theirs: pending until an admin approves, approved at once when both records carry one "
        "ORCID, OpenReview profile or e-mail."
    )
    async def request_merge(
        self,
        info: Info,
        researcher_id: Annotated[
            strawberry.ID, strawberry.argument(description="The profile this account owns.")
        ],
        other_id: Annotated[
            strawberry.ID, strawberry.argument(description="The record to merge into it.")
        ],
        reason: Annotated[str | None, strawberry.argument(description=_REASON)] = None,
    ) -> MergeRequest:
        props = await identity.request_merge(info.context, researcher_id, other_id, reason)
        return MergeRequest.of(props)

    @strawberry.mutation(description="Admins only: carry out a pending merge request.")
    async def approve_merge_request(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The request's id.")],
        reason: Annotated[str | None, strawberry.argument(description=_REASON)] = None,
    ) -> MergeRequest:
        return MergeRequest.of(await identity.approve_merge_request(info.context, id, reason))


__all__ = [
    "AuthorshipIdentity",
    "EvidenceTerm",
    "IdentityMutation",
    "MergeRequest",
    "MergeRequestStatus",
    "NotMePayload",
    "identity_of",
    "merged_from",
]
