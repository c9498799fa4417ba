"""Subscriptions' resolvers, and the one change-feed poller per API process that feeds them.

Events come from the store's change feed (graphdb/events.py), never from this process's
memory, so a change made through any API process (or the CLI's importer) reaches subscribers
on every process. The poller runs only while this process has a subscriber.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncGenerator, Awaitable, Callable

from scholargraph.errors import ApiError, BadUserInput, NotFound, Unauthenticated
from scholargraph.graphdb import events
from scholargraph.graphdb.events import Event
from scholargraph.graphdb.model import Label
from scholargraph.graphdb.store import Store
from scholargraph.resolvers.context import Context
from scholargraph.resolvers.loaders import Loaders
from scholargraph.resolvers.profile import checked_label

log = logging.getLogger(__name__)

POLL_INTERVAL_S = 0.25
BATCH = 500
QUEUE_SIZE = 1_000  # events a subscriber may fall behind by before it is dropped
PRUNE_EVERY_S = 30.0
_RETRY_S = (0.5, 1.0, 2.0, 5.0)


class TooSlow(ApiError):
    code = "SUBSCRIBER_TOO_SLOW"


class Listener:
    """One subscription's view of the feed: the events after `start`, in seq order."""

    def __init__(self, hub: ChangeHub) -> None:
        self._hub = hub
        self._queue: asyncio.Queue[Event | None] = asyncio.Queue(QUEUE_SIZE)
        self.start: int | None = None  # set once registered; earlier events are not ours
        self.overflowed = False

    def offer(self, batch: list[Event]) -> None:
        for event in batch:
            if self.overflowed:
                return
            try:
                self._queue.put_nowait(event)
            except asyncio.QueueFull:
                self.overflowed = True
                self._queue.get_nowait()  # room for the sentinel that ends the subscription
                self._queue.put_nowait(None)

    async def next(self) -> Event:
        while True:
            event = await self._queue.get()
            if event is None:
                raise TooSlow(
                    f"this subscription fell more than {QUEUE_SIZE} events behind and was "
                    "ended; subscribe again"
                )
            if self.start is not None and event.seq > self.start:
                return event

    def close(self) -> None:
        self._hub.leave(self)


class ChangeHub:
    """The process's poller of the change feed and its fan-out to local listeners."""

    def __init__(self, interval_s: float = POLL_INTERVAL_S) -> None:
        self.interval_s = interval_s
        self._listeners: set[Listener] = set()
        self._task: asyncio.Task[None] | None = None
        self._cursor = 0

    @property
    def listeners(self) -> int:
        return len(self._listeners)

    async def listen(self, store: Store) -> Listener:
        """A registered listener: it gets every event committed after this call returns."""
        listener = Listener(self)
        self._listeners.add(listener)
        try:
            # Registered before the head is read: an event the poller fetches meanwhile is
            # queued and then kept or dropped by its seq alone.
            listener.start = await events.head(store)
        except BaseException:
            self.leave(listener)
            raise
        if self._task is None or self._task.done():
            self._cursor = listener.start
            self._task = asyncio.create_task(self._poll(store), name="change-feed poller")
        return listener

    def leave(self, listener: Listener) -> None:
        self._listeners.discard(listener)
        if not self._listeners and self._task is not None:
            self._task.cancel()
            self._task = None

    async def close(self) -> None:
        task, self._task = self._task, None
        self._listeners.clear()
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _poll(self, store: Store) -> None:
        failures = 0
        pruned_at = 0.0
        while True:
            try:
                batch = await events.events_after(store, self._cursor, BATCH)
                if time.monotonic() - pruned_at > PRUNE_EVERY_S:
                    pruned_at = time.monotonic()
                    await events.prune(store)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the store is away: keep the cursor, retry, lose nothing
                wait = _RETRY_S[min(failures, len(_RETRY_S) - 1)]
                failures += 1
                log.warning("change feed poll failed (retrying in %.1f s): %s", wait, exc)
                await asyncio.sleep(wait)
                continue
            failures = 0
            if batch:
                self._cursor = batch[-1].seq
                for listener in list(self._listeners):
                    listener.offer(batch)
            if len(batch) < BATCH:
                await asyncio.sleep(self.interval_s)


def hub_of(ctx: Context) -> ChangeHub:
    hub = ctx.extra.get("changes")
    if not isinstance(hub, ChangeHub):
        raise RuntimeError("the context carries no change hub (app.state.changes)")
    return hub


def _listening(ctx: Context) -> None:
    # The WebSocket transport waits for this before it reads the client's next message, so a
    # `pong` after a `subscribe` means the subscription hears every later change.
    signal: Callable[[], None] | None = ctx.extra.get("on_listening")
    if signal is not None:
        signal()


async def _stream(
    ctx: Context, hub: ChangeHub, wanted: Callable[[Event], Awaitable[bool]]
) -> AsyncGenerator[Event, None]:
    # Registered once iterated (at once, by the executor), so an abandoned stream holds nothing.
    listener = await hub.listen(ctx.store)
    try:
        _listening(ctx)
        while True:
            event = await listener.next()
            if not await wanted(event):
                continue
            # Each event is read afresh: a long subscription must not serve cached nodes.
            ctx.loaders = Loaders(ctx.store)
            yield event
    finally:
        listener.close()


async def researcher_changed(ctx: Context, researcher_id: str) -> AsyncGenerator[Event, None]:
    """Every change of one researcher: works, talks, awards added, followers, trust."""
    if checked_label(researcher_id) is not Label.RESEARCHER:
        raise BadUserInput(f"{researcher_id[:80]!r} is not a researcher id", argument="id")
    if await ctx.loaders.node.load(researcher_id) is None:
        raise NotFound(f"no researcher has the id {researcher_id[:80]!r}", argument="id")
    hub = hub_of(ctx)

    async def about(event: Event) -> bool:
        return event.researcher_id == researcher_id

    return _stream(ctx, hub, about)


async def followed_activity(ctx: Context) -> AsyncGenerator[Event, None]:
    """New works, talks and awards of the researchers the caller follows at the time."""
    account = ctx.account
    if account is None or ctx.extra.get("auth_error"):
        reason = ctx.extra.get("auth_error") or "no bearer token came with connection_init"
        raise Unauthenticated(
            f"followedActivity needs an API token: {reason}; send "
            '{"Authorization": "Bearer <token>"} as connection_init\'s payload'
        )
    hub = hub_of(ctx)

    async def followed(event: Event) -> bool:
        if event.kind not in events.ACTIVITY:
            return False
        return bool(await events.followed_among(ctx.store, account.id, [event.researcher_id]))

    return _stream(ctx, hub, followed)


__all__ = [
    "BATCH",
    "POLL_INTERVAL_S",
    "QUEUE_SIZE",
    "ChangeHub",
    "Listener",
    "TooSlow",
    "followed_activity",
    "hub_of",
    "researcher_changed",
]
