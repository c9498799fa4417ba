"""Work filters and facets on Researcher.works, Venue.publications and search, over HTTP on
the seeded graph on both stores; every count is recomputed here from the unfiltered list."""

from __future__ import annotations

from collections import Counter
from typing import Any

import httpx

from conftest import gql
from scholargraph.graphdb.store import Store

WILL = "researcher:will-grathwohl"
PAPER_FIELDS = "id year publications { venue { id } kind } topics { id }"
FACETS = """facets { years { value count } kinds { value count }
  venues { venue { id name } count } topics { topic { id name } count } }"""

WORKS = f"""query($id: ID!, $filter: WorkFilter, $first: Int, $after: String) {{
  researcher(id: $id) {{ works(filter: $filter, first: $first, after: $after) {{
    totalCount edges {{ cursor node {{ {PAPER_FIELDS} }} }}
    pageInfo {{ hasNextPage endCursor }} {FACETS} }} }} }}"""


async def _data(client: httpx.AsyncClient, query: str, **variables: Any) -> dict[str, Any]:
    body = await gql(client, query, variables)
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]  # type: ignore[assignment]
    return data


def _keeps(paper: dict[str, Any], f: dict[str, Any]) -> bool:
    kinds = {p["kind"] for p in paper["publications"]}
    venues = {p["venue"]["id"] for p in paper["publications"]}
    topics = {t["id"] for t in paper["topics"]}
    year = paper["year"]
    return (
        ("kinds" not in f or bool(kinds & set(f["kinds"])))
        and ("yearFrom" not in f or (year is not None and year >= f["yearFrom"]))
        and ("yearTo" not in f or (year is not None and year <= f["yearTo"]))
        and ("venueIds" not in f or bool(venues & set(f["venueIds"])))
        and ("topicIds" not in f or bool(topics & set(f["topicIds"])))
    )


def _expected_facets(papers: list[dict[str, Any]]) -> dict[str, Counter[Any]]:
    years: Counter[Any] = Counter(p["year"] for p in papers if p["year"] is not None)
    kinds: Counter[Any] = Counter(
        k for p in papers for k in {x["kind"] for x in p["publications"]} if k
    )
    venues: Counter[Any] = Counter(
        v for p in papers for v in {x["venue"]["id"] for x in p["publications"]}
    )
    topics: Counter[Any] = Counter(t for p in papers for t in {x["id"] for x in p["topics"]})
    return {"years": years, "kinds": kinds, "venues": venues, "topics": topics}


def _served_facets(facets: dict[str, Any]) -> dict[str, Counter[Any]]:
    return {
        "years": Counter({y["value"]: y["count"] for y in facets["years"]}),
        "kinds": Counter({k["value"]: k["count"] for k in facets["kinds"]}),
        "venues": Counter({v["venue"]["id"]: v["count"] for v in facets["venues"]}),
        "topics": Counter({t["topic"]["id"]: t["count"] for t in facets["topics"]}),
    }


async def _all_works(client: httpx.AsyncClient) -> list[dict[str, Any]]:
    works = (await _data(client, WORKS, id=WILL, first=100))["researcher"]["works"]
    return [e["node"] for e in works["edges"]]


FILTERS: list[dict[str, Any]] = [
    {},
    {"kinds": ["WORKSHOP"]},
    {"kinds": ["CONFERENCE", "JOURNAL"], "yearFrom": 2019},
    {"yearFrom": 2018, "yearTo": 2019},
    {"venueIds": ["venue:iclr", "venue:icml"]},
    {"venueIds": ["venue:arxiv"], "yearTo": 2020},
    {"kinds": []},
]


async def _tag_topics(store: Store, papers: list[dict[str, Any]]) -> None:
    # The seed gives papers no topics (the paper lists' keywords do): give some here.
    pairs = [(p["id"], "topic:energy-based-models") for p in papers[:4]]
    pairs += [(p["id"], "topic:normalizing-flows") for p in papers[2:6]]
    await store.write(
        "UNWIND $pairs AS pair MATCH (p:Entity {id: pair[0]}), (t:Entity {id: pair[1]}) "
        "MERGE (p)-[:HAS_TOPIC {key: ''}]->(t)",
        {"pairs": [list(pair) for pair in pairs]},
    )


async def test_works_filters_and_facets_match_counts_from_the_whole_list(
    client: httpx.AsyncClient, seeded: Store
) -> None:
    await _tag_topics(seeded, await _all_works(client))
    everything = await _all_works(client)
    assert len(everything) > 10
    topic = "topic:normalizing-flows"
    for f in [*FILTERS, {"topicIds": [topic]}, {"topicIds": [topic], "kinds": ["PREPRINT"]}]:
        works = (await _data(client, WORKS, id=WILL, filter=f, first=100))["researcher"]["works"]
        kept = [p for p in everything if _keeps(p, f)]
        assert [e["node"]["id"] for e in works["edges"]] == [p["id"] for p in kept], f
        assert works["totalCount"] == len(kept), f
        assert _served_facets(works["facets"]) == _expected_facets(kept), f
    unfiltered = (await _data(client, WORKS, id=WILL, first=1))["researcher"]["works"]
    facets = unfiltered["facets"]
    # Facets count the whole list, not the page; years ascend, the others by count.
    assert _served_facets(facets) == _expected_facets(everything)
    assert [y["value"] for y in facets["years"]] == sorted(y["value"] for y in facets["years"])
    for name in ("kinds", "venues", "topics"):
        counts = [x["count"] for x in facets[name]]
        assert counts == sorted(counts, reverse=True), name
    iclr = next(v for v in facets["venues"] if v["venue"]["id"] == "venue:iclr")
    assert iclr["venue"]["name"] == "ICLR"


