"""Community writes (follows, claims, invitations, owner corrections) and the audit trail.

Each write creates its AuditRecord in the same query as the change, so both commit or neither
does. A write that relies on state (nobody owns the profile yet, the claim is still pending)
re-checks that state inside its query and reports `ok`; when it no longer holds, the query
changes nothing and the caller reports a conflict.

On Neo4j, queries first take write locks on the nodes they decide about (`_lock`: set and
clear a property), so two transactions cannot both pass a check and then both write. FalkorDB
runs one write query at a time per graph, which gives the same guarantee by itself.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from scholargraph.graphdb.events import Kind, emit, one_event
from scholargraph.graphdb.model import ENTITY, PREFIX, Label, Rel
from scholargraph.graphdb.store import Row, Store
from scholargraph.graphdb.writes import UNION_LISTS

A, R = Label.ACCOUNT, Label.RESEARCHER


def now() -> str:
    """UTC, fixed width, so that text order is time order."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


def new_id(label: Label) -> str:
    return f"{PREFIX[label]}:{uuid.uuid4().hex}"


def to_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


@dataclass(frozen=True)
class AuditEntry:
    id: str
    actor: str  # an account name, or "cli" for the operator's console
    action: str
    target: str
    at: str
    before: str  # JSON
    after: str  # JSON
    request_id: str = ""

    def params(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "actor": self.actor,
            "action": self.action,
            "target": self.target,
            "at": self.at,
            "before": self.before,
            "after": self.after,
            "requestId": self.request_id,
        }


def audit_entry(
    actor: str, action: str, target: str, before: Any, after: Any, request_id: str = ""
) -> AuditEntry:
    return AuditEntry(
        new_id(Label.AUDIT),
        actor,
        action,
        target,
        now(),
        to_json(before),
        to_json(after),
        request_id,
    )


def _lock(var: str) -> str:
    return f"SET {var}._lock = true SET {var}._lock = null"


def _match(var: str, label: Label, param: str) -> str:
    # Match through the Entity id index, then check the label: ids are unique across labels.
    return f"MATCH ({var}:{ENTITY} {{id: ${param}}}) WHERE {var}:{label}"


def _when(condition: str) -> str:
    return f"FOREACH (_ IN CASE WHEN {condition} THEN [1] ELSE [] END |"


CREATE_AUDIT = f"CREATE (x:{ENTITY}:{Label.AUDIT}) SET x += $audit"


# ---------------------------------------------------------------------------------- follows

_FOLLOW = f"""
{_match("a", A, "account")}
{_match("r", R, "researcher")}
{_lock("a")}
WITH a, r
OPTIONAL MATCH (a)-[old:{Rel.FOLLOWS}]->(r)
WITH a, r, count(old) AS before
MERGE (a)-[f:{Rel.FOLLOWS}]->(r) ON CREATE SET f.since = $audit.at
{CREATE_AUDIT}, x.before = CASE WHEN before > 0 THEN $yes ELSE $no END
{emit("before", one_event("before = 0", Kind.FOLLOWER_ADDED, "$researcher"), "$audit.at")}
RETURN before
"""

_UNFOLLOW = f"""
{_match("a", A, "account")}
{_match("r", R, "researcher")}
{_lock("a")}
WITH a, r
OPTIONAL MATCH (a)-[f:{Rel.FOLLOWS}]->(r)
WITH a, r, collect(f) AS old
FOREACH (f IN old | DELETE f)
{CREATE_AUDIT}, x.before = CASE WHEN size(old) > 0 THEN $yes ELSE $no END
WITH size(old) AS before
{emit("before", one_event("before > 0", Kind.FOLLOWER_REMOVED, "$researcher"), "$audit.at")}
RETURN before
"""

FOLLOWING, NOT_FOLLOWING = to_json({"following": True}), to_json({"following": False})


async def set_following(
    store: Store, account: str, researcher: str, follow: bool, audit: AuditEntry
) -> bool | None:
    """Follow or unfollow; whether anything changed, or None when either node is missing.
    The audit's `before` is decided inside the query, from what the query found."""
    rows = await store.write(
        _FOLLOW if follow else _UNFOLLOW,
        {
            "account": account,
            "researcher": researcher,
            "audit": audit.params(),
            "yes": FOLLOWING,
            "no": NOT_FOLLOWING,
        },
    )
    if not rows:
        return None
    was_following = int(rows[0]["before"]) > 0
    return was_following != follow


