"""Search: the engine's full-text index finds, our ranking orders, the same on every backend;
hostile strings get a coded error or a plain answer, never an engine's error."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from conftest import SEEDS, gql
from scholargraph.graphdb import search
from scholargraph.graphdb.model import Label, paper_id
from scholargraph.graphdb.store import Store
from scholargraph.ingest.seed import seed_rows

JACOBSEN = "researcher:jorn-henrik-jacobsen"
STEIN = paper_id(
    "Learning the Stein Discrepancy for Training and Evaluating Energy-Based Models without "
    "Sampling"
)
OOPS = paper_id("Oops I Took A Gradient: Scalable Sampling for Discrete Distributions")
VOID = paper_id(
    "Backpropagation through the Void: Optimizing control variates for black-box gradient "
    "estimation"
)

SEARCH = """
query($q: String!, $types: [EntityType!], $first: Int!, $after: String) {
  search(query: $q, types: $types, first: $first, after: $after) {
    totalCount
    edges { cursor score matched node { __typename id } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""

# Query syntax of Cypher, Lucene, RediSearch and regular expressions, control characters,
# scripts without Latin letters, and sizes around and far beyond the limit.
HOSTILE = [
    "",
    " ",
    "\n\t\r",
    '"',
    "'",
    "\\",
    "\\\\\\",
    '"unterminated',
    "a' OR 1=1 --",
    "'}) MATCH (n) DETACH DELETE n //",
    "}) RETURN 1 //",
    "$query",
    "*",
    "**",
    "?",
    "~",
    "jacobsen~",
    "jacobsen~2",
    "te?t",
    "/.*/",
    "/[a-z]+/",
    ".*",
    "(((",
    ")))",
    "[",
    "]",
    "{",
    "}",
    "[a TO z]",
    "OR",
    "AND",
    "NOT",
    "OR OR OR",
    "stein OR jacobsen",
    "NOT *",
    "-",
    "--stein",
    "+",
    "!",
    "&&",
    "||",
    "|",
    "^",
    "stein^10",
    ":",
    "title:stein",
    "searchText:*",
    "@searchText:stein",
    "@",
    "%jacobsen%",
    "%%%",
    "\x00",
    "a\x00b",
    "😀",
    "جامعة",
    "東京大学",
    "<script>alert(1)</script>",
    "%s %d %n",
    "CALL db.idx.fulltext.queryNodes('Researcher', '*') YIELD node RETURN node",
    "1e309",
    "-1",
    "NaN",
    "null",
    " ".join("abcdefghijklmnopqrstuvwxyz"),
    "x" * 64,
    "x" * 500,
    "x" * 501,
    "stein " * 100,
    "a" * 10_000,
]
ENGINE_TEXT = (
    "RediSearch",
    "Lucene",
    "Syntax error",
    "syntax error",
    "errMsg",
    "Neo4jError",
    "Failed to invoke procedure",
    "Traceback",
    "Internal server error",
)


async def test_a_misspelt_alias_finds_the_researcher(seeded: Store) -> None:
    hits = await search.search(seeded, "Jocobsen")
    assert [(h.id, h.label) for h in hits] == [(JACOBSEN, Label.RESEARCHER)]
    assert hits[0].matched == "jorn henrik jocobsen"


@pytest.mark.parametrize(
    "query", ["jörn-henrik", "JORN HENRIK", "Jörn Jacobsen", "JACOBSEN", "jacobs"]
)
async def test_case_and_diacritics_do_not_matter(seeded: Store, query: str) -> None:
    hits = await search.search(seeded, query)
    assert hits and hits[0].id == JACOBSEN


async def test_a_word_only_in_an_abstract_finds_the_paper(seeded: Store) -> None:
    abstracts = [n for n in seed_rows(SEEDS).nodes if n.id == STEIN and n.props.get("abstract")]
    assert abstracts and "gracefully" in abstracts[0].props["abstract"]
    assert "graceful" not in abstracts[0].props["title"].lower()
    hits = await search.search(seeded, "gracefully")
    assert [h.id for h in hits] == [STEIN]


async def test_a_word_of_a_summary_finds_the_paper(seeded: Store) -> None:
    assert [h.id for h in await search.search(seeded, "Metropolis")] == [OOPS]


async def test_title_words_rank_above_abstract_words(seeded: Store) -> None:
    hits = await search.search(seeded, "Stein")
    assert hits[0].id == STEIN and hits[0].label is Label.PAPER
    # "Discrete" is in one title; another paper has it in its summary only.
    discrete = await search.search(seeded, "discrete", [Label.PAPER])
    assert [h.id for h in discrete] == [OOPS, VOID]
    assert discrete[0].score > discrete[1].score > 0


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("NIPS", "venue:neurips"),
        ("neurips workshop meta", "venue:neurips-workshop-on-meta-learning"),
        ("Huawei", "award:huawei-prize"),
        ("borealis fellowship", "award:borealis-ai-graduate-fellowship"),
        ("your brain", "talk:your-brain-on-energy-based-models-2020-03"),
        ("Royal Bank", "institution:royal-bank-of-canada"),
        ("normalizing flows", "topic:normalizing-flows"),
    ],
)
async def test_venues_talks_awards_institutions_topics(
    seeded: Store, query: str, first: str
) -> None:
    hits = await search.search(seeded, query)
    assert hits and hits[0].id == first


async def test_every_kind_of_node_is_findable(seeded: Store) -> None:
    found = {h.label for h in await search.search(seeded, "energy")}
    assert {Label.PAPER, Label.TALK, Label.TOPIC, Label.VENUE} <= found


@pytest.mark.parametrize("query", HOSTILE, ids=lambda q: repr(q[:24]))
async def test_hostile_strings_reach_no_engine(seeded: Store, query: str) -> None:
    if len(query) > search.MAX_QUERY_CHARS:
        with pytest.raises(search.SearchInputError, match="characters long"):
            await search.search(seeded, query)
    else:
        hits = await search.search(seeded, query)
        assert all(isinstance(h, search.Hit) for h in hits)


def _codes(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors", [])]


async def _search(client: httpx.AsyncClient, query: str, **variables: Any) -> dict[str, Any]:
    body = await gql(client, SEARCH, {"q": query, "first": 20, **variables})
    assert "errors" not in body, body
    found: dict[str, Any] = body["data"]["search"]  # type: ignore[index]
    return found


async def test_search_over_http(client: httpx.AsyncClient) -> None:
    found = await _search(client, "Jocobsen")
    assert found["totalCount"] == 1
    (edge,) = found["edges"]
    assert edge["node"] == {"__typename": "Researcher", "id": JACOBSEN}
    assert edge["matched"] == "jorn henrik jocobsen" and edge["score"] > 0
    by_abstract = await _search(client, "gracefully")
    assert [e["node"]["id"] for e in by_abstract["edges"]] == [STEIN]


async def test_types_filter(client: httpx.AsyncClient) -> None:
    everything = await _search(client, "energy")
    papers = await _search(client, "energy", types=["PAPER"])
    talks_and_topics = await _search(client, "energy", types=["TALK", "TOPIC"])
    assert {e["node"]["__typename"] for e in papers["edges"]} == {"Paper"}
    assert {e["node"]["__typename"] for e in talks_and_topics["edges"]} == {"Talk", "Topic"}
    assert papers["totalCount"] + talks_and_topics["totalCount"] < everything["totalCount"]
    nothing = await _search(client, "energy", types=[])
    assert nothing["totalCount"] == 0 and nothing["edges"] == []


async def test_cursor_paging_walks_the_ranking(client: httpx.AsyncClient) -> None:
    whole = await _search(client, "energy", first=100)
    ranking = [e["node"]["id"] for e in whole["edges"]]
    assert whole["totalCount"] == len(ranking) > 5
    assert whole["pageInfo"]["hasNextPage"] is False
    seen: list[str] = []
    after = None
    while True:
        page = await _search(client, "energy", first=2, after=after)
        assert page["totalCount"] == len(ranking)
        assert page["pageInfo"]["hasPreviousPage"] is (after is not None)
        seen += [e["node"]["id"] for e in page["edges"]]
        assert page["pageInfo"]["endCursor"] == page["edges"][-1]["cursor"]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == ranking


@pytest.mark.parametrize(
    ("variables", "argument"),
    [
        ({"first": -1}, "first"),
        ({"first": 101}, "first"),
        ({"after": "not-a-cursor"}, "after"),
        ({"q": "a" * 10_000}, "query"),
        ({"q": "x" * 501}, "query"),
    ],
)
async def test_bad_arguments(
    client: httpx.AsyncClient, variables: dict[str, Any], argument: str
) -> None:
    body = await gql(client, SEARCH, {"q": "stein", "first": 5, **variables})
    assert _codes(body) == ["BAD_USER_INPUT"]
    assert body["errors"][0]["extensions"]["argument"] == argument  # type: ignore[index]


async def test_an_empty_search_is_an_empty_result(client: httpx.AsyncClient) -> None:
    for query in ("", "   ", "?!*"):
        found = await _search(client, query)
        assert found["totalCount"] == 0 and found["edges"] == []
        assert found["pageInfo"]["hasNextPage"] is False


@pytest.mark.parametrize("query", HOSTILE, ids=lambda q: repr(q[:24]))
async def test_hostile_strings_over_http(client: httpx.AsyncClient, query: str) -> None:
    response = await client.post(
        "/graphql", json={"query": SEARCH, "variables": {"q": query, "first": 20}}
    )
    assert response.status_code == 200
    text = response.text
    assert not any(marker in text for marker in ENGINE_TEXT), text[:500]
    body = json.loads(text)
    if "errors" in body:
        assert _codes(body) == ["BAD_USER_INPUT"]
        assert body.get("data") is None
    else:
        found = body["data"]["search"]
        assert found["totalCount"] >= len(found["edges"])
        assert all(e["node"]["id"] for e in found["edges"])
