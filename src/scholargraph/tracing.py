"""OpenTelemetry traces, opt-in through the standard OTEL_* variables (docs/observability.md).

Off unless OTEL_TRACES_EXPORTER names an exporter (`otlp`, `console`) or an OTLP endpoint is
set (OTEL_EXPORTER_OTLP_ENDPOINT / OTEL_EXPORTER_OTLP_TRACES_ENDPOINT); OTEL_SDK_DISABLED=true
turns it off again. Off, nothing of OpenTelemetry is imported and every hook is one check of
a module global.

Spans: one per GraphQL operation; one per resolver that reaches the store, and only those
(a resolver's span is made when its first store query starts, backdated to the resolver's
start, so the thousands of resolvers that read loaded values cost no span); one per store
query, a child of that resolver's span (or of the operation's), with the round-trip time and a
label naming the graphdb function that sent it, never the parameters.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import os
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from opentelemetry.context import Context as OtelContext
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SpanExporter
    from opentelemetry.trace import Span, Tracer

log = logging.getLogger(__name__)

T = TypeVar("T")

_tracer: Tracer | None = None
_provider: TracerProvider | None = None


def active() -> bool:
    return _tracer is not None


def wanted(environ: Mapping[str, str] | None = None) -> bool:
    """Whether the OTEL_* variables ask for traces."""
    env = os.environ if environ is None else environ
    if env.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return False
    exporters = env.get("OTEL_TRACES_EXPORTER")
    if exporters is not None:
        return any(name.strip() not in ("", "none") for name in exporters.split(","))
    return bool(
        env.get("OTEL_EXPORTER_OTLP_ENDPOINT") or env.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
    )


def _exporter(name: str, env: Mapping[str, str]) -> SpanExporter | None:
    if name == "console":
        from opentelemetry.sdk.trace.export import ConsoleSpanExporter

        return ConsoleSpanExporter()
    if name != "otlp":
        log.warning("OTEL_TRACES_EXPORTER=%s is not supported here (otlp, console)", name)
        return None
    protocol = env.get(
        "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", env.get("OTEL_EXPORTER_OTLP_PROTOCOL", "")
    )
    module = "grpc" if protocol.strip() == "grpc" else "http"
    try:
        exporters = importlib.import_module(
            f"opentelemetry.exporter.otlp.proto.{module}.trace_exporter"
        )
        exporter: SpanExporter = exporters.OTLPSpanExporter()
        return exporter
    except ImportError:
        log.warning(
            "traces asked for over OTLP, but the exporter is not installed: "
            "pip install 'scholargraph[otlp]' (or opentelemetry-exporter-otlp-proto-grpc)"
        )
        return None


def configure(environ: Mapping[str, str] | None = None) -> bool:
    """Install a tracer provider from the OTEL_* variables, once per process; True if on."""
    if _tracer is not None:
        return True
    env = os.environ if environ is None else environ
    if not wanted(env):
        return False
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    names = [n.strip() for n in env.get("OTEL_TRACES_EXPORTER", "otlp").split(",")]
    exporters = [e for e in (_exporter(n, env) for n in names if n not in ("", "none")) if e]
    if not exporters:
        return False
    # Resource.create reads OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES; the sampler comes
    # from OTEL_TRACES_SAMPLER, the batching from OTEL_BSP_*.
    attributes = {} if env.get("OTEL_SERVICE_NAME") else {"service.name": "scholargraph"}
    provider = TracerProvider(resource=Resource.create(attributes))
    for exporter in exporters:
        provider.add_span_processor(BatchSpanProcessor(exporter))
    install(provider)
    return True


def install(provider: TracerProvider) -> None:
    """Trace with `provider` (configure() does it from the environment; tests directly)."""
    global _tracer, _provider
    _provider = provider
    _tracer = provider.get_tracer("scholargraph")


def uninstall() -> None:
    global _tracer, _provider
    _tracer = _provider = None


# ------------------------------------------------------------------------------- operations


@contextlib.contextmanager
def operation_span(request_id: str) -> Iterator[Span | None]:
    """The current GraphQL operation's span (None when tracing is off); named at its end."""
    tracer = _tracer
    if tracer is None:
        yield None
        return
    from opentelemetry.trace import SpanKind

    with tracer.start_as_current_span(
        "graphql.operation",
        kind=SpanKind.INTERNAL,
        attributes={"scholargraph.request_id": request_id},
    ) as span:
        yield span


