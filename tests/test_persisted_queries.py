"""Persisted queries: Automatic Persisted Queries exactly as Apollo Client's persisted-query link
sends them (POST, and GET with useGETForHashedQueries), CDN-cacheable hashed GETs, and the
allow-list mode (SCHOLARGRAPH_PERSISTED_QUERIES_ONLY)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from scholargraph.app import create_app
from scholargraph.graphdb.store import Store
from scholargraph.persisted import (
    PersistedQueries,
    PersistedQueriesFileError,
    PersistedQueryError,
    Request,
)
from scholargraph.settings import Settings

# Apollo Client hashes the printed document; any exact text works the same way.
PROFILE = "query Profile($name: String!) {\n  researcher(name: $name) {\n    name\n  }\n}"
PROFILE_HASH = hashlib.sha256(PROFILE.encode()).hexdigest()
VARIABLES = {"name": "will grathwohl"}
# What Apollo Client 3's HttpLink sends as Accept.
APOLLO_ACCEPT = "application/graphql-response+json,application/json;q=0.9"
JSON = "application/json"


def extensions(digest: str = PROFILE_HASH) -> dict[str, Any]:
    return {"persistedQuery": {"version": 1, "sha256Hash": digest}}


def get_params(digest: str = PROFILE_HASH) -> dict[str, str]:
    # Apollo's GET: operationName, variables and extensions as JSON in the query string.
    return {
        "operationName": "Profile",
        "variables": json.dumps(VARIABLES, separators=(",", ":")),
        "extensions": json.dumps(extensions(digest), separators=(",", ":")),
    }


async def hashed(http: httpx.AsyncClient, accept: str = JSON, **body: Any) -> httpx.Response:
    payload = {"operationName": "Profile", "variables": VARIABLES, "extensions": extensions()}
    return await http.post("/graphql", json={**payload, **body}, headers={"accept": accept})


@pytest.mark.parametrize(("accept", "status"), [(JSON, 200), (APOLLO_ACCEPT, 400)])
async def test_apollo_round_trip_over_post(
    client: httpx.AsyncClient, accept: str, status: int
) -> None:
    # 1. The hash alone: unknown, so Apollo's link gets the error it looks for.
    first = await hashed(client, accept)
    assert first.status_code == status
    body = first.json()
    assert "data" not in body
    [error] = body["errors"]
    assert error["message"] == "PersistedQueryNotFound"
    assert error["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    assert first.headers["cache-control"] == "private, no-store"
    # 2. The link retries with the query and the hash: checked, registered, answered.
    second = await hashed(client, accept, query=PROFILE)
    assert second.status_code == 200
    assert second.json()["data"] == {"researcher": {"name": "Will Grathwohl"}}
    # 3. From now on the hash alone is enough.
    third = await hashed(client, accept)
    assert third.status_code == 200
    assert third.json()["data"] == second.json()["data"]


async def test_hashed_get_is_cacheable(client: httpx.AsyncClient) -> None:
    missing = await client.get("/graphql", params=get_params(), headers={"accept": APOLLO_ACCEPT})
    assert missing.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    assert missing.headers["cache-control"] == "private, no-store"
    # Apollo's link registers over GET too (the query is in the URL then).
    params = {**get_params(), "query": PROFILE}
    registered = await client.get("/graphql", params=params, headers={"accept": APOLLO_ACCEPT})
    assert registered.status_code == 200
    response = await client.get("/graphql", params=get_params(), headers={"accept": APOLLO_ACCEPT})
    assert response.status_code == 200
    assert response.json()["data"] == {"researcher": {"name": "Will Grathwohl"}}
    assert response.headers["cache-control"] == "public, max-age=60"
    assert response.headers["vary"] == "Accept, Authorization"
    # A shared cache must not hand one client's budget to another: only the request's cost.
    assert response.json()["extensions"]["cost"] == {"requested": 1}
    etag = response.headers["etag"]
    again = await client.get(
        "/graphql", params=get_params(), headers={"accept": APOLLO_ACCEPT, "if-none-match": etag}
    )
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    # An account's answers, answers with errors, and POSTs are not for shared caches.
    private = await client.get(
        "/graphql", params=get_params(), headers={"authorization": "Bearer nope"}
    )
    assert private.headers["cache-control"] == "private, no-store"
    failing = await client.get("/graphql", params={"query": '{ node(id: "x") { id } }'})
    assert failing.headers["cache-control"] == "private, no-store"
    posted = await hashed(client)
    assert "cache-control" not in posted.headers


@pytest.mark.parametrize(
    ("persisted", "message"),
    [
        ({"version": 1, "sha256Hash": "0" * 64}, "does not match"),
        ({"version": 2, "sha256Hash": PROFILE_HASH}, "version"),
        ({"version": 1, "sha256Hash": "xyz"}, "64 hexadecimal"),
        ({"version": 1}, "64 hexadecimal"),
        ("string", "must be an object"),
    ],
)
async def test_bad_persisted_query_extensions(
    client: httpx.AsyncClient, persisted: Any, message: str
) -> None:
    response = await client.post(
        "/graphql",
        json={"query": PROFILE, "variables": VARIABLES, "extensions": {"persistedQuery": persisted}},
    )
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "BAD_REQUEST"
    assert message in error["message"]
    # A mismatched pair registers nothing.
    assert (await hashed(client)).json()["errors"][0]["message"] == "PersistedQueryNotFound"


def test_the_store_is_bounded() -> None:
    queries = PersistedQueries(max_entries=2)
    texts = [f"{{ a{i}: __typename }}" for i in range(3)]
    digests = [hashlib.sha256(t.encode()).hexdigest() for t in texts]
    for text, digest in zip(texts, digests, strict=True):
        assert queries.resolve(Request(text, extensions(digest))) == text
    assert len(queries) == 2
    with pytest.raises(PersistedQueryError):  # the least recently used went first
        queries.resolve(Request(None, extensions(digests[0])))
    assert queries.resolve(Request(None, extensions(digests[2]))) == texts[2]


# ------------------------------------------------------------------------------ allow-list


@pytest.fixture
def manifest(tmp_path: Path) -> Path:
    # What @apollo/generate-persisted-query-manifest writes.
    path = tmp_path / "persisted-query-manifest.json"
    path.write_text(json.dumps({
        "format": "apollo-persisted-query-manifest",
        "version": 1,
        "operations": [{"id": PROFILE_HASH, "name": "Profile", "type": "query", "body": PROFILE}],
    }))  # fmt: skip
    return path


@pytest.fixture
async def only(seeded: Store, manifest: Path) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(persisted_queries_only=True, persisted_queries_file=manifest)
    app = create_app(settings, store=seeded)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
        yield http


async def test_allow_list_mode(only: httpx.AsyncClient) -> None:
    # Registered operations run by hash (POST and GET) or by their exact text.
    for response in (
        await hashed(only),
        await only.get("/graphql", params=get_params()),
        await only.post("/graphql", json={"query": PROFILE, "variables": VARIABLES}),
    ):
        assert response.status_code == 200, response.text
        assert response.json()["data"] == {"researcher": {"name": "Will Grathwohl"}}
    # Anything else is refused, and APQ registers nothing.
    other = "{ __typename }"
    other_hash = hashlib.sha256(other.encode()).hexdigest()
    for response in (
        await only.post("/graphql", json={"query": other}),
        await only.post("/graphql", json={"query": other, "extensions": extensions(other_hash)}),
        await only.post("/graphql", json={"extensions": extensions(other_hash)}),
        await only.post(
            "/graphql", json={"extensions": extensions(other_hash)},
            headers={"accept": APOLLO_ACCEPT},
        ),
    ):
        assert response.status_code in (200, 400)
        [error] = response.json()["errors"]
        assert error["extensions"]["code"] == "PERSISTED_QUERY_NOT_ALLOWED"
        assert "data" not in response.json()


def test_allow_list_files_are_checked(tmp_path: Path, manifest: Path) -> None:
    plain = tmp_path / "plain.json"
    plain.write_text(json.dumps({PROFILE_HASH: PROFILE}))
    create_app(Settings(persisted_queries_only=True, persisted_queries_file=plain))
    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps({"0" * 64: PROFILE}))
    for settings in (
        Settings(persisted_queries_only=True),  # no file
        Settings(persisted_queries_only=True, persisted_queries_file=tmp_path / "missing.json"),
        Settings(persisted_queries_only=True, persisted_queries_file=wrong),
    ):
        with pytest.raises(PersistedQueriesFileError):
            create_app(settings)