# ----------------------------------------------------------------------------------- claims

_CLAIM = f"""
{_match("a", A, "account")}
{_match("r", R, "researcher")}
{_lock("a")} {_lock("r")}
WITH a, r
OPTIONAL MATCH (r)<-[:{Rel.OWNS}]-(o:{A})
WITH a, r, collect(DISTINCT o.id) AS owners
OPTIONAL MATCH (a)-[:{Rel.OWNS}]->(m:{R})
WITH a, r, owners, collect(DISTINCT m.id) AS owned
OPTIONAL MATCH (a)-[:{Rel.CLAIMS}]->(p:{Label.CLAIM})-[:{Rel.CLAIM_OF}]->(r)
WHERE p.status = 'pending'
WITH a, r, owners, owned, collect(DISTINCT p.id) AS pending
WITH a, r, owners, owned, pending, size(owners) = 0 AND size(owned) = 0 AND size(pending) = 0 AS ok
{_when("ok")}
  CREATE (a)-[:{Rel.CLAIMS}]->(c:{ENTITY}:{Label.CLAIM})-[:{Rel.CLAIM_OF}]->(r)
  SET c += $claim
  {CREATE_AUDIT})
{_when("ok AND $claim.status = 'approved'")}
  MERGE (a)-[own:{Rel.OWNS}]->(r) SET own.since = $claim.createdAt
  SET r.verifiedEvidence = $claim.matchedCount, r.adminConfirmed = false)
{emit(
    "owners, owned, pending, ok",
    one_event("ok AND $claim.status = 'approved'", Kind.TRUST_CHANGED, "$researcher"),
    "$audit.at",
)}
RETURN owners, owned, pending, ok
"""


@dataclass(frozen=True)
class ClaimOutcome:
    ok: bool
    owners: list[str]  # accounts owning the researcher
    owned: list[str]  # researchers the claimant owns
    pending: list[str]  # the claimant's pending claims on this researcher


async def create_claim(
    store: Store, account: str, researcher: str, claim: dict[str, Any], audit: AuditEntry
) -> ClaimOutcome | None:
    """Record a claim; with status `approved` also the ownership. None if a node is missing."""
    rows = await store.write(
        _CLAIM,
        {"account": account, "researcher": researcher, "claim": claim, "audit": audit.params()},
    )
    if not rows:
        return None
    row = rows[0]
    return ClaimOutcome(bool(row["ok"]), row["owners"], row["owned"], row["pending"])


_CLAIM_STATE = f"""
{_match("c", Label.CLAIM, "claim")}
MATCH (a:{A})-[:{Rel.CLAIMS}]->(c)-[:{Rel.CLAIM_OF}]->(r:{R})
OPTIONAL MATCH (r)<-[:{Rel.OWNS}]-(o:{A})
WITH a, c, r, collect(DISTINCT o.id) AS owners
RETURN a.id AS account, a.name AS claimant, r.id AS researcher, properties(c) AS claim, owners
"""


@dataclass(frozen=True)
class ClaimState:
    account: str
    claimant: str
    researcher: str
    claim: dict[str, Any]
    owners: list[str]


async def claim_state(store: Store, claim: str) -> ClaimState | None:
    rows = await store.read(_CLAIM_STATE, {"claim": claim})
    if not rows:
        return None
    row = rows[0]
    return ClaimState(
        row["account"], row["claimant"], row["researcher"], row["claim"], row["owners"]
    )


