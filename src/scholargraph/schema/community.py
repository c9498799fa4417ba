"""Community types: the caller's account, claims, invitations, the audit log, and mutations.

Queries elsewhere stay public; everything here but `me` (null when anonymous) needs a token.
"""

from __future__ import annotations

import dataclasses
import json
from enum import Enum
from typing import Annotated, Any

import strawberry
from strawberry import enum_value

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


@strawberry.enum(description="Where a claim stands.")
class ClaimStatus(Enum):
    PENDING = enum_value("pending", description="No evidence matched; waiting for an admin.")
    APPROVED = enum_value(
        "approved", description="Granted: the claimant's account owns the profile."
    )
    REJECTED = enum_value(
        "rejected", description="Refused, or withdrawn after approval, by an admin."
    )
    RELEASED = enum_value("released", description="Was approved; the owner has since given it up.")


@strawberry.enum(description="Where an invitation stands.")
class InvitationStatus(Enum):
    PENDING = enum_value("pending", description="Not answered yet.")
    ACCEPTED = enum_value("accepted", description="The invited profile's owner accepted.")
    DECLINED = enum_value("declined", description="The invited profile's owner declined.")


@strawberry.enum(description="Which of an account's invitations to list.")
class InvitationDirection(Enum):
    RECEIVED = enum_value("received", description="Sent to profiles this account owns.")
    SENT = enum_value("sent", description="Sent by this account.")


@strawberry.enum(description="A kind of evidence for a claim.")
class EvidenceKind(Enum):
    EMAIL = enum_value("email", description="An email address on a domain the record lists.")
    GITHUB = enum_value("github", description="The GitHub login the record links to.")
    ORCID = enum_value("orcid", description="The ORCID iD the record lists.")


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


@strawberry.input(
    description="A paper to add to a profile this account owns; the account becomes its source."
)
class PaperInput(_Values):
    title: str = strawberry.field(description="The title, 1 to 500 characters.")
    abstract: str | None = strawberry.field(
        default=None, description="The abstract, at most 10,000 characters."
    )
    summary: str | None = strawberry.field(
        default=None, description="The author's own description, at most 2,000 characters."
    )
    venue_id: strawberry.ID | None = strawberry.field(
        default=None, description="The id of the venue it appeared at (venue:<slug>), if any."
    )
    year: int | None = strawberry.field(default=None, description="Needs venueId.")
    kind: PublicationKind | None = strawberry.field(default=None, description="Needs venueId.")


@strawberry.input(description="Only the fields given change.")
class PaperPatch(_Values):
    title: str | None = strawberry.field(
        default=None, description="The title, 1 to 500 characters."
    )
    abstract: str | None = strawberry.field(
        default=None, description="The abstract, at most 10,000 characters."
    )
    summary: str | None = strawberry.field(
        default=None, description="The author's own description, at most 2,000 characters."
    )


@strawberry.input(description="A talk to add to a profile this account owns.")
class TalkInput(_Values):
    title: str = strawberry.field(description="The title, 1 to 500 characters.")
    event: str | None = strawberry.field(
        default=None, description="The event as you would write it, e.g. Vector Institute Seminar."
    )
    place: str | None = strawberry.field(default=None, description="City or room.")
    date: str | None = strawberry.field(default=None, description="YYYY or YYYY-MM.")
    url: str | None = strawberry.field(default=None, description="Slides or a recording.")
    description: str | None = strawberry.field(
        default=None, description="What the talk was about, at most 5,000 characters."
    )
    venue_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="The id of the seminar series or conference it was part of, if any.",
    )


@strawberry.input(description="Only the fields given change.")
class TalkPatch(_Values):
    title: str | None = strawberry.field(
        default=None, description="The title, 1 to 500 characters."
    )
    event: str | None = strawberry.field(
        default=None, description="The event as you would write it."
    )
    place: str | None = strawberry.field(default=None, description="City or room.")
    date: str | None = strawberry.field(default=None, description="YYYY or YYYY-MM.")
    url: str | None = strawberry.field(default=None, description="Slides or a recording.")
    description: str | None = strawberry.field(
        default=None, description="What the talk was about, at most 5,000 characters."
    )


