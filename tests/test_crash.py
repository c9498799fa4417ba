"""Crash: kill -9 the bundled FalkorDB while `scholargraph import paperlists` writes (the real
lists), start it again on the same files: the graph opens and holds every batch the import saw
acknowledged. (Restart time is measured by bench/crash_restart.py, not bounded here.)"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import PAPERLISTS, REPO
from scholargraph.graphdb import embedded
from scholargraph.graphdb.falkor_store import FalkorStore

LISTS = ["iclr2018.json", "icml2019.json", "nips2019.json"]
KILL_AFTER_BATCHES = 2

pytestmark = [
    pytest.mark.falkordb,
    pytest.mark.skipif(
        not all((PAPERLISTS / name).is_file() for name in LISTS),
        reason=f"the real paper lists are not in {PAPERLISTS}",
    ),
]


async def found(socket: Path, ids: list[str]) -> int:
    store = FalkorStore.over_socket(str(socket), "scholargraph", timeout_ms=600_000)
    try:
        rows = await store.read(
            "UNWIND $ids AS id MATCH (n {id: id}) RETURN count(n) AS found", {"ids": ids}
        )
        return int(rows[0]["found"])
    finally:
        await store.close()


def test_no_acknowledged_batch_is_lost_after_kill_9(tmp_path: Path) -> None:
    server = embedded.start(tmp_path)
    assert server.process is not None
    child = subprocess.Popen(
        [sys.executable, str(REPO / "tests" / "crash_import.py"),
         *(str(PAPERLISTS / name) for name in LISTS)],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        env={**os.environ, "SCHOLARGRAPH_DATA_DIR": str(tmp_path)},
    )  # fmt: skip
    assert child.stdout is not None
    batches: list[list[str]] = []
    try:
        for line in child.stdout:
            batches.append(json.loads(line))
            if len(batches) >= KILL_AFTER_BATCHES:
                break
        server.process.send_signal(signal.SIGKILL)
        server.process.wait()
        out, _ = child.communicate()
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    batches += [json.loads(line) for line in out.splitlines() if line.startswith("[")]
    assert len(batches) >= KILL_AFTER_BATCHES
    assert server.process.returncode == -signal.SIGKILL
    again = embedded.start(tmp_path)
    try:
        assert again.owned
        ids = sorted({i for batch in batches for i in batch})
        assert asyncio.run(found(again.socket, ids)) == len(ids)
    finally:
        again.stop()
