"""GraphQL over HTTP (https://graphql.github.io/graphql-over-http/draft/): what the spec asks of
servers, checked as graphql-http's audit checks it (ids in brackets), and malformed requests
answered 4xx with a GraphQL-shaped JSON error, never 500."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from scholargraph.app import create_app
from scholargraph.graphdb.store import Store
from scholargraph.settings import Settings
from scholargraph.transport import GRAPHQL_RESPONSE, MAX_JSON_DEPTH, negotiate

JSON = "application/json"
TYPENAME = {"query": "{ __typename }"}
UNKNOWN_FIELD = {"query": "{ f8f31403dfe404bccbb0e835f2629c6a7 }"}
COERCION = {"query": "query CoerceFailure($id: ID!) { __typename }", "variables": {"id": None}}


async def post(
    client: httpx.AsyncClient,
    body: Any,
    accept: str | None = None,
    content_type: str | None = JSON,
) -> httpx.Response:
    headers = {}
    if accept is not None:
        headers["accept"] = accept
    if content_type is not None:
        headers["content-type"] = content_type
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return await client.post("/graphql", content=content, headers=headers)


def error_code(response: httpx.Response) -> str:
    body = response.json()
    assert "Traceback" not in response.text
    [error] = body["errors"]
    assert len(error["message"]) > 10
    code: str = error["extensions"]["code"]
    return code


# ------------------------------------------------------------------------------ media types


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        (GRAPHQL_RESPONSE, GRAPHQL_RESPONSE),  # 22EB
        (JSON, JSON),  # 4655
        ("*/*", JSON),  # 47DE
        (None, JSON),  # 80D8
        ("", JSON),
        ("application/*", JSON),
        (f"{GRAPHQL_RESPONSE}, {JSON};q=0.9", GRAPHQL_RESPONSE),  # what the spec tells clients
        (f"{JSON}, {GRAPHQL_RESPONSE}", GRAPHQL_RESPONSE),
        (f"{JSON};q=0.9, {GRAPHQL_RESPONSE};q=0.8", JSON),
        (f"{GRAPHQL_RESPONSE};q=0, */*", JSON),
        (f"{JSON};q=0, */*", GRAPHQL_RESPONSE),
        (f"text/html, {GRAPHQL_RESPONSE};q=0.5", GRAPHQL_RESPONSE),
        (f"{JSON}; charset=utf-8", JSON),
        ("TEXT/HTML,Application/JSON", JSON),
    ],
)
async def test_accept_negotiation(
    client: httpx.AsyncClient, accept: str | None, media: str
) -> None:
    response = await post(client, TYPENAME, accept)
    assert response.status_code == 200
    assert response.headers["content-type"] == f"{media}; charset=utf-8"  # 82A3: utf-8
    assert response.json()["data"] == {"__typename": "Query"}
    assert negotiate(accept) == media


@pytest.mark.parametrize(
    "accept",
    ["text/plain", "application/xml, text/html;q=0.9", f"{JSON};q=0", f"{JSON}; charset=latin-1",
     "*/*;q=0", "nonsense"],
)  # fmt: skip
async def test_nothing_acceptable_is_406(client: httpx.AsyncClient, accept: str) -> None:
    response = await post(client, TYPENAME, accept)
    assert response.status_code == 406
    assert response.headers["content-type"].startswith(JSON)
    assert error_code(response) == "NOT_ACCEPTABLE"


# ----------------------------------------------------------------------------- request: POST


async def test_utf8_requests(client: httpx.AsyncClient) -> None:
    body = {"query": '{ __type(name: "Run🏃Swim🏊") { name } }'}
    for content_type in (f"{JSON}; charset=utf-8", f"{JSON}; charset=UTF-8", JSON):  # BF61, 78D5
        response = await post(client, body, content_type=content_type)
        assert response.status_code == 200
        assert response.json()["data"] == {"__type": None}


@pytest.mark.parametrize(
    "content_type",
    [None, "", "text/plain", "multipart/form-data; boundary=x", "application/x-www-form-urlencoded",
     "application/graphql", f"{JSON}; charset=latin-1", f"{JSON}; charset=iso-8859-1"],
)  # fmt: skip
async def test_unsupported_content_types_are_415(
    client: httpx.AsyncClient, content_type: str | None
) -> None:
    response = await post(client, TYPENAME, content_type=content_type)  # 9ABE
    assert response.status_code == 415
    assert error_code(response) == "UNSUPPORTED_MEDIA_TYPE"


@pytest.mark.parametrize("accept", [JSON, GRAPHQL_RESPONSE])
@pytest.mark.parametrize(
    "body",
    [
        b"",  # A5BF
        b"   ",
        b'{ "not a JSON',  # BCF8, B7N8
        b"NONSENSE",
        b'{"query":',
        b'"hello"',
        b"42",
        b"null",
        b"true",
        b"[]",
        b'[{"query": "{ __typename }"}]',  # no batching
        b"\xff\xfe{}",  # not UTF-8
        b'{"query": "{ __typename }", "x": "\xc3\x28"}',
        b'{"notquery": "{ __typename }"}',  # 423L
        b'{"qeury": "{ __typename }"}',  # 3E3A, 8764
        *[json.dumps({"query": bad}).encode() for bad in ({"obj": "ect"}, 0, False, ["array"])],
        *[
            json.dumps({"query": "{ __typename }", name: bad}).encode()
            for name in ("variables", "extensions", "operationName")
            for bad in ("string", 0, False, ["array"])
            if not (name == "operationName" and bad == "string")
        ],
        json.dumps({"query": "{ __typename }", "operationName": {"obj": "ect"}}).encode(),
    ],
)
async def test_malformed_requests_are_400(
    client: httpx.AsyncClient, body: bytes, accept: str
) -> None:
    response = await post(client, body, accept)
    assert response.status_code == 400, response.text
    assert error_code(response) == "BAD_REQUEST"
    assert "data" not in response.json()
    assert response.headers["content-type"] == f"{accept}; charset=utf-8"


async def test_json_nested_past_the_limit(client: httpx.AsyncClient) -> None:
    query = "query ($v: [String]) { __typename }"
    for depth in (MAX_JSON_DEPTH, 1_023, 1_025, 50_000):
        nested = "[" * depth + "]" * depth
        body = f'{{"query": "{query}", "variables": {{"v": {nested}}}}}'.encode()
        response = await post(client, body)
        assert response.status_code == 400, depth
        assert error_code(response) == "BAD_REQUEST"
        assert f"deeper than {MAX_JSON_DEPTH}" in response.json()["errors"][0]["message"]
    shallow = f'{{"query": "{query}", "variables": {{"v": ["a"]}}}}'.encode()
    assert (await post(client, shallow)).status_code == 200


@pytest.fixture
async def small(seeded: Store) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(Settings(max_body_bytes=2_000), store=seeded)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t"
    ) as http:
        yield http


async def test_bodies_past_the_size_limit_are_413(
    client: httpx.AsyncClient, small: httpx.AsyncClient
) -> None:
    within = {"query": "{ __typename }", "extensions": {"pad": "x" * 1_900}}
    assert (await post(small, within)).status_code == 200
    response = await post(small, {**within, "extensions": {"pad": "x" * 2_000}})
    assert response.status_code == 413
    assert error_code(response) == "PAYLOAD_TOO_LARGE"
    # The default limit is 1 MB.
    padding = "x" * 1_000_001
    response = await post(client, {"query": "{ __typename }", "extensions": {"pad": padding}})
    assert response.status_code == 413
    assert error_code(response) == "PAYLOAD_TOO_LARGE"

    async def chunks() -> AsyncIterator[bytes]:
        # Without a Content-Length: counted as it arrives.
        yield b'{"query": "{ __typename }", "extensions": {"pad": "'
        for _ in range(200):
            yield b"x" * 10_000
        yield b'"}}'

    response = await client.post("/graphql", content=chunks(), headers={"content-type": JSON})
    assert "content-length" not in response.request.headers
    assert response.status_code == 413


async def test_query_strings_past_the_size_limit_are_414(small: httpx.AsyncClient) -> None:
    query = "{ __typename }" + " " * 1_900
    assert (await small.get("/graphql", params={"query": query})).status_code == 200
    response = await small.get("/graphql", params={"query": query + " " * 200})
    assert response.status_code == 414
    assert error_code(response) == "URI_TOO_LONG"


# -------------------------------------------------------------------------- request parameters


@pytest.mark.parametrize("accept", [JSON, GRAPHQL_RESPONSE])
@pytest.mark.parametrize("name", ["variables", "operationName", "extensions"])
async def test_null_parameters_are_allowed(
    client: httpx.AsyncClient, accept: str, name: str
) -> None:
    response = await post(client, {**TYPENAME, name: None}, accept)  # 94B*, 022*
    assert response.status_code == 200
    assert "errors" not in response.json()


@pytest.mark.parametrize("accept", [JSON, GRAPHQL_RESPONSE])
async def test_parameters_over_post_and_get(client: httpx.AsyncClient, accept: str) -> None:
    typed = {"query": "query Type($name: String!) { __type(name: $name) { name } }",
             "variables": {"name": "Researcher"}}  # fmt: skip
    for response in (
        await post(client, typed, accept),  # 2EA1, 28B9
        await post(client, {**TYPENAME, "extensions": {"some": "value"}}, accept),  # 428F, 1B7A
        await post(client, {"operationName": "Q", "query": "query Q { __typename }"}, accept),
        await client.get(  # D6D5, 6A70
            "/graphql",
            params={"query": typed["query"], "variables": json.dumps(typed["variables"])},
            headers={"accept": accept},
        ),
        await client.get("/graphql", params=TYPENAME, headers={"accept": accept}),  # 5A70
        await client.get(  # the empty string is the same as no parameter
            "/graphql",
            params={**TYPENAME, "variables": "", "operationName": "", "extensions": ""},
            headers={"accept": accept},
        ),
    ):
        assert response.status_code == 200, response.text
        assert "errors" not in response.json()
        assert response.headers["content-type"].startswith(accept)


async def test_malformed_get_parameters_are_400(client: httpx.AsyncClient) -> None:
    for params in ({"query": "{ __typename }", "variables": "{nope"},
                   {"query": "{ __typename }", "variables": "[1]"},
                   {"query": "{ __typename }", "extensions": "7"},
                   {"variables": "{}"}):  # fmt: skip
        response = await client.get("/graphql", params=params, headers={"accept": JSON})
        assert response.status_code == 400, params
        assert error_code(response) == "BAD_REQUEST"


# ------------------------------------------------------------------------------- methods


async def test_mutations_over_get_are_405(client: httpx.AsyncClient) -> None:
    for accept in (GRAPHQL_RESPONSE, JSON):  # 9C48
        response = await client.get(
            "/graphql",
            params={"query": 'mutation { follow(researcherId: "researcher:x") { changed } }'},
            headers={"accept": accept},
        )
        assert response.status_code == 405
        assert response.headers["allow"] == "POST"
        assert error_code(response) == "METHOD_NOT_ALLOWED"
    document = "query Q { __typename } mutation M { __typename }"
    chosen = await client.get("/graphql", params={"query": document, "operationName": "M"})
    assert chosen.status_code == 405
    allowed = await client.get("/graphql", params={"query": document, "operationName": "Q"})
    assert allowed.status_code == 200 and allowed.json()["data"] == {"__typename": "Query"}


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"])
async def test_other_methods_are_405(client: httpx.AsyncClient, method: str) -> None:
    response = await client.request(method, "/graphql", json=TYPENAME)
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST"
    if method != "HEAD":
        assert error_code(response) == "METHOD_NOT_ALLOWED"


async def test_graphiql_for_browsers(client: httpx.AsyncClient) -> None:
    page = await client.get("/graphql", headers={"accept": "text/html,*/*;q=0.8"})
    assert page.status_code == 200 and "graphiql" in page.text.lower()
    # A GET without a query from a client that does not take HTML is a bad request, not a page.
    response = await client.get("/graphql", headers={"accept": JSON})
    assert response.status_code == 400


# ------------------------------------------------------------------------------ status codes


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"query": "{"}, "GRAPHQL_PARSE_FAILED"),  # 572B, 556A, D586
        (UNKNOWN_FIELD, "GRAPHQL_VALIDATION_FAILED"),  # FDE2, 74FF, 5E5B
        (COERCION, "BAD_USER_INPUT"),  # 7B9B, 86EE
        ({"query": "query A { __typename } query B { __typename }"},
         "OPERATION_RESOLUTION_FAILURE"),
        ({"query": "query A { __typename }", "operationName": "B"},
         "OPERATION_RESOLUTION_FAILURE"),
        ({"query": "fragment F on Query { __typename }"}, "OPERATION_RESOLUTION_FAILURE"),
    ],
)  # fmt: skip
async def test_request_errors(client: httpx.AsyncClient, body: dict[str, Any], code: str) -> None:
    strict = await post(client, body, GRAPHQL_RESPONSE)
    assert strict.status_code == 400
    assert strict.headers["content-type"].startswith(GRAPHQL_RESPONSE)
    assert "data" not in strict.json()
    assert error_code(strict) == code
    legacy = await post(client, body, JSON)
    assert legacy.status_code == 200
    assert "data" not in legacy.json()
    assert error_code(legacy) == code


async def test_field_errors_are_200_with_data(client: httpx.AsyncClient) -> None:
    body = {"query": '{ __typename node(id: "not an id") { id } }'}
    for accept in (GRAPHQL_RESPONSE, JSON):
        response = await post(client, body, accept)
        assert response.status_code == 200
        answer = response.json()
        assert answer["data"] == {"__typename": "Query", "node": None}
        assert [e["extensions"]["code"] for e in answer["errors"]] == ["BAD_USER_INPUT"]


async def test_every_answer_carries_the_request_id(client: httpx.AsyncClient) -> None:
    for response in (
        await post(client, TYPENAME),
        await post(client, b"42"),
        await post(client, TYPENAME, "text/plain"),
        await client.put("/graphql"),
    ):
        assert len(response.headers["x-request-id"]) == 32
