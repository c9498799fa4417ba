"""What every store round trip reports: its metrics always, its span when tracing is on."""

from __future__ import annotations

import hashlib
import sys
import time
from functools import lru_cache
from types import TracebackType
from typing import TYPE_CHECKING

from scholargraph import metrics, tracing

if TYPE_CHECKING:
    from opentelemetry.trace import Span

# Frames of the store machinery itself; the label names the first caller outside them.
_STORE_MODULES = frozenset({
    __name__,
    "scholargraph.graphdb.falkor_store",
    "scholargraph.graphdb.neo4j_store",
})  # fmt: skip


@lru_cache(maxsize=2048)
def query_id(query: str) -> str:
    """A short, stable name for a query's text (the text holds no values: it is parameterized)."""
    return hashlib.sha256(query.encode()).hexdigest()[:12]


def caller_label() -> str:
    """`module.function` of the graphdb (or other) code that sent the query, e.g. reads.works."""
    frame = sys._getframe(1)
    while frame is not None and frame.f_globals.get("__name__") in _STORE_MODULES:
        frame = frame.f_back  # type: ignore[assignment]
    if frame is None:
        return "store"
    module = str(frame.f_globals.get("__name__", "?")).rpartition(".")[2]
    return f"{module}.{frame.f_code.co_name}"


class RoundTrip:
    """`with RoundTrip(...) as trip:` around one query; `trip.rows` may be set on success."""

    __slots__ = ("_span", "_started", "kind", "rows", "store")

    def __init__(self, store: str, kind: str, query: str) -> None:
        self.store = store
        self.kind = kind
        self.rows: int | None = None
        self._span: Span | None = None
        if tracing.active():
            self._span = tracing.store_span(store, kind, caller_label(), query_id(query))
        self._started = time.perf_counter()

    def __enter__(self) -> RoundTrip:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        seconds = time.perf_counter() - self._started
        metrics.store_round_trip(self.store, self.kind, seconds, failed=exc is not None)
        if self._span is not None:
            tracing.end_store_span(self._span, seconds, self.rows, exc)


__all__ = ["RoundTrip", "caller_label", "query_id"]
