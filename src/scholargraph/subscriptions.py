"""GraphQL over WebSocket at /graphql, with the graphql-transport-ws protocol.

https://github.com/enisdenjo/graphql-ws/blob/master/PROTOCOL.md: the client sends
`connection_init` (its payload may carry `{"Authorization": "Bearer <token>"}`), the server
answers `connection_ack`; then `subscribe {id, payload}` starts an operation whose results
come as `next` messages and end with `complete` (either side may send it for an id), or with
one `error` when the operation is refused before it runs. `ping`/`pong` either way. Protocol
mistakes close the socket: 4400 (a bad message), 4401 (subscribe before the ack), 4406 (the
wrong subprotocol), 4408 (no connection_init in time), 4409 (an id already in use), 4429 (a
second connection_init).

Operations run on the HTTP endpoint's schema with the same context (app.py `context_of`),
limits and error codes; a subscription's cost is counted and charged once, when it starts.
Queries and mutations go over HTTP. The server reads the client's next message only once a
new subscription listens to the change feed, so a `pong` after a `subscribe` means every
change committed from then on will reach it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import orjson
from graphql import GraphQLError
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketDisconnect
from strawberry.schema import Schema
from strawberry.types import ExecutionResult
from strawberry.types.execution import PreExecutionError

from scholargraph.graphdb.store import StoreError
from scholargraph.resolvers.context import Context
from scholargraph.transport import Refusal, params_of

log = logging.getLogger(__name__)

PROTOCOL = "graphql-transport-ws"
INIT_TIMEOUT_S = 10.0
MAX_SUBSCRIPTIONS = 50  # per connection
# How long a subscribe may take to start listening before the next message is read anyway.
START_TIMEOUT_S = 10.0
_SERVER_MESSAGES = ("connection_ack", "next", "error")

MakeContext = Callable[[WebSocket, str | None], Awaitable[Context]]


class _Close(Exception):
    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason.encode()[:120].decode(errors="ignore")  # a close reason's limit


def _dumps(message: dict[str, Any]) -> str:
    try:
        return orjson.dumps(message).decode()
    except TypeError:  # lone surrogates: ASCII escapes carry them
        return json.dumps(message, ensure_ascii=True, default=str)


def _refused(result: ExecutionResult) -> bool:
    # As on HTTP: errors before execution carry no path, field errors always do.
    errors = result.errors or []
    return result.data is None and bool(errors) and all(not e.path for e in errors)


def _error(message: str, code: str) -> list[Any]:
    return [GraphQLError(message, extensions={"code": code}).formatted]


class GraphQLWebSocket:
    """The ASGI app for WebSocket connections to /graphql."""

    def __init__(
        self,
        schema: Schema,
        make_context: MakeContext,
        max_message_bytes: int,
        init_timeout_s: float = INIT_TIMEOUT_S,
    ) -> None:
        self.schema = schema
        self.make_context = make_context
        self.max_message_bytes = max_message_bytes
        self.init_timeout_s = init_timeout_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await _Connection(self, WebSocket(scope, receive, send)).run()


class _Connection:
    def __init__(self, server: GraphQLWebSocket, websocket: WebSocket) -> None:
        self.server = server
        self.ws = websocket
        self.init_seen = False
        self.acked = False
        self.authorization: str | None = None
        self.operations: dict[str, asyncio.Task[None]] = {}
        self._sending = asyncio.Lock()

    async def send(self, message: dict[str, Any]) -> None:
        async with self._sending:
            await self.ws.send_text(_dumps(message))

    async def close(self, code: int, reason: str) -> None:
        with contextlib.suppress(Exception):  # the client may be gone already
            async with self._sending:
                await self.ws.close(code, reason)

    async def run(self) -> None:
        if PROTOCOL not in self.ws.scope.get("subprotocols", []):
            await self.ws.accept()
            await self.close(4406, f"Subprotocol not acceptable: use {PROTOCOL}")
            return
        await self.ws.accept(subprotocol=PROTOCOL)
        watchdog = asyncio.create_task(self._init_timeout())
        try:
            while True:
                message = await self.ws.receive()
                if message["type"] == "websocket.disconnect":
                    return
                await self._handle(self._parse(message))
        except _Close as close:
            await self.close(close.code, close.reason)
        except WebSocketDisconnect:
            pass
        finally:
            watchdog.cancel()
            tasks = list(self.operations.values())
            self.operations.clear()
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def _init_timeout(self) -> None:
        await asyncio.sleep(self.server.init_timeout_s)
        if not self.init_seen:
            await self.close(4408, "Connection initialisation timeout")

    def _parse(self, message: Mapping[str, Any]) -> dict[str, Any]:
        text = message.get("text")
        if text is None:
            raise _Close(4400, "Binary frames are not part of graphql-transport-ws: send JSON text")
        if len(text) > self.server.max_message_bytes:
            raise _Close(1009, f"Message larger than {self.server.max_message_bytes} bytes")
        try:
            parsed = orjson.loads(text)
        except orjson.JSONDecodeError:
            raise _Close(4400, "Invalid message: not JSON") from None
        if not isinstance(parsed, dict) or not isinstance(parsed.get("type"), str):
            raise _Close(4400, "Invalid message: expected an object with a string `type`")
        return parsed

    async def _handle(self, message: dict[str, Any]) -> None:
        kind = message["type"]
        if kind == "connection_init":
            await self._init(message.get("payload"))
        elif kind == "ping":
            await self.send({"type": "pong"})
        elif kind == "pong":
            pass
        elif kind == "subscribe":
            await self._subscribe(message)
        elif kind == "complete":
            operation = message.get("id")
            task = self.operations.pop(operation, None) if isinstance(operation, str) else None
            if task is not None:
                task.cancel()
        elif kind in _SERVER_MESSAGES:
            raise _Close(4400, f"Invalid message: `{kind}` is sent by servers, not clients")
        else:
            raise _Close(4400, f"Invalid message type {kind[:40]!r}")

    async def _init(self, payload: Any) -> None:
        if self.init_seen:
            raise _Close(4429, "Too many initialisation requests")
        self.init_seen = True
        if payload is not None and not isinstance(payload, dict):
            raise _Close(4400, "Invalid message: connection_init's payload must be an object")
        given = {str(k).lower(): v for k, v in (payload or {}).items()}
        authorization = given.get("authorization")
        if authorization is not None and not isinstance(authorization, str):
            raise _Close(4400, "Invalid message: Authorization must be a string")
        # A browser cannot set headers on a WebSocket; other clients may use the header.
        self.authorization = authorization or self.ws.headers.get("authorization")
        await self.send({"type": "connection_ack"})
        self.acked = True

    async def _subscribe(self, message: dict[str, Any]) -> None:
        if not self.acked:
            raise _Close(4401, "Unauthorized")
        operation, payload = message.get("id"), message.get("payload")
        if not isinstance(operation, str) or not operation or len(operation) > 200:
            raise _Close(4400, "Invalid message: subscribe needs an `id`, a non-empty string")
        if not isinstance(payload, dict):
            raise _Close(4400, "Invalid message: subscribe needs a `payload` object")
        if operation in self.operations:
            raise _Close(4409, f"Subscriber for {operation[:80]} already exists")
        try:
            params = params_of(payload)
        except Refusal as refusal:
            await self.send({"id": operation, "type": "error",
                             "payload": _error(refusal.message, refusal.code)})  # fmt: skip
            return
        if params.query is None:
            problem = "persisted queries are served over HTTP only; send the `query` text"
            await self.send({"id": operation, "type": "error",
                             "payload": _error(problem, "BAD_REQUEST")})  # fmt: skip
            return
        if len(self.operations) >= MAX_SUBSCRIPTIONS:
            problem = f"a connection holds at most {MAX_SUBSCRIPTIONS} subscriptions"
            await self.send({"id": operation, "type": "error",
                             "payload": _error(problem, "BAD_REQUEST")})  # fmt: skip
            return
        try:
            context = await self.server.make_context(self.ws, self.authorization)
        except StoreError:
            problem = "The graph store is unavailable; try again shortly."
            await self.send({"id": operation, "type": "error",
                             "payload": _error(problem, "STORE_UNAVAILABLE")})  # fmt: skip
            return
        listening = asyncio.Event()
        context.extra["on_listening"] = listening.set
        task = asyncio.create_task(self._run(operation, params.query, payload, context))
        self.operations[operation] = task
        waiter = asyncio.create_task(listening.wait())
        await asyncio.wait({task, waiter}, timeout=START_TIMEOUT_S,
                           return_when=asyncio.FIRST_COMPLETED)  # fmt: skip
        waiter.cancel()

    async def _run(
        self, operation: str, query: str, payload: dict[str, Any], context: Context
    ) -> None:
        try:
            stream = await self.server.schema.subscribe(
                query,
                variable_values=payload.get("variables"),
                context_value=context,
                operation_name=payload.get("operationName") or None,
                operation_extensions=payload.get("extensions"),
            )
            first = True
            async with contextlib.aclosing(stream):
                async for result in stream:
                    # Refused before it listens: its source stream could not start (an unknown
                    # id, no token), or an extension refused it (cost, input).
                    if first and (isinstance(result, PreExecutionError) or _refused(result)):
                        errors = [e.formatted for e in result.errors or []]
                        await self.send({"id": operation, "type": "error", "payload": errors})
                        return
                    first = False
                    body: dict[str, Any] = {"data": result.data}
                    if result.errors:
                        body["errors"] = [e.formatted for e in result.errors]
                    if result.extensions:
                        body["extensions"] = result.extensions
                    await self.send({"id": operation, "type": "next", "payload": body})
            await self.send({"id": operation, "type": "complete"})
        except asyncio.CancelledError:
            raise  # the client completed it or went away: nothing to send
        except Exception:
            log.exception("subscription %s failed (request %s)", operation, context.request_id)
            with contextlib.suppress(Exception):
                await self.send({"id": operation, "type": "error", "payload": _error(
                    "Internal server error; quote the requestId when reporting it.",
                    "INTERNAL_SERVER_ERROR",
                )})  # fmt: skip
        finally:
            if self.operations.get(operation) is asyncio.current_task():
                del self.operations[operation]


__all__ = ["INIT_TIMEOUT_S", "MAX_SUBSCRIPTIONS", "PROTOCOL", "GraphQLWebSocket"]
