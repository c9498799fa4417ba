"""Suggestions for a search box: `suggest(prefix:)` over HTTP on both stores, on the seeded graph
and on the seed plus two real paper lists (one module-scoped import per store)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from conftest import BACKENDS, PAPERLISTS, SEEDS, gql, open_neo4j
from scholargraph import text
from scholargraph.app import create_app
from scholargraph.graphdb.connect import ensure_schema
from scholargraph.graphdb.falkor_store import FalkorStore
from scholargraph.graphdb.store import Store
from scholargraph.ingest import load
from scholargraph.ingest.importer import import_paperlists

JORN = "researcher:jorn-henrik-jacobsen"
QUERY = """query($p: String!, $types: [EntityType!], $first: Int) {
  suggest(prefix: $p, types: $types, first: $first) {
    id type label matched match node { id } } }"""
ORDER = {"EXACT": 0, "PREFIX": 1, "WORDS": 2}


async def _suggest(
    client: httpx.AsyncClient, prefix: str, **variables: Any
) -> list[dict[str, Any]]:
    body = await gql(client, QUERY, {"p": prefix, **variables})
    assert "errors" not in body, body
    found: list[dict[str, Any]] = body["data"]["suggest"]  # type: ignore[index]
    return found


def _check_ranked(prefix: str, found: list[dict[str, Any]]) -> None:
    """What a suggestion must satisfy whatever the data: its spelling matches as it says, the
    tiers come in order, and each node is suggested once."""
    typed = [text.name_key(t) for t in text.tokens(prefix)]
    phrase = " ".join(typed)
    for s in found:
        key = text.name_key(s["matched"])
        words = key.split()
        assert all(any(w.startswith(t) for w in words) for t in typed), (prefix, s)
        if s["match"] == "EXACT":
            assert key == phrase, s
        elif s["match"] == "PREFIX":
            assert key.startswith(phrase) and key != phrase, s
        assert s["node"]["id"] == s["id"]
    tiers = [ORDER[s["match"]] for s in found]
    assert tiers == sorted(tiers), (prefix, found)
    assert len({s["id"] for s in found}) == len(found)


# One seeded graph per store serves several prefixes: seeding per case would cost more than
# the cases themselves.
async def test_folds_case_diacritics_and_transliterations(client: httpx.AsyncClient) -> None:
    for prefix in ["Joern", "jorn", "Jörn", "JOERN", "jörn-h", "jorn-henrik", "JORN HENRIK J"]:
        found = await _suggest(client, prefix)
        assert found and found[0]["id"] == JORN, (prefix, found)
        assert found[0]["type"] == "RESEARCHER" and found[0]["match"] == "PREFIX"
        assert text.name_key(found[0]["matched"]).startswith("jorn")
        _check_ranked(prefix, found)


async def test_ranking_whole_name_before_word_prefixes(client: httpx.AsyncClient) -> None:
    found = await _suggest(client, "iclr", first=50)
    assert found[0]["id"] == "venue:iclr" and found[0]["match"] == "EXACT"
    assert {s["match"] for s in found} >= {"EXACT", "PREFIX"}
    _check_ranked("iclr", found)
    # A surname is a word prefix: the person comes, ranked after whole-name matches.
    jacobsen = await _suggest(client, "jacobs")
    assert JORN in [s["id"] for s in jacobsen]
    _check_ranked("jacobs", jacobsen)
    # Titles match too; a paper's label is its title.
    ffjord = await _suggest(client, "ffjord", types=["PAPER"])
    assert ffjord[0]["label"].startswith("FFJORD") and ffjord[0]["type"] == "PAPER"


async def test_types_and_first(client: httpx.AsyncClient) -> None:
    everything = await _suggest(client, "energy", first=50)
    kinds = {s["type"] for s in everything}
    assert {"TOPIC", "PAPER"} <= kinds
    topics = await _suggest(client, "energy", types=["TOPIC", "VENUE"], first=50)
    assert topics and {s["type"] for s in topics} <= {"TOPIC", "VENUE"}
    assert [s for s in everything if s["type"] in {"TOPIC", "VENUE"}] == topics
    assert await _suggest(client, "energy", types=[]) == []
    two = await _suggest(client, "energy", first=2)
    assert two == everything[:2]
    assert await _suggest(client, "energy", first=0) == []
    assert len(await _suggest(client, "e", first=None)) == 10  # null means the default
    for first in (-1, 51):
        body = await gql(client, QUERY, {"p": "energy", "first": first})
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"  # type: ignore[index]


async def test_hostile_prefixes_answer_or_are_refused_never_fail(
    client: httpx.AsyncClient,
) -> None:
    hostile = ["", "   ", "!!!", "*", "(", "a OR b", "j* AND NOT x", "@title:x", '"', "\\", "~%"]
    for prefix in [*hostile, "😀", "x" * 200]:
        found = await _suggest(client, prefix)
        _check_ranked(prefix, found)
        if not text.tokens(prefix):
            assert found == [], prefix
    for prefix, words in (("x" * 10_000, "at most 200"), ("jo\x00rn", "NUL")):
        body = await gql(client, QUERY, {"p": prefix})
        error = body["errors"][0]  # type: ignore[index]
        assert error["extensions"]["code"] == "BAD_USER_INPUT" and words in error["message"]


async def test_one_round_trip(client: httpx.AsyncClient, seeded: Store) -> None:
    seeded.counters.reads = 0
    found = await _suggest(client, "will", first=20)
    assert found
    # The candidates of every kind in one query, then their nodes in one batch.
    assert seeded.counters.reads == 2


# ---- the seed and two real paper lists ------------------------------------------------------

LISTS = [PAPERLISTS / "icml2020.json", PAPERLISTS / "nips2019.json"]


@pytest.fixture(scope="module", params=BACKENDS)
async def imported(request: pytest.FixtureRequest) -> AsyncIterator[httpx.AsyncClient]:
    if not all(path.exists() for path in LISTS):
        pytest.skip(f"the paper lists are not at {PAPERLISTS}")
    store: Store
    if request.param == "falkordb":
        server = request.getfixturevalue("falkordb_server")
        store = FalkorStore.over_socket(
            str(server.socket), f"suggest_{uuid.uuid4().hex[:12]}", timeout_ms=120_000
        )
    else:
        store = await open_neo4j(request.getfixturevalue("neo4j_uri"), timeout_ms=120_000)
        await store.write("MATCH (n) DETACH DELETE n")
    try:
        await ensure_schema(store)
        await load.seed(store, SEEDS)
        summary = await import_paperlists(store, LISTS)
        assert summary.failed_files == []
        app = create_app(store=store)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            yield http
    finally:
        await store.write("MATCH (n) DETACH DELETE n")
        await store.close()


async def test_imported_graph_finds_jorn_henrik_jacobsen(imported: httpx.AsyncClient) -> None:
    for prefix in ["Joern", "jorn-henrik", "Jörn Jac", "JOERN"]:
        found = await _suggest(imported, prefix, types=["RESEARCHER"])
        assert found[0]["id"] == JORN, (prefix, found)
        _check_ranked(prefix, found)


async def test_imported_graph_rankings_hold(imported: httpx.AsyncClient) -> None:
    for prefix in ["j", "ja", "learn", "graph neu", "icml", "wang", "deep r"]:
        found = await _suggest(imported, prefix, first=50)
        assert found, prefix
        _check_ranked(prefix, found)


async def test_imported_graph_exact_name_comes_first(imported: httpx.AsyncClient) -> None:
    # Every name a prefix query returns, typed in full, is suggested first (or tied first).
    for s in await _suggest(imported, "yosh", types=["RESEARCHER"]):
        again = await _suggest(imported, s["matched"], types=["RESEARCHER"])
        assert again[0]["match"] == "EXACT", again
        assert s["id"] in [x["id"] for x in again if x["match"] == "EXACT"]