async def test_facets_are_one_round_trip(client: httpx.AsyncClient, seeded: Store) -> None:
    query = """query($f: WorkFilter) { researcher(id: "researcher:will-grathwohl") {
      works(filter: $f, first: 5) { totalCount %s } } }"""
    for f in ({}, {"kinds": ["CONFERENCE"]}):
        seeded.counters.reads = 0
        await _data(client, query % "", f=f)
        without = seeded.counters.reads
        seeded.counters.reads = 0
        await _data(client, query % "facets { years { value count } kinds { value count } }", f=f)
        assert seeded.counters.reads == without + 1, f


async def test_cursors_hold_only_for_their_filter(client: httpx.AsyncClient) -> None:
    f = {"yearFrom": 2019}
    everything = [p for p in await _all_works(client) if _keeps(p, f)]
    first = (await _data(client, WORKS, id=WILL, filter=f, first=2))["researcher"]["works"]
    after = first["pageInfo"]["endCursor"]
    same = {"yearFrom": 2019, "kinds": None}  # the same filter spelled with a null field
    rest = await _data(client, WORKS, id=WILL, filter=same, first=100, after=after)
    ids = [e["node"]["id"] for e in first["edges"] + rest["researcher"]["works"]["edges"]]
    assert ids == [p["id"] for p in everything]
    for other in ({"yearFrom": 2018}, None):
        body = await gql(client, WORKS, {"id": WILL, "filter": other, "first": 2, "after": after})
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", body  # type: ignore[index]
        assert "filter" in body["errors"][0]["message"]  # type: ignore[index]
    # An unfiltered cursor does not continue a filtered list either.
    plain = (await _data(client, WORKS, id=WILL, first=2))["researcher"]["works"]
    body = await gql(
        client, WORKS, {"id": WILL, "filter": f, "after": plain["pageInfo"]["endCursor"]}
    )
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"  # type: ignore[index]


VENUE = f"""query($f: WorkFilter) {{ venue(id: "venue:iclr") {{ publications(filter: $f, first: 100) {{
  totalCount edges {{ year paper {{ {PAPER_FIELDS} }} }} {FACETS} }} }} }}"""


async def test_venue_publications_filter_and_facets(client: httpx.AsyncClient) -> None:
    whole = (await _data(client, VENUE))["venue"]["publications"]
    papers = [e["paper"] for e in whole["edges"]]
    assert whole["totalCount"] == len(papers) > 0
    assert _served_facets(whole["facets"]) == _expected_facets(papers)
    for f in ({"yearFrom": 2020}, {"kinds": ["PREPRINT"]}, {"yearTo": 2018}):
        found = (await _data(client, VENUE, f=f))["venue"]["publications"]
        kept = [p for p in papers if _keeps(p, f)]
        assert [e["paper"]["id"] for e in found["edges"]] == [p["id"] for p in kept], f
        assert _served_facets(found["facets"]) == _expected_facets(kept), f


SEARCH = f"""query($q: String!, $f: WorkFilter, $types: [EntityType!]) {{
  search(query: $q, filter: $f, types: $types, first: 100) {{
  totalCount edges {{ node {{ __typename id ... on Paper {{ {PAPER_FIELDS} }} }} }} {FACETS} }} }}"""


async def test_search_filter_keeps_papers_and_facets_count_paper_hits(
    client: httpx.AsyncClient,
) -> None:
    whole = (await _data(client, SEARCH, q="energy"))["search"]
    papers = [e["node"] for e in whole["edges"] if e["node"]["__typename"] == "Paper"]
    assert len(papers) < whole["totalCount"]  # researchers, topics and talks match too
    assert _served_facets(whole["facets"]) == _expected_facets(papers)
    for f in ({"yearFrom": 2020}, {"kinds": ["WORKSHOP"]}, {}):
        found = (await _data(client, SEARCH, q="energy", f=f))["search"]
        kept = [p for p in papers if _keeps(p, f)]
        if f:
            assert [e["node"]["id"] for e in found["edges"]] == [p["id"] for p in kept], f
        assert _served_facets(found["facets"]) == _expected_facets(kept), f
    none = await _data(client, SEARCH, q="energy", f={"yearFrom": 2000}, types=["TOPIC"])
    assert none["search"]["totalCount"] == 0 and none["search"]["edges"] == []


BAD_FILTERS: list[tuple[dict[str, Any], str]] = [
    ({"yearFrom": 2021, "yearTo": 2019}, "after"),
    ({"yearFrom": 100000}, "between"),
    ({"venueIds": ["researcher:will-grathwohl"]}, "venue ids"),
    ({"topicIds": ["not an id"]}, "not a valid id"),
    ({"venueIds": ["venue:iclr"] * 101}, "at most 100"),
]


async def test_bad_filters_are_bad_user_input(client: httpx.AsyncClient) -> None:
    for f, words in BAD_FILTERS:
        for query, variables in ((WORKS, {"id": WILL}), (VENUE, {}), (SEARCH, {"q": "energy"})):
            body = await gql(client, query, {**variables, "f": f, "filter": f})
            error = body["errors"][0]  # type: ignore[index]
            assert error["extensions"]["code"] == "BAD_USER_INPUT", body
            assert words in error["message"], error
