"""Resolvers of community actions: who may act, on what and how often, then one graphdb write.

Order in every mutation: authenticate, spend a rate-limit token, validate the arguments, read
what the decision needs, write (the write re-checks that state and records the audit entry).
A refusal at any step raises a coded error before anything is written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from scholargraph import auth, text
from scholargraph.errors import (
    BadUserInput,
    Conflict,
    Forbidden,
    NotFound,
    RateLimited,
    Unauthenticated,
)
from scholargraph.graphdb import community as db
from scholargraph.graphdb import identity
from scholargraph.graphdb.accounts import Account
from scholargraph.graphdb.model import Label, Rel, make_id, paper_id
from scholargraph.graphdb.reads import NodeRecord
from scholargraph.graphdb.writes import EdgeRow, NodeRow, upsert
from scholargraph.ingest.seed import award_id, talk_id
from scholargraph.resolvers.context import Context
from scholargraph.resolvers.loaders import Loaders
from scholargraph.resolvers.pagination import check_first, decode_cursor
from scholargraph.resolvers.profile import checked_label
from scholargraph.trust import EvidenceError, check_evidence, record_evidence

MAX_MESSAGE = 2_000
MAX_NOTE = 1_000
_FALLBACK_LIMITER = auth.RateLimiter()  # for contexts built without the app (scripts, tests)


# ------------------------------------------------------------------------------ who may act


def current_account(ctx: Context) -> Account | None:
    """The caller's account; None when anonymous; UNAUTHENTICATED when a token was refused."""
    error = ctx.extra.get("auth_error")
    if error:
        raise Unauthenticated(error)
    account: Account | None = ctx.account
    return account


def account_of(ctx: Context) -> Account:
    account = current_account(ctx)
    if account is None:
        raise Unauthenticated(
            "this needs an API token: send `Authorization: Bearer <token>` "
            "(an operator creates one with `scholargraph token create --user NAME`)"
        )
    return account


def admin_of(ctx: Context) -> Account:
    account = account_of(ctx)
    if not account.admin:
        raise Forbidden("only an admin account may do this")
    return account


async def acting(ctx: Context, *extra_limits: str) -> Account:
    """The account a mutation acts for, after spending its rate-limit tokens."""
    account = account_of(ctx)
    limiter = ctx.extra.get("rate_limiter") or _FALLBACK_LIMITER
    wait = await limiter.take(account.id, "mutation", *extra_limits)
    if wait > 0:
        raise RateLimited(
            f"too many requests from this account; retry in {wait:.0f} s",
            retryAfterSeconds=round(wait, 1),
        )
    return account


def _audit(
    ctx: Context, account: Account, action: str, target: str, before: Any, after: Any
) -> db.AuditEntry:
    return db.audit_entry(account.name, action, target, before, after, ctx.request_id)


def _refresh(ctx: Context) -> None:
    # Loaders cache per request; after a write, later fields must see the new graph.
    ctx.loaders = Loaders(ctx.store)


def _id_of(node_id: str, label: Label, argument: str) -> str:
    found = checked_label(node_id, argument)
    if found is not label:
        raise BadUserInput(
            f"`{argument}` must be a {label} id; {node_id!r} is a {found}", argument=argument
        )
    return node_id


async def _existing(ctx: Context, node_id: str, label: Label, argument: str) -> NodeRecord:
    record = await ctx.loaders.node.load(_id_of(node_id, label, argument))
    if record is None:
        raise NotFound(f"no {label} has the id {node_id!r}", argument=argument)
    return record


async def _owners(ctx: Context, researcher_id: str) -> list[str]:
    return [e.other for e in await ctx.loaders.edges(Rel.OWNS, "in").load(researcher_id)]


# ---------------------------------------------------------------------------------- follows


@dataclass(frozen=True)
class FollowResult:
    researcher: NodeRecord
    following: bool
    changed: bool


