"""The non-researcher nodes over HTTP on the seeded graph: venues, institutions, talks, awards,
topics and papers, each field against what the seed documents say."""

from __future__ import annotations

from typing import Any

import httpx

from conftest import gql
from scholargraph.graphdb.model import paper_id

FFJORD = paper_id("FFJORD: Free-form Continuous Dynamics for Scalable Reversible Generative Models")


async def _data(client: httpx.AsyncClient, query: str, **variables: Any) -> dict[str, Any]:
    body = await gql(client, query, variables)
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]  # type: ignore[assignment]
    return data


async def test_venue_series_workshops_and_publications(client: httpx.AsyncClient) -> None:
    query = """query($after: String) { venue(id: "venue:iclr") { name kind parent { id }
      children { name kind }
      publications(first: 3, after: $after) { totalCount
        edges { paper { title } year kind presentation honors }
        pageInfo { hasNextPage endCursor } } } }"""
    venue = (await _data(client, query))["venue"]
    assert (venue["name"], venue["kind"], venue["parent"]) == ("ICLR", "CONFERENCE", None)
    children = {c["name"] for c in venue["children"]}
    assert {"ICLR Workshop", "ICLR Workshop on Energy-Based Models"} <= children
    pubs = venue["publications"]
    # ICLR 2018, 2019, 2020 (two), 2021 on the homepage.
    assert pubs["totalCount"] == 5
    assert [e["year"] for e in pubs["edges"]] == [2021, 2020, 2020]
    rest = (await _data(client, query, after=pubs["pageInfo"]["endCursor"]))["venue"]
    years = [e["year"] for e in rest["publications"]["edges"]]
    assert years == [2019, 2018] and not rest["publications"]["pageInfo"]["hasNextPage"]
    oral = next(e for e in rest["publications"]["edges"] if e["year"] == 2019)
    assert oral["presentation"] == "ORAL" and oral["paper"]["title"].startswith("FFJORD")


async def test_venue_year_filter_and_hosts(client: httpx.AsyncClient) -> None:
    query = """{ iclr: venue(id: "venue:iclr") { publications(year: 2020) { totalCount } }
      seminar: venue(id: "venue:seminar-on-theoretical-machine-learning") {
        kind hostedBy { name kind } }
      dtu: venue(id: "venue:generative-models-and-uncertainty") {
        place hostedBy { name } } }"""
    data = await _data(client, query)
    assert data["iclr"]["publications"]["totalCount"] == 2
    assert data["seminar"]["kind"] == "SEMINAR_SERIES"
    assert data["seminar"]["hostedBy"]["name"] == "Institute for Advanced Study"
    assert data["dtu"]["place"] == "Copenhagen, Denmark"
    assert data["dtu"]["hostedBy"]["name"] == "Technical University of Denmark"


async def test_institutions_nest(client: httpx.AsyncClient) -> None:
    query = """{ institution(id: "institution:university-of-toronto") { name kind units { name kind }
      parent { id } } }"""
    uoft = (await _data(client, query))["institution"]
    assert uoft["kind"] == "UNIVERSITY" and uoft["parent"] is None
    assert {"name": "Machine Learning Group", "kind": "RESEARCH_GROUP"} in uoft["units"]


async def test_paper_fields(client: httpx.AsyncClient) -> None:
    query = """query($id: ID!) { paper(id: $id) { title year summary abstract sources
      awards { name } topics { name }
      authors { position asWritten equalContribution researcher { name } }
      publications { venue { name parent { name } } year kind presentation honors notes asWritten } } }"""
    paper = (await _data(client, query, id=FFJORD))["paper"]
    assert paper["year"] == 2018
    assert paper["summary"].startswith("We utilize the recently proposed Neural ODEs")
    assert paper["abstract"] is None  # the homepage gives a summary, not an abstract
    assert [a["name"] for a in paper["awards"]] == ["Best Paper Award"]
    assert [(a["position"], a["asWritten"]) for a in paper["authors"]][:2] == [
        (1, "Will Grathwohl*"), (2, "Ricky T. Q. Chen*")
    ]  # fmt: skip
    iclr = next(p for p in paper["publications"] if p["venue"]["name"] == "ICLR")
    assert iclr["notes"] == ["My Talk"] and iclr["asWritten"].startswith("ICLR 2019")
    assert paper["sources"] == ["seed:homepage"]


async def test_talks_and_awards_by_id(client: httpx.AsyncClient) -> None:
    query = """{ researcher(id: "researcher:will-grathwohl") { talks { id } awards { award { id } } } }"""
    data = (await _data(client, query))["researcher"]
    talk_q = """query($id: ID!) { talk(id: $id) { title date venue { name parent { name } }
                 speaker { name } linkText } }"""
    talks = [(await _data(client, talk_q, id=t["id"]))["talk"] for t in data["talks"]]
    iclr = next(t for t in talks if t["date"] == "2021-05")
    assert iclr["venue"]["name"] == "ICLR Workshop on Energy-Based Models"
    assert iclr["venue"]["parent"]["name"] == "ICLR"
    assert iclr["linkText"] == "Link" and iclr["speaker"]["name"] == "Will Grathwohl"
    award_q = """query($id: ID!) { award(id: $id) { name kind year recipients { name } } }"""
    awards = [(await _data(client, award_q, id=a["award"]["id"]))["award"] for a in data["awards"]]
    assert {a["kind"] for a in awards} == {"FELLOWSHIP", "PRIZE", "TRAVEL_AWARD", "BEST_PAPER"}
    assert all(a["recipients"] == [{"name": "Will Grathwohl"}] for a in awards)


async def test_topics(client: httpx.AsyncClient) -> None:
    query = """{ topic(id: "topic:energy-based-models") { name } node(id: "topic:normalizing-flows") {
      ... on Topic { name } } }"""
    data = await _data(client, query)
    assert data == {"topic": {"name": "Energy-Based Models"}, "node": {"name": "Normalizing Flows"}}
