"""The built assets committed in the package are what web/ builds from its sources.

web/build.mjs writes static/BUILD.json: a hash of its inputs (the script, package.json,
package-lock.json, src/) and of every file it wrote. Here the inputs are hashed again from the
checkout and the outputs from the package; with Node and web/node_modules present, the build
also runs again into a temporary folder and must give the same bytes.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from scholargraph import web

WEB = Path(__file__).resolve().parents[1] / "web"
STAMP = web.STATIC / "BUILD.json"
REBUILD = "rebuild it: `cd web && npm ci && npm run build`, and commit src/scholargraph/static"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def inputs_hash() -> str:
    """As web/build.mjs computes it: one line "<path>\\0<sha256>\\n" per input, paths sorted."""
    files = ["build.mjs", "package.json", "package-lock.json"]
    files += [p.relative_to(WEB).as_posix() for p in (WEB / "src").rglob("*") if p.is_file()]
    lines = "".join(f"{f}\0{_sha256((WEB / f).read_bytes())}\n" for f in sorted(files))
    return _sha256(lines.encode())


def outputs(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): _sha256(p.read_bytes())
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != "BUILD.json"
    }


def test_the_build_was_made_from_these_sources() -> None:
    stamp = json.loads(STAMP.read_text())
    assert stamp["inputs"] == inputs_hash(), f"web/ changed since the last build; {REBUILD}"


def test_the_built_files_are_the_ones_the_build_wrote() -> None:
    stamp = json.loads(STAMP.read_text())
    assert outputs(web.STATIC) == stamp["outputs"], f"static/ was edited by hand; {REBUILD}"


def test_a_fresh_build_gives_the_same_bytes(tmp_path: Path) -> None:
    node = shutil.which("node")
    if node is None or not (WEB / "node_modules" / ".bin" / "esbuild").exists():
        pytest.skip("web build: needs node and web/node_modules (`cd web && npm ci`)")
    subprocess.run([node, "build.mjs", "--out", str(tmp_path)], cwd=WEB, check=True)
    assert outputs(tmp_path) == outputs(web.STATIC), REBUILD
    assert (tmp_path / "BUILD.json").read_bytes() == STAMP.read_bytes()