async def set_following(ctx: Context, researcher_id: str, follow: bool) -> FollowResult:
    account = await acting(ctx)
    record = await _existing(ctx, researcher_id, Label.RESEARCHER, "researcherId")
    action = "follow" if follow else "unfollow"
    # `before` is filled in by the write itself, from what it found under its lock.
    audit = _audit(ctx, account, action, record.id, None, {"following": follow})
    changed = await db.set_following(ctx.store, account.id, record.id, follow, audit)
    if changed is None:
        raise NotFound(f"no Researcher has the id {researcher_id!r}", argument="researcherId")
    _refresh(ctx)
    return FollowResult(record, follow, changed)


# ----------------------------------------------------------------------------------- claims


def _claim_evidence(record: NodeRecord, evidence: dict[str, str | None]) -> list[dict[str, Any]]:
    published = record_evidence(record.get("linksJson"), record.get("externalIds") or [])
    try:
        items = check_evidence(evidence, published)
    except EvidenceError as exc:
        where = "evidence" if exc.field == "evidence" else f"evidence.{exc.field}"
        raise BadUserInput(str(exc), argument=where) from None
    return [{"kind": i.kind, "value": i.value, "matched": i.matched} for i in items]


async def claim_profile(
    ctx: Context, researcher_id: str, evidence: dict[str, str | None]
) -> NodeRecord:
    account = await acting(ctx)
    record = await _existing(ctx, researcher_id, Label.RESEARCHER, "researcherId")
    items = _claim_evidence(record, evidence)
    matched = len({i["kind"] for i in items if i["matched"]})
    claim_id, at = db.new_id(Label.CLAIM), db.now()
    status = "approved" if matched else "pending"
    claim = {
        "id": claim_id,
        "status": status,
        "evidenceJson": db.to_json(items),
        "matchedCount": matched,
        "createdAt": at,
    }
    if matched:
        claim.update(decidedAt=at, decidedBy="automatic evidence check")
    after = {"claim": claim_id, "status": status, "owner": account.name if matched else None}
    audit = _audit(ctx, account, "claimProfile", record.id, {"owner": None}, after)
    outcome = await db.create_claim(ctx.store, account.id, record.id, claim, audit)
    if outcome is None:
        raise NotFound(f"no Researcher has the id {researcher_id!r}", argument="researcherId")
    if not outcome.ok:
        if account.id in outcome.owners:
            raise Conflict(f"you already own {record.id}")
        if outcome.owners:
            raise Conflict(
                f"{record.id} is already claimed by another account; "
                "if that is wrong, ask an admin to review it"
            )
        if outcome.owned:
            raise Conflict(
                f"this account already owns {outcome.owned[0]}; an account owns one profile "
                "(release it first, or ask an admin to merge duplicate records)"
            )
        raise Conflict(f"you already have a pending claim on {record.id}: {outcome.pending[0]}")
    _refresh(ctx)
    return await _node(ctx, claim_id)


async def _node(ctx: Context, node_id: str) -> NodeRecord:
    record = await ctx.loaders.node.load(node_id)
    if record is None:  # written a moment ago; gone only if a concurrent request removed it
        raise Conflict(f"{node_id} changed while this request ran; read it again")
    return record