_DECIDE = f"""
{_match("c", Label.CLAIM, "claim")}
MATCH (a:{A})-[:{Rel.CLAIMS}]->(c)-[:{Rel.CLAIM_OF}]->(r:{R})
{_lock("a")} {_lock("r")}
WITH a, c, r
OPTIONAL MATCH (r)<-[:{Rel.OWNS}]-(o:{A}) WHERE o.id <> a.id
WITH a, c, r, collect(DISTINCT o.id) AS others
OPTIONAL MATCH (a)-[:{Rel.OWNS}]->(m:{R}) WHERE m.id <> r.id
WITH a, c, r, others, collect(DISTINCT m.id) AS elsewhere
OPTIONAL MATCH (a)-[own:{Rel.OWNS}]->(r)
WITH a, c, r, others, elsewhere, collect(own) AS owns
WITH a, c, r, others, elsewhere, owns,
     c.status = $expected.status AND coalesce(c.confirmedBy, '') = $expected.confirmedBy
     AND (NOT $approve OR (size(others) = 0 AND size(elsewhere) = 0)) AS ok
{_when("ok")}
  SET c += $changes
  {CREATE_AUDIT})
{_when("ok AND $approve")}
  MERGE (a)-[o2:{Rel.OWNS}]->(r) ON CREATE SET o2.since = $audit.at
  SET r.adminConfirmed = true, r.verifiedEvidence = c.matchedCount)
FOREACH (x IN CASE WHEN ok AND NOT $approve THEN owns ELSE [] END | DELETE x)
{_when("ok AND NOT $approve AND size(owns) > 0")}
  SET r.adminConfirmed = null, r.verifiedEvidence = null)
{emit("ok, others, elsewhere", one_event("ok", Kind.TRUST_CHANGED, "r.id"), "$audit.at")}
RETURN ok, others, elsewhere
"""


@dataclass(frozen=True)
class DecideOutcome:
    ok: bool
    others: list[str]  # other accounts that own the researcher
    elsewhere: list[str]  # other researchers the claimant owns


async def decide_claim(
    store: Store,
    claim: str,
    *,
    approve: bool,
    expected: dict[str, str],
    changes: dict[str, Any],
    audit: AuditEntry,
) -> DecideOutcome | None:
    """Approve (grant and admin-confirm ownership) or reject (and withdraw any ownership) a
    claim whose status and confirmation are still `expected`."""
    rows = await store.write(
        _DECIDE,
        {
            "claim": claim,
            "approve": approve,
            "expected": expected,
            "changes": changes,
            "audit": audit.params(),
        },
    )
    if not rows:
        return None
    return DecideOutcome(bool(rows[0]["ok"]), rows[0]["others"], rows[0]["elsewhere"])


_RELEASE = f"""
{_match("a", A, "account")}
{_match("r", R, "researcher")}
{_lock("a")} {_lock("r")}
WITH a, r
OPTIONAL MATCH (a)-[own:{Rel.OWNS}]->(r)
WITH a, r, collect(own) AS owns
OPTIONAL MATCH (a)-[:{Rel.CLAIMS}]->(c:{Label.CLAIM})-[:{Rel.CLAIM_OF}]->(r)
WHERE c.status = 'approved'
WITH a, r, owns, collect(c) AS claims
WITH a, r, owns, claims, size(owns) > 0 AS ok
FOREACH (x IN CASE WHEN ok THEN owns ELSE [] END | DELETE x)
FOREACH (c IN CASE WHEN ok THEN claims ELSE [] END |
  SET c.status = 'released', c.releasedAt = $audit.at)
{_when("ok")}
  SET r.verifiedEvidence = null, r.adminConfirmed = null
  {CREATE_AUDIT})
{emit("ok", one_event("ok", Kind.TRUST_CHANGED, "$researcher"), "$audit.at")}
RETURN ok
"""


async def release(store: Store, account: str, researcher: str, audit: AuditEntry) -> bool:
    """Give up ownership; False when the account did not own the researcher."""
    rows = await store.write(
        _RELEASE, {"account": account, "researcher": researcher, "audit": audit.params()}
    )
    return bool(rows and rows[0]["ok"])


# ------------------------------------------------------------------------------ invitations

_INVITE = f"""
{_match("a", A, "account")}
MATCH (a)-[:{Rel.OWNS}]->(s:{R} {{id: $sender}})
{_match("r", R, "researcher")}
{_lock("a")}
WITH a, r
OPTIONAL MATCH (r)<-[:{Rel.OWNS}]-(o:{A}) WHERE o.id <> a.id
WITH a, r, count(DISTINCT o) AS owners
OPTIONAL MATCH (a)-[:{Rel.INVITED}]->(p:{Label.INVITATION})-[:{Rel.INVITATION_TO}]->(r)
WHERE p.status = 'pending'
WITH a, r, owners, collect(DISTINCT p.id) AS pending
WITH a, r, owners, pending, owners > 0 AND size(pending) = 0 AS ok
{_when("ok")}
  CREATE (a)-[:{Rel.INVITED}]->(i:{ENTITY}:{Label.INVITATION})-[:{Rel.INVITATION_TO}]->(r)
  SET i += $invitation
  {CREATE_AUDIT})
RETURN owners, pending, ok
"""


