"""Not a test: the child process of tests/test_crash.py and bench/crash_restart.py.

Imports paper lists into the FalkorDB serving SCHOLARGRAPH_DATA_DIR, exactly as `scholargraph
import paperlists` does (open_store, run_import), and prints one JSON line with the node ids
of every write batch the server acknowledged, as soon as it is acknowledged: what the parent
checks survives a kill -9 of the server.

    python tests/crash_import.py FILE...
"""

from __future__ import annotations

import asyncio
import json
import re
import sys
from pathlib import Path
from typing import Any

from scholargraph.graphdb.connect import open_store
from scholargraph.graphdb.store import Params, Row, Store
from scholargraph.ingest.importer import paperlists_sources, run_import
from scholargraph.settings import Settings


class Reporting:
    def __init__(self, store: Store) -> None:
        self._store = store
        self.dialect = store.dialect
        self.counters = store.counters

    async def write(self, query: str, params: Params | None = None) -> list[Row]:
        rows = await self._store.write(query, params)
        # A write batch carries its nodes in one parameter per label: n0, n1, ...
        ids = [
            node["id"]
            for name, rows_of_label in (params or {}).items()
            if re.fullmatch(r"n\d+", name)
            for node in rows_of_label
        ]
        if ids:
            print(json.dumps(ids), flush=True)
        return rows

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


async def main(files: list[Path]) -> None:
    async with open_store(Settings(query_timeout_ms=600_000)) as store:
        await run_import(Reporting(store), paperlists_sources(files))  # type: ignore[arg-type]


if __name__ == "__main__":
    asyncio.run(main([Path(f) for f in sys.argv[1:]]))