async def decide_claim(
    ctx: Context, claim_id: str, *, approve: bool, reason: str | None
) -> NodeRecord:
    admin = await acting(ctx)
    if not admin.admin:
        raise Forbidden("only an admin account may approve or reject claims")
    _id_of(claim_id, Label.CLAIM, "id")
    if reason is not None and len(reason) > MAX_NOTE:
        raise BadUserInput(f"`reason` is longer than {MAX_NOTE} characters", argument="reason")
    state = await db.claim_state(ctx.store, claim_id)
    if state is None:
        raise NotFound(f"no Claim has the id {claim_id!r}", argument="id")
    status, confirmed_by = state.claim.get("status"), state.claim.get("confirmedBy") or ""
    if approve and not (status == "pending" or (status == "approved" and not confirmed_by)):
        raise Conflict(f"{claim_id} is {status}{' and confirmed' if confirmed_by else ''}")
    if not approve and status not in ("pending", "approved"):
        raise Conflict(f"{claim_id} is {status}; only pending or approved claims can be rejected")
    at = db.now()
    changes: dict[str, Any] = {"decidedAt": at, "decidedBy": admin.name, "note": reason}
    after: dict[str, str | None]
    if approve:
        changes.update(status="approved", confirmedBy=admin.name)
        after = {"status": "approved", "confirmedBy": admin.name, "owner": state.claimant}
    else:
        changes.update(status="rejected")
        after = {"status": "rejected", "owner": None}
    before = {
        "status": status,
        "confirmedBy": confirmed_by or None,
        "owner": state.claimant if status == "approved" else None,
    }
    action = "approveClaim" if approve else "rejectClaim"
    audit = _audit(ctx, admin, action, claim_id, before, after)
    outcome = await db.decide_claim(
        ctx.store,
        claim_id,
        approve=approve,
        expected={"status": str(status), "confirmedBy": confirmed_by},
        changes={k: v for k, v in changes.items() if v is not None},
        audit=audit,
    )
    if outcome is None:
        raise NotFound(f"no Claim has the id {claim_id!r}", argument="id")
    if not outcome.ok:
        if outcome.others:
            raise Conflict(f"{state.researcher} is already owned by another account")
        if outcome.elsewhere:
            raise Conflict(f"the claimant already owns {outcome.elsewhere[0]}")
        raise Conflict(f"{claim_id} changed while this request ran; read it again")
    _refresh(ctx)
    return await _node(ctx, claim_id)


async def release_profile(ctx: Context, researcher_id: str) -> NodeRecord:
    account = await acting(ctx)
    record = await _existing(ctx, researcher_id, Label.RESEARCHER, "researcherId")
    if account.id not in await _owners(ctx, record.id):
        raise Forbidden(f"{record.id} is not owned by this account")
    audit = _audit(ctx, account, "releaseProfile", record.id, {"owner": account.name}, None)
    if not await db.release(ctx.store, account.id, record.id, audit):
        raise Conflict(f"{record.id} changed while this request ran; read it again")
    _refresh(ctx)
    return await _node(ctx, record.id)


# ------------------------------------------------------------------------------ invitations


async def invite(ctx: Context, researcher_id: str, message: str) -> NodeRecord:
    account = await acting(ctx, "invitation")
    message = message.strip()
    if not message or len(message) > MAX_MESSAGE:
        raise BadUserInput(
            f"`message` must hold 1 to {MAX_MESSAGE} characters; got {len(message)}",
            argument="message",
        )
    record = await _existing(ctx, researcher_id, Label.RESEARCHER, "researcherId")
    owned = await db.owned_by(ctx.store, account.id)
    if not owned:
        raise Forbidden("claim your own profile first: invitations go between claimed profiles")
    if record.id in owned:
        raise BadUserInput("you cannot invite your own profile", argument="researcherId")
    if not await _owners(ctx, record.id):
        raise Forbidden(f"{record.id} is not claimed yet: invitations go only to claimed profiles")
    invitation_id = db.new_id(Label.INVITATION)
    invitation = {
        "id": invitation_id,
        "status": "pending",
        "message": message,
        "fromResearcher": owned[0],
        "createdAt": db.now(),
    }
    after = {"invitation": invitation_id, "status": "pending", "from": owned[0]}
    audit = _audit(ctx, account, "inviteToCollaborate", record.id, None, after)
    outcome = await db.invite(ctx.store, account.id, owned[0], record.id, invitation, audit)
    if outcome is None:
        raise Conflict("your profile changed while this request ran; read it again")
    if not outcome.ok:
        if outcome.pending:
            raise Conflict(f"you already have a pending invitation to {record.id}")
        raise Forbidden(f"{record.id} is not claimed: invitations go only to claimed profiles")
    _refresh(ctx)
    return await _node(ctx, invitation_id)


