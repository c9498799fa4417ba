"""Accounts and their API tokens as stored in the graph.

An Account node keeps its live tokens in `tokens`, one "<id>|<sha256 of secret>|<created>"
entry each, and revoked ones in `revokedTokens` as "<id>|<created>|<revoked>" (no hash is kept
once a token is revoked). Looking a token up scans Account nodes: accounts are created by an
operator, one per person, so they stay few next to the scholarly graph.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from scholargraph.graphdb.community import CREATE_AUDIT, AuditEntry, audit_entry, now
from scholargraph.graphdb.model import ENTITY, PREFIX, Label
from scholargraph.graphdb.store import Row, Store

NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
_SEP = "|"


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
ON CREATE SET a.name = $name, a.createdAt = $now, a.admin = false, a.tokens = [],
              a.revokedTokens = []
WITH a, a.createdAt = $now AS created
SET a.admin = a.admin OR $admin, a.tokens = coalesce(a.tokens, []) + $entry
{CREATE_AUDIT}
RETURN {_RETURN}, created
"""


async def add_token(
    store: Store, name: str, *, token_id: str, token_hash: str, admin: bool
) -> tuple[Account, bool]:
    """Store a token (by its hash) for the account, creating the account if it is new."""
    at = now()
    audit = audit_entry(
        "cli", "token.create", account_id(name), None, {"tokenId": token_id, "admin": admin}
    )
    rows = await store.write(
        _ADD_TOKEN,
        {
            "id": account_id(name),
            "name": name,
            "now": at,
            "admin": admin,
            "entry": _SEP.join((token_id, token_hash, at)),
            "audit": audit.params(),
        },
    )
    return _account(rows[0]), bool(rows[0]["created"])


_BY_TOKEN = f"""
MATCH (a:{Label.ACCOUNT}) WHERE any(t IN a.tokens WHERE t STARTS WITH $prefix)
RETURN {_RETURN}, [t IN a.tokens WHERE t STARTS WITH $prefix] AS entries
LIMIT 1
"""


async def by_token_id(store: Store, token_id: str) -> tuple[Account, str] | None:
    """The account holding a live token with this id, and the token's stored hash."""
    rows = await store.read(_BY_TOKEN, {"prefix": token_id + _SEP})
    if not rows or not rows[0]["entries"]:
        return None
    return _account(rows[0]), rows[0]["entries"][0].split(_SEP)[1]


_REVOKE = f"""
MATCH (a:{Label.ACCOUNT}) WHERE any(t IN a.tokens WHERE t STARTS WITH $prefix)
WITH a, [t IN a.tokens WHERE t STARTS WITH $prefix] AS gone
SET a.tokens = [t IN a.tokens WHERE NOT t STARTS WITH $prefix],
    a.revokedTokens = coalesce(a.revokedTokens, [])
      + [g IN gone | split(g, '{_SEP}')[0] + '{_SEP}' + split(g, '{_SEP}')[2] + '{_SEP}' + $now]
{CREATE_AUDIT}, x.target = a.id
RETURN a.name AS name
"""


async def revoke_token(store: Store, token_id: str) -> str | None:
    """Revoke a live token; the name of its account, or None when no live token has the id."""
    audit: AuditEntry = audit_entry(
        "cli", "token.revoke", "", {"tokenId": token_id}, {"tokenId": token_id, "revoked": True}
    )
    rows = await store.write(
        _REVOKE, {"prefix": token_id + _SEP, "now": now(), "audit": audit.params()}
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
    f"MATCH (a:{Label.ACCOUNT}) "
    "RETURN a.name AS name, a.admin AS admin, a.tokens AS live, a.revokedTokens AS revoked "
    "ORDER BY name"
)


def _info(name: str, admin: bool, entry: str, *, live: bool) -> TokenInfo:
    parts = entry.split(_SEP)
    if live:  # id | hash | created
        return TokenInfo(parts[0], name, admin, parts[2], None)
    return TokenInfo(parts[0], name, admin, parts[1], parts[2])  # id | created | revoked


async def list_tokens(store: Store) -> list[TokenInfo]:
    """Every token, live and revoked, without their hashes; by account, then creation."""
    found: list[TokenInfo] = []
    for row in await store.read(_LIST):
        name, admin = row["name"], bool(row["admin"])
        items: list[Any] = [_info(name, admin, e, live=True) for e in row["live"] or []]
        items += [_info(name, admin, e, live=False) for e in row["revoked"] or []]
        found += sorted(items, key=lambda t: (t.created_at, t.token_id))
    return found


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
]
