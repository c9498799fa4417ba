"""The profile API over HTTP on the seeded graph: one query returns the whole profile, and it
matches the seed documents fact for fact (the expectations are read from the transcriptions)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import httpx
import pytest
import yaml

from conftest import SEEDS, gql
from scholargraph import text
from scholargraph.graphdb.model import paper_id

SUBJECT = "researcher:will-grathwohl"

PROFILE = """
query Profile($id: ID!) {
  researcher(id: $id) {
    id name aliases bio headline sources
    links { kind value asWritten }
    affiliations { institution { id name kind parent { name } } role since until place }
    education { institution { name } degree field year status }
    supervisors { id name }
    topics { name }
    works(first: 100) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage endCursor }
      edges { cursor node {
        id title abstract summary year sources
        authors { position equalContribution asWritten researcher { id name aliases } }
        publications { venue { id name kind parent { name } } year kind presentation honors notes asWritten }
      } }
    }
    talks { id title event place date dateAsWritten linkText description year month
            venue { name kind } institution { name } speaker { id } }
    awards { year award { name kind amount currency durationYears description
                          funder { name } venue { name } recipients { id } }
             for { id title } }
    collaborators(first: 100) { researcher { id name } sharedWorkCount lastSharedYear
                                sharedWorks { id } }
    stats { works followers topics collaborators talks awards }
    trust { score label verificationLevel verified claimed }
    recordedSnapshots { trustScore trustLabel verificationLevel claimed works followers
                        topics closeCollaborators recordedFrom sources }
  }
}
"""


def _doc(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((SEEDS / name).read_text())
    return loaded


HOMEPAGE = _doc("homepage.yaml")
PROFILE_PAGE = _doc("profile.yaml")


@pytest.fixture
async def profile(client: httpx.AsyncClient) -> dict[str, Any]:
    body = await gql(client, PROFILE, {"id": SUBJECT})
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]["researcher"]  # type: ignore[index]
    return data


def _works(profile: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {edge["node"]["id"]: edge["node"] for edge in profile["works"]["edges"]}


def _listings() -> list[dict[str, Any]]:
    return [*PROFILE_PAGE["papers"], *HOMEPAGE["papers"]]


def _people() -> dict[str, str]:
    return {p["id"]: p["name"] for p in [*HOMEPAGE["people"], *PROFILE_PAGE["people"]]}


async def test_identity_bio_and_links(profile: dict[str, Any]) -> None:
    assert profile["name"] == "Will Grathwohl"
    assert profile["headline"] == PROFILE_PAGE["profile"]["headline"]
    assert profile["bio"] == HOMEPAGE["profile"]["bio"]
    assert sorted(profile["sources"]) == ["seed:homepage", "seed:profile"]
    expected = [(link["kind"].upper(), link["value"], link["asWritten"])
                for link in HOMEPAGE["profile"]["links"]]  # fmt: skip
    assert [
        (link["kind"], link["value"], link["asWritten"]) for link in profile["links"]
    ] == expected


async def test_affiliations_education_supervisors_topics(profile: dict[str, Any]) -> None:
    brain = next(a for a in profile["affiliations"] if a["institution"]["name"] == "Google Brain")
    assert (brain["role"], brain["since"], brain["place"]) == ("part-time", "2019-02", "Toronto")
    group = next(a for a in profile["affiliations"] if a["role"] == "PhD student")
    assert group["institution"]["parent"]["name"] == "University of Toronto"
    assert len(profile["affiliations"]) == len(HOMEPAGE["profile"]["affiliations"])
    degrees = {(e["institution"]["name"], e["degree"], e["field"], e["year"], e["status"])
               for e in profile["education"]}  # fmt: skip
    assert ("MIT", "undergraduate", "Mathematics", 2014, "completed") in degrees
    assert len(degrees) == len(HOMEPAGE["profile"]["education"])
    assert [s["name"] for s in profile["supervisors"]] == ["David Duvenaud", "Richard Zemel"]
    expected_topics = {t["name"] for t in HOMEPAGE["topics"]}
    assert {t["name"] for t in profile["topics"]} == expected_topics


async def test_every_paper_once_with_its_facts(profile: dict[str, Any]) -> None:
    works = _works(profile)
    listings = _listings()
    distinct = {paper_id(p["title"]) for p in listings}
    assert set(works) == distinct
    assert profile["works"]["totalCount"] == len(distinct) == 12
    assert profile["stats"]["works"] == len(distinct)
    people = _people()
    for listing in listings:
        work = works[paper_id(listing["title"])]
        assert text.title_key(work["title"]) == text.title_key(listing["title"])
        if listing.get("abstract"):
            assert work["abstract"] == listing["abstract"]
        if listing.get("summary"):
            assert work["summary"] == listing["summary"]
        if listing["authors"]:
            got = [(a["position"], a["researcher"]["name"], a["equalContribution"])
                   for a in work["authors"]]  # fmt: skip
            want = [(i, people[a["person"]], bool(a.get("equalContribution")))
                    for i, a in enumerate(listing["authors"], start=1)]  # fmt: skip
            assert got == want, listing["title"]
        published = {(p["venue"]["id"], p["year"], p["kind"], p["presentation"], tuple(p["honors"]))
                     for p in work["publications"]}  # fmt: skip
        for pub in listing["publications"]:
            presentation = pub["presentation"].upper() if pub["presentation"] else None
            key = (pub["venue"], pub["year"], pub["kind"].upper(), presentation,
                   tuple(pub["honors"]))  # fmt: skip
            assert key in published, (listing["title"], key)


async def test_equal_contribution_and_honours(profile: dict[str, Any]) -> None:
    works = {w["title"]: w for w in _works(profile).values()}
    iresnet = works["Invertible Residual Networks"]
    assert [a["researcher"]["name"] for a in iresnet["authors"] if a["equalContribution"]] == [
        "Jens Behrmann", "Will Grathwohl", "Jörn-Henrik Jacobsen"
    ]  # fmt: skip
    assert iresnet["publications"][0]["presentation"] == "LONG_ORAL"
    ffjord = next(w for t, w in works.items() if t.startswith("FFJORD"))
    venues = {p["venue"]["name"]: p for p in ffjord["publications"]}
    assert venues["ICLR"]["year"] == 2019 and venues["ICLR"]["presentation"] == "ORAL"
    aabi = venues["Symposium on Advances in Approximate Bayesian Inference"]
    assert aabi["honors"] == ["Best Paper Award"]
    assert aabi["year"] == 2018
    assert ffjord["year"] == 2018  # the earliest appearance
    # Listed on both pages: one Paper with both publications and both sources.
    stein = next(w for t, w in works.items() if t.startswith("Learning the Stein"))
    assert {(p["venue"]["name"], p["year"], p["kind"]) for p in stein["publications"]} == {
        ("ICML", 2020, "CONFERENCE"), ("arXiv", 2020, "PREPRINT")
    }  # fmt: skip
    assert sorted(stein["sources"]) == ["seed:homepage", "seed:profile"]
    # The misspelt byline is kept as written and resolves to the one person.
    iresnet_jacobsen = iresnet["authors"][4]
    assert iresnet_jacobsen["asWritten"] == "Jorn-Henrik Jocobsen*"
    assert iresnet_jacobsen["researcher"]["id"] == "researcher:jorn-henrik-jacobsen"


async def test_talks(profile: dict[str, Any]) -> None:
    talks = {(t["title"], t["date"]): t for t in profile["talks"]}
    assert len(talks) == len(HOMEPAGE["talks"])
    for want in HOMEPAGE["talks"]:
        got = talks[(want["title"], want["date"])]
        assert got["event"] == want["event"]
        assert got["place"] == want["place"]
        assert got["dateAsWritten"] == want["dateAsWritten"]
        assert got["speaker"]["id"] == SUBJECT
    ias = next(t for t in profile["talks"] if t["date"] == "2020-03")
    assert ias["institution"]["name"] == "Institute for Advanced Study"
    assert (ias["year"], ias["month"]) == (2020, 3)
    dtu = next(t for t in profile["talks"] if t["date"] == "2019-10")
    assert dtu["place"] == "Copenhagen, Denmark"
    assert [t["date"] for t in profile["talks"]] == sorted(
        (t["date"] for t in profile["talks"]), reverse=True
    )


async def test_awards(profile: dict[str, Any]) -> None:
    awards = {g["award"]["name"]: g for g in profile["awards"]}
    assert set(awards) == {a["name"] for a in HOMEPAGE["awards"]}
    borealis = awards["Borealis AI Graduate Fellowship"]["award"]
    assert (borealis["amount"], borealis["currency"], borealis["durationYears"]) == (50000, "$", 2)
    assert borealis["funder"]["name"] == "Royal Bank of Canada"
    assert borealis["kind"] == "FELLOWSHIP"
    best = awards["Best Paper Award"]
    assert best["for"]["title"].startswith("FFJORD")
    assert (
        best["award"]["venue"]["name"] == "Symposium on Advances in Approximate Bayesian Inference"
    )
    assert best["year"] == 2018
    assert awards["ICLR 2018 Travel Award"]["award"]["venue"]["name"] == "ICLR"
    assert awards["Huawei Prize"]["award"]["funder"] is None  # the page names no funder
    assert all(g["award"]["recipients"] == [{"id": SUBJECT}] for g in profile["awards"])


async def test_collaborators_ranked_with_counts(profile: dict[str, Any]) -> None:
    # Independently count shared papers from the transcription.
    shared: dict[str, set[str]] = defaultdict(set)
    for listing in HOMEPAGE["papers"]:
        names = [a["person"] for a in listing["authors"]]
        if SUBJECT in names:
            for person in names:
                if person != SUBJECT:
                    shared[person].add(paper_id(listing["title"]))
    got = {c["researcher"]["id"]: c for c in profile["collaborators"]}
    assert set(got) == set(shared)
    for person, papers in shared.items():
        assert got[person]["sharedWorkCount"] == len(papers)
        assert {w["id"] for w in got[person]["sharedWorks"]} == papers
    counts = [c["sharedWorkCount"] for c in profile["collaborators"]]
    assert counts == sorted(counts, reverse=True)
    assert profile["collaborators"][0]["researcher"]["name"] == "David Duvenaud"
    assert profile["stats"]["collaborators"] == len(shared)


async def test_stats_trust_and_recorded_snapshot(profile: dict[str, Any]) -> None:
    assert profile["stats"] == {
        "works": 12, "followers": 0, "topics": 4,
        "collaborators": profile["stats"]["collaborators"], "talks": 4, "awards": 4,
    }  # fmt: skip
    assert profile["trust"] == {
        "score": 15, "label": "Unverified", "verificationLevel": "L1", "verified": False,
        "claimed": False,
    }  # fmt: skip
    (snapshot,) = profile["recordedSnapshots"]
    page = PROFILE_PAGE["snapshot"]
    assert snapshot["trustScore"] == page["trustScore"] == 15
    assert (snapshot["works"], snapshot["followers"], snapshot["topics"]) == (3, 0, 2)
    assert snapshot["closeCollaborators"] == 4
    assert snapshot["verificationLevel"] == "L1"
    assert snapshot["claimed"] is False
    assert snapshot["recordedFrom"] == PROFILE_PAGE["source"]["file"]
    assert snapshot["sources"] == ["seed:profile"]


async def test_researcher_by_name_and_alias(client: httpx.AsyncClient) -> None:
    query = "query($n: String!) { researcher(name: $n) { id } }"
    for name in ("will grathwohl", "WILL GRATHWOHL", "Jorn-Henrick Jacobsen", "joern-henrik jacobsen",
                 "Jörn-Henrik Jacobsen"):  # fmt: skip
        body = await gql(client, query, {"n": name})
        assert body["data"]["researcher"] is not None, name  # type: ignore[index]
    body = await gql(client, query, {"n": "Nobody At All"})
    assert "errors" not in body and body["data"] == {"researcher": None}


async def test_works_paging_and_kind_filter(client: httpx.AsyncClient) -> None:
    query = (
        """query($after: String, $kind: PublicationKind) { researcher(id: "%s") {
      works(first: 5, after: $after, kind: $kind) { totalCount edges { node { id } }
      pageInfo { hasNextPage hasPreviousPage endCursor } } } }"""
        % SUBJECT
    )
    seen: list[str] = []
    after = None
    while True:
        body = await gql(client, query, {"after": after})
        works = body["data"]["researcher"]["works"]  # type: ignore[index]
        seen += [e["node"]["id"] for e in works["edges"]]
        assert works["pageInfo"]["hasPreviousPage"] == (after is not None)
        if not works["pageInfo"]["hasNextPage"]:
            break
        after = works["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen)) == 12
    body = await gql(client, query, {"kind": "PREPRINT"})
    preprints = body["data"]["researcher"]["works"]  # type: ignore[index]
    assert preprints["totalCount"] == 4  # three 2020 arXiv preprints and "Oops"


async def test_node_interface_resolves_every_kind(client: httpx.AsyncClient) -> None:
    query = """query($id: ID!) { node(id: $id) { __typename id
      ... on Venue { name aliases kind } ... on Institution { name } } }"""
    body = await gql(client, query, {"id": "venue:neurips"})
    node = body["data"]["node"]  # type: ignore[index]
    assert node["__typename"] == "Venue" and "NIPS" in node["aliases"]
    body = await gql(client, query, {"id": "institution:university-of-toronto"})
    assert body["data"]["node"]["__typename"] == "Institution"  # type: ignore[index]
    body = await gql(client, query, {"id": "paper:0000000000000000"})
    assert "errors" not in body and body["data"] == {"node": None}


PAPER_FACTS = """id year authors { position equalContribution asWritten researcher { id name } }
  publications { venue { id name } year kind presentation honors notes asWritten }"""


async def test_a_works_page_answers_as_each_paper_alone(client: httpx.AsyncClient) -> None:
    # The page loads its papers' authors and venues ahead and answers them synchronously;
    # a paper asked for by id goes the batched, awaited way. Both must agree.
    body = await gql(
        client,
        "query($id: ID!) { researcher(id: $id) { works(first: 50) { edges { node { %s } } } } }"
        % PAPER_FACTS,
        {"id": SUBJECT},
    )
    assert "errors" not in body, body
    page = [e["node"] for e in body["data"]["researcher"]["works"]["edges"]]  # type: ignore[index]
    assert len(page) > 5 and any(p["authors"] and p["publications"] for p in page)
    aliases = " ".join(
        f'p{i}: paper(id: "{p["id"]}") {{ {PAPER_FACTS} }}' for i, p in enumerate(page)
    )
    alone = await gql(client, "{ %s }" % aliases)
    assert "errors" not in alone, alone
    assert [alone["data"][f"p{i}"] for i in range(len(page))] == page  # type: ignore[index]