@strawberry.input(description="An award to add to a profile this account owns.")
class AwardInput(_Values):
    name: str = strawberry.field(description="The award's name, 1 to 300 characters.")
    kind: AwardKind | None = strawberry.field(
        default=None, description="Fellowship, prize, travel award, best paper or other."
    )
    year: int | None = strawberry.field(default=None, description="The year it was received.")
    amount: float | None = strawberry.field(default=None, description="The sum, in `currency`.")
    currency: str | None = strawberry.field(
        default=None, description="The currency as you would write it, e.g. $, CAD, EUR."
    )
    description: str | None = strawberry.field(
        default=None, description="What it is for, at most 5,000 characters."
    )


@strawberry.input(description="Only the fields given change.")
class AwardPatch(_Values):
    name: str | None = strawberry.field(
        default=None, description="The award's name, 1 to 300 characters."
    )
    kind: AwardKind | None = strawberry.field(
        default=None, description="Fellowship, prize, travel award, best paper or other."
    )
    year: int | None = strawberry.field(default=None, description="The year it was received.")
    amount: float | None = strawberry.field(default=None, description="The sum, in `currency`.")
    currency: str | None = strawberry.field(
        default=None, description="The currency as you would write it, e.g. $, CAD, EUR."
    )
    description: str | None = strawberry.field(
        default=None, description="What it is for, at most 5,000 characters."
    )


@strawberry.input(
    description="An existing institution by id, or a new one by name. Giving the same "
    "institution and role again edits that affiliation."
)
class AffiliationInput(_Values):
    institution_id: strawberry.ID | None = strawberry.field(
        default=None, description="An existing institution's id; give this or `institutionName`."
    )
    institution_name: str | None = strawberry.field(
        default=None, description="A new institution's name (1 to 300 characters), when no id fits."
    )
    role: str | None = strawberry.field(
        default=None, description="The position, e.g. Postdoctoral Fellow."
    )
    since: str | None = strawberry.field(default=None, description="YYYY or YYYY-MM.")
    until: str | None = strawberry.field(default=None, description="YYYY or YYYY-MM.")
    place: str | None = strawberry.field(default=None, description="City or country.")


# ---------------------------------------------------------------------------------- types


@strawberry.type(description="One piece of a claim's evidence and whether it matched the record.")
class ClaimEvidence:
    kind: EvidenceKind = strawberry.field(description="Email, GitHub or ORCID.")
    value: str = strawberry.field(description="The evidence as the claimant gave it.")
    matched: bool = strawberry.field(description="Whether it matched the record's own links.")


async def _researcher(info: Info, node_id: str | None) -> Researcher | None:
    found = await info.context.loaders.node.load(node_id) if node_id else None
    return Researcher.of(found) if found else None


async def _account_name(info: Info, node_id: str, rel: Rel) -> str:
    edges = await info.context.loaders.edges(rel, "in").load(node_id)
    found = await info.context.loaders.node.load(edges[0].other) if edges else None
    return str(found.get("name")) if found else ""


@strawberry.type(
    description="An account's request to own a researcher profile, and its decision "
    "(docs/trust.md)."
)
class Claim:
    id: strawberry.ID = strawberry.field(description="The claim's id (claim:...).")
    status: ClaimStatus = strawberry.field(description="Pending, approved, rejected or released.")
    evidence: list[ClaimEvidence] = strawberry.field(
        description="The evidence given, each marked matched or not."
    )
    created_at: str = strawberry.field(description="When it was made (ISO 8601, UTC).")
    decided_at: str | None = strawberry.field(
        description="When it was approved or rejected (ISO 8601, UTC); null while pending."
    )
    decided_by: str | None = strawberry.field(
        description='An admin\'s account name, or "automatic evidence check".'
    )
    confirmed_by: str | None = strawberry.field(description="The admin who confirmed it.")
    note: str | None = strawberry.field(description="The reason an admin gave with the decision.")
    released_at: str | None = strawberry.field(
        description="When the owner gave the profile up (ISO 8601, UTC); null unless released."
    )
    researcher_id: strawberry.Private[str]

    @strawberry.field(description="The profile claimed.")
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


