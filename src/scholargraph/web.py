"""The pages the API serves and the built assets under /static.

- `/`: search over the whole graph;
- `/researchers/{id}`: a researcher's profile;
- `/explore?focus={id}`: the research-graph explorer;
- `/graphql` (GET, HTML): GraphiQL.

Each page is a static shell whose module fetches its data from the public /graphql endpoint.

The assets are built from web/ (`npm ci && npm run build` there) and ship inside the package,
so serving them needs no Node and no request leaves the server.
"""

from __future__ import annotations

import functools
import secrets
from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

STATIC = Path(__file__).resolve().parent / "static"

# Scripts and stylesheets come from our own origin only; GraphiQL's fonts and icons are data:
# URIs inside its stylesheet; React sets styles through the CSSOM, which CSP does not govern.
# The one inline <style> (dialogs lock scrolling with it) carries the response's nonce.
NONCE = "__CSP_NONCE__"  # the placeholder web/build.mjs leaves in the pages
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        f"style-src 'self' 'nonce-{NONCE}'",
        "img-src 'self' data:",
        "font-src data:",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    )
)
PAGE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
# Bundles carry their versions in their names (see web/build.mjs): a name never changes content.
IMMUTABLE = "public, max-age=31536000, immutable"


class MissingBuild(RuntimeError):
    """The package holds no built assets (a checkout where web/ was never built)."""


@functools.cache
def _page(relative: str) -> str:
    path = STATIC / relative
    if not path.is_file():
        raise MissingBuild(f"{path} is missing: run `npm ci && npm run build` in web/")
    return path.read_text(encoding="utf-8")


def page(relative: str) -> Response:
    """A built page under a Content-Security-Policy with a fresh nonce."""
    nonce = secrets.token_urlsafe(18)
    policy = CONTENT_SECURITY_POLICY.replace(NONCE, nonce)
    headers = {**PAGE_HEADERS, "Content-Security-Policy": policy}
    return HTMLResponse(_page(relative).replace(NONCE, nonce), headers=headers)


def graphiql_page() -> Response:
    """GraphiQL with the explorer plugin, from the package's own files."""
    return page("graphiql/index.html")


async def home_page(request: Request) -> Response:
    """Search over the whole graph."""
    return page("pages/home.html")


async def profile_page(request: Request) -> Response:
    """A researcher's profile; the page reads the id from its path and asks the API.

    An unknown id gets the page too: it says so once the API answered null.
    """
    return page("pages/profile.html")


async def explore_page(request: Request) -> Response:
    """The research-graph explorer; its state (focus, hops, filters, path) is in the query."""
    return page("pages/explore.html")


class Assets(StaticFiles):
    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        response.headers["X-Content-Type-Options"] = "nosniff"
        if ".bundle." in path and response.status_code == 200:
            response.headers["Cache-Control"] = IMMUTABLE
        return response


def routes() -> list[BaseRoute]:
    return [
        Route("/", home_page, methods=["GET", "HEAD"], name="home"),
        Route("/researchers/{id:str}", profile_page, methods=["GET", "HEAD"], name="profile"),
        Route("/explore", explore_page, methods=["GET", "HEAD"], name="explore"),
        Mount("/static", app=Assets(directory=STATIC, check_dir=False), name="static"),
    ]


__all__ = [
    "CONTENT_SECURITY_POLICY",
    "MissingBuild",
    "explore_page",
    "graphiql_page",
    "home_page",
    "page",
    "profile_page",
    "routes",
]
