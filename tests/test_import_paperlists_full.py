"""All eight real paperlists files on top of the seed, imported once per backend for the whole
module (about 17 s on FalkorDB here), then imported again."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
import yaml

from conftest import BACKENDS, PAPERLISTS, SEEDS, open_neo4j
from scholargraph import text
from scholargraph.graphdb import embedded
from scholargraph.graphdb.connect import ensure_schema
from scholargraph.graphdb.falkor_store import FalkorStore
from scholargraph.graphdb.model import Label, Rel, paper_id
from scholargraph.graphdb.reads import neighbors, nodes_by_ids, works
from scholargraph.graphdb.stats import GraphCounts, graph_counts
from scholargraph.graphdb.store import Store
from scholargraph.ingest import load
from scholargraph.ingest.importer import ImportSummary, import_paperlists
from scholargraph.ingest.paperlists import parse_paperlists
from scholargraph.ingest.records import PaperRecord

FILES = sorted(PAPERLISTS.glob("*.json"))
WILL = "researcher:will-grathwohl"

pytestmark = pytest.mark.skipif(
    len(FILES) != 8,
    reason=f"the eight real paperlists files are not at {PAPERLISTS} "
    "(set SCHOLARGRAPH_PAPERLISTS_DIR)",
)


@dataclass
class Imported:
    store: Store
    seeded: GraphCounts
    first: ImportSummary
    second: ImportSummary
    after_first: GraphCounts
    after_second: GraphCounts


async def _open(
    backend: str, server: embedded.EmbeddedServer | None, neo4j_uri: str | None
) -> Store:
    if backend == "falkordb":
        assert server is not None
        # Bulk writes of a few thousand rows take longer than the default read timeout allows.
        store: Store = FalkorStore.over_socket(
            str(server.socket), f"full_{uuid.uuid4().hex[:12]}", timeout_ms=120_000
        )
    else:
        assert neo4j_uri is not None
        store = await open_neo4j(neo4j_uri, timeout_ms=120_000)
    await store.write("MATCH (n) DETACH DELETE n")
    await ensure_schema(store)
    return store


@pytest.fixture(scope="module", params=BACKENDS)
async def imported(request: pytest.FixtureRequest) -> AsyncIterator[Imported]:
    falkor = request.param == "falkordb"
    server = request.getfixturevalue("falkordb_server") if falkor else None
    neo4j_uri = None if falkor else request.getfixturevalue("neo4j_uri")
    store = await _open(request.param, server, neo4j_uri)
    try:
        await load.seed(store, SEEDS)
        seeded = await graph_counts(store)
        first = await import_paperlists(store, FILES)
        after_first = await graph_counts(store)
        second = await import_paperlists(store, FILES)
        after_second = await graph_counts(store)
        yield Imported(store, seeded, first, second, after_first, after_second)
    finally:
        await store.write("MATCH (n) DETACH DELETE n")
        await store.close()


def test_every_record_is_accounted_for(imported: Imported) -> None:
    first = imported.first
    assert len(FILES) == 8
    assert first.failed_files == []
    assert first.read == 13_366  # SOURCE.md
    accepted = first.papers_created + first.papers_matched
    assert accepted + sum(first.skipped.values()) == first.read
    assert all(reason.startswith("skipped: ") for reason in first.skipped)
    # Every accepted record is a paper; same-titled records with shared authors are one paper.
    assert imported.after_first.labels[Label.PAPER] - imported.seeded.labels[Label.PAPER] == (
        first.papers_created
    )


def test_a_second_import_changes_no_counts(imported: Imported) -> None:
    assert imported.after_second == imported.after_first
    second = imported.second
    assert second.papers_created == 0
    assert second.researchers_created == 0
    assert second.merges == []


async def test_will_grathwohl_is_one_researcher_with_each_work_once(imported: Imported) -> None:
    store = imported.store
    assert (
        await store.read(
            f"MATCH (r:{Label.RESEARCHER}) WHERE r.id <> $will AND "
            "(r.nameKey = 'will grathwohl' OR 'will grathwohl' IN r.nameKeys) RETURN r.id AS id",
            {"will": WILL},
        )
        == []
    )
    will = (await nodes_by_ids(store, [WILL]))[WILL]
    assert "Will Sussman Grathwohl" in will.get("aliases")
    assert set(will.get("externalIds")) == {
        "email:wgrathwohl@cs.toronto.edu",
        "openreview:~Will_Sussman_Grathwohl2",
    }
    refs = (await works(store, [WILL]))[WILL]
    titles = [ref.title for ref in refs]
    assert len(titles) == len({ref.paper for ref in refs}) == 12  # the seed's twelve, no more
    expected = {
        "FFJORD": ("ICLR 2019", "import:paperlists/iclr2019.json"),
        "Your Classifier is Secretly": ("ICLR 2020", "import:paperlists/iclr2020.json"),
        "Invertible Residual Networks": ("ICML 2019", "import:paperlists/icml2019.json"),
        "Backpropagation through the Void": ("ICLR 2018", "import:paperlists/iclr2018.json"),
        "Learning the Stein Discrepancy": ("ICML 2020", "import:paperlists/icml2020.json"),
        "Understanding the Limitations": ("ICLR 2020", "import:paperlists/iclr2020.json"),
        "No MCMC for me": ("ICLR 2021", "import:paperlists/iclr2021.json"),
    }
    for prefix, (_, source) in expected.items():
        (ref,) = [ref for ref in refs if ref.title.startswith(prefix)]
        paper = (await nodes_by_ids(store, [ref.paper]))[ref.paper]
        sources = paper.get("sources")
        assert source in sources, prefix
        assert any(s.startswith("seed:") for s in sources), prefix
        edges = (await neighbors(store, [WILL], Rel.AUTHORED, "out"))[WILL]
        (edge,) = [e for e in edges if e.other == ref.paper]
        assert source in edge.props["sources"], prefix


async def test_coauthor_spellings_resolve_to_one_person(imported: Imported) -> None:
    store = imported.store
    coauthors = await store.read(
        f"MATCH (:{Label.RESEARCHER} {{id: $will}})-[:{Rel.AUTHORED}]->(:{Label.PAPER})"
        f"<-[:{Rel.AUTHORED}]-(c:{Label.RESEARCHER}) "
        "RETURN DISTINCT c.id AS id, c.name AS name, c.aliases AS aliases",
        {"will": WILL},
    )
    by_id = {row["id"]: row for row in coauthors}
    jacobsen = by_id["researcher:jorn-henrik-jacobsen"]
    assert {"Jorn-Henrik Jacobsen", "Joern-Henrik Jacobsen"} <= set(jacobsen["aliases"])
    # No second node for any spelling of a coauthor of Will's.
    spellings = {
        "Joern-Henrik Jacobsen", "Jörn-Henrik Jacobsen", "Ricky T. Q. Chen", "David Duvenaud",
        "Kuan-Chieh Wang", "Jacob Jin Kelly", "Jacob Kelly", "Jens Behrmann", "Richard Zemel",
    }  # fmt: skip
    holders = [row["id"] for row in coauthors if spellings & {row["name"], *(row["aliases"] or [])}]
    assert len(holders) == len(set(holders)) == 7
    # The seed's "Jackson Wang" and "Kuan-Chieh Wang" are one person: same paper, position
    # and surname, and a shared set of coauthors.
    wang = [row for row in coauthors if "Kuan-Chieh Wang" in (row["name"], *row["aliases"])]
    assert len(wang) == 1
    assert {wang[0]["name"], *wang[0]["aliases"]} >= {"Jackson Wang", "Kuan-Chieh Wang"}
    (merge,) = await store.read(
        f"MATCH (m:{Label.MERGE})-[:{Rel.MERGED_INTO}]->(r {{id: $id}}) "
        "RETURN m.evidenceJson AS evidence",
        {"id": wang[0]["id"]},
    )
    assert "position-surname" in merge["evidence"]
    # Each of Will's conference papers lists each coauthor once.
    jem = paper_id(
        "Your Classifier is Secretly an Energy Based Model and You Should Treat it Like One"
    )
    authors = (await neighbors(store, [jem], Rel.AUTHORED, "in"))[jem]
    assert len(authors) == len({a.other for a in authors}) == 6


def _seed_people() -> dict[str, list[str]]:
    """Every person the seed documents name, with their spellings (from seeds/*.yaml)."""
    people: dict[str, list[str]] = {}
    for name in ("profile.yaml", "homepage.yaml"):
        document = yaml.safe_load((SEEDS / name).read_text(encoding="utf-8"))
        for person in document.get("people") or []:
            people[person["id"]] = [person["name"], *(person.get("aliases") or [])]
    return people


async def test_every_seed_person_is_one_researcher_with_all_their_works(
    imported: Imported,
) -> None:
    """After the eight lists, each person of the seed documents is one Researcher (the seed's
    "Jackson Wang" is Kuan-Chieh Wang) and carries every accepted paper their name is on."""
    store = imported.store
    people = _seed_people()
    assert len(people) >= 20
    bylines: dict[str, set[str]] = defaultdict(set)  # name key -> titles
    for path in FILES:
        for item in parse_paperlists(path):
            if isinstance(item, PaperRecord):
                for author in item.authors:
                    bylines[text.name_key(author.name)].add(text.title_key(item.title))
    survivors = {"researcher:jackson-wang": "researcher:kuan-chieh-wang"}
    problems = []
    for rid, spellings in sorted(people.items()):
        rid = survivors.get(rid, rid)
        keys = {text.name_key(s) for s in spellings}
        holders = await store.read(
            f"MATCH (r:{Label.RESEARCHER}) WHERE any(k IN $keys WHERE k IN r.nameKeys "
            "OR r.nameKey = k) RETURN r.id AS id",
            {"keys": sorted(keys)},
        )
        if [row["id"] for row in holders] != [rid]:
            problems.append(f"{rid}: held by {sorted(row['id'] for row in holders)}")
            continue
        titles = {text.title_key(ref.title) for ref in (await works(store, [rid]))[rid]}
        missing = set().union(*(bylines[k] for k in keys)) - titles
        if missing:
            problems.append(f"{rid}: misses {sorted(missing)[:3]}")
    assert problems == []


async def test_ids_are_paired_by_name_not_position(imported: Imported) -> None:
    """iclr2018 "Predict Responsibly" lists Pitassi's and Zemel's e-mails in swapped order; the
    ids go to the names they encode, and Zemel never carries Pitassi's OpenReview profile."""
    store = imported.store
    zemel = (await nodes_by_ids(store, ["researcher:richard-zemel"]))["researcher:richard-zemel"]
    ids = set(zemel.get("externalIds"))
    assert "openreview:~Toniann_Pitassi1" not in ids
    assert "email:toni@cs.toronto.edu" not in ids
    assert {"email:zemel@cs.toronto.edu", "openreview:~Richard_Zemel1"} <= ids
    rows = await store.read(
        f"MATCH (r:{Label.RESEARCHER})-[a:{Rel.AUTHORED}]->(p:{Label.PAPER}) "
        "WHERE p.title STARTS WITH 'Predict Responsibly' OR "
        "p.title STARTS WITH 'Theoretical bounds on estimation error for meta' "
        "RETURN p.title AS title, a.position AS position, r.id AS id, r.externalIds AS ids"
    )
    by_position = {(row["title"][:7], row["position"]): row for row in rows}
    pitassi = by_position[("Predict", 2)]
    assert "email:toni@cs.toronto.edu" in pitassi["ids"]
    assert by_position[("Predict", 3)]["id"] == "researcher:richard-zemel"
    theory = by_position[("Theoret", 4)]
    assert theory["id"] == pitassi["id"] != "researcher:richard-zemel"
    assert "openreview:~Toniann_Pitassi1" in theory["ids"]
    assert by_position[("Theoret", 5)]["id"] == "researcher:richard-zemel"


async def test_every_authorship_says_why_and_no_person_holds_two_profiles(
    imported: Imported,
) -> None:
    store = imported.store
    (row,) = await store.read(
        f"MATCH ()-[a:{Rel.AUTHORED}]->() WHERE a.evidenceSource IS NOT NULL "
        "AND a.evidence IS NULL RETURN count(a) AS n"
    )
    assert row["n"] == 0
    scored = await store.read(
        f"MATCH ()-[a:{Rel.AUTHORED}]->() WHERE a.evidence IN ['shared-coauthor', 'rare-name', "
        "'topic', 'affiliation', 'email-domain', 'venue', 'name'] "
        "RETURN a.evidenceScore AS score, a.evidenceKinds AS kinds LIMIT 50"
    )
    assert scored
    assert all(r["score"] is not None and r["score"] >= 0.5 and r["kinds"] for r in scored)
    rows = await store.read(
        f"MATCH (r:{Label.RESEARCHER}) WHERE size([i IN coalesce(r.externalIds, []) "
        "WHERE i STARTS WITH 'openreview:~']) > 1 RETURN r.id AS id, r.externalIds AS ids"
    )
    assert rows == []