@strawberry.type(
    description="A request for direct collaboration from one claimed profile's owner to another's."
)
class Invitation:
    id: strawberry.ID = strawberry.field(description="The invitation's id (invitation:...).")
    status: InvitationStatus = strawberry.field(
        description="Pending until the invited profile's owner accepts or declines."
    )
    message: str = strawberry.field(description="The sender's message, 1 to 2,000 characters.")
    created_at: str = strawberry.field(description="When it was sent (ISO 8601, UTC).")
    responded_at: str | None = strawberry.field(
        description="When it was accepted or declined (ISO 8601, UTC); null while pending."
    )
    from_profile_id: strawberry.Private[str | None]

    @strawberry.field(description="The sender's account name.")
    async def from_account(self, info: Info) -> str:
        return await _account_name(info, self.id, Rel.INVITED)

    @strawberry.field(description="The profile the sender owned when inviting.")
    async def from_profile(self, info: Info) -> Researcher | None:
        return await _researcher(info, self.from_profile_id)

    @strawberry.field(description="The invited profile.")
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
    id: strawberry.ID = strawberry.field(description="The account's id (account:<name>).")
    name: str = strawberry.field(description="The account's name, as the operator created it.")
    is_admin: bool = strawberry.field(
        description="Admins review claims, merge and split researchers and read the audit log."
    )
    created_at: str | None = strawberry.field(
        description="When the operator created it (ISO 8601, UTC)."
    )

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
        direction: Annotated[
            InvitationDirection,
            strawberry.argument(
                description="RECEIVED (by profiles this account owns) or SENT (by this account); "
                "RECEIVED by default."
            ),
        ] = InvitationDirection.RECEIVED,
        status: Annotated[
            InvitationStatus | None,
            strawberry.argument(description="Only invitations with this status; all when null."),
        ] = None,
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
    id: strawberry.ID = strawberry.field(description="The record's id.")
    actor: str = strawberry.field(description='An account name, or "cli" for the operator.')
    action: str = strawberry.field(
        description="What was done, e.g. claimProfile, mergeResearchers."
    )
    target: str = strawberry.field(description="The id of the node acted on.")
    at: str = strawberry.field(description="When (ISO 8601, UTC).")
    before: str = strawberry.field(description="JSON.")
    after: str = strawberry.field(description="JSON.")
    request_id: str | None = strawberry.field(
        description="The request's id (the x-request-id header), to find it in the logs."
    )


@strawberry.type(description="One record in a page of the audit log.")
class AuditEdge:
    cursor: str = strawberry.field(description="Pass as `after` to continue after this record.")
    node: AuditRecord = strawberry.field(description="The audit record.")


@strawberry.type(description="A page of the audit log, newest first.")
class AuditConnection:
    total_count: int = strawberry.field(description="How many records the log holds.")
    edges: list[AuditEdge] = strawberry.field(description="The records of this page.")
    page_info: PageInfo = strawberry.field(description="Where this page sits.")


@strawberry.type(description="One claim in a page of claims.")
class ClaimEdge:
    cursor: str = strawberry.field(description="Pass as `after` to continue after this claim.")
    node: Claim = strawberry.field(description="The claim.")


@strawberry.type(description="A page of claims, oldest first.")
class ClaimConnection:
    total_count: int = strawberry.field(description="How many claims have the status asked for.")
    edges: list[ClaimEdge] = strawberry.field(description="The claims of this page.")
    page_info: PageInfo = strawberry.field(description="Where this page sits.")


@strawberry.type(description="The result of follow or unfollow.")
class FollowPayload:
    researcher: Researcher = strawberry.field(
        description="The researcher (ask for followersCount to see the new count)."
    )
    following: bool = strawberry.field(
        description="Whether this account now follows the researcher."
    )
    changed: bool = strawberry.field(description="False when it already was so (idempotent).")


@strawberry.type(description="The result of mergeResearchers.")
class MergeResult:
    merge_id: strawberry.ID = strawberry.field(description="Pass it to splitResearcher to undo.")
    into_id: strawberry.Private[str]
    merged: list[strawberry.ID] = strawberry.field(description="Ids that no longer exist.")
    moved_relationships: int = strawberry.field(description="Relationships moved onto `into`.")
    dropped_relationships: int = strawberry.field(
        description="Relationships dropped because `into` already had the same one."
    )
    at: str = strawberry.field(description="When (ISO 8601, UTC).")

    @strawberry.field(description="The researcher that remains.")
    async def into(self, info: Info) -> Researcher | None:
        return await _researcher(info, self.into_id)


