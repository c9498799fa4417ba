"""Each client's budget of query-cost points per minute (see docs/cost.md).

`Budget` is the interface the API spends through. `StoreBudget`, the API's, keeps the points in
the store (graphdb/limits.py), so every worker process spends from one budget per client.
`InProcessBudget` keeps them in this process's memory (with `auth.RateLimiter`'s buckets): for
stores that cannot keep buckets (test doubles) and for tests that move a fake clock.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from scholargraph.auth import Limit, RateLimiter
from scholargraph.graphdb import limits

_KIND = "cost"


@dataclass(frozen=True)
class Spend:
    allowed: bool
    limit: int  # points per minute
    remaining: int  # after this spend
    reset_at: datetime  # when the budget is whole again, if nothing more is spent
    retry_after: float  # seconds until this spend would be allowed; 0 when it was


class Budget(Protocol):
    limit: int

    async def spend(self, client: str, points: int) -> Spend:
        """Take `points` from the client's budget, or nothing when it holds fewer."""
        ...

    async def peek(self, client: str) -> Spend:
        """The client's budget now, spending nothing."""
        ...


class InProcessBudget:
    """A token bucket per client holding `per_minute` points, refilled continuously."""

    def __init__(
        self,
        per_minute: int,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self.limit = per_minute
        self._rate = per_minute / 60
        self._buckets = RateLimiter({_KIND: Limit(per_minute, self._rate)}, clock)
        self._wall = wall

    def _state(self, client: str, allowed: bool, retry_after: float) -> Spend:
        level = self._buckets.level(client, _KIND)
        reset = self._wall() + (self.limit - level) / self._rate
        return Spend(
            allowed=allowed,
            limit=self.limit,
            remaining=int(level),
            reset_at=datetime.fromtimestamp(reset, UTC).replace(microsecond=0),
            retry_after=retry_after,
        )

    async def spend(self, client: str, points: int) -> Spend:
        wait = await self._buckets.take(client, _KIND, cost=points)
        return self._state(client, wait == 0, wait)

    async def peek(self, client: str) -> Spend:
        return self._state(client, True, 0.0)


class StoreBudget:
    """A token bucket per client holding `per_minute` points, kept in the store."""

    def __init__(self, store: Any, per_minute: int, wall: Callable[[], float] = time.time) -> None:
        self.limit = per_minute
        self._rate = per_minute / 60
        self._store = store
        self._wall = wall

    async def _take(self, client: str, points: int) -> Spend:
        bucket = limits.Bucket(f"{_KIND}:{client}", self.limit, self._rate)
        taken = await limits.take(self._store, [bucket], points)
        level = taken.remaining[0]
        reset = self._wall() + (self.limit - level) / self._rate
        return Spend(
            allowed=taken.allowed,
            limit=self.limit,
            remaining=int(level),
            reset_at=datetime.fromtimestamp(reset, UTC).replace(microsecond=0),
            retry_after=taken.retry_after,
        )

    async def spend(self, client: str, points: int) -> Spend:
        return await self._take(client, points)

    async def peek(self, client: str) -> Spend:
        return await self._take(client, 0)


def budget_for(store: Any, per_minute: int) -> Budget:
    """The store's shared budget; an in-process one for a store that cannot keep buckets."""
    if limits.supported(store):
        return StoreBudget(store, per_minute)
    return InProcessBudget(per_minute)


__all__ = ["Budget", "InProcessBudget", "Spend", "StoreBudget", "budget_for"]