async def respond(ctx: Context, invitation_id: str, accept: bool) -> NodeRecord:
    account = await acting(ctx)
    _id_of(invitation_id, Label.INVITATION, "id")
    state = await db.invitation_state(ctx.store, invitation_id)
    if state is None:
        raise NotFound(f"no Invitation has the id {invitation_id!r}", argument="id")
    if account.id not in state.owners:
        raise Forbidden("only the owner of the invited profile may answer this invitation")
    if state.status != "pending":
        raise Conflict(f"{invitation_id} was already {state.status}")
    status = "accepted" if accept else "declined"
    before, after = {"status": "pending"}, {"status": status}
    audit = _audit(ctx, account, "respondToInvitation", invitation_id, before, after)
    if not await db.respond(ctx.store, invitation_id, account.id, status, audit):
        raise Conflict(f"{invitation_id} changed while this request ran; read it again")
    _refresh(ctx)
    return await _node(ctx, invitation_id)


# ------------------------------------------------------------------------------ admin pages


@dataclass(frozen=True)
class Slice:
    items: list[tuple[int, Any]]  # (offset, item)
    total: int
    has_next: bool
    has_previous: bool


async def audit_log(ctx: Context, first: int, after: str | None) -> Slice:
    admin_of(ctx)
    check_first(first, maximum=500)
    start = decode_cursor(after)
    rows, total = await db.audit_page(ctx.store, start, first)
    items = [(start + i, row) for i, row in enumerate(rows)]
    return Slice(items, total, start + first < total, start > 0)


async def review_queue(ctx: Context, status: str | None, first: int, after: str | None) -> Slice:
    admin_of(ctx)
    check_first(first, maximum=500)
    start = decode_cursor(after)
    ids, total = await db.claim_page(ctx.store, status, start, first)
    records = await ctx.loaders.node.load_many(ids)
    items = [(start + i, r) for i, r in enumerate(records) if r is not None]
    return Slice(items, total, start + first < total, start > 0)


# ------------------------------------------------------------------------ owner corrections

_DATE = re.compile(r"^\d{4}(-(0[1-9]|1[0-2]))?$")
LIMITS = {"title": 500, "name": 300, "abstract": 10_000, "summary": 2_000, "description": 5_000}


def _clean(fields: dict[str, Any]) -> dict[str, Any]:
    """Trimmed, bounded, validated values; None means "not given"."""
    out: dict[str, Any] = {}
    for key, value in fields.items():
        if isinstance(value, str):
            value = text.clean(value)
            if len(value) > LIMITS.get(key, 300):
                raise BadUserInput(
                    f"`{key}` is longer than {LIMITS.get(key, 300)} characters", argument=key
                )
            if not value:
                raise BadUserInput(f"`{key}` is empty", argument=key)
        if key in ("date", "since", "until") and value is not None and not _DATE.match(value):
            raise BadUserInput(f"`{key}` must read YYYY or YYYY-MM", argument=key)
        if key == "year" and value is not None and not 1900 <= value <= 2100:
            raise BadUserInput("`year` must be between 1900 and 2100", argument=key)
        if key == "url" and value is not None and not re.match(r"^https?://\S+$", value):
            raise BadUserInput("`url` must be an http(s) address", argument=key)
        out[key] = value
    return out


async def _own_profile(ctx: Context, account: Account, researcher_id: str) -> NodeRecord:
    record = await _existing(ctx, researcher_id, Label.RESEARCHER, "researcherId")
    if account.id not in await _owners(ctx, record.id):
        raise Forbidden(f"{record.id} is not a profile this account owns")
    return record


def _source(account: Account) -> str:
    return f"account:{account.name}"


async def _write(
    ctx: Context, account: Account, nodes: list[NodeRow], edges: list[EdgeRow], audit: db.AuditEntry
) -> None:
    # The audit record rides in the same batch, so the upsert commits both or neither.
    audit_row = NodeRow(audit.id, Label.AUDIT, _source(account), audit.params())
    await upsert(ctx.store, [*nodes, audit_row], edges)
    _refresh(ctx)


