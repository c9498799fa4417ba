"""GraphQL over HTTP, as https://graphql.github.io/graphql-over-http/draft/ asks of servers.

Requests: POST with an `application/json` body in UTF-8 (queries and mutations), or GET with
the parameters in the URL (queries only; a mutation answers 405). The body is read up to a
size limit (413) and parsed by orjson, whose nesting limit cannot exhaust the stack.

Responses: the media type the `Accept` header prefers among `application/graphql-response+json`
and `application/json` (none acceptable: 406). With `application/graphql-response+json` a
request that fails before execution (parse, validation, variable coercion, operation selection,
a refused input or cost) answers 4xx without a `data` entry; `application/json` (also what
`*/*` or no Accept header gets) answers those 200, as legacy clients expect. Requests that are
not GraphQL requests at all (wrong method, media type, size, encoding, JSON or members) answer
4xx with a GraphQL-shaped error body either way. A refused request never costs a store call.

Deadlines: each request runs under a whole-request deadline (graphdb/deadline.py). Past it,
the store calls in flight are cut off (and told the time left as their own timeout, so the
database stops them too), the execution task is cancelled, and the answer is 504 with
QUERY_TIMEOUT. A client that disconnects while its request runs cancels the same way.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any

import orjson
from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import Receive, Scope, Send
from strawberry.exceptions import MissingQueryError
from strawberry.http.ides import get_graphql_ide_html
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from scholargraph import persisted
from scholargraph.errors import BadUserInput
from scholargraph.graphdb import deadline

log = logging.getLogger(__name__)

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
# Deeper than any variables an operation of this schema takes, far below orjson's own 1024.
MAX_JSON_DEPTH = 64


class Refusal(Exception):
    """A request refused before GraphQL sees it: its status, code and what to fix."""

    def __init__(
        self, status: int, code: str, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


def _bad_request(message: str) -> Refusal:
    return Refusal(400, "BAD_REQUEST", message)


@dataclass(frozen=True)
class Params:
    query: str | None  # None: a persisted query's hash stands for it (persisted.py)
    variables: dict[str, Any] | None
    operation_name: str | None
    extensions: dict[str, Any] | None


# ------------------------------------------------------------------------ content negotiation


@dataclass(frozen=True)
class _Range:
    type: str
    subtype: str
    q: float
    params: dict[str, str]

    def matches(self, media: str) -> int:
        """How specifically this range names `media`: 3 exactly, 2 by type, 1 by */*, else 0."""
        charset = self.params.get("charset", "utf-8").lower()
        if charset not in ("utf-8", "utf8"):
            return 0  # we answer in UTF-8 only
        kind, _, sub = media.partition("/")
        if (self.type, self.subtype) == (kind, sub):
            return 3
        if self.type == kind and self.subtype == "*":
            return 2
        return 1 if (self.type, self.subtype) == ("*", "*") else 0


def _media_params(parts: list[str]) -> dict[str, str]:
    params = {}
    for part in parts:
        key, _, value = part.partition("=")
        params[key.strip().lower()] = value.strip().strip('"')
    return params


def _ranges(accept: str) -> list[_Range]:
    ranges = []
    for item in accept.split(","):
        media, *rest = item.split(";")
        kind, slash, sub = media.strip().lower().partition("/")
        if not slash or not kind or not sub:
            continue  # not a media range: ignored, as RFC 9110 lets a server do
        params = _media_params(rest)
        try:
            q = float(params.pop("q", "1"))
        except ValueError:
            continue
        if math.isfinite(q) and 0 <= q <= 1:
            ranges.append(_Range(kind, sub, q, params))
    return ranges


def negotiate(accept: str | None) -> str | None:
    """The response media type for this Accept header, or None when neither is acceptable."""
    if accept is None or not accept.strip():
        return JSON  # a client that names nothing is taken for a legacy one
    ranges = _ranges(accept)
    best: tuple[float, int, int] | None = None
    chosen = None
    # Ties go to application/json for wildcards (legacy clients send */*) and to
    # application/graphql-response+json when the client named both alike.
    for preference, media in enumerate((JSON, GRAPHQL_RESPONSE)):
        matching = [(r.matches(media), r.q) for r in ranges if r.matches(media)]
        if not matching:
            continue
        specificity, q = max(matching)
        key = (q, specificity, preference if specificity == 3 else -preference)
        if q > 0 and (best is None or key > best):
            best, chosen = key, media
    return chosen


def accepts_html(accept: str | None) -> bool:
    return any(r.type == "text" and r.subtype == "html" and r.q > 0 for r in _ranges(accept or ""))


# ----------------------------------------------------------------------------- request parsing


