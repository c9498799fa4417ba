"""Each HTTP request observed once: its request id bound for the logs, its access line, and for
GraphQL its metrics and operation span (docs/observability.md)."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.types import ExecutionResult

from scholargraph import logs, metrics, tracing

# Cost that was refused rather than spent.
_UNSPENT = frozenset({"QUERY_TOO_COSTLY", "RATE_LIMITED"})
# Polled by probes and scrapers: their access lines are debug ones.
_QUIET_PATHS = frozenset({"/metrics", "/healthz", "/readyz"})


@dataclass
class Observation:
    """What one GraphQL request was, filled in as it is answered."""

    request_id: str
    operation: str | None = None  # the document's operation name
    operation_type: str | None = None  # query, mutation; None: refused before one was known
    cost: int = 0
    spent: int = 0
    codes: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return metrics.operation_label(self.operation, known=self.operation_type is not None)

    def executed(self, result: ExecutionResult) -> None:
        self.codes = [str((e.extensions or {}).get("code", "")) for e in result.errors or []]
        cost = (result.extensions or {}).get("cost")
        if isinstance(cost, dict) and isinstance(cost.get("requested"), int):
            self.cost = cost["requested"]
        if self.operation_type is not None and not _UNSPENT.intersection(self.codes):
            self.spent = self.cost

    def answered(self, response: Response) -> None:
        """Codes of an answer given without execution (a refusal, a timeout), from its body."""
        if self.codes or (response.status_code == 200 and self.operation_type is not None):
            return
        try:
            body = orjson.loads(response.body) if response.body else {}
        except orjson.JSONDecodeError:
            return
        errors = body.get("errors") if isinstance(body, dict) else None
        for error in errors if isinstance(errors, list) else []:
            extensions = error.get("extensions") if isinstance(error, dict) else None
            if isinstance(extensions, dict):
                self.codes.append(str(extensions.get("code", "")))


def of(request: Request) -> Observation:
    observation: Observation | None = getattr(request.state, "observation", None)
    if observation is None:
        observation = Observation(request.state.request_id)
        request.state.observation = observation
    return observation


@contextlib.contextmanager
def execution(request: Request) -> Iterator[Observation]:
    """Around one GraphQL execution: its span (when tracing), its observation."""
    observation = of(request)
    with tracing.operation_span(observation.request_id) as span:
        yield observation
        if span is not None:
            tracing.describe_operation(
                span, observation.operation, observation.operation_type,
                observation.cost, observation.codes,
            )  # fmt: skip


class Observed:
    """ASGI middleware, outermost: times each request, binds its id, writes its access line
    and, for GraphQL, its metrics."""

    def __init__(self, app: ASGIApp, request_id_of: Callable[[Request], str]) -> None:
        self.app = app
        self.request_id_of = request_id_of

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request = Request(scope)
        request_id = self.request_id_of(request)
        request.state.request_id = request_id  # kept in the scope for the routes
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        with logs.request(request_id):
            try:
                await self.app(scope, receive, sending)
            finally:
                self._report(request, status, time.perf_counter() - started)

    def _report(self, request: Request, status: int, seconds: float) -> None:
        observation: Observation | None = getattr(request.state, "observation", None)
        path = request.url.path
        if observation is None:
            logs.access_line(request.method, path, status, seconds, quiet=path in _QUIET_PATHS)
            return
        if status == 499 and not observation.codes:
            observation.codes.append("CLIENT_CLOSED_REQUEST")
        label = observation.label
        metrics.graphql_request(label, observation.codes, seconds, observation.spent)
        outcome = metrics.code_label(observation.codes[0]) if observation.codes else metrics.OK
        # The log names any operation (the bound is the metrics' concern), if it is a name.
        name = label if label != metrics.OTHER else metrics.operation_name(observation.operation)
        logs.access_line(
            request.method, path, status, seconds,
            operation=name, cost=observation.cost, outcome=outcome,
        )  # fmt: skip


def metrics_endpoint(request: Request) -> Response:
    body, media_type = metrics.exposition()
    return Response(body, headers={"cache-control": "no-store", "content-type": media_type})


def operation_of(context: Any, name: str | None, operation_type: str | None) -> None:
    """Called by the schema's observer once the operation is known."""
    observation = getattr(context, "extra", {}).get("observation")
    if isinstance(observation, Observation):
        observation.operation = name
        observation.operation_type = operation_type


__all__ = ["Observation", "Observed", "execution", "metrics_endpoint", "of", "operation_of"]
