"""The bundled FalkorDB: persistence across restarts, and a compact log after bulk writes."""

from __future__ import annotations

from pathlib import Path

from scholargraph.graphdb import embedded, writes
from scholargraph.graphdb.falkor_store import FalkorStore
from scholargraph.graphdb.model import Label
from scholargraph.graphdb.stats import graph_counts
from scholargraph.graphdb.writes import NodeRow


def _incremental_log_bytes(data_dir: Path) -> int:
    return sum(
        p.stat().st_size for p in (data_dir / "falkordb" / "appendonlydir").glob("*.incr.aof")
    )


async def _write(server: embedded.EmbeddedServer, count: int) -> FalkorStore:
    store = FalkorStore.over_socket(str(server.socket), "g")
    rows = [NodeRow(f"topic:t{i}", Label.TOPIC, "test", {"name": f"T{i}"}) for i in range(count)]
    await writes.upsert(store, rows, [])
    return store


async def test_compact_leaves_a_snapshot_and_an_empty_log(tmp_path: Path) -> None:
    server = embedded.start(tmp_path)
    try:
        store = await _write(server, 300)
        assert _incremental_log_bytes(tmp_path) > 10_000  # every query was logged
        await store.compact()
        assert _incremental_log_bytes(tmp_path) == 0
        assert (await graph_counts(store)).labels["Topic"] == 300
        await store.close()
    finally:
        server.stop()


async def test_data_survives_a_restart_and_stop_compacts(tmp_path: Path) -> None:
    server = embedded.start(tmp_path)
    assert server.owned
    store = await _write(server, 50)
    await store.close()
    server.stop()
    assert _incremental_log_bytes(tmp_path) == 0  # stop() rewrote the log before exiting
    again = embedded.start(tmp_path)
    try:
        reopened = FalkorStore.over_socket(str(again.socket), "g")
        assert (await graph_counts(reopened)).labels["Topic"] == 50
        await reopened.close()
    finally:
        again.stop()


async def test_a_second_start_attaches_instead_of_starting_another(tmp_path: Path) -> None:
    first = embedded.start(tmp_path)
    try:
        second = embedded.start(tmp_path)
        assert not second.owned and second.socket == first.socket
        second.stop()  # not its server: nothing happens
        assert embedded._answers(first.socket)
    finally:
        first.stop()
    assert not embedded._answers(first.socket)
