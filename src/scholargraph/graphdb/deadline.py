"""The deadline of the request a store call serves, carried in a context variable.

The API opens a `Deadline` around each GraphQL request (`within`); every store call made while
it runs (in the request's task or in the DataLoader tasks it starts, which copy the context)
passes the time left to the database as its own timeout and is cut off at the deadline on the
client side. `Deadline.cancel()` (a client that went away) cuts off the calls in flight at
once. Store calls outside a request (imports, the CLI) have no deadline.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
from collections.abc import AsyncIterator, Iterator
from contextvars import ContextVar

from scholargraph.graphdb.store import StoreError


class QueryTimeout(StoreError):
    """The request's deadline passed (or its client went away) while the store worked."""


class Deadline:
    def __init__(self, seconds: float) -> None:
        self._loop = asyncio.get_running_loop()
        self.at = self._loop.time() + seconds
        self.cancelled = False
        self._guards: set[asyncio.Timeout] = set()

    def remaining(self) -> float:
        return max(0.0, self.at - self._loop.time())

    def remaining_ms(self, cap: int | None = None) -> int:
        """The time left in whole milliseconds (at least 1), at most `cap`."""
        left = max(1, math.ceil(self.remaining() * 1000))
        return left if cap is None else min(cap, left)

    def cancel(self) -> None:
        """Cut off every store call in flight now, and refuse the ones that follow."""
        self.cancelled = True
        self.at = self._loop.time()
        for guard in list(self._guards):
            if guard.expired():
                continue
            guard.reschedule(self.at)

    @contextlib.asynccontextmanager
    async def guard(self) -> AsyncIterator[None]:
        """Run one store call within the deadline; past it, QueryTimeout."""
        if self.cancelled or self.remaining() <= 0:
            raise QueryTimeout("the request's deadline passed before this store call")
        try:
            async with asyncio.timeout_at(self.at) as timeout:
                self._guards.add(timeout)
                try:
                    yield
                finally:
                    self._guards.discard(timeout)
        except TimeoutError as exc:
            raise QueryTimeout("the request's deadline passed during this store call") from exc


_current: ContextVar[Deadline | None] = ContextVar("scholargraph_deadline", default=None)


def current() -> Deadline | None:
    return _current.get()


@contextlib.contextmanager
def within(deadline: Deadline) -> Iterator[Deadline]:
    token = _current.set(deadline)
    try:
        yield deadline
    finally:
        _current.reset(token)


@contextlib.asynccontextmanager
async def guarded() -> AsyncIterator[Deadline | None]:
    """The current deadline's guard around one store call; nothing without a deadline."""
    deadline = _current.get()
    if deadline is None:
        yield None
        return
    async with deadline.guard():
        yield deadline


__all__ = ["Deadline", "QueryTimeout", "current", "guarded", "within"]
