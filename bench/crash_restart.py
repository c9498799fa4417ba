"""Crash bench: kill -9 the bundled FalkorDB during an import, restart it, time the restart.

Starts the bundled server in a temporary data directory, runs `tests/crash_import.py` (the
`scholargraph import paperlists` path, printing every acknowledged batch) on the real lists in
a child process, kills the server with SIGKILL once --kill-after-batches write batches were
acknowledged (the import resolves identities first, then writes), starts it again
on the same files and prints how long it took to answer, the size of the append-only files
it loaded, and whether every acknowledged batch is in the graph. Also prints how long the
import's writes took before the kill (for comparing appendfsync settings).

    .venv/bin/python bench/crash_restart.py [--kill-after-batches 40] [--files DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from scholargraph.graphdb import embedded
from scholargraph.graphdb.falkor_store import FalkorStore

ROOT = Path(__file__).resolve().parents[1]
PAPERLISTS = ROOT.parent / "shared" / "data" / "paperlists"


def _size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


async def missing_ids(socket: Path, batches: list[list[str]]) -> tuple[int, int]:
    store = FalkorStore.over_socket(str(socket), "scholargraph", timeout_ms=600_000)
    try:
        wanted = sorted({i for batch in batches for i in batch})
        rows = await store.read(
            "UNWIND $ids AS id MATCH (n {id: id}) RETURN count(n) AS found", {"ids": wanted}
        )
        return len(wanted), len(wanted) - int(rows[0]["found"]) if rows else len(wanted)
    finally:
        await store.close()


def crash_and_restart(data_dir: Path, files: list[Path], kill_after: int) -> dict[str, object]:
    server = embedded.start(data_dir)
    assert server.process is not None
    env = {**os.environ, "SCHOLARGRAPH_DATA_DIR": str(data_dir)}
    child = subprocess.Popen(
        [sys.executable, str(ROOT / "tests" / "crash_import.py"), *map(str, files)],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env,
    )  # fmt: skip
    assert child.stdout is not None
    batches: list[list[str]] = []
    first_write = None
    for line in child.stdout:
        batches.append(json.loads(line))
        first_write = first_write or time.perf_counter()
        if len(batches) >= kill_after:
            break
    writing_s = time.perf_counter() - (first_write or time.perf_counter())
    server.process.send_signal(signal.SIGKILL)
    server.process.wait()
    out, _ = child.communicate()
    # Lines already in the pipe were acknowledged before the kill too.
    batches += [json.loads(line) for line in out.splitlines() if line.startswith("[")]
    files_size = _size(data_dir / "falkordb")
    started = time.perf_counter()
    again = embedded.start(data_dir)
    restart_s = time.perf_counter() - started
    try:
        wanted, missing = asyncio.run(missing_ids(again.socket, batches))
    finally:
        again.stop()
    return {
        "acknowledged batches": len(batches),
        f"writing {kill_after} batches, s": round(writing_s, 2),
        "acknowledged node ids": wanted,
        "missing after restart": missing,
        "data files, MB": round(files_size / 1e6, 1),
        "restart, s": round(restart_s, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kill-after-batches", type=int, default=40)
    parser.add_argument("--files", type=Path, default=PAPERLISTS)
    args = parser.parse_args()
    files = sorted(args.files.glob("*.json"))
    with tempfile.TemporaryDirectory(prefix="sg-crash-bench-") as tmp:
        result = crash_and_restart(Path(tmp), files, args.kill_after_batches)
    for name, value in result.items():
        print(f"{name:<24} {value}")


if __name__ == "__main__":
    main()
