"""Headers every response carries: security headers, and CORS for the allowed origins.

Security headers are added only where the response has not set its own, so the pages' own
Content-Security-Policy (web.py) and headers stay as they are.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    # Answers are data, never documents to run or frame; pages set their own, stricter policy.
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
}
# What a browser may send cross-origin, and read of the answer (Apollo Client's own headers too).
CORS_REQUEST_HEADERS = [
    "accept",
    "authorization",
    "content-type",
    "x-request-id",
    "apollographql-client-name",
    "apollographql-client-version",
    "apollo-require-preflight",
]
CORS_EXPOSED_HEADERS = ["x-request-id", "retry-after", "etag"]


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    if name not in headers:
                        headers.append(name, value)
            await send(message)

        await self.app(scope, receive, with_headers)


def origins(setting: str) -> list[str]:
    """The comma-separated SCHOLARGRAPH_CORS_ORIGINS as a list (`*` allows any origin)."""
    return [origin.strip().rstrip("/") for origin in setting.split(",") if origin.strip()]


def middleware(cors_origins: str) -> list[Middleware]:
    stack = [Middleware(SecurityHeaders)]
    allowed = origins(cors_origins)
    if allowed:
        stack.append(
            Middleware(
                CORSMiddleware,
                allow_origins=allowed,
                allow_methods=["GET", "POST"],
                allow_headers=CORS_REQUEST_HEADERS,
                expose_headers=CORS_EXPOSED_HEADERS,
                allow_credentials=False,  # tokens travel in Authorization, never in cookies
                max_age=600,
            )
        )
    return stack


__all__ = ["SECURITY_HEADERS", "SecurityHeaders", "middleware", "origins"]
