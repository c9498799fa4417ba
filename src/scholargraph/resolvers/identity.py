"""Resolvers of identity corrections and explanations: an owner's "not me", merge requests and
their approval, the ids merged into a record, and why each work is on a profile.

Same order as every community mutation: authenticate, spend a rate-limit token, validate, read
what the decision needs, then one write that re-checks its state and records the audit entry.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from scholargraph import text
from scholargraph.errors import BadUserInput, Conflict, Forbidden, NotFound
from scholargraph.graphdb import community as db
from scholargraph.graphdb import identity
from scholargraph.graphdb.model import Label, Rel, make_id
from scholargraph.graphdb.reads import EdgeRecord, NodeRecord
from scholargraph.ingest.identity import names_compatible
from scholargraph.resolvers.community import MAX_NOTE, acting
from scholargraph.resolvers.community import _existing as existing
from scholargraph.resolvers.community import _owners as owners_of
from scholargraph.resolvers.community import _refresh as refresh
from scholargraph.resolvers.context import Context
from scholargraph.resolvers.profile import checked_label

# Schemes whose shared id proves two records are one person (an e-mail is one person's too,
# though a person may have several).
PROOF_SCHEMES = ("orcid", "openreview", "email")


def _reason(reason: str | None) -> str:
    if reason is not None and len(reason) > MAX_NOTE:
        raise BadUserInput(f"`reason` is longer than {MAX_NOTE} characters", argument="reason")
    return (reason or "").strip()


def _source(account_name: str) -> str:
    return f"account:{account_name}"


# ------------------------------------------------------------------------------- "not me"


@dataclass(frozen=True)
class NotMeResult:
    researcher: str  # the owner's profile
    moved_to: str  # the record the work went to
    paper: str
    created: bool  # moved_to is a new record


async def mark_not_me(
    ctx: Context, researcher_id: str, paper_id: str, move_to: str | None, reason: str | None
) -> NotMeResult:
    account = await acting(ctx)
    note = _reason(reason)
    record = await existing(ctx, researcher_id, Label.RESEARCHER, "researcherId")
    if account.id not in await owners_of(ctx, record.id):
        raise Forbidden(f"{record.id} is not a profile this account owns")
    await existing(ctx, paper_id, Label.PAPER, "paperId")
    authored = await ctx.loaders.edges(Rel.AUTHORED, "out").load(record.id)
    edge = next((e for e in authored if e.other == paper_id), None)
    if edge is None:
        raise BadUserInput(f"{paper_id} is not a work of {record.id}", argument="paperId")
    written = str(edge.props.get("asWritten") or record.get("name") or "")
    new_target: dict[str, Any] = {}
    if move_to is not None:
        target = await existing(ctx, move_to, Label.RESEARCHER, "moveTo")
        if target.id == record.id:
            raise BadUserInput("`moveTo` must be another researcher", argument="moveTo")
        spellings = [target.get("name") or "", *(target.get("aliases") or [])]
        if not any(names_compatible(text.name_key(written), text.name_key(s)) for s in spellings):
            raise BadUserInput(
                f"{target.id} does not bear the name {written!r} the paper gives", argument="moveTo"
            )
        if await owners_of(ctx, target.id):
            raise Conflict(f"{target.id} is a claimed profile; its owner decides what is on it")
        theirs = await ctx.loaders.edges(Rel.AUTHORED, "out").load(target.id)
        if any(e.other == paper_id for e in theirs):
            raise Conflict(f"{paper_id} is already a work of {target.id}")
        target_id = target.id
    else:
        # A new record, named as the paper writes it; the id is stable for the same decision.
        digest = hashlib.sha1(f"{record.id}|{paper_id}".encode(), usedforsecurity=False)
        target_id = f"{make_id(Label.RESEARCHER, written)}-{digest.hexdigest()[:6]}"
        key = text.name_key(written)
        new_target = {
            "id": target_id,
            "name": written,
            "nameKey": key,
            "nameKeys": [key],
            "aliases": [],
            "externalIds": [],
            "sources": [_source(account.name)],
            "searchTerms": [text.fold(written)],
            "searchText": " " + text.fold(written),
        }
    at = db.now()
    decision = {
        "ownerDecision": "not-me",
        "ownerDecisionBy": account.name,
        "ownerDecisionAt": at,
        "ownerDecisionFrom": record.id,
        "ownerDecisionReason": note,
    }
    audit = db.audit_entry(
        account.name,
        "markNotMe",
        record.id,
        {"paper": paper_id, "on": record.id},
        {"paper": paper_id, "on": target_id, "created": bool(new_target)},
        ctx.request_id,
    )
    moved = await identity.move_authorship(
        ctx.store,
        account=account.id,
        researcher=record.id,
        paper=paper_id,
        target=target_id,
        new_target=new_target,
        decision=decision,
        source=_source(account.name),
        audit=audit.params(),
    )
    if not moved:
        raise Conflict(f"{record.id} changed while this request ran; read it again")
    refresh(ctx)
    return NotMeResult(record.id, target_id, paper_id, bool(new_target))


# -------------------------------------------------------------------------- merge requests


def _merge_id(request_id: str) -> str:
    return f"merge:request-{request_id.split(':', 1)[1][:16]}"


def shared_proof(a: NodeRecord, b: NodeRecord) -> str | None:
    """An external id both records carry, of a scheme that proves one person."""
    mine = set(a.get("externalIds") or [])
    for ext in sorted(set(b.get("externalIds") or []) & mine):
        if ext.split(":", 1)[0] in PROOF_SCHEMES:
            return str(ext)
    return None


async def _merge(
    ctx: Context,
    request: dict[str, Any],
    *,
    actor: str,
    reason: str,
    audit: db.AuditEntry,
) -> identity.MergeResult:
    try:
        return await identity.merge_researchers(
            ctx.store,
            [request["other"]],
            request["into"],
            actor=actor,
            reason=reason,
            evidence=[
                {
                    "kind": "merge-request",
                    "request": request["id"],
                    "proof": request.get("proof") or None,
                }
            ],
            merge_id=request["mergeId"],
            audit=audit.params(),
            request=request,
        )
    except identity.UnknownResearcher as exc:
        raise NotFound(str(exc)) from None
    except identity.IdentityError as exc:
        raise BadUserInput(str(exc)) from None


async def request_merge(
    ctx: Context, researcher_id: str, other_id: str, reason: str | None
) -> dict[str, Any]:
    """The owner of `researcher_id` asks for `other_id` to be merged into it: pending for an
    admin, or merged at once when both records carry one id of a proving scheme."""
    account = await acting(ctx)
    note = _reason(reason)
    record = await existing(ctx, researcher_id, Label.RESEARCHER, "researcherId")
    if account.id not in await owners_of(ctx, record.id):
        raise Forbidden(f"{record.id} is not a profile this account owns")
    other = await existing(ctx, other_id, Label.RESEARCHER, "otherId")
    if other.id == record.id:
        raise BadUserInput(
            "`otherId` names this profile itself (or a record already merged into it)",
            argument="otherId",
        )
    if any(o != account.id for o in await owners_of(ctx, other.id)):
        raise Conflict(f"{other.id} is owned by another account; a profile has one owner")
    proof = shared_proof(record, other)
    at = db.now()
    request: dict[str, Any] = {
        "id": db.new_id(Label.MERGE_REQUEST),
        "into": record.id,
        "other": other.id,
        "requester": account.name,
        "reason": note,
        "createdAt": at,
        "status": "pending",
        "proof": proof or "",
    }
    if proof is None:
        audit = db.audit_entry(
            account.name, "requestMerge", record.id, None,
            {"request": request["id"], "other": other.id, "status": "pending"}, ctx.request_id,
        )  # fmt: skip
        outcome = await identity.create_merge_request(
            ctx.store, account.id, request, audit.params()
        )
        if outcome is None:
            raise Conflict(f"{record.id} changed while this request ran; read it again")
        if not outcome.ok:
            raise Conflict(f"the same request is pending already: {outcome.pending[0]}")
        refresh(ctx)
        return request
    request.update(
        status="approved",
        decidedAt=at,
        decidedBy=f"shared id {proof}",
        mergeId=_merge_id(request["id"]),
    )
    audit = db.audit_entry(
        account.name, "requestMerge", record.id, None,
        {"request": request["id"], "other": other.id, "status": "approved", "proof": proof},
        ctx.request_id,
    )  # fmt: skip
    await _merge(ctx, request, actor=_source(account.name), reason=note, audit=audit)
    refresh(ctx)
    return request


async def approve_merge_request(
    ctx: Context, request_id: str, reason: str | None
) -> dict[str, Any]:
    admin = await acting(ctx)
    if not admin.admin:
        raise Forbidden("only an admin account may approve merge requests")
    if checked_label(request_id, "id") is not Label.MERGE_REQUEST:
        raise BadUserInput("`id` must be a merge request id (mergerequest:...)", argument="id")
    note = _reason(reason)
    request = await identity.merge_request(ctx.store, request_id)
    if request is None:
        raise NotFound(f"no merge request has the id {request_id!r}", argument="id")
    if request.get("status") != "pending":
        raise Conflict(f"{request_id} is {request.get('status')}, not pending")
    owners = {o for rid in (request["into"], request["other"]) for o in await owners_of(ctx, rid)}
    if len(owners) > 1:
        raise Conflict("these records are owned by different accounts; a profile has one owner")
    at = db.now()
    merge_id = _merge_id(request_id)
    decided = {
        **request,
        "status": "approved",
        "decidedAt": at,
        "decidedBy": admin.name,
        "note": note,
        "mergeId": merge_id,
    }
    audit = db.audit_entry(
        admin.name, "approveMergeRequest", request_id, {"status": "pending"},
        {"status": "approved", "merge": merge_id}, ctx.request_id,
    )  # fmt: skip
    try:
        await identity.merge_researchers(
            ctx.store,
            [request["other"]],
            request["into"],
            actor=f"account:{admin.name}",
            reason=note or request.get("reason") or "",
            evidence=[
                {
                    "kind": "merge-request",
                    "request": request_id,
                    "requester": request.get("requester"),
                }
            ],
            merge_id=merge_id,
            audit=audit.params(),
            request=decided,
        )
    except identity.UnknownResearcher as exc:
        raise Conflict(f"{exc}; the request can no longer be carried out") from None
    except identity.IdentityError as exc:
        raise BadUserInput(str(exc)) from None
    refresh(ctx)
    return decided


# ------------------------------------------------------------------------------ explaining


async def merged_from(ctx: Context, researcher_id: str) -> list[str]:
    """Ids merged into this researcher by merges that still stand."""
    edges = await ctx.loaders.edges(Rel.MERGED_INTO, "in").load(researcher_id)
    records = await ctx.loaders.nodes([e.other for e in edges])
    found: list[str] = []
    for merge in sorted(records, key=lambda m: (str(m.get("at") or ""), m.id)):
        if merge.get("status") == "merged":
            found += [str(i) for i in merge.get("mergedIds") or [] if i not in found]
    return found


async def authorships(ctx: Context, researcher_id: str) -> list[EdgeRecord]:
    edges = await ctx.loaders.edges(Rel.AUTHORED, "out").load(researcher_id)
    return sorted(edges, key=lambda e: e.other)


__all__ = [
    "PROOF_SCHEMES",
    "NotMeResult",
    "approve_merge_request",
    "authorships",
    "mark_not_me",
    "merged_from",
    "request_merge",
    "shared_proof",
]
