"""API tokens and the per-account rate limiter.

A token reads `sgt_<id>_<secret>`: the id is public (listed, revoked by), the secret is random
and only its SHA-256 is stored. Authentication looks the account up by the id, then compares
the hash of the presented secret with the stored one in constant time. Tokens and secrets are
never logged; error messages never echo them.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from scholargraph.graphdb import accounts, limits
from scholargraph.graphdb.store import Store

PREFIX = "sgt"
_TOKEN = re.compile(r"^sgt_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$")
# Compared against when the token id is unknown, so a miss costs what a hit costs.
_DUMMY_HASH = hashlib.sha256(b"scholargraph: no such token").hexdigest()


class InvalidToken(ValueError):
    """Why a presented credential was refused; safe to show (it never contains the token)."""


@dataclass(frozen=True)
class IssuedToken:
    token: str  # shown once, never stored
    token_id: str
    account: accounts.Account
    account_created: bool


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def parse_token(token: str) -> tuple[str, str]:
    match = _TOKEN.match(token)
    if match is None:
        raise InvalidToken("the bearer token is malformed: expected `sgt_<id>_<secret>`")
    return match.group(1), match.group(2)


def token_of_header(header: str) -> str:
    scheme, _, credential = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not credential.strip():
        raise InvalidToken("the Authorization header must read `Bearer <token>`")
    return credential.strip()


async def authenticate(store: Store, header: str) -> accounts.Account:
    """The account an `Authorization: Bearer ...` header speaks for, in one store read."""
    token_id, secret = parse_token(token_of_header(header))
    found = await accounts.by_token_id(store, token_id)
    stored = found[1] if found else _DUMMY_HASH
    matches = hmac.compare_digest(stored, hash_secret(secret))
    if found is None or not matches:
        raise InvalidToken(
            "the bearer token is not valid (unknown or revoked); "
            "create a new one with `scholargraph token create --user NAME`"
        )
    return found[0]


async def issue_token(store: Store, name: str, *, admin: bool = False) -> IssuedToken:
    """Create the account if it is new (an existing one becomes admin with `admin`, never the
    reverse) and a fresh token for it. What the CLI and the tests both call."""
    accounts.check_name(name)
    token_id = secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    account, created = await accounts.add_token(
        store, name, token_id=token_id, token_hash=hash_secret(secret), admin=admin
    )
    return IssuedToken(f"{PREFIX}_{token_id}_{secret}", token_id, account, created)


def token_id_of(value: str) -> str:
    """A token id, from the id itself or from a whole token pasted by mistake."""
    if value.startswith(f"{PREFIX}_"):
        return parse_token(value)[0]
    if not re.fullmatch(r"[0-9a-f]{16}", value):
        raise InvalidToken("a token id is 16 hexadecimal characters (see `token list`)")
    return value


@dataclass(frozen=True)
class Limit:
    """A token bucket: `capacity` calls at once, refilled at `per_second`."""

    capacity: float
    per_second: float


# Mutations of any kind: a burst of 30, then one every two seconds, per account.
MUTATIONS = Limit(capacity=30, per_second=0.5)
# Invitations reach other people's inboxes: 5 at once, then one every 12 minutes (5 an hour).
INVITATIONS = Limit(capacity=5, per_second=1 / 720)
DEFAULT_LIMITS: dict[str, Limit] = {"mutation": MUTATIONS, "invitation": INVITATIONS}


class Limiter(Protocol):
    limits: dict[str, Limit]

    async def take(self, account: str, *kinds: str, cost: float = 1) -> float:
        """Spend `cost` tokens from each bucket, all or none: 0 when allowed, else the seconds
        to wait."""
        ...


class StoreRateLimiter:
    """Token buckets per (account, kind), kept in the store: one set for all worker processes."""

    def __init__(self, store: Any, limits: dict[str, Limit] | None = None) -> None:
        self.limits = dict(DEFAULT_LIMITS if limits is None else limits)
        self._store = store

    async def take(self, account: str, *kinds: str, cost: float = 1) -> float:
        buckets = [
            limits.Bucket(f"{kind}:{account}", self.limits[kind].capacity,
                          self.limits[kind].per_second)
            for kind in kinds
        ]  # fmt: skip
        return (await limits.take(self._store, buckets, cost)).retry_after


class RateLimiter:
    """Token buckets per (account, kind), in this process's memory: for tests with a fake
    clock and stores that cannot keep buckets. With several worker processes each would keep
    its own buckets, so the API uses `StoreRateLimiter`. Buckets of idle accounts refill to full
    and are then dropped, so memory stays proportional to recently active accounts.
    """

    def __init__(
        self,
        limits: dict[str, Limit] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limits = dict(DEFAULT_LIMITS if limits is None else limits)
        self._clock = clock
        self._buckets: dict[tuple[str, str], tuple[float, float]] = {}  # -> (tokens, at)

    def _level(self, key: tuple[str, str], now: float) -> float:
        limit = self.limits[key[1]]
        tokens, at = self._buckets.get(key, (limit.capacity, now))
        return min(limit.capacity, tokens + (now - at) * limit.per_second)

    async def take(self, account: str, *kinds: str, cost: float = 1) -> float:
        """Spend `cost` tokens from each bucket, all or none: 0 when allowed, else the seconds
        to wait. Awaits nothing, so no other coroutine can interleave between check and spend."""
        now = self._clock()
        levels = {(account, kind): self._level((account, kind), now) for kind in kinds}
        waits = [
            (cost - level) / self.limits[key[1]].per_second
            for key, level in levels.items()
            if level < cost
        ]
        if waits:
            return max(waits)
        for key, level in levels.items():
            self._buckets[key] = (level - cost, now)
        if len(self._buckets) > 10_000:
            self._forget_full(now)
        return 0.0

    def level(self, account: str, kind: str) -> float:
        """The tokens left in a bucket now (a full bucket when it was never used)."""
        return self._level((account, kind), self._clock())

    def _forget_full(self, now: float) -> None:
        for key in list(self._buckets):
            if self._level(key, now) >= self.limits[key[1]].capacity:
                del self._buckets[key]


def limiter_for(store: Any) -> Limiter:
    """The store's shared limiter; an in-process one for a store that cannot keep buckets."""
    return StoreRateLimiter(store) if limits.supported(store) else RateLimiter()


def limiter_of(state: Any) -> Limiter:
    """The app's limiter (kept on Starlette's app.state; set one there to configure it)."""
    limiter: Limiter | None = getattr(state, "rate_limiter", None)
    if limiter is None:
        limiter = limiter_for(getattr(state, "store", None))
        state.rate_limiter = limiter
    return limiter


__all__ = [
    "DEFAULT_LIMITS",
    "INVITATIONS",
    "MUTATIONS",
    "PREFIX",
    "InvalidToken",
    "IssuedToken",
    "Limit",
    "Limiter",
    "RateLimiter",
    "StoreRateLimiter",
    "authenticate",
    "hash_secret",
    "issue_token",
    "limiter_for",
    "limiter_of",
    "parse_token",
    "token_id_of",
    "token_of_header",
]