def _too_deep(value: Any) -> bool:
    # Iterative: the point is to refuse what recursion could not handle.
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            return True
        if isinstance(item, dict):
            stack.extend((member, depth + 1) for member in item.values())
        elif isinstance(item, list):
            stack.extend((member, depth + 1) for member in item)
    return False


def parse_json(text: str, what: str) -> Any:
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        reason = str(exc)
        if "infinity" in reason:
            raise Refusal(
                400,
                BadUserInput.code,
                f"{what} holds a number too large for a double ({reason}): numbers must be finite",
            ) from None
        if "surrogate" in reason:
            raise Refusal(
                400,
                BadUserInput.code,
                f"{what} holds a lone surrogate ({reason}): strings "
                "may not hold NUL, lone surrogates or Unicode non-characters",
            ) from None
        if "depth" in reason or "recursion" in reason:
            reason = f"nested deeper than {MAX_JSON_DEPTH} levels"
        raise _bad_request(f"{what} is not valid JSON: {reason}") from None
    if _too_deep(value):
        raise _bad_request(f"{what} is nested deeper than {MAX_JSON_DEPTH} levels")
    return value


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean"}.get(
        type(value), "a number"
    )


def params_of(data: Any) -> Params:
    """The GraphQL-over-HTTP request parameters, or BAD_REQUEST saying which is wrong."""
    if not isinstance(data, dict):
        raise _bad_request(
            f"the request is {_json_type(data)}; send a JSON object such as "
            '{"query": "{ __typename }", "variables": {}}'
        )
    query = data.get("query")
    extensions = data.get("extensions")
    if extensions is not None and not isinstance(extensions, dict):
        raise _bad_request(
            f"`extensions` must be an object or null; got {_json_type(extensions)}"
        )
    if query is None and "persistedQuery" not in (extensions or {}):
        raise _bad_request("the request has no `query`: send the GraphQL document as a string")
    if query is not None and not isinstance(query, str):
        raise _bad_request(f"`query` must be a string; got {_json_type(query)}")
    variables = data.get("variables")
    if variables is not None and not isinstance(variables, dict):
        raise _bad_request(f"`variables` must be an object or null; got {_json_type(variables)}")
    operation_name = data.get("operationName")
    if operation_name is not None and not isinstance(operation_name, str):
        raise _bad_request(
            f"`operationName` must be a string or null; got {_json_type(operation_name)}"
        )
    return Params(query, variables, operation_name or None, extensions)


def _content_type(header: str | None) -> None:
    if header is None or not header.strip():
        raise Refusal(415, "UNSUPPORTED_MEDIA_TYPE", "send the body with Content-Type: " + JSON)
    media, *rest = header.split(";")
    if media.strip().lower() != JSON:
        raise Refusal(
            415,
            "UNSUPPORTED_MEDIA_TYPE",
            f"a body of type {media.strip()[:60]!r} is not supported; send {JSON}",
        )
    charset = _media_params(rest).get("charset", "utf-8").lower()
    if charset not in ("utf-8", "utf8"):
        raise Refusal(
            415,
            "UNSUPPORTED_MEDIA_TYPE",
            f"the body must be UTF-8; charset {charset[:30]!r} is not supported",
        )


async def _body(request: Request, limit: int) -> bytes:
    too_large = Refusal(413, "PAYLOAD_TOO_LARGE", f"the body is larger than {limit:,} bytes")
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.strip().isdigit():
            raise _bad_request("Content-Length is not a number")
        if int(declared) > limit:
            raise too_large
    chunks, size = [], 0
    # Counted as it arrives: a client may send more than it declared, or declare nothing.
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


async def read_params(request: Request, max_bytes: int) -> Params:
    if request.method == "GET":
        if len(request.url.query) > max_bytes:
            raise Refusal(414, "URI_TOO_LONG", f"the query string is longer than {max_bytes:,} "
                          "bytes; send the request with POST")  # fmt: skip
        args = request.query_params
        data: dict[str, Any] = {}
        for name in ("query", "operationName"):
            if args.get(name):
                data[name] = args[name]
        for name in ("variables", "extensions"):
            if args.get(name):
                data[name] = parse_json(args[name], f"`{name}`")
        return params_of(data)
    _content_type(request.headers.get("content-type"))
    raw = await _body(request, max_bytes)
    if not raw.strip():
        raise _bad_request("the body is empty; send a JSON object with a `query` string")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _bad_request(f"the body is not valid UTF-8 (byte {exc.start})") from None
    return params_of(parse_json(text, "the body"))


# ------------------------------------------------------------------------------------ answers


def _encode(body: dict[str, Any]) -> bytes:
    try:
        return orjson.dumps(body)
    except TypeError:
        # orjson refuses lone surrogates; ASCII escapes carry anything json can.
        return json.dumps(body, ensure_ascii=True, default=str).encode()


