"""The pages and assets the API serves: GraphiQL from the package's own files, under a CSP."""

from __future__ import annotations

import re

import httpx

from scholargraph import web

HTML = {"accept": "text/html"}


def _csp(response: httpx.Response) -> dict[str, str]:
    policy = response.headers["content-security-policy"]
    return dict(part.strip().split(" ", 1) for part in policy.split(";"))


async def test_graphiql_is_served_from_the_package(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", headers=HTML)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assets = re.findall(r'(?:src|href)="([^"]+)"', response.text)
    assert assets, response.text
    for url in assets:
        assert url.startswith(("/static/", "data:")), f"{url} does not come from this server"
        if url.startswith("/static/"):
            asset = await client.get(url)
            assert asset.status_code == 200, url
            assert asset.headers["x-content-type-options"] == "nosniff"
    assert "unpkg.com" not in response.text


async def test_graphiql_scripts_are_self_only(client: httpx.AsyncClient) -> None:
    first = await client.get("/graphql", headers=HTML)
    policy = _csp(first)
    assert policy["script-src"] == "'self'"
    assert policy["default-src"] == "'none'"
    assert policy["connect-src"] == "'self'"
    assert "unsafe-inline" not in first.headers["content-security-policy"]
    assert "<script>" not in first.text  # no inline script at all
    nonce = re.search(r"'nonce-([^']+)'", policy["style-src"])
    assert nonce is not None
    assert f'nonce="{nonce.group(1)}"' in first.text
    assert web.NONCE not in first.text

    second = await client.get("/graphql", headers=HTML)
    assert _csp(second)["style-src"] != policy["style-src"], "a nonce must not repeat"


async def test_versioned_bundles_are_cached_for_good(client: httpx.AsyncClient) -> None:
    page = await client.get("/graphql", headers=HTML)
    bundles = re.findall(r'"(/static/graphiql/graphiql-[^"]+\.bundle\.(?:js|css))"', page.text)
    assert len(bundles) == 2
    for url in bundles:
        response = await client.get(url)
        assert response.headers["cache-control"] == web.IMMUTABLE
    assert page.headers["cache-control"] == "no-store"


async def test_the_api_still_answers_beside_the_page(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", params={"query": "{ __typename }"})
    assert response.json()["data"] == {"__typename": "Query"}
    missing = await client.get("/static/graphiql/nothing-here.js")
    assert missing.status_code == 404


PAGES = ["/", "/researchers/researcher:will-grathwohl", "/explore?focus=researcher:will-grathwohl"]


async def test_the_pages_are_served_under_the_policy(client: httpx.AsyncClient) -> None:
    for url in [*PAGES, "/researchers/researcher:nobody-at-all"]:
        response = await client.get(url)
        assert response.status_code == 200, url
        assert response.headers["content-type"].startswith("text/html")
        assert response.headers["cache-control"] == "no-store"
        policy = _csp(response)
        assert policy["script-src"] == "'self'"
        assert policy["connect-src"] == "'self'"
        assert policy["default-src"] == "'none'"
        assert "unsafe-inline" not in response.headers["content-security-policy"]
        assert "<script>" not in response.text
        assert web.NONCE not in response.text


async def test_the_pages_load_only_their_own_assets(client: httpx.AsyncClient) -> None:
    for url in PAGES:
        page = await client.get(url)
        assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', page.text)
        assert any(a.endswith(".js") for a in assets) and any(a.endswith(".css") for a in assets)
        for asset in assets:
            response = await client.get(asset)
            assert response.status_code == 200, asset
            assert ".bundle." in asset
            assert response.headers["cache-control"] == web.IMMUTABLE
        # The modules import their chunks by relative names; each must be there.
        script = next(a for a in assets if a.endswith(".js"))
        module = (await client.get(script)).text
        for chunk in re.findall(r'"\./(chunk-[A-Z0-9]+\.bundle\.js)"', module):
            assert (await client.get(f"/static/pages/{chunk}")).status_code == 200, chunk
    assert (await client.get("/explore")).status_code == 200  # focus defaults in the page