def _terms(*values: str | None) -> list[str]:
    return [text.fold(v) for v in values if v]


async def add_paper(ctx: Context, researcher_id: str, fields: dict[str, Any]) -> NodeRecord:
    account = await acting(ctx)
    values = _clean(fields)
    venue_id, year, kind = values.pop("venueId"), values.pop("year"), values.pop("kind")
    if venue_id is None and (year is not None or kind is not None):
        raise BadUserInput("`year` and `kind` describe a publication: give `venueId` too")
    researcher = await _own_profile(ctx, account, researcher_id)
    if venue_id is not None:
        await _existing(ctx, venue_id, Label.VENUE, "venueId")
    pid = paper_id(values["title"])
    authored = await ctx.loaders.edges(Rel.AUTHORED, "out").load(researcher.id)
    if any(e.other == pid for e in authored):
        raise Conflict(f"{pid} is already on {researcher.id}; change it with updatePaper")
    existing = await ctx.loaders.node.load(pid)
    source = _source(account)
    props = {} if existing else {**values, "titleKey": text.title_key(values["title"])}
    nodes = [NodeRow(pid, Label.PAPER, source, props, {"searchTerms": _terms(*values.values())})]
    edges = [EdgeRow(Rel.AUTHORED, researcher.id, pid, source)]
    if venue_id is not None:
        publication = {"year": year, "kind": kind}
        edges.append(EdgeRow(Rel.PUBLISHED_AT, pid, venue_id, source, str(year or ""), publication))
    after = {"paper": pid, "author": researcher.id, "venue": venue_id, "year": year, **props}
    audit = _audit(ctx, account, "addPaper", pid, {"exists": existing is not None}, after)
    await _write(ctx, account, nodes, edges, audit)
    return await _node(ctx, pid)


async def add_talk(ctx: Context, researcher_id: str, fields: dict[str, Any]) -> NodeRecord:
    account = await acting(ctx)
    values = _clean(fields)
    venue_id = values.pop("venueId")
    researcher = await _own_profile(ctx, account, researcher_id)
    if venue_id is not None:
        await _existing(ctx, venue_id, Label.VENUE, "venueId")
    tid = talk_id(values["title"], values.get("date"))
    if await ctx.loaders.node.load(tid) is not None:
        raise Conflict(f"{tid} exists already; change it with updateTalk")
    source = _source(account)
    terms = _terms(values["title"], values.get("event"))
    nodes = [NodeRow(tid, Label.TALK, source, values, {"searchTerms": terms})]
    edges = [EdgeRow(Rel.GAVE, researcher.id, tid, source)]
    if venue_id is not None:
        edges.append(EdgeRow(Rel.TALK_AT, tid, venue_id, source))
    after = {"talk": tid, "speaker": researcher.id, "venue": venue_id, **values}
    await _write(ctx, account, nodes, edges, _audit(ctx, account, "addTalk", tid, None, after))
    return await _node(ctx, tid)


async def add_award(ctx: Context, researcher_id: str, fields: dict[str, Any]) -> NodeRecord:
    account = await acting(ctx)
    values = _clean(fields)
    researcher = await _own_profile(ctx, account, researcher_id)
    aid = award_id(values["name"], None, values.get("year"))
    received = await ctx.loaders.edges(Rel.RECEIVED, "out").load(researcher.id)
    if any(e.other == aid for e in received):
        raise Conflict(f"{aid} is already on {researcher.id}; change it with updateAward")
    existing = await ctx.loaders.node.load(aid)
    source = _source(account)
    props = {} if existing else values
    nodes = [NodeRow(aid, Label.AWARD, source, props, {"searchTerms": _terms(values["name"])})]
    edges = [EdgeRow(Rel.RECEIVED, researcher.id, aid, source, props={"year": values.get("year")})]
    after = {"award": aid, "recipient": researcher.id, **props}
    audit = _audit(ctx, account, "addAward", aid, {"exists": existing is not None}, after)
    await _write(ctx, account, nodes, edges, audit)
    return await _node(ctx, aid)


