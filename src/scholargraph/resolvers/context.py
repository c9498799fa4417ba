"""The per-request context: the store, fresh DataLoaders, the request id and the caller."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from scholargraph.graphdb.store import Store
from scholargraph.resolvers.loaders import Loaders


@dataclass
class Context:
    store: Store
    request_id: str
    loaders: Loaders
    account: Any = None  # the authenticated account, when a valid bearer token came along
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def for_request(cls, store: Store, request_id: str, account: Any = None) -> Context:
        return cls(store=store, request_id=request_id, loaders=Loaders(store), account=account)


__all__ = ["Context"]