def describe_operation(
    span: Span, name: str | None, operation_type: str | None, cost: int, codes: list[str]
) -> None:
    from opentelemetry.trace import Status, StatusCode

    if operation_type:
        span.set_attribute("graphql.operation.type", operation_type)
    if name:
        span.set_attribute("graphql.operation.name", name)
    span.update_name(" ".join(p for p in (operation_type, name) if p) or "graphql.operation")
    span.set_attribute("scholargraph.cost", cost)
    if codes:
        span.set_attribute("graphql.error.codes", codes)
        span.set_status(Status(StatusCode.ERROR, codes[0]))


# -------------------------------------------------------------------------------- resolvers


class _Resolver:
    """A resolver running now; its span exists only once it reaches the store."""

    __slots__ = ("describe", "name", "parent", "span", "started_ns")

    def __init__(self, name: str, describe: Callable[[], dict[str, Any]]) -> None:
        from opentelemetry import context

        self.name = name
        self.describe = describe
        self.parent: OtelContext = context.get_current()
        self.started_ns = time.time_ns()
        self.span: Span | None = None

    def materialize(self, tracer: Tracer) -> Span:
        if self.span is None:
            self.span = tracer.start_span(
                self.name, context=self.parent, start_time=self.started_ns,
                attributes=self.describe(),
            )  # fmt: skip
        return self.span


_resolver: ContextVar[_Resolver | None] = ContextVar("scholargraph_resolver", default=None)


async def resolver(
    awaitable: Awaitable[T], name: str, describe: Callable[[], dict[str, Any]]
) -> T:
    """Await a resolver's result; the DataLoader batches it starts inherit it (their tasks copy
    the context), so the store queries they send become children of its span."""
    current = _Resolver(name, describe)
    token = _resolver.set(current)
    try:
        return await awaitable
    except BaseException as exc:
        if current.span is not None:
            _failed(current.span, exc)
        raise
    finally:
        _resolver.reset(token)
        if current.span is not None:
            current.span.end()


# ------------------------------------------------------------------------------ store calls


def store_span(system: str, kind: str, label: str, query_id: str) -> Span | None:
    tracer = _tracer
    if tracer is None:
        return None
    from opentelemetry import trace

    parent = None
    current = _resolver.get()
    if current is not None:
        parent = trace.set_span_in_context(current.materialize(tracer))
    return tracer.start_span(
        f"{kind} {label}",
        context=parent,
        kind=trace.SpanKind.CLIENT,
        attributes={
            "db.system": system,
            "scholargraph.store.kind": kind,
            "scholargraph.query.label": label,
            "scholargraph.query.id": query_id,
        },
    )


def end_store_span(
    span: Span, seconds: float, rows: int | None, error: BaseException | None
) -> None:
    span.set_attribute("scholargraph.round_trip_ms", round(seconds * 1000, 3))
    if rows is not None:
        span.set_attribute("db.response.returned_rows", rows)
    if error is not None:
        _failed(span, error)
    span.end()


def _failed(span: Span, error: BaseException) -> None:
    # The type only: an engine's message may quote the values a query was given.
    from opentelemetry.trace import Status, StatusCode

    span.set_status(Status(StatusCode.ERROR, type(error).__name__))


__all__ = [
    "active",
    "configure",
    "describe_operation",
    "end_store_span",
    "install",
    "operation_span",
    "resolver",
    "store_span",
    "uninstall",
    "wanted",
]