@dataclass(frozen=True)
class InviteOutcome:
    ok: bool
    owners: int  # accounts other than the sender owning the target
    pending: list[str]  # the sender's pending invitations to the target


async def invite(
    store: Store,
    account: str,
    sender: str,
    researcher: str,
    invitation: dict[str, Any],
    audit: AuditEntry,
) -> InviteOutcome | None:
    """None when the account no longer owns `sender` or the target is missing."""
    rows = await store.write(
        _INVITE,
        {
            "account": account,
            "sender": sender,
            "researcher": researcher,
            "invitation": invitation,
            "audit": audit.params(),
        },
    )
    if not rows:
        return None
    row = rows[0]
    return InviteOutcome(bool(row["ok"]), int(row["owners"]), row["pending"])


_INVITATION_STATE = f"""
{_match("i", Label.INVITATION, "invitation")}
MATCH (s:{A})-[:{Rel.INVITED}]->(i)-[:{Rel.INVITATION_TO}]->(r:{R})
OPTIONAL MATCH (r)<-[:{Rel.OWNS}]-(o:{A})
RETURN s.id AS sender, r.id AS researcher, i.status AS status, collect(DISTINCT o.id) AS owners
"""


@dataclass(frozen=True)
class InvitationState:
    sender: str
    researcher: str
    status: str
    owners: list[str]


async def invitation_state(store: Store, invitation: str) -> InvitationState | None:
    rows = await store.read(_INVITATION_STATE, {"invitation": invitation})
    if not rows:
        return None
    row = rows[0]
    return InvitationState(row["sender"], row["researcher"], row["status"], row["owners"])


_RESPOND = f"""
{_match("i", Label.INVITATION, "invitation")}
MATCH (i)-[:{Rel.INVITATION_TO}]->(r:{R})<-[:{Rel.OWNS}]-(a:{A} {{id: $account}})
{_lock("i")}
WITH i, i.status = 'pending' AS ok
{_when("ok")}
  SET i.status = $status, i.respondedAt = $audit.at, i.respondedBy = $audit.actor
  {CREATE_AUDIT})
RETURN ok
"""


async def respond(
    store: Store, invitation: str, account: str, status: str, audit: AuditEntry
) -> bool:
    """Accept or decline; False when it is no longer pending or no longer the account's."""
    rows = await store.write(
        _RESPOND,
        {"invitation": invitation, "account": account, "status": status, "audit": audit.params()},
    )
    return bool(rows and rows[0]["ok"])


# ------------------------------------------------------------------------ owner corrections

_OWNED = f"""
{_match("a", A, "account")}
MATCH (a)-[:{Rel.OWNS}]->(r:{R})
RETURN r.id AS id ORDER BY id
"""


async def owned_by(store: Store, account: str) -> list[str]:
    return [row["id"] for row in await store.read(_OWNED, {"account": account})]


def _editable(label: Label, rel: Rel) -> str:
    return f"""
{_match("n", label, "id")}
OPTIONAL MATCH (a:{A} {{id: $account}})-[:{Rel.OWNS}]->(:{R})-[:{rel}]->(n)
WITH n, count(a) > 0 AS mine
RETURN properties(n) AS props, mine
"""


@dataclass(frozen=True)
class Editable:
    props: dict[str, Any]
    mine: bool  # on a profile the account owns


async def editable(
    store: Store, account: str, node_id: str, label: Label, rel: Rel
) -> Editable | None:
    """A node and whether the account owns a researcher linked to it by `rel`."""
    rows = await store.read(_editable(label, rel), {"id": node_id, "account": account})
    if not rows:
        return None
    return Editable(rows[0]["props"], bool(rows[0]["mine"]))


def _unchanged(fields: Sequence[str]) -> str:
    # Field names come from the schema's input types (a fixed set), never from request text.
    return " AND ".join(
        f"(n.{f} = $before.{f} OR (n.{f} IS NULL AND $before.{f} IS NULL))" for f in fields
    )