async def add_affiliation(ctx: Context, researcher_id: str, fields: dict[str, Any]) -> NodeRecord:
    """Add an affiliation, or edit the one with the same institution and role."""
    account = await acting(ctx)
    values = _clean(fields)
    institution_id, name = values.pop("institutionId"), values.pop("institutionName")
    if (institution_id is None) == (name is None):
        raise BadUserInput("give exactly one of `institutionId` or `institutionName`")
    researcher = await _own_profile(ctx, account, researcher_id)
    source = _source(account)
    nodes: list[NodeRow] = []
    if institution_id is not None:
        await _existing(ctx, institution_id, Label.INSTITUTION, "institutionId")
    else:
        assert name is not None
        institution_id = make_id(Label.INSTITUTION, name)
        if await ctx.loaders.node.load(institution_id) is None:
            terms = {"searchTerms": _terms(name)}
            nodes.append(NodeRow(institution_id, Label.INSTITUTION, source, {"name": name}, terms))
    key = text.slug(values.get("role") or "")
    current = [
        e.props
        for e in await ctx.loaders.edges(Rel.AFFILIATED_WITH, "out").load(researcher.id)
        if e.other == institution_id and e.props.get("key", key) == key
    ]
    edges = [EdgeRow(Rel.AFFILIATED_WITH, researcher.id, institution_id, source, key, values)]
    before = {k: current[0].get(k) for k in values} if current else None
    after = {"institution": institution_id, **values}
    audit = _audit(ctx, account, "addAffiliation", researcher.id, before, after)
    await _write(ctx, account, nodes, edges, audit)
    return await _node(ctx, researcher.id)


_TERM_FIELDS: dict[Label, tuple[str, ...]] = {
    Label.PAPER: ("title", "abstract", "summary"),
    Label.TALK: ("title", "event"),
    Label.AWARD: ("name",),
}
_OWNER_REL = {Label.PAPER: Rel.AUTHORED, Label.TALK: Rel.GAVE, Label.AWARD: Rel.RECEIVED}
_ACTION = {Label.PAPER: "updatePaper", Label.TALK: "updateTalk", Label.AWARD: "updateAward"}


async def update_owned(
    ctx: Context, label: Label, node_id: str, fields: dict[str, Any]
) -> NodeRecord:
    """Edit a paper, talk or award linked to a profile the account owns."""
    account = await acting(ctx)
    changes = {k: v for k, v in _clean(fields).items() if v is not None}
    if not changes:
        raise BadUserInput("nothing to change: give at least one field")
    _id_of(node_id, label, "id")
    found = await db.editable(ctx.store, account.id, node_id, label, _OWNER_REL[label])
    if found is None:
        raise NotFound(f"no {label} has the id {node_id!r}", argument="id")
    if not found.mine:
        raise Forbidden(f"{node_id} is not on a profile this account owns")
    fields_ = db.EDITABLE_FIELDS[label]
    before = {f: found.props.get(f) for f in fields_}
    after = {**before, **changes}
    old_terms = set(_terms(*(before[f] for f in _TERM_FIELDS[label])))
    kept = [t for t in found.props.get("searchTerms") or [] if t not in old_terms]
    terms = list(dict.fromkeys([*_terms(*(after[f] for f in _TERM_FIELDS[label])), *kept]))
    was, now = {k: before[k] for k in changes}, {k: after[k] for k in changes}
    audit = _audit(ctx, account, _ACTION[label], node_id, was, now)
    updated = await db.update_owned(
        ctx.store,
        account.id,
        node_id,
        label,
        _OWNER_REL[label],
        before=before,
        changes=changes,
        terms=terms,
        source=_source(account),
        audit=audit,
    )
    if not updated:
        raise Conflict(f"{node_id} changed while this request ran; read it again and retry")
    _refresh(ctx)
    return await _node(ctx, node_id)


