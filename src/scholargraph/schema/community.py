"""Community types: the caller's account, claims, invitations, the audit log, and mutations.

Queries elsewhere stay public; everything here but `me` (null when anonymous) needs a token.
"""

from __future__ import annotations

import dataclasses
import json
from enum import Enum
from typing import Any

import strawberry

from scholargraph.graphdb.accounts import Account as AccountRecord
from scholargraph.graphdb.model import Label, Rel
from scholargraph.graphdb.reads import NodeRecord
from scholargraph.resolvers import community
from scholargraph.resolvers import profile as profile_resolvers
from scholargraph.resolvers.pagination import encode_cursor, given
from scholargraph.schema.entities import (
    Award,
    Info,
    PageInfo,
    Paper,
    Researcher,
    Talk,
    page_info,
)
from scholargraph.schema.enums import AwardKind, PublicationKind


@strawberry.enum
class ClaimStatus(Enum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    RELEASED = "released"


@strawberry.enum
class InvitationStatus(Enum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"


@strawberry.enum
class InvitationDirection(Enum):
    RECEIVED = "received"
    SENT = "sent"


@strawberry.enum
class EvidenceKind(Enum):
    EMAIL = "email"
    GITHUB = "github"
    ORCID = "orcid"


def _value(enum_member: Enum | None) -> Any:
    return enum_member.value if enum_member is not None else None


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


class _Values:
    """Inputs hand their fields to the resolvers as the graph's camelCase property names."""

    def values(self) -> dict[str, Any]:
        return {
            _camel(f.name): _value(v) if isinstance(v := getattr(self, f.name), Enum) else v
            for f in dataclasses.fields(self)  # type: ignore[arg-type]
        }


# ---------------------------------------------------------------------------------- inputs


@strawberry.input(
    description="At least one. Matched against the record's own links and external ids; "
    "see docs/trust.md for the rule."
)
class ClaimEvidenceInput:
    email: str | None = strawberry.field(
        default=None,
        description="An address on the domain (or a subdomain) of an email the record lists.",
    )
    github: str | None = strawberry.field(
        default=None, description="https://github.com/LOGIN, or the login."
    )
    orcid: str | None = strawberry.field(default=None, description="An ORCID iD or its URL.")

    def given(self) -> dict[str, str | None]:
        return {"email": self.email, "github": self.github, "orcid": self.orcid}


@strawberry.input
class PaperInput(_Values):
    title: str
    abstract: str | None = None
    summary: str | None = None
    venue_id: strawberry.ID | None = None
    year: int | None = strawberry.field(default=None, description="Needs venueId.")
    kind: PublicationKind | None = strawberry.field(default=None, description="Needs venueId.")


@strawberry.input(description="Only the fields given change.")
class PaperPatch(_Values):
    title: str | None = None
    abstract: str | None = None
    summary: str | None = None


@strawberry.input
class TalkInput(_Values):
    title: str
    event: str | None = None
    place: str | None = None
    date: str | None = strawberry.field(default=None, description="YYYY or YYYY-MM.")
    url: str | None = None
    description: str | None = None
    venue_id: strawberry.ID | None = None


@strawberry.input(description="Only the fields given change.")
class TalkPatch(_Values):
    title: str | None = None
    event: str | None = None
    place: str | None = None
    date: str | None = None
    url: str | None = None
    description: str | None = None


@strawberry.input
class AwardInput(_Values):
    name: str
    kind: AwardKind | None = None
    year: int | None = None
    amount: float | None = None
    currency: str | None = None
    description: str | None = None


@strawberry.input(description="Only the fields given change.")
class AwardPatch(_Values):
    name: str | None = None
    kind: AwardKind | None = None
    year: int | None = None
    amount: float | None = None
    currency: str | None = None
    description: str | None = None


@strawberry.input(
    description="An existing institution by id, or a new one by name. Giving the same "
    "institution and role again edits that affiliation."
)
class AffiliationInput(_Values):
    institution_id: strawberry.ID | None = None
    institution_name: str | None = None
    role: str | None = None
    since: str | None = strawberry.field(default=None, description="YYYY or YYYY-MM.")
    until: str | None = strawberry.field(default=None, description="YYYY or YYYY-MM.")
    place: str | None = None


# ---------------------------------------------------------------------------------- types


@strawberry.type
class ClaimEvidence:
    kind: EvidenceKind
    value: str
    matched: bool = strawberry.field(description="Whether it matched the record's own links.")


async def _researcher(info: Info, node_id: str | None) -> Researcher | None:
    found = await info.context.loaders.node.load(node_id) if node_id else None
    return Researcher.of(found) if found else None


async def _account_name(info: Info, node_id: str, rel: Rel) -> str:
    edges = await info.context.loaders.edges(rel, "in").load(node_id)
    found = await info.context.loaders.node.load(edges[0].other) if edges else None
    return str(found.get("name")) if found else ""


@strawberry.type
class Claim:
    id: strawberry.ID
    status: ClaimStatus
    evidence: list[ClaimEvidence]
    created_at: str
    decided_at: str | None
    decided_by: str | None = strawberry.field(
        description='An admin\'s account name, or "automatic evidence check".'
    )
    confirmed_by: str | None = strawberry.field(description="The admin who confirmed it.")
    note: str | None
    released_at: str | None
    researcher_id: strawberry.Private[str]

    @strawberry.field
    async def researcher(self, info: Info) -> Researcher | None:
        return await _researcher(info, self.researcher_id)

    @strawberry.field(description="The account name of the claimant.")
    async def claimant(self, info: Info) -> str:
        return await _account_name(info, self.id, Rel.CLAIMS)

    @classmethod
    async def of(cls, info: Info, r: NodeRecord) -> Claim:
        target = await info.context.loaders.edges(Rel.CLAIM_OF, "out").load(r.id)
        items = json.loads(r.get("evidenceJson") or "[]")
        return cls(
            id=strawberry.ID(r.id),
            status=ClaimStatus(r.get("status")),
            evidence=[
                ClaimEvidence(kind=EvidenceKind(i["kind"]), value=i["value"], matched=i["matched"])
                for i in items
            ],
            created_at=r.get("createdAt", ""),
            decided_at=r.get("decidedAt"),
            decided_by=r.get("decidedBy"),
            confirmed_by=r.get("confirmedBy"),
            note=r.get("note"),
            released_at=r.get("releasedAt"),
            researcher_id=target[0].other if target else "",
        )


@strawberry.type
class Invitation:
    id: strawberry.ID
    status: InvitationStatus
    message: str
    created_at: str
    responded_at: str | None
    from_profile_id: strawberry.Private[str | None]

    @strawberry.field(description="The sender's account name.")
    async def from_account(self, info: Info) -> str:
        return await _account_name(info, self.id, Rel.INVITED)

    @strawberry.field(description="The profile the sender owned when inviting.")
    async def from_profile(self, info: Info) -> Researcher | None:
        return await _researcher(info, self.from_profile_id)

    @strawberry.field
    async def to(self, info: Info) -> Researcher | None:
        edges = await info.context.loaders.edges(Rel.INVITATION_TO, "out").load(self.id)
        return await _researcher(info, edges[0].other if edges else None)

    @classmethod
    def of(cls, r: NodeRecord) -> Invitation:
        return cls(
            id=strawberry.ID(r.id),
            status=InvitationStatus(r.get("status")),
            message=r.get("message", ""),
            created_at=r.get("createdAt", ""),
            responded_at=r.get("respondedAt"),
            from_profile_id=r.get("fromResearcher"),
        )


async def _linked(info: Info, origin: str, rel: Rel, label: Label) -> list[NodeRecord]:
    found = await profile_resolvers.linked_nodes(info.context, origin, rel, "out")
    return [n for n in found if n.label is label]


def _newest_first(records: list[NodeRecord]) -> list[NodeRecord]:
    return sorted(records, key=lambda n: (n.get("createdAt") or "", n.id), reverse=True)


@strawberry.type(description="The caller's own account.")
class Account:
    id: strawberry.ID
    name: str
    is_admin: bool
    created_at: str | None

    @strawberry.field(description="Researchers this account follows, most recent first.")
    async def following(self, info: Info) -> list[Researcher]:
        found = await profile_resolvers.linked(info.context, self.id, Rel.FOLLOWS, "out")
        found.sort(key=lambda p: (p[0].props.get("since") or "", p[1].id), reverse=True)
        return [Researcher.of(n) for _, n in found]

    @strawberry.field(description="Profiles this account has claimed (at most one).")
    async def owned_profiles(self, info: Info) -> list[Researcher]:
        found = await _linked(info, self.id, Rel.OWNS, Label.RESEARCHER)
        return [Researcher.of(n) for n in sorted(found, key=lambda n: n.id)]

    @strawberry.field(description="This account's claims, newest first.")
    async def claims(self, info: Info) -> list[Claim]:
        found = _newest_first(await _linked(info, self.id, Rel.CLAIMS, Label.CLAIM))
        return [await Claim.of(info, n) for n in found]

    @strawberry.field(
        description="Received: sent to profiles this account owns. Sent: by this account."
    )
    async def invitations(
        self,
        info: Info,
        direction: InvitationDirection = InvitationDirection.RECEIVED,
        status: InvitationStatus | None = None,
    ) -> list[Invitation]:
        ctx = info.context
        if direction is InvitationDirection.SENT:
            found = await _linked(info, self.id, Rel.INVITED, Label.INVITATION)
        else:
            owned = await _linked(info, self.id, Rel.OWNS, Label.RESEARCHER)
            found = []
            for profile in owned:
                found += await profile_resolvers.linked_nodes(
                    ctx, profile.id, Rel.INVITATION_TO, "in"
                )
        if status is not None:
            found = [n for n in found if n.get("status") == status.value]
        return [Invitation.of(n) for n in _newest_first(found)]

    @classmethod
    def of(cls, a: AccountRecord) -> Account:
        return cls(id=strawberry.ID(a.id), name=a.name, is_admin=a.admin, created_at=a.created_at)


@strawberry.type(description="Who did what, when, with the state before and after as JSON.")
class AuditRecord:
    id: strawberry.ID
    actor: str = strawberry.field(description='An account name, or "cli" for the operator.')
    action: str
    target: str
    at: str
    before: str = strawberry.field(description="JSON.")
    after: str = strawberry.field(description="JSON.")
    request_id: str | None


@strawberry.type
class AuditEdge:
    cursor: str
    node: AuditRecord


@strawberry.type
class AuditConnection:
    total_count: int
    edges: list[AuditEdge]
    page_info: PageInfo


@strawberry.type
class ClaimEdge:
    cursor: str
    node: Claim


@strawberry.type
class ClaimConnection:
    total_count: int
    edges: list[ClaimEdge]
    page_info: PageInfo


@strawberry.type
class FollowPayload:
    researcher: Researcher
    following: bool
    changed: bool = strawberry.field(description="False when it already was so (idempotent).")


@strawberry.type
class MergeResult:
    merge_id: strawberry.ID = strawberry.field(description="Pass it to splitResearcher to undo.")
    into_id: strawberry.Private[str]
    merged: list[strawberry.ID] = strawberry.field(description="Ids that no longer exist.")
    moved_relationships: int
    dropped_relationships: int
    at: str

    @strawberry.field
    async def into(self, info: Info) -> Researcher | None:
        return await _researcher(info, self.into_id)


@strawberry.type
class SplitResult:
    merge_id: strawberry.ID
    into_id: strawberry.Private[str]
    restored_ids: strawberry.Private[tuple[str, ...]]
    restored_relationships: int
    skipped: list[str] = strawberry.field(
        description="Relationships not given back: their far end no longer exists."
    )

    @strawberry.field
    async def into(self, info: Info) -> Researcher | None:
        return await _researcher(info, self.into_id)

    @strawberry.field
    async def restored(self, info: Info) -> list[Researcher]:
        found = await info.context.loaders.nodes(list(self.restored_ids))
        return [Researcher.of(n) for n in found]


# ------------------------------------------------------------------------------ root types


@strawberry.type
class CommunityQuery:
    @strawberry.field(description="The caller's account; null without a token.")
    def me(self, info: Info) -> Account | None:
        account = community.current_account(info.context)
        return Account.of(account) if account else None

    @strawberry.field(description="Admins only. Newest first.")
    async def audit_log(
        self, info: Info, first: int | None = 50, after: str | None = None
    ) -> AuditConnection:
        page = await community.audit_log(info.context, given(first, 50), after)
        edges = [
            AuditEdge(
                cursor=encode_cursor(offset),
                node=AuditRecord(
                    id=strawberry.ID(row["id"]),
                    actor=row.get("actor", ""),
                    action=row.get("action", ""),
                    target=row.get("target", ""),
                    at=row.get("at", ""),
                    before=row.get("before", "null"),
                    after=row.get("after", "null"),
                    request_id=row.get("requestId") or None,
                ),
            )
            for offset, row in page.items
        ]
        return AuditConnection(total_count=page.total, edges=edges, page_info=page_info(page))

    @strawberry.field(description="Admins only: claims to review, oldest first.")
    async def claims(
        self,
        info: Info,
        status: ClaimStatus | None = ClaimStatus.PENDING,
        first: int | None = 50,
        after: str | None = None,
    ) -> ClaimConnection:
        page = await community.review_queue(info.context, _value(status), given(first, 50), after)
        edges = [
            ClaimEdge(cursor=encode_cursor(offset), node=await Claim.of(info, record))
            for offset, record in page.items
        ]
        return ClaimConnection(total_count=page.total, edges=edges, page_info=page_info(page))


@strawberry.type
class CommunityMutation:
    @strawberry.mutation(description="Idempotent.")
    async def follow(self, info: Info, researcher_id: strawberry.ID) -> FollowPayload:
        done = await community.set_following(info.context, researcher_id, True)
        return FollowPayload(
            researcher=Researcher.of(done.researcher), following=True, changed=done.changed
        )

    @strawberry.mutation(description="Idempotent.")
    async def unfollow(self, info: Info, researcher_id: strawberry.ID) -> FollowPayload:
        done = await community.set_following(info.context, researcher_id, False)
        return FollowPayload(
            researcher=Researcher.of(done.researcher), following=False, changed=done.changed
        )

    @strawberry.mutation(
        description="Claim an unclaimed profile. Approved at once when the evidence matches the "
        "record's links (verification L2); pending for an admin otherwise."
    )
    async def claim_profile(
        self, info: Info, researcher_id: strawberry.ID, evidence: ClaimEvidenceInput
    ) -> Claim:
        record = await community.claim_profile(info.context, researcher_id, evidence.given())
        return await Claim.of(info, record)

    @strawberry.mutation(
        description="Admins only: grant a pending claim, or confirm an approved one (L3)."
    )
    async def approve_claim(
        self, info: Info, id: strawberry.ID, reason: str | None = None
    ) -> Claim:
        record = await community.decide_claim(info.context, id, approve=True, reason=reason)
        return await Claim.of(info, record)

    @strawberry.mutation(
        description="Admins only: refuse a pending claim, or withdraw an approved one."
    )
    async def reject_claim(self, info: Info, id: strawberry.ID, reason: str | None = None) -> Claim:
        record = await community.decide_claim(info.context, id, approve=False, reason=reason)
        return await Claim.of(info, record)

    @strawberry.mutation(description="Give up ownership of a profile this account owns.")
    async def release_profile(self, info: Info, researcher_id: strawberry.ID) -> Researcher:
        return Researcher.of(await community.release_profile(info.context, researcher_id))

    @strawberry.mutation(
        description="From a profile this account owns to another claimed profile. "
        "Rate-limited; the message holds at most 2,000 characters."
    )
    async def invite_to_collaborate(
        self, info: Info, researcher_id: strawberry.ID, message: str
    ) -> Invitation:
        return Invitation.of(await community.invite(info.context, researcher_id, message))

    @strawberry.mutation(description="The invited profile's owner accepts or declines.")
    async def respond_to_invitation(
        self, info: Info, id: strawberry.ID, accept: bool
    ) -> Invitation:
        return Invitation.of(await community.respond(info.context, id, accept))

    @strawberry.mutation(description="On a profile this account owns.")
    async def add_paper(self, info: Info, researcher_id: strawberry.ID, paper: PaperInput) -> Paper:
        return Paper.of(await community.add_paper(info.context, researcher_id, paper.values()))

    @strawberry.mutation(description="A paper on a profile this account owns.")
    async def update_paper(self, info: Info, id: strawberry.ID, patch: PaperPatch) -> Paper:
        record = await community.update_owned(info.context, Label.PAPER, id, patch.values())
        return Paper.of(record)

    @strawberry.mutation(description="On a profile this account owns.")
    async def add_talk(self, info: Info, researcher_id: strawberry.ID, talk: TalkInput) -> Talk:
        return Talk.of(await community.add_talk(info.context, researcher_id, talk.values()))

    @strawberry.mutation(description="A talk on a profile this account owns.")
    async def update_talk(self, info: Info, id: strawberry.ID, patch: TalkPatch) -> Talk:
        return Talk.of(await community.update_owned(info.context, Label.TALK, id, patch.values()))

    @strawberry.mutation(description="On a profile this account owns.")
    async def add_award(self, info: Info, researcher_id: strawberry.ID, award: AwardInput) -> Award:
        return Award.of(await community.add_award(info.context, researcher_id, award.values()))

    @strawberry.mutation(description="An award on a profile this account owns.")
    async def update_award(self, info: Info, id: strawberry.ID, patch: AwardPatch) -> Award:
        record = await community.update_owned(info.context, Label.AWARD, id, patch.values())
        return Award.of(record)

    @strawberry.mutation(description="On a profile this account owns.")
    async def add_affiliation(
        self, info: Info, researcher_id: strawberry.ID, affiliation: AffiliationInput
    ) -> Researcher:
        record = await community.add_affiliation(info.context, researcher_id, affiliation.values())
        return Researcher.of(record)

    @strawberry.mutation(
        description="Admins only: fold duplicate records of one person into `into`; their "
        "relationships (ownership and followers too) move onto it."
    )
    async def merge_researchers(
        self,
        info: Info,
        ids: list[strawberry.ID],
        into: strawberry.ID,
        reason: str | None = None,
    ) -> MergeResult:
        done = await community.merge_researchers(info.context, list(ids), into, reason)
        return MergeResult(
            merge_id=strawberry.ID(done.merge_id),
            into_id=done.into,
            merged=[strawberry.ID(i) for i in done.merged],
            moved_relationships=done.moved,
            dropped_relationships=done.dropped,
            at=done.at,
        )

    @strawberry.mutation(
        description="Admins only: undo a merge, named by its id or by a researcher id."
    )
    async def split_researcher(
        self, info: Info, ref: strawberry.ID, reason: str | None = None
    ) -> SplitResult:
        done = await community.split_researcher(info.context, ref, reason)
        return SplitResult(
            merge_id=strawberry.ID(done.merge_id),
            into_id=done.into,
            restored_ids=done.restored,
            restored_relationships=done.relationships,
            skipped=list(done.skipped),
        )


__all__ = [
    "Account",
    "AffiliationInput",
    "AuditConnection",
    "AuditRecord",
    "AwardInput",
    "AwardPatch",
    "Claim",
    "ClaimEvidenceInput",
    "ClaimStatus",
    "CommunityMutation",
    "CommunityQuery",
    "EvidenceKind",
    "FollowPayload",
    "Invitation",
    "InvitationDirection",
    "InvitationStatus",
    "MergeResult",
    "PaperInput",
    "PaperPatch",
    "SplitResult",
    "TalkInput",
    "TalkPatch",
]
