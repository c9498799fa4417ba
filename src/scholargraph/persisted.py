"""Persisted queries: Automatic Persisted Queries as Apollo Client sends them, and an allow-list.

APQ (https://www.apollographql.com/docs/apollo-server/performance/apq): a request may carry
`extensions.persistedQuery = {"version": 1, "sha256Hash": "<hex>"}`. With the hash only, the
registered query is run, or the answer is the error `PersistedQueryNotFound` (code
PERSISTED_QUERY_NOT_FOUND), on which the client sends the query with the hash once; the
hash is checked against the query and the pair registered. Registered queries are kept in
this process, in a bounded LRU: with several workers each learns them (a client's first
request to a worker that has not seen the hash costs one more round trip).

Allow-list mode (SCHOLARGRAPH_PERSISTED_QUERIES_ONLY): only the operations of a file
(SCHOLARGRAPH_PERSISTED_QUERIES_FILE) run, by hash or by their exact text; anything else is
refused with PERSISTED_QUERY_NOT_ALLOWED, and nothing is registered.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graphql import GraphQLError

NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"
NOT_ALLOWED = "PERSISTED_QUERY_NOT_ALLOWED"
_HASH = re.compile(r"[0-9a-f]{64}")


class PersistedQueryError(Exception):
    """A persisted-query request that cannot run: its GraphQL error, or its HTTP refusal."""

    def __init__(self, error: GraphQLError, status: int | None = None) -> None:
        super().__init__(error.message)
        self.error = error
        self.status = status  # None: answered as a GraphQL request error


class PersistedQueriesFileError(ValueError):
    """The allow-list file is missing, unreadable, or lists a hash that is not its query's."""


def sha256(query: str) -> str:
    return hashlib.sha256(query.encode("utf-8", "surrogatepass")).hexdigest()


def _bad(message: str) -> PersistedQueryError:
    return PersistedQueryError(GraphQLError(message, extensions={"code": "BAD_REQUEST"}), 400)


@dataclass(frozen=True)
class Request:
    """What persisted queries need of a GraphQL request: its text and its extensions."""

    query: str | None
    extensions: dict[str, Any] | None


def requested_hash(extensions: dict[str, Any] | None) -> str | None:
    """The sha256Hash of a well-formed `extensions.persistedQuery`, or None when absent."""
    persisted = (extensions or {}).get("persistedQuery")
    if persisted is None:
        return None
    if not isinstance(persisted, dict):
        raise _bad("`extensions.persistedQuery` must be an object {version, sha256Hash}")
    if persisted.get("version") != 1:
        raise _bad("unsupported persisted query version: only version 1 is supported")
    digest = persisted.get("sha256Hash")
    if not isinstance(digest, str) or not _HASH.fullmatch(digest.lower()):
        raise _bad("`extensions.persistedQuery.sha256Hash` must be 64 hexadecimal digits")
    return digest.lower()


def load_allow_list(path: Path) -> dict[str, str]:
    """hash -> query from an Apollo persisted query manifest or a plain {hash: query} object.

    The manifest is what `@apollo/generate-persisted-query-manifest` writes:
    {"format": "apollo-persisted-query-manifest", "version": 1,
     "operations": [{"id": "<sha256 of body>", "name": ..., "type": "query", "body": ...}]}.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        message = f"cannot read persisted queries from {path}: {exc}"
        raise PersistedQueriesFileError(message) from exc
    pairs: list[tuple[Any, Any]]
    if isinstance(data, dict) and isinstance(data.get("operations"), list):
        pairs = [
            (op.get("id"), op.get("body")) if isinstance(op, dict) else (None, None)
            for op in data["operations"]
        ]
    elif isinstance(data, dict):
        pairs = list(data.items())
    else:
        raise PersistedQueriesFileError(
            f"{path}: expected an Apollo persisted query manifest or a {{hash: query}} object"
        )
    queries: dict[str, str] = {}
    for digest, query in pairs:
        if not isinstance(digest, str) or not isinstance(query, str):
            raise PersistedQueriesFileError(f"{path}: every operation needs a string id and body")
        if sha256(query) != digest.lower():
            raise PersistedQueriesFileError(
                f"{path}: {digest[:16]}... is not the sha256 of its query; the server would "
                "never match it"
            )
        queries[digest.lower()] = query
    return queries


class PersistedQueries:
    def __init__(
        self,
        max_entries: int = 1_000,
        allow_list: dict[str, str] | None = None,
        only: bool = False,
    ) -> None:
        self._max = max_entries
        self._fixed = dict(allow_list or {})
        self._learned: OrderedDict[str, str] = OrderedDict()
        self.only = only

    def __len__(self) -> int:
        return len(self._fixed) + len(self._learned)

    def _lookup(self, digest: str) -> str | None:
        query = self._fixed.get(digest)
        if query is None and not self.only:
            query = self._learned.get(digest)
            if query is not None:
                self._learned.move_to_end(digest)
        return query

    def _learn(self, digest: str, query: str) -> None:
        if digest in self._fixed:
            return
        self._learned[digest] = query
        self._learned.move_to_end(digest)
        while len(self._learned) > self._max:
            self._learned.popitem(last=False)

    def resolve(self, request: Request) -> str:
        """The query text to run, or PersistedQueryError."""
        digest = requested_hash(request.extensions)
        if request.query is None:
            if digest is None:
                raise _bad("the request has no `query`: send the GraphQL document as a string")
            query = self._lookup(digest)
            if query is not None:
                return query
            if self.only:
                raise _not_allowed()
            raise PersistedQueryError(
                GraphQLError("PersistedQueryNotFound", extensions={"code": NOT_FOUND})
            )
        if digest is not None and sha256(request.query) != digest:
            raise _bad("provided sha does not match query: sha256Hash must be the SHA-256 of "
                       "the UTF-8 query text, in lowercase hexadecimal")  # fmt: skip
        if self.only:
            if sha256(request.query) not in self._fixed:
                raise _not_allowed()
        elif digest is not None:
            self._learn(digest, request.query)
        return request.query


def _not_allowed() -> PersistedQueryError:
    return PersistedQueryError(GraphQLError(
        "this server runs registered operations only, and this is not one of them: send the "
        "sha256Hash of an operation from the allow-list",
        extensions={"code": NOT_ALLOWED},
    ))  # fmt: skip


__all__ = [
    "NOT_ALLOWED",
    "NOT_FOUND",
    "PersistedQueries",
    "PersistedQueriesFileError",
    "PersistedQueryError",
    "Request",
    "load_allow_list",
    "requested_hash",
    "sha256",
]
