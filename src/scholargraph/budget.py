"""Each client's budget of query-cost points per minute (see docs/cost.md).

`Budget` is the interface the API spends through; `InProcessBudget` keeps the points in this
process's memory with the token buckets of `auth.RateLimiter`, so with several worker
processes each grants the full budget. A store-backed `Budget` shares it between them.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from scholargraph.auth import Limit, RateLimiter

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
        wait = self._buckets.take(client, _KIND, cost=points)
        return self._state(client, wait == 0, wait)

    async def peek(self, client: str) -> Spend:
        return self._state(client, True, 0.0)


__all__ = ["Budget", "InProcessBudget", "Spend"]
