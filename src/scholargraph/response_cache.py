"""Whole answers to anonymous queries, kept per process and valid for one write generation.

An anonymous query's answer depends only on the document, the operation, the variables and
the graph: not on the caller (viewer fields read as nobody's for every anonymous caller). So
its `data` is kept, keyed by a hash of those three, together with the store-wide write
generation read before it ran (graphdb/generation.py). A later identical request is answered
from here only while the store still reads that generation: any write, by this process,
another worker or `scholargraph import`, moves it, and the next request finds it moved and
starts afresh. A write that lands while an answer is being computed also moves it, so that
answer, stored under the generation read before, is never served.

Only whole answers are kept (no errors), only of queries (never mutations), never of requests
that carry an Authorization header. A hit still costs its cost: the client's budget is charged
exactly as an execution would be (docs/cost.md).
"""

from __future__ import annotations

import asyncio
import hashlib
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import orjson
from graphql import GraphQLError, OperationType, get_operation_ast, parse


@dataclass(frozen=True)
class Entry:
    data: dict[str, Any]
    requested: int  # the answer's cost, charged again on every hit
    operation: str | None = None  # its operation's name, for the metrics and the trace of a hit


def key_of(query: str, operation_name: str | None, variables: dict[str, Any] | None) -> str:
    """The document's exact text (two spellings of one query are two keys: correct, if
    less shared), the operation, and the variables in a canonical order."""
    digest = hashlib.sha256(query.encode())
    digest.update(b"\0" + (operation_name or "").encode() + b"\0")
    digest.update(orjson.dumps(variables or {}, option=orjson.OPT_SORT_KEYS))
    return digest.hexdigest()


def is_query(query: str, operation_name: str | None) -> bool:
    """Whether the operation that ran was a query (parsed again only for answers to keep)."""
    try:
        operation = get_operation_ast(parse(query), operation_name)
    except GraphQLError:
        return False
    return operation is not None and operation.operation is OperationType.QUERY


class ResponseCache:
    """At most `size` answers (least recently used go first), all of one write generation."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[str, Entry] = OrderedDict()
        self._generation: str | None = None
        self._flights: dict[tuple[str, str], asyncio.Future[Entry | None]] = {}
        self.hits = 0
        self.misses = 0

    def get(self, key: str, generation: str) -> Entry | None:
        if generation != self._generation:
            self._entries.clear()
            self._generation = generation
        entry = self._entries.get(key)
        if entry is None:
            self.misses += 1
            return None
        self._entries.move_to_end(key)
        self.hits += 1
        return entry

    def flight(self, key: str, generation: str) -> asyncio.Future[Entry | None] | None:
        """After a miss: None when this request is the first to compute the answer (it must
        call `land` when done, whatever happens), else the first one's future answer (None
        when that one had no answer to keep: then compute it yourself)."""
        flying = self._flights.get((key, generation))
        if flying is not None:
            return flying
        self._flights[(key, generation)] = asyncio.get_running_loop().create_future()
        return None

    def land(self, key: str, generation: str, entry: Entry | None) -> None:
        flying = self._flights.pop((key, generation), None)
        if flying is not None and not flying.done():
            flying.set_result(entry)
        if entry is not None:
            self.put(key, generation, entry)

    def put(self, key: str, generation: str, entry: Entry) -> None:
        # Computed under a generation that is no longer the newest seen: possibly stale.
        if generation != self._generation or self.size == 0:
            return
        self._entries[key] = entry
        self._entries.move_to_end(key)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)


__all__ = ["Entry", "ResponseCache", "is_query", "key_of"]
