"""Prometheus metrics, served at /metrics (docs/observability.md).

One process: the metrics live in prometheus-client's default registry. Several worker
processes (`serve --workers N`): with PROMETHEUS_MULTIPROC_DIR set in the environment before
the processes start, each writes its values to files in that directory and /metrics, in any
worker, adds up every process's files; the directory must be empty when the server starts.

Label values are bounded: operation names are the document's own operation names, the first
MAX_OPERATION_NAMES distinct ones a process sees; later ones count as `other`, unnamed
operations as `anonymous`, requests refused before an operation was known as `unknown`.
Outcomes and error codes are `extensions.code` values, which the server chooses.
"""

from __future__ import annotations

import os
import re

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
    multiprocess,
)

# A `_created` twin of every series doubles a scrape for a start time nobody reads.
disable_created_metrics()

MAX_OPERATION_NAMES = 100
# SCHOLARGRAPH_METRICS=false turns counting off for the process, as well as the route.
enabled = True
ANONYMOUS = "anonymous"
UNKNOWN = "unknown"
OTHER = "other"
OK = "ok"

_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,63}")
_CODE = re.compile(r"[A-Z][A-Z0-9_]{0,47}")

# Request latencies span cached answers (~1 ms) to the deadline (10 s by default).
_REQUEST_BUCKETS = (0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# One store round trip: a fraction of a millisecond on the embedded store.
_STORE_BUCKETS = (0.0002, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0)

REQUESTS = Counter(
    "scholargraph_graphql_requests",
    "GraphQL requests by operation name and outcome (ok, or the first error's extensions.code).",
    ["operation", "outcome"],
)
REQUEST_SECONDS = Histogram(
    "scholargraph_graphql_request_duration_seconds",
    "Time from a GraphQL request's arrival to its answer, by operation name.",
    ["operation"],
    buckets=_REQUEST_BUCKETS,
)
ERRORS = Counter(
    "scholargraph_graphql_errors",
    "Errors in GraphQL answers, by extensions.code (one request may carry several).",
    ["code"],
)
COST = Counter(
    "scholargraph_query_cost_points",
    "Query cost points spent (docs/cost.md) by requests that ran, by operation name.",
    ["operation"],
)
STORE_ROUND_TRIPS = Counter(
    "scholargraph_store_round_trips",
    "Store round trips (one Cypher query each), by store and kind (read or write).",
    ["store", "kind"],
)
STORE_SECONDS = Histogram(
    "scholargraph_store_round_trip_duration_seconds",
    "Time of one store round trip as the API sees it, by store and kind.",
    ["store", "kind"],
    buckets=_STORE_BUCKETS,
)
STORE_ERRORS = Counter(
    "scholargraph_store_errors",
    "Store round trips that failed (refused, unreachable, timed out), by store and kind.",
    ["store", "kind"],
)


class _StoreSeries:
    """The three series of one (store, kind), resolved once: a round trip then costs two
    increments and no label lookups."""

    __slots__ = ("errors", "round_trips", "seconds")

    def __init__(self, store: str, kind: str) -> None:
        self.round_trips = STORE_ROUND_TRIPS.labels(store, kind)
        self.seconds = STORE_SECONDS.labels(store, kind)
        self.errors = STORE_ERRORS.labels(store, kind)


_store_series: dict[tuple[str, str], _StoreSeries] = {}


def store_round_trip(store: str, kind: str, seconds: float, *, failed: bool = False) -> None:
    if not enabled:
        return
    series = _store_series.get((store, kind))
    if series is None:
        series = _store_series[(store, kind)] = _StoreSeries(store, kind)
    series.round_trips.inc()
    series.seconds.observe(seconds)
    if failed:
        series.errors.inc()


_operation_names: set[str] = set()


def operation_label(name: str | None, *, known: bool = True) -> str:
    """The bounded label of an operation name (see the module's docstring)."""
    if not known:
        return UNKNOWN
    if not name:
        return ANONYMOUS
    if name in _operation_names:
        return name
    if not _NAME.fullmatch(name) or len(_operation_names) >= MAX_OPERATION_NAMES:
        return OTHER
    _operation_names.add(name)
    return name


def operation_name(name: str | None) -> str:
    """The name itself if it is a GraphQL name (unbounded: for logs, not labels)."""
    if not name:
        return ANONYMOUS
    return name if _NAME.fullmatch(name) else OTHER


def code_label(code: str) -> str:
    return code if _CODE.fullmatch(code) else OTHER


def graphql_request(
    operation: str, codes: list[str], seconds: float, cost_spent: int
) -> None:
    """One answered GraphQL request: `operation` already bounded, `codes` of its errors."""
    if not enabled:
        return
    REQUESTS.labels(operation, code_label(codes[0]) if codes else OK).inc()
    REQUEST_SECONDS.labels(operation).observe(seconds)
    for code in codes:
        ERRORS.labels(code_label(code)).inc()
    if cost_spent > 0:
        COST.labels(operation).inc(cost_spent)


def exposition() -> tuple[bytes, str]:
    """The text format of every metric (of every worker process in multiprocess mode)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST


__all__ = [
    "ANONYMOUS",
    "MAX_OPERATION_NAMES",
    "OK",
    "OTHER",
    "UNKNOWN",
    "code_label",
    "exposition",
    "graphql_request",
    "operation_label",
    "operation_name",
    "store_round_trip",
]
