"""Citations on both stores: JSON Lines references resolved by our id, DOI, arXiv id and exact
title (the rest counted, never invented), `Paper.references` / `Paper.citedBy` with totalCount
and paging over HTTP, stated counts (JSON Lines `citationCount`, paperlists `gs_citation`) kept
apart from the live count, and neighborhoods that walk CITES only when asked to.

The graph is built once per backend for the module: the seed, one JSON Lines file written here
(test data, not real papers, apart from the seed papers it cites), the paperlists fixtures."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from conftest import BACKENDS, SEEDS, gql, open_neo4j
from scholargraph.app import create_app
from scholargraph.graphdb import embedded
from scholargraph.graphdb.citations import citations, stated_citations
from scholargraph.graphdb.connect import ensure_schema
from scholargraph.graphdb.falkor_store import FalkorStore
from scholargraph.graphdb.model import Rel, paper_id
from scholargraph.graphdb.reads import neighbors, nodes_by_ids
from scholargraph.graphdb.stats import GraphCounts, graph_counts
from scholargraph.graphdb.store import Store
from scholargraph.ingest import load
from scholargraph.ingest.importer import (
    ImportSummary,
    import_jsonl,
    import_paperlists,
    summary_lines,
)
from scholargraph.ingest.jsonl import parse_jsonl, to_line
from scholargraph.ingest.paperlists import GS_CITATION_SOURCE, parse_paperlists
from scholargraph.ingest.records import ImportProblem, PaperRecord, Reference, StatedCount

FIXTURES = Path(__file__).parent / "fixtures"
FFJORD = paper_id("FFJORD: Free-form Continuous Dynamics for Scalable Reversible Generative Models")
IRESNET = paper_id("Invertible Residual Networks")
A = paper_id("A Paper Citing Seed Papers")
B = paper_id("Cited Paper B")
C = paper_id("Cited Paper C")
TENSOR = paper_id("Tensor Contraction & Regression Networks")


def _paper(external_id: str, title: str, year: int, **fields: Any) -> dict[str, Any]:
    return {
        "v": 1,
        "type": "paper",
        "externalId": external_id,
        "title": title,
        "year": year,
        "venue": "Citation Test Conference",
        "authors": [{"name": "Citation Test Author"}],
        **fields,
    }


LINES = [
    _paper(
        "test:citing-a",
        "A Paper Citing Seed Papers",
        2021,
        otherIds=["doi:10.1234/citing.a"],
        references=[
            FFJORD,  # our id
            "doi:10.1234/CITED.B",  # a DOI in another case than B's
            "arxiv:2101.00002v2",  # an arXiv id with a version
            {"title": "invertible residual networks"},  # a seed paper's title, folded alike
            "doi:10.9999/nowhere",
            {"title": "No Such Paper Anywhere"},
        ],
        citationCount={"count": 7, "source": "Test Scholar", "asOf": "2024-05"},
    ),
    _paper("doi:10.1234/cited.b", "Cited Paper B", 2020, references=[FFJORD, "test:citing-a"]),
    _paper("arxiv:2101.00002", "Cited Paper C", 2019),
]


@dataclass
class Graph:
    store: Store
    http: httpx.AsyncClient
    first: ImportSummary
    second: ImportSummary
    before: GraphCounts
    after_first: GraphCounts
    after_second: GraphCounts


async def _open(request: pytest.FixtureRequest) -> Store:
    store: Store
    if request.param == "falkordb":
        server: embedded.EmbeddedServer = request.getfixturevalue("falkordb_server")
        store = FalkorStore.over_socket(str(server.socket), f"cites_{uuid.uuid4().hex[:12]}")
    else:
        store = await open_neo4j(request.getfixturevalue("neo4j_uri"))
    await store.write("MATCH (n) DETACH DELETE n")
    await ensure_schema(store)
    return store


@pytest.fixture(scope="module", params=BACKENDS)
async def graph(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Graph]:
    store = await _open(request)
    path = tmp_path_factory.mktemp("citations") / "citations.jsonl"
    path.write_bytes(b"".join(orjson.dumps(line) + b"\n" for line in LINES))
    lists = [FIXTURES / "paperlists" / "iclr2018.json", FIXTURES / "paperlists" / "icml2019.json"]
    try:
        await load.seed(store, SEEDS)
        await import_paperlists(store, lists)
        before = await graph_counts(store)
        first = await import_jsonl(store, [path])
        after_first = await graph_counts(store)
        second = await import_jsonl(store, [path])
        after_second = await graph_counts(store)
        app = create_app(store=store)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://test"
        ) as http:
            yield Graph(store, http, first, second, before, after_first, after_second)
    finally:
        await store.write("MATCH (n) DETACH DELETE n")
        await store.close()


# --- parsing ----------------------------------------------------------------------------------


def test_json_lines_references_and_counts_are_read_and_written_back(tmp_path: Path) -> None:
    path = tmp_path / "refs.jsonl"
    path.write_bytes(b"".join(orjson.dumps(line) + b"\n" for line in LINES))
    (record, *_) = list(parse_jsonl(path))
    assert isinstance(record, PaperRecord)
    assert record.references[0] == Reference(id=FFJORD)
    assert record.references[3] == Reference(title="invertible residual networks")
    assert record.other_ids == ("doi:10.1234/citing.a",)
    assert record.stated_citations == (StatedCount(7, "Test Scholar", "2024-05"),)
    again = tmp_path / "again.jsonl"
    again.write_bytes(to_line(record))
    (back,) = list(parse_jsonl(again))
    assert back == record


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"references": "doi:10.1/x"}, "references must be an array"),
        ({"references": ["not an id"]}, "references[0] must be '<scheme>:<value>'"),
        ({"references": [{"doi": "10.1/x"}]}, "unknown field 'doi' in references[0]"),
        ({"references": [{"title": " "}]}, "references[0] needs a title"),
        ({"citationCount": {"count": -1, "source": "x"}}, "count must be a non-negative"),
        ({"citationCount": {"count": 3}}, "needs a source"),
        ({"citationCount": {"count": 3, "source": "x", "asOf": "May"}}, "asOf must be YYYY"),
    ],
)
def test_bad_references_and_counts_name_the_line(
    tmp_path: Path, fields: dict[str, Any], reason: str
) -> None:
    path = tmp_path / "bad.jsonl"
    good = _paper("test:ok", "Fine", 2020)
    path.write_bytes(orjson.dumps(good) + b"\n" + orjson.dumps({**good, **fields}) + b"\n")
    first, second = list(parse_jsonl(path))
    assert isinstance(first, PaperRecord)
    assert isinstance(second, ImportProblem)
    assert (second.file, second.record_no) == (str(path), 2)
    assert reason in second.reason


def test_gs_citation_is_a_stated_count_from_the_paperlists() -> None:
    records = list(parse_paperlists(FIXTURES / "paperlists" / "icml2019.json"))
    stated = {r.external_id: r.stated_citations for r in records if isinstance(r, PaperRecord)}
    assert stated["paperlists:icml2019:3768"] == (StatedCount(14, GS_CITATION_SOURCE),)
    assert stated["paperlists:icml2019:3817"] == ()  # gs_citation null: no count stated
    assert stated["paperlists:icml2019:3646"] == ()  # no gs_citation at all


# --- the import -------------------------------------------------------------------------------


def test_references_resolve_by_id_doi_arxiv_and_title_and_the_rest_are_counted(
    graph: Graph,
) -> None:
    first = graph.first
    assert first.citations == 6  # A: 4 of 6; B: 2 of 2
    assert first.unresolved_references == {"unknown doi": 1, "unknown title": 1}
    assert first.papers_created == 3
    lines = "\n".join(summary_lines(first))
    assert "citations   6 references resolved to papers; 2 unresolved" in lines
    assert "doi:10.9999/nowhere (unknown doi)" in lines


async def test_cites_relationships_are_the_resolved_references_and_nothing_else(
    graph: Graph,
) -> None:
    cited = (await neighbors(graph.store, [A, B], Rel.CITES, "out"))
    assert {e.other for e in cited[A]} == {FFJORD, B, C, IRESNET}
    assert {e.other for e in cited[B]} == {FFJORD, A}
    assert graph.before.relationships.get(Rel.CITES, 0) == 0
    assert graph.after_first.relationships[Rel.CITES] == 6
    # The unresolved references created no paper: only the file's three are new.
    assert graph.after_first.labels["Paper"] - graph.before.labels["Paper"] == 3
    found = await nodes_by_ids(graph.store, [A])
    assert set(found[A].get("externalIds")) == {"test:citing-a", "doi:10.1234/citing.a"}


def test_a_second_import_changes_nothing(graph: Graph) -> None:
    assert graph.after_second == graph.after_first
    assert graph.second.papers_created == 0
    assert graph.second.citations == graph.first.citations


async def test_citations_are_batched_and_ordered_newest_first(graph: Graph) -> None:
    found = await citations(graph.store, [A, FFJORD, C], "out")
    assert [r.paper for r in found[A]] == [B, C, IRESNET, FFJORD]  # 2020, 2019 (by title), 2018
    assert found[FFJORD] == []
    citing = await citations(graph.store, [FFJORD, C], "in")
    assert [r.paper for r in citing[FFJORD]] == [A, B]
    assert [r.paper for r in citing[C]] == [A]


# --- over HTTP --------------------------------------------------------------------------------

CITATIONS = """
query($id: ID!, $first: Int, $after: String) {
  paper(id: $id) {
    references(first: $first, after: $after) {
      totalCount pageInfo { hasNextPage hasPreviousPage endCursor }
      edges { cursor node { id title } }
    }
    citedBy(first: $first, after: $after) {
      totalCount pageInfo { hasNextPage hasPreviousPage endCursor }
      edges { node { id } }
    }
    statedCitations { count source asOf }
  }
}
"""


async def _paper_citations(graph: Graph, pid: str, **args: Any) -> dict[str, Any]:
    body = await gql(graph.http, CITATIONS, {"id": pid, **args})
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]["paper"]  # type: ignore[index]
    return data


async def test_references_and_cited_by_page_with_total_count(graph: Graph) -> None:
    a = await _paper_citations(graph, A, first=3)
    refs = a["references"]
    assert refs["totalCount"] == 4
    assert [e["node"]["id"] for e in refs["edges"]] == [B, C, IRESNET]
    assert refs["pageInfo"]["hasNextPage"] is True
    rest = await _paper_citations(graph, A, first=3, after=refs["pageInfo"]["endCursor"])
    assert [e["node"]["id"] for e in rest["references"]["edges"]] == [FFJORD]
    assert rest["references"]["pageInfo"] == {
        "hasNextPage": False,
        "hasPreviousPage": True,
        "endCursor": rest["references"]["pageInfo"]["endCursor"],
    }
    assert a["citedBy"]["totalCount"] == 1  # B cites A
    ffjord = await _paper_citations(graph, FFJORD, first=1)
    assert ffjord["citedBy"]["totalCount"] == 2
    assert [e["node"]["id"] for e in ffjord["citedBy"]["edges"]] == [A]
    assert ffjord["references"] == {
        "totalCount": 0,
        "pageInfo": {"hasNextPage": False, "hasPreviousPage": False, "endCursor": None},
        "edges": [],
    }


async def test_stated_counts_are_apart_from_the_live_count(graph: Graph) -> None:
    a = await _paper_citations(graph, A)
    assert a["statedCitations"] == [{"count": 7, "source": "Test Scholar", "asOf": "2024-05"}]
    assert a["citedBy"]["totalCount"] == 1
    tensor = await _paper_citations(graph, TENSOR)
    assert tensor["statedCitations"] == [
        {"count": 3, "source": "Google Scholar via paperlists", "asOf": None}
    ]
    assert tensor["citedBy"]["totalCount"] == 0
    assert (await _paper_citations(graph, C))["statedCitations"] == []


async def test_bad_citation_arguments_are_user_errors(graph: Graph) -> None:
    for args in ({"first": -1}, {"first": 1001}, {"after": "not-a-cursor"}):
        body = await gql(graph.http, CITATIONS, {"id": A, **args})
        errors: list[dict[str, Any]] = body["errors"]  # type: ignore[assignment]
        assert {e["extensions"]["code"] for e in errors} == {"BAD_USER_INPUT"}, args


async def test_citations_carry_a_cost(graph: Graph) -> None:
    query = (
        "query($id: ID!) { paper(id: $id) { references(first: 7) { edges { node { id } } } "
        "citedBy(first: 5) { edges { node { statedCitations { count } } } } } }"
    )
    body = await gql(graph.http, query, {"id": A})
    assert "errors" not in body, body
    cost: dict[str, Any] = body["extensions"]["cost"]  # type: ignore[index]
    assert cost["requested"] == 7 + 5 + 5 * 3


NEIGHBORHOOD = """
query($id: ID!, $rels: [RelationType!]) {
  neighborhood(id: $id, hops: 1, relationships: $rels) {
    nodes { id } edges { source target type }
  }
}
"""


async def test_a_neighborhood_walks_cites_only_when_asked(graph: Graph) -> None:
    body = await gql(graph.http, NEIGHBORHOOD, {"id": A, "rels": ["CITES"]})
    assert "errors" not in body, body
    hood: dict[str, Any] = body["data"]["neighborhood"]  # type: ignore[index]
    assert {n["id"] for n in hood["nodes"]} == {B, C, FFJORD, IRESNET}  # the center is apart
    assert {(e["source"], e["target"]) for e in hood["edges"]} == {
        (A, B), (A, C), (A, FFJORD), (A, IRESNET), (B, A), (B, FFJORD)
    }
    assert {e["type"] for e in hood["edges"]} == {"CITES"}
    default = await gql(graph.http, NEIGHBORHOOD, {"id": A, "rels": None})
    nodes = {n["id"] for n in default["data"]["neighborhood"]["nodes"]}  # type: ignore[index]
    assert nodes.isdisjoint({B, C, FFJORD, IRESNET})
    assert "CITES" not in {
        e["type"] for e in default["data"]["neighborhood"]["edges"]  # type: ignore[index]
    }


def test_stated_counts_keep_the_newest_of_each_source() -> None:
    props = {
        "statedCitations": [
            '{"asOf":"2023-10-29","count":565,"source":"OpenAlex"}',
            '{"asOf":"2024-01-02","count":600,"source":"OpenAlex"}',
            '{"asOf":null,"count":3,"source":"Google Scholar via paperlists"}',
        ]
    }
    assert [(s.source, s.count, s.as_of) for s in stated_citations(props)] == [
        ("Google Scholar via paperlists", 3, None),
        ("OpenAlex", 600, "2024-01-02"),
    ]