def _respond(
    body: dict[str, Any], status: int, media: str, headers: dict[str, str] | None = None
) -> Response:
    return Response(
        _encode(body), status_code=status, headers=headers,
        media_type=f"{media}; charset=utf-8",
    )  # fmt: skip


def refusal_response(refusal: Refusal, media: str | None) -> Response:
    body = {"errors": [{"message": refusal.message, "extensions": {"code": refusal.code}}]}
    # A GraphQL-shaped body is still not a GraphQL response when the request was not one.
    return _respond(body, refusal.status, JSON if media is None else media, refusal.headers)


def _code(error: GraphQLError) -> str:
    return str((error.extensions or {}).get("code", ""))


def _before_execution(result: ExecutionResult) -> bool:
    # Errors raised before execution (parse, validation, coercion, refusals) carry no path;
    # errors of fields during execution always do.
    return (
        result.data is None and bool(result.errors) and all(not e.path for e in result.errors or [])
    )


def answer(result: ExecutionResult, media: str) -> Response:
    body, status, headers = _answer_parts(result, media)
    return _respond(body, status, media, headers)


def _answer_parts(
    result: ExecutionResult, media: str
) -> tuple[dict[str, Any], int, dict[str, str]]:
    errors = result.errors or []
    body: dict[str, Any] = {}
    status = 200
    headers: dict[str, str] = {}
    if _before_execution(result):
        codes = {_code(e) for e in errors}
        if "RATE_LIMITED" in codes:
            status = 429
            waits = [
                float((e.extensions or {}).get("retryAfterSeconds", 1))
                for e in errors
                if _code(e) == "RATE_LIMITED"
            ]
            headers["retry-after"] = str(max(1, math.ceil(max(waits))))
        elif "INTERNAL_SERVER_ERROR" in codes:
            status = 500
        elif media == GRAPHQL_RESPONSE:
            status = 400
    else:
        body["data"] = result.data
    if errors:
        body["errors"] = [e.formatted for e in errors]
    if result.extensions:
        body["extensions"] = result.extensions
    return body, status, headers


def _cached_answer(
    result: ExecutionResult, media: str, request: Request, max_age: int
) -> Response:
    """A GET query's answer, cacheable by browsers and CDNs when it is public and whole.

    Public: no Authorization header came along (an account's answers are its own). Whole: no
    errors. Its `extensions.cost` then keeps only `requested`, the same for every client (the
    budget left is the caller's). An If-None-Match naming the same ETag gets 304.
    """
    public = (
        max_age > 0 and not result.errors and result.data is not None
        and "authorization" not in request.headers
    )  # fmt: skip
    if not public:
        response = answer(result, media)
        response.headers["cache-control"] = "private, no-store"
        return response
    extensions = dict(result.extensions or {})
    if isinstance(extensions.get("cost"), dict):
        extensions["cost"] = {"requested": extensions["cost"].get("requested", 0)}
    body, status, headers = _answer_parts(replace(result, extensions=extensions), media)
    encoded = _encode(body)
    etag = f'"{hashlib.sha256(encoded).hexdigest()[:32]}"'
    headers.update({
        "cache-control": f"public, max-age={max_age}",
        "etag": etag,
        "vary": "Accept, Authorization",
    })  # fmt: skip
    given = request.headers.get("if-none-match", "")
    if etag in {tag.strip().removeprefix("W/") for tag in given.split(",")}:
        return Response(status_code=304, headers=headers)
    return Response(encoded, status, headers, media_type=f"{media}; charset=utf-8")


# ------------------------------------------------------------------------------------ endpoint

Execute = Callable[[Params, Request, set[OperationType]], Awaitable[ExecutionResult]]

QUERY_TIMEOUT = "QUERY_TIMEOUT"
# How long a cancelled execution may take to unwind before the answer goes out regardless.
_UNWIND_S = 1.0


class _ClientGone(Exception):
    pass


async def _disconnected(receive: Receive) -> None:
    """Returns when the client has gone away (the body has been read already, or was none)."""
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return


