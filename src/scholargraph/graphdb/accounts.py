"""Accounts and their API tokens as stored in the graph.

Each token is an ApiToken node (`token:<token id>`, found through the Entity id index) linked
from its Account, holding the SHA-256 of its secret and when it was created; revoking it
stamps `revokedAt` and deletes the hash, so a revoked token can never match again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from scholargraph.graphdb.community import CREATE_AUDIT, AuditEntry, audit_entry, now
from scholargraph.graphdb.model import ENTITY, PREFIX, Label, Rel
from scholargraph.graphdb.store import Row, Store

NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")


class BadAccountName(ValueError):
    pass


def check_name(name: str) -> str:
    if not NAME.match(name):
        raise BadAccountName(
            f"{name[:80]!r} is not a valid account name: use 1 to 64 characters of a-z, 0-9, "
            "'.', '_' or '-', starting with a letter or digit"
        )
    return name


def account_id(name: str) -> str:
    return f"{PREFIX[Label.ACCOUNT]}:{check_name(name)}"


@dataclass(frozen=True)
class Account:
    id: str
    name: str
    admin: bool
    created_at: str | None


def _account(row: Row) -> Account:
    return Account(row["id"], row["name"], bool(row["admin"]), row["createdAt"])


_RETURN = "a.id AS id, a.name AS name, a.admin AS admin, a.createdAt AS createdAt"

_ADD_TOKEN = f"""
MERGE (a:{ENTITY}:{Label.ACCOUNT} {{id: $id}})
ON CREATE SET a.name = $name, a.createdAt = $now, a.admin = false
WITH a, a.createdAt = $now AS created
SET a.admin = a.admin OR $admin
CREATE (a)-[:{Rel.HAS_TOKEN}]->(:{ENTITY}:{Label.TOKEN} {{id: $token, tokenHash: $hash,
                                                       createdAt: $now}})
{CREATE_AUDIT}
RETURN {_RETURN}, created
"""


def token_node_id(token_id: str) -> str:
    return f"{PREFIX[Label.TOKEN]}:{token_id}"


async def add_token(
    store: Store, name: str, *, token_id: str, token_hash: str, admin: bool
) -> tuple[Account, bool]:
    """Store a token (by its hash) for the account, creating the account if it is new."""
    audit = audit_entry(
        "cli", "token.create", account_id(name), None, {"tokenId": token_id, "admin": admin}
    )
    rows = await store.write(
        _ADD_TOKEN,
        {
            "id": account_id(name),
            "name": name,
            "now": now(),
            "admin": admin,
            "token": token_node_id(token_id),
            "hash": token_hash,
            "audit": audit.params(),
        },
    )
    return _account(rows[0]), bool(rows[0]["created"])


_BY_TOKEN = f"""
MATCH (t:{ENTITY} {{id: $token}})<-[:{Rel.HAS_TOKEN}]-(a:{Label.ACCOUNT})
WHERE t.revokedAt IS NULL
RETURN {_RETURN}, t.tokenHash AS hash
"""


async def by_token_id(store: Store, token_id: str) -> tuple[Account, str] | None:
    """The account holding a live token with this id, and the token's stored hash."""
    rows = await store.read(_BY_TOKEN, {"token": token_node_id(token_id)})
    if not rows or not rows[0]["hash"]:
        return None
    return _account(rows[0]), rows[0]["hash"]


_REVOKE = f"""
MATCH (t:{ENTITY} {{id: $token}})<-[:{Rel.HAS_TOKEN}]-(a:{Label.ACCOUNT})
WHERE t.revokedAt IS NULL
SET t.revokedAt = $now, t.tokenHash = null
{CREATE_AUDIT}, x.target = a.id
RETURN a.name AS name
"""


async def revoke_token(store: Store, token_id: str) -> str | None:
    """Revoke a live token; the name of its account, or None when no live token has the id."""
    audit: AuditEntry = audit_entry(
        "cli", "token.revoke", "", {"tokenId": token_id}, {"tokenId": token_id, "revoked": True}
    )
    rows = await store.write(
        _REVOKE, {"token": token_node_id(token_id), "now": now(), "audit": audit.params()}
    )
    return rows[0]["name"] if rows else None


@dataclass(frozen=True)
class TokenInfo:
    token_id: str
    account: str
    admin: bool
    created_at: str
    revoked_at: str | None


_LIST = (
    f"MATCH (a:{Label.ACCOUNT})-[:{Rel.HAS_TOKEN}]->(t:{Label.TOKEN}) "
    "RETURN a.name AS name, a.admin AS admin, t.id AS id, t.createdAt AS created, "
    "t.revokedAt AS revoked ORDER BY name, created, id"
)


async def list_tokens(store: Store) -> list[TokenInfo]:
    """Every token, live and revoked, without their hashes; by account, then creation."""
    return [
        TokenInfo(
            row["id"].split(":", 1)[1],
            row["name"],
            bool(row["admin"]),
            row["created"],
            row["revoked"],
        )
        for row in await store.read(_LIST)
    ]


__all__ = [
    "NAME",
    "Account",
    "BadAccountName",
    "TokenInfo",
    "account_id",
    "add_token",
    "by_token_id",
    "check_name",
    "list_tokens",
    "revoke_token",
    "token_node_id",
]
