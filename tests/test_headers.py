"""CORS for frontends on the allowed origins (SCHOLARGRAPH_CORS_ORIGINS), and security headers on
every response, without touching the pages' own Content-Security-Policy."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from scholargraph.app import create_app
from scholargraph.graphdb.store import Store
from scholargraph.headers import SECURITY_HEADERS, origins
from scholargraph.settings import Settings
from scholargraph.web import CONTENT_SECURITY_POLICY

APP_ORIGIN = "https://app.example.org"
TYPENAME = {"query": "{ __typename }"}


@pytest.fixture
async def cors(seeded: Store) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(cors_origins=f"{APP_ORIGIN}, http://localhost:5173/")
    app = create_app(settings, store=seeded)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
        yield http


def test_origins_setting() -> None:
    assert origins("") == []
    assert origins(" https://a.org/, http://localhost:5173 ,") == [
        "https://a.org",
        "http://localhost:5173",
    ]


async def test_preflight_from_an_allowed_origin(cors: httpx.AsyncClient) -> None:
    response = await cors.options(
        "/graphql",
        headers={
            "origin": APP_ORIGIN,
            "access-control-request-method": "POST",
            "access-control-request-headers": "content-type, authorization",
        },
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == APP_ORIGIN
    assert "POST" in response.headers["access-control-allow-methods"]
    allowed = response.headers["access-control-allow-headers"].lower()
    assert "authorization" in allowed and "content-type" in allowed
    assert "access-control-allow-credentials" not in response.headers
    local = await cors.options(
        "/graphql",
        headers={"origin": "http://localhost:5173", "access-control-request-method": "GET"},
    )
    assert local.status_code == 200


async def test_preflight_from_another_origin_is_refused(cors: httpx.AsyncClient) -> None:
    response = await cors.options(
        "/graphql",
        headers={"origin": "https://evil.example", "access-control-request-method": "POST"},
    )
    assert response.status_code == 400
    assert "access-control-allow-origin" not in response.headers


async def test_cross_origin_requests(cors: httpx.AsyncClient) -> None:
    response = await cors.post("/graphql", json=TYPENAME, headers={"origin": APP_ORIGIN})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == APP_ORIGIN
    assert "x-request-id" in response.headers["access-control-expose-headers"].lower()
    other = await cors.post("/graphql", json=TYPENAME, headers={"origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers


async def test_no_cors_unless_configured(client: httpx.AsyncClient) -> None:
    response = await client.options(
        "/graphql", headers={"origin": APP_ORIGIN, "access-control-request-method": "POST"}
    )
    assert response.status_code == 405  # a plain OPTIONS to the endpoint
    assert "access-control-allow-origin" not in response.headers


async def test_security_headers_on_every_response(client: httpx.AsyncClient) -> None:
    for response in (
        await client.post("/graphql", json=TYPENAME),
        await client.post("/graphql", content=b"42", headers={"content-type": "application/json"}),
        await client.get("/graphql", params=TYPENAME),
        await client.put("/graphql"),
        await client.get("/healthz"),
        await client.get("/no-such-page"),
    ):
        for name, value in SECURITY_HEADERS.items():
            assert response.headers[name] == value, (response.request.url, name)


async def test_pages_keep_their_own_policy(client: httpx.AsyncClient) -> None:
    page = await client.get("/graphql", headers={"accept": "text/html"})
    assert page.status_code == 200
    policy = page.headers["content-security-policy"]
    assert policy.startswith(CONTENT_SECURITY_POLICY.split("'nonce-")[0])
    assert len(page.headers.get_list("content-security-policy")) == 1
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["x-content-type-options"] == "nosniff"