async def _stop(task: asyncio.Task[ExecutionResult]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await asyncio.wait_for(asyncio.shield(task), _UNWIND_S)


class GraphQLEndpoint:
    """The /graphql route: everything HTTP about a GraphQL request, then `execute`.

    An ASGI app rather than a request function, so that Starlette's Route hands it every
    method and the others get a GraphQL-shaped 405 too."""

    def __init__(
        self,
        execute: Execute,
        max_body_bytes: int,
        graphiql: bool = True,
        timeout_ms: int = 10_000,
        persisted_queries: persisted.PersistedQueries | None = None,
        cache_max_age_s: int = 60,
    ) -> None:
        self._execute = execute
        self._max_body_bytes = max_body_bytes
        self._graphiql = graphiql
        self._timeout_ms = timeout_ms
        self._persisted = persisted_queries or persisted.PersistedQueries()
        self._cache_max_age_s = cache_max_age_s

    async def _run(
        self, params: Params, request: Request, allowed: set[OperationType]
    ) -> ExecutionResult:
        """`execute` under the request's deadline, cancelled when the client goes away."""
        limit = deadline.Deadline(self._timeout_ms / 1000)
        with deadline.within(limit):  # the task copies the context, and the deadline with it
            task = asyncio.ensure_future(self._execute(params, request, allowed))
        watcher = asyncio.ensure_future(_disconnected(request.receive))
        try:
            done, _ = await asyncio.wait(
                {task, watcher}, timeout=limit.remaining(), return_when=asyncio.FIRST_COMPLETED
            )
        except BaseException:  # this handler was cancelled itself (the server is stopping)
            limit.cancel()
            task.cancel()
            raise
        finally:
            watcher.cancel()
        if task not in done:
            limit.cancel()  # cuts off the store calls in the loaders' tasks too
            await _stop(task)
        if task in done:
            return task.result()
        if watcher in done:
            raise _ClientGone
        raise deadline.QueryTimeout(f"the request ran past its {self._timeout_ms} ms deadline")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = await self.handle(Request(scope, receive))
        await response(scope, receive, send)

    async def render_graphql_ide(self, request: Request) -> Response:
        """The IDE page for browsers; strawberry's CDN-loaded GraphiQL unless overridden."""
        return HTMLResponse(get_graphql_ide_html("graphiql"))

    async def handle(self, request: Request) -> Response:
        if request.method not in ("GET", "POST"):
            allow = {"allow": "GET, POST"}
            message = f"{request.method[:20]} is not supported; use POST (or GET for queries)"
            return refusal_response(Refusal(405, "METHOD_NOT_ALLOWED", message, allow), None)
        accept = request.headers.get("accept")
        if (
            self._graphiql
            and request.method == "GET"
            and "query" not in request.query_params
            and accepts_html(accept)
        ):
            return await self.render_graphql_ide(request)
        media = negotiate(accept)
        if media is None:
            message = f"this endpoint answers {GRAPHQL_RESPONSE} or {JSON}; Accept names neither"
            return refusal_response(Refusal(406, "NOT_ACCEPTABLE", message), None)
        try:
            params = await read_params(request, self._max_body_bytes)
        except Refusal as refusal:
            return refusal_response(refusal, media)
        try:
            query = self._persisted.resolve(persisted.Request(params.query, params.extensions))
        except persisted.PersistedQueryError as exc:
            if exc.status is not None:
                code = str((exc.error.extensions or {}).get("code"))
                return refusal_response(Refusal(exc.status, code, exc.error.message), media)
            refused = answer(ExecutionResult(data=None, errors=[exc.error]), media)
            # Apollo's APQ link retries with the full query: never let a cache keep this.
            refused.headers["cache-control"] = "private, no-store"
            return refused
        params = replace(params, query=query)
        allowed = {OperationType.QUERY}
        if request.method == "POST":
            allowed.add(OperationType.MUTATION)
        try:
            result = await self._run(params, request, allowed)
        except deadline.QueryTimeout:
            message = (
                f"the request ran past its deadline of {self._timeout_ms:,} ms and was "
                "cancelled: ask for fewer items or a smaller neighborhood"
            )
            return refusal_response(Refusal(504, QUERY_TIMEOUT, message), media)
        except _ClientGone:
            log.info("client went away; its request was cancelled")
            return Response(status_code=499)  # nobody reads it (nginx's code for this)
        except InvalidOperationTypeError:
            message = "mutations are not allowed over GET; send them with POST"
            return refusal_response(
                Refusal(405, "METHOD_NOT_ALLOWED", message, {"allow": "POST"}), media
            )
        except CannotGetOperationTypeError as exc:
            if exc.operation_name is None:
                message = (
                    "the document holds several operations (or none): name the one to run "
                    "in `operationName`"
                )
            else:
                message = f"the document has no operation named {exc.operation_name[:80]!r}"
            error = GraphQLError(message, extensions={"code": "OPERATION_RESOLUTION_FAILURE"})
            return answer(ExecutionResult(data=None, errors=[error]), media)
        except MissingQueryError:
            empty = _bad_request("the `query` is empty; send a GraphQL document")
            return refusal_response(empty, media)
        if request.method == "GET":
            return _cached_answer(result, media, request, self._cache_max_age_s)
        return answer(result, media)


__all__ = [
    "GRAPHQL_RESPONSE",
    "JSON",
    "MAX_JSON_DEPTH",
    "QUERY_TIMEOUT",
    "GraphQLEndpoint",
    "Params",
    "Refusal",
    "accepts_html",
    "answer",
    "negotiate",
    "params_of",
    "parse_json",
    "read_params",
]