def _update(label: Label, rel: Rel, fields: Sequence[str]) -> str:
    return f"""
{_match("n", label, "id")}
MATCH (a:{A} {{id: $account}})-[:{Rel.OWNS}]->(:{R})-[:{rel}]->(n)
WITH DISTINCT n
WHERE {_unchanged(fields)}
SET n += $changes,
    n.sources = CASE WHEN $source IN coalesce(n.sources, []) THEN n.sources
                ELSE coalesce(n.sources, []) + $source END,
    n.searchTerms = $terms
SET n.searchText = reduce(s = '', t IN n.searchTerms | s + ' ' + t)
{CREATE_AUDIT}
RETURN n.id AS id
"""


EDITABLE_FIELDS: dict[Label, tuple[str, ...]] = {
    Label.PAPER: ("title", "abstract", "summary"),
    Label.TALK: ("title", "event", "place", "date", "url", "description"),
    Label.AWARD: ("name", "kind", "year", "amount", "currency", "description"),
}


async def update_owned(
    store: Store,
    account: str,
    node_id: str,
    label: Label,
    rel: Rel,
    *,
    before: dict[str, Any],
    changes: dict[str, Any],
    terms: list[str],
    source: str,
    audit: AuditEntry,
) -> bool:
    """Apply `changes` if the fields still hold `before` (else False: changed meanwhile)."""
    fields = EDITABLE_FIELDS[label]
    if set(before) != set(fields) or not set(changes) <= set(fields):
        raise ValueError(f"{label} edits cover exactly {fields}")
    query = _update(label, rel, fields)
    rows = await store.write(
        query,
        {
            "id": node_id,
            "account": account,
            "before": before,
            "changes": changes,
            "terms": terms,
            "source": source,
            "audit": audit.params(),
        },
    )
    return bool(rows)


# ------------------------------------------------------------------------- standalone audit


async def record_audit(store: Store, audit: AuditEntry) -> None:
    """For changes made by a query that is not ours (merges and splits write their own)."""
    await store.write(f"{CREATE_AUDIT} RETURN x.id AS id", {"audit": audit.params()})


# -------------------------------------------------------------------------------- admin pages

_AUDIT_PAGE = (
    f"MATCH (x:{Label.AUDIT}) RETURN properties(x) AS props "
    "ORDER BY x.at DESC, x.id DESC SKIP $skip LIMIT $limit"
)
_AUDIT_COUNT = f"MATCH (x:{Label.AUDIT}) RETURN count(x) AS n"


async def audit_page(store: Store, skip: int, limit: int) -> tuple[list[dict[str, Any]], int]:
    """Audit records, newest first."""
    rows = await store.read(_AUDIT_PAGE, {"skip": skip, "limit": limit})
    total = await store.read(_AUDIT_COUNT)
    return [_public(row) for row in rows], int(total[0]["n"]) if total else 0


def _public(row: Row) -> dict[str, Any]:
    # Records written through the batch upsert also carry its bookkeeping lists.
    return {k: v for k, v in row["props"].items() if k not in (*UNION_LISTS, "searchText")}


_CLAIMS_PAGE = (
    f"MATCH (c:{Label.CLAIM}) WHERE $status IS NULL OR c.status = $status "
    "RETURN c.id AS id ORDER BY c.createdAt, c.id SKIP $skip LIMIT $limit"
)
_CLAIMS_COUNT = (
    f"MATCH (c:{Label.CLAIM}) WHERE $status IS NULL OR c.status = $status RETURN count(c) AS n"
)


async def claim_page(
    store: Store, status: str | None, skip: int, limit: int
) -> tuple[list[str], int]:
    """Claim ids, oldest first (the review queue)."""
    params = {"status": status, "skip": skip, "limit": limit}
    rows = await store.read(_CLAIMS_PAGE, params)
    total = await store.read(_CLAIMS_COUNT, params)
    return [row["id"] for row in rows], int(total[0]["n"]) if total else 0


__all__ = [
    "CREATE_AUDIT",
    "EDITABLE_FIELDS",
    "FOLLOWING",
    "NOT_FOLLOWING",
    "AuditEntry",
    "ClaimOutcome",
    "ClaimState",
    "DecideOutcome",
    "Editable",
    "InvitationState",
    "InviteOutcome",
    "audit_entry",
    "audit_page",
    "claim_page",
    "claim_state",
    "create_claim",
    "decide_claim",
    "editable",
    "invitation_state",
    "invite",
    "new_id",
    "now",
    "owned_by",
    "record_audit",
    "release",
    "respond",
    "set_following",
    "to_json",
    "update_owned",
]