# ---------------------------------------------------------------------- merges and splits

MAX_MERGE = 50


async def merge_researchers(
    ctx: Context, ids: list[str], into: str, reason: str | None
) -> identity.MergeResult:
    """Admins only: fold duplicate records of one person into `into` (graphdb.identity)."""
    admin = await acting(ctx)
    if not admin.admin:
        raise Forbidden("only an admin account may merge researchers")
    if not 1 <= len(ids) <= MAX_MERGE:
        raise BadUserInput(f"`ids` must name 1 to {MAX_MERGE} researchers", argument="ids")
    for node_id in [*ids, into]:
        _id_of(node_id, Label.RESEARCHER, "ids" if node_id in ids else "into")
    if reason is not None and len(reason) > MAX_NOTE:
        raise BadUserInput(f"`reason` is longer than {MAX_NOTE} characters", argument="reason")
    # Ownership moves with the other relationships: refuse to give the target two owners.
    owners = {o for node_id in {*ids, into} for o in await _owners(ctx, node_id)}
    if len(owners) > 1:
        raise Conflict(
            f"these records are owned by {len(owners)} different accounts; a profile has one "
            "owner, so release or reject the other claims first"
        )
    try:
        result = await identity.merge_researchers(
            ctx.store, ids, into, actor=f"account:{admin.name}", reason=reason or ""
        )
    except identity.UnknownResearcher as exc:
        raise NotFound(str(exc)) from None
    except identity.IdentityError as exc:
        raise BadUserInput(str(exc)) from None
    before = {"ids": list(result.merged), "into": into}
    after = {"merge": result.merge_id, "moved": result.moved, "dropped": result.dropped}
    # The merge commits in graphdb.identity's own query; its MergeRecord is the full account
    # of the change and this entry points to it.
    await db.record_audit(ctx.store, _audit(ctx, admin, "mergeResearchers", into, before, after))
    _refresh(ctx)
    return result


async def split_researcher(ctx: Context, ref: str, reason: str | None) -> identity.SplitResult:
    """Admins only: undo a merge, by merge id or by researcher id (graphdb.identity)."""
    admin = await acting(ctx)
    if not admin.admin:
        raise Forbidden("only an admin account may split researchers")
    if checked_label(ref, "ref") not in (Label.MERGE, Label.RESEARCHER):
        raise BadUserInput("`ref` must be a merge id or a researcher id", argument="ref")
    if reason is not None and len(reason) > MAX_NOTE:
        raise BadUserInput(f"`reason` is longer than {MAX_NOTE} characters", argument="reason")
    try:
        result = await identity.split_researcher(
            ctx.store, ref, actor=f"account:{admin.name}", reason=reason or ""
        )
    except identity.UnknownMerge as exc:
        raise NotFound(str(exc), argument="ref") from None
    except identity.SplitConflict as exc:
        raise Conflict(str(exc)) from None
    except identity.IdentityError as exc:
        raise BadUserInput(str(exc), argument="ref") from None
    before = {"merge": result.merge_id, "into": result.into}
    after = {"restored": list(result.restored), "relationships": result.relationships}
    await db.record_audit(
        ctx.store, _audit(ctx, admin, "splitResearcher", result.merge_id, before, after)
    )
    _refresh(ctx)
    return result


__all__ = [
    "MAX_MESSAGE",
    "FollowResult",
    "Slice",
    "account_of",
    "acting",
    "add_affiliation",
    "add_award",
    "add_paper",
    "add_talk",
    "admin_of",
    "audit_log",
    "claim_profile",
    "current_account",
    "decide_claim",
    "invite",
    "merge_researchers",
    "release_profile",
    "respond",
    "review_queue",
    "set_following",
    "split_researcher",
    "update_owned",
]