@strawberry.type(description="The result of splitResearcher.")
class SplitResult:
    merge_id: strawberry.ID = strawberry.field(description="The merge undone.")
    into_id: strawberry.Private[str]
    restored_ids: strawberry.Private[tuple[str, ...]]
    restored_relationships: int = strawberry.field(
        description="Relationships given back to the restored records."
    )
    skipped: list[str] = strawberry.field(
        description="Relationships not given back: their far end no longer exists."
    )

    @strawberry.field(description="The researcher the records had been merged into.")
    async def into(self, info: Info) -> Researcher | None:
        return await _researcher(info, self.into_id)

    @strawberry.field(description="The researchers restored.")
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
        self,
        info: Info,
        first: Annotated[
            int | None, strawberry.argument(description="Page size, 0 to 500; null means 50.")
        ] = 50,
        after: Annotated[
            str | None,
            strawberry.argument(
                description="A cursor from the previous page; from the start when null."
            ),
        ] = None,
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
        status: Annotated[
            ClaimStatus | None,
            strawberry.argument(
                description="Only claims with this status; PENDING by default, all when null."
            ),
        ] = ClaimStatus.PENDING,
        first: Annotated[
            int | None, strawberry.argument(description="Page size, 0 to 500; null means 50.")
        ] = 50,
        after: Annotated[
            str | None,
            strawberry.argument(
                description="A cursor from the previous page; from the start when null."
            ),
        ] = None,
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
    async def follow(
        self,
        info: Info,
        researcher_id: Annotated[
            strawberry.ID, strawberry.argument(description="The researcher to follow.")
        ],
    ) -> FollowPayload:
        done = await community.set_following(info.context, researcher_id, True)
        return FollowPayload(
            researcher=Researcher.of(done.researcher), following=True, changed=done.changed
        )

    @strawberry.mutation(description="Idempotent.")
    async def unfollow(
        self,
        info: Info,
        researcher_id: Annotated[
            strawberry.ID, strawberry.argument(description="The researcher to stop following.")
        ],
    ) -> FollowPayload:
        done = await community.set_following(info.context, researcher_id, False)
        return FollowPayload(
            researcher=Researcher.of(done.researcher), following=False, changed=done.changed
        )

    @strawberry.mutation(
        description="Claim an unclaimed profile. Approved at once when the evidence matches the "
        "record's links (verification L2); pending for an admin otherwise."
    )
    async def claim_profile(
        self,
        info: Info,
        researcher_id: Annotated[
            strawberry.ID, strawberry.argument(description="The unclaimed profile to claim.")
        ],
        evidence: Annotated[
            ClaimEvidenceInput,
            strawberry.argument(description="At least one of email, github, orcid."),
        ],
    ) -> Claim:
        record = await community.claim_profile(info.context, researcher_id, evidence.given())
        return await Claim.of(info, record)

    @strawberry.mutation(
        description="Admins only: grant a pending claim, or confirm an approved one (L3)."
    )
    async def approve_claim(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The claim's id.")],
        reason: Annotated[
            str | None,
            strawberry.argument(
                description="Why, for the audit log and the claimant, at most 1,000 characters."
            ),
        ] = None,
    ) -> Claim:
        record = await community.decide_claim(info.context, id, approve=True, reason=reason)
        return await Claim.of(info, record)

    @strawberry.mutation(
        description="Admins only: refuse a pending claim, or withdraw an approved one."
    )
    async def reject_claim(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The claim's id.")],
        reason: Annotated[
            str | None,
            strawberry.argument(
                description="Why, for the audit log and the claimant, at most 1,000 characters."
            ),
        ] = None,
    ) -> Claim:
        record = await community.decide_claim(info.context, id, approve=False, reason=reason)
        return await Claim.of(info, record)

    @strawberry.mutation(description="Give up ownership of a profile this account owns.")
    async def release_profile(
        self,
        info: Info,
        researcher_id: Annotated[
            strawberry.ID,
            strawberry.argument(description="The id of the researcher profile this account owns."),
        ],
    ) -> Researcher:
        return Researcher.of(await community.release_profile(info.context, researcher_id))

    @strawberry.mutation(
        description="From a profile this account owns to another claimed profile. "
        "Rate-limited; the message holds at most 2,000 characters."
    )
    async def invite_to_collaborate(
        self,
        info: Info,
        researcher_id: Annotated[
            strawberry.ID, strawberry.argument(description="The claimed profile to invite.")
        ],
        message: Annotated[
            str, strawberry.argument(description="What you propose, 1 to 2,000 characters.")
        ],
    ) -> Invitation:
        return Invitation.of(await community.invite(info.context, researcher_id, message))

    @strawberry.mutation(description="The invited profile's owner accepts or declines.")
    async def respond_to_invitation(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The invitation's id.")],
        accept: Annotated[
            bool, strawberry.argument(description="True to accept, false to decline.")
        ],
    ) -> Invitation:
        return Invitation.of(await community.respond(info.context, id, accept))

    @strawberry.mutation(description="On a profile this account owns.")
    async def add_paper(
        self,
        info: Info,
        researcher_id: Annotated[
            strawberry.ID,
            strawberry.argument(description="The id of the researcher profile this account owns."),
        ],
        paper: Annotated[
            PaperInput,
            strawberry.argument(
                description="The paper; an existing paper with the same title gets this author "
                "added."
            ),
        ],
    ) -> Paper:
        return Paper.of(await community.add_paper(info.context, researcher_id, paper.values()))

    @strawberry.mutation(description="A paper on a profile this account owns.")
    async def update_paper(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The paper's id.")],
        patch: Annotated[PaperPatch, strawberry.argument(description="The fields to change.")],
    ) -> Paper:
        record = await community.update_owned(info.context, Label.PAPER, id, patch.values())
        return Paper.of(record)

    @strawberry.mutation(description="On a profile this account owns.")
    async def add_talk(
        self,
        info: Info,
        researcher_id: Annotated[
            strawberry.ID,
            strawberry.argument(description="The id of the researcher profile this account owns."),
        ],
        talk: Annotated[TalkInput, strawberry.argument(description="The talk.")],
    ) -> Talk:
        return Talk.of(await community.add_talk(info.context, researcher_id, talk.values()))

    @strawberry.mutation(description="A talk on a profile this account owns.")
    async def update_talk(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The talk's id.")],
        patch: Annotated[TalkPatch, strawberry.argument(description="The fields to change.")],
    ) -> Talk:
        return Talk.of(await community.update_owned(info.context, Label.TALK, id, patch.values()))

    @strawberry.mutation(description="On a profile this account owns.")
    async def add_award(
        self,
        info: Info,
        researcher_id: Annotated[
            strawberry.ID,
            strawberry.argument(description="The id of the researcher profile this account owns."),
        ],
        award: Annotated[AwardInput, strawberry.argument(description="The award.")],
    ) -> Award:
        return Award.of(await community.add_award(info.context, researcher_id, award.values()))

    @strawberry.mutation(description="An award on a profile this account owns.")
    async def update_award(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The award's id.")],
        patch: Annotated[AwardPatch, strawberry.argument(description="The fields to change.")],
    ) -> Award:
        record = await community.update_owned(info.context, Label.AWARD, id, patch.values())
        return Award.of(record)

    @strawberry.mutation(description="On a profile this account owns.")
    async def add_affiliation(
        self,
        info: Info,
        researcher_id: Annotated[
            strawberry.ID,
            strawberry.argument(description="The id of the researcher profile this account owns."),
        ],
        affiliation: Annotated[
            AffiliationInput, strawberry.argument(description="The affiliation.")
        ],
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
        ids: Annotated[
            list[strawberry.ID],
            strawberry.argument(
                description="The duplicate records to fold in (1 to 50 ids); they cease to exist."
            ),
        ],
        into: Annotated[strawberry.ID, strawberry.argument(description="The record that remains.")],
        reason: Annotated[
            str | None,
            strawberry.argument(description="Why, for the audit log, at most 1,000 characters."),
        ] = None,
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
        self,
        info: Info,
        ref: Annotated[
            strawberry.ID,
            strawberry.argument(
                description="A merge id (from mergeResearchers) or the id of a researcher merged "
                "away."
            ),
        ],
        reason: Annotated[
            str | None,
            strawberry.argument(description="Why, for the audit log, at most 1,000 characters."),
        ] = None,
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
