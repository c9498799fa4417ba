"""Errors clients see: each carries an `extensions.code` and a message that says what to fix."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError


class ApiError(GraphQLError):
    code = "INTERNAL_SERVER_ERROR"

    def __init__(self, message: str, **extensions: Any) -> None:
        super().__init__(message, extensions={"code": self.code, **extensions})


class BadUserInput(ApiError):
    code = "BAD_USER_INPUT"


class Unauthenticated(ApiError):
    code = "UNAUTHENTICATED"


class Forbidden(ApiError):
    code = "FORBIDDEN"


class Conflict(ApiError):
    code = "CONFLICT"


class RateLimited(ApiError):
    code = "RATE_LIMITED"


class NotFound(ApiError):
    code = "NOT_FOUND"


class StoreUnavailableError(ApiError):
    """The graph store cannot be reached (stopped, restarting, network): retry later."""

    code = "STORE_UNAVAILABLE"


__all__ = [
    "ApiError",
    "BadUserInput",
    "Conflict",
    "Forbidden",
    "NotFound",
    "RateLimited",
    "StoreUnavailableError",
    "Unauthenticated",
]
