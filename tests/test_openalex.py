"""The OpenAlex importer: both shapes (API `results` page, snapshot JSON Lines) of the records in
tests/fixtures/openalex (see its SOURCE.md: one real record, two constructed ones), mapped,
resolved onto the seed's researchers, cited, imported twice, and malformed input reported with
file and line. The seed plus both fixture files are imported once per backend for the module.
Five more real records, of ICLR 2018 papers, resolve onto the researchers the real ICLR 2018
paper list created."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import pytest

from conftest import BACKENDS, PAPERLISTS, SEEDS, open_neo4j
from scholargraph.graphdb import embedded
from scholargraph.graphdb.citations import stated_citations
from scholargraph.graphdb.connect import ensure_schema
from scholargraph.graphdb.falkor_store import FalkorStore
from scholargraph.graphdb.model import Label, Rel, paper_id
from scholargraph.graphdb.reads import neighbors, nodes_by_ids
from scholargraph.graphdb.stats import GraphCounts, graph_counts
from scholargraph.graphdb.store import Store
from scholargraph.ingest import load
from scholargraph.ingest.importer import (
    ImportSummary,
    import_openalex,
    import_paperlists,
    summary_lines,
)
from scholargraph.ingest.openalex import parse_openalex
from scholargraph.ingest.records import ImportProblem, PaperRecord, Reference, StatedCount

FIXTURES = Path(__file__).parent / "fixtures" / "openalex"
RESULTS = FIXTURES / "works-results.json"
LINES = FIXTURES / "works.jsonl"
FFJORD = paper_id("FFJORD: Free-form Continuous Dynamics for Scalable Reversible Generative Models")
NODE = paper_id("Neural Ordinary Differential Equations")
STATE_OF_OA = paper_id(
    "The state of OA: a large-scale analysis of the prevalence and impact of Open Access articles"
)
SEED_PEOPLE = {
    "Will Grathwohl": "researcher:will-grathwohl",
    "Ricky T. Q. Chen": "researcher:ricky-t-q-chen",
    "Jesse Bettencourt": "researcher:jesse-bettencourt",
    "Ilya Sutskever": "researcher:ilya-sutskever",
    "David Duvenaud": "researcher:david-duvenaud",
}


def _records(path: Path) -> list[PaperRecord | ImportProblem]:
    return list(parse_openalex(path))


# --- parsing ----------------------------------------------------------------------------------


def test_both_shapes_give_the_same_record_of_the_real_work() -> None:
    from_results = _records(RESULTS)
    from_lines = _records(LINES)
    assert [type(r) for r in from_results + from_lines] == [PaperRecord] * 4
    real_a, real_b = from_results[0], from_lines[0]
    assert isinstance(real_a, PaperRecord)
    assert isinstance(real_b, PaperRecord)
    assert real_a.external_id == real_b.external_id == "openalex:W2741809807"
    # Apart from provenance and where it sits in its file, one work is one record.
    assert (real_a.source, real_a.record_no) == ("openalex:works-results.json", 1)
    assert (real_b.source, real_b.record_no) == ("openalex:works.jsonl", 1)
    fields = [f for f in PaperRecord.__slots__ if f not in ("source", "record_no")]  # type: ignore[attr-defined]
    assert all(getattr(real_a, f) == getattr(real_b, f) for f in fields)


def test_a_real_work_maps_field_by_field() -> None:
    work = _records(RESULTS)[0]
    assert isinstance(work, PaperRecord)
    assert work.title.startswith("The state of OA: a large-scale analysis")
    assert (work.year, work.venue, work.kind, work.status) == (2018, "PeerJ", "journal", "article")
    assert work.other_ids == ("doi:10.7717/peerj.4375", "pmid:29456894")
    assert [a.name for a in work.authors][:3] == [
        "Heather Piwowar",  # raw_author_name, not display_name "Heather A. Piwowar"
        "Jason Priem",
        "Vincent Larivière",
    ]
    assert [a.position for a in work.authors] == list(range(1, 10))
    first = work.authors[0]
    assert first.external_ids == ("openalex:A1969205032", "orcid:0000-0003-1613-5981")
    assert first.affiliations == ("Our Research",)
    assert ("Our Research", ("ror:02nr0ka47", "openalex:I4200000001")) in work.institution_ids
    assert work.authors[2].affiliations == (
        "Université de Montréal",
        "Université du Québec à Montréal",
    )
    assert work.references == (
        Reference(id="openalex:W1560783210"),
        Reference(id="openalex:W1724212071"),
    )
    assert work.stated_citations == (StatedCount(565, "OpenAlex", "2023-10-29"),)
    assert work.keywords == ()  # a 2023 record: concepts, no topics
    assert work.abstract is not None
    assert work.abstract.startswith("Despite growing interest in Open Access (OA) to scholarly")
    assert work.abstract.endswith("as a way to inform OA policy and practice.")
    assert len(work.abstract.split()) == 258  # positions 0-257


def test_a_constructed_preprint_gets_its_arxiv_id_topics_and_references() -> None:
    ffjord = _records(RESULTS)[1]
    assert isinstance(ffjord, PaperRecord)
    assert ffjord.other_ids == ("doi:10.48550/arxiv.1810.01367", "arxiv:1810.01367")
    assert (ffjord.venue, ffjord.kind) == ("arXiv (Cornell University)", "preprint")
    assert ffjord.keywords == ("Generative Models",)
    assert [a.name for a in ffjord.authors] == list(SEED_PEOPLE)
    assert ffjord.references == (
        Reference(id="openalex:W9990000002"),
        Reference(id="openalex:W9990000099"),
    )


def _work(**fields: Any) -> dict[str, Any]:
    return {
        "id": "https://openalex.org/W9990000500",
        "title": "A Constructed Test Work",
        "publication_year": 2020,
        "primary_location": {"source": {"display_name": "Test Venue", "type": "journal"}},
        "authorships": [{"author": {"id": "https://openalex.org/A9990000500"},
                         "raw_author_name": "Test Person"}],
        **fields,
    }  # fmt: skip


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"id": "https://example.org/W123"}, "no OpenAlex work id"),
        ({"id": "https://openalex.org/A123"}, "no OpenAlex work id"),
        ({"title": None, "display_name": None}, "no title"),
        ({"publication_year": "2020"}, "publication_year must be a four-digit integer"),
        ({"primary_location": None}, "no primary_location.source"),
        ({"authorships": {}}, "authorships must be an array"),
        ({"authorships": []}, "no authorships with a name"),
        ({"referenced_works": ["doi:10.1/x"]}, "referenced_works holds 'doi:10.1/x'"),
        ({"abstract_inverted_index": {"a": [0, "x"]}}, "bad position 'x'"),
    ],
)
def test_a_bad_work_names_file_and_line_and_the_others_are_read(
    tmp_path: Path, fields: dict[str, Any], reason: str
) -> None:
    path = tmp_path / "works.jsonl"
    good = _work()
    path.write_bytes(
        orjson.dumps(good) + b"\n\n" + orjson.dumps({**good, **fields}) + b"\n{not json\n"
    )
    first, second, third = _records(path)
    assert isinstance(first, PaperRecord)
    assert isinstance(second, ImportProblem)
    assert (second.file, second.record_no) == (str(path), 3)  # the blank line counts
    assert reason in second.reason
    assert isinstance(third, ImportProblem)
    assert third.record_no == 4
    assert third.reason.startswith("not valid JSON")


def test_a_malformed_results_file_is_one_problem_naming_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "page.json"
    path.write_text('{"meta": {"count": 1},\n "results": [\n  {"id": oops}\n ]\n}\n')
    (problem,) = _records(path)
    assert isinstance(problem, ImportProblem)
    assert (problem.file, problem.record_no) == (str(path), None)
    assert "not valid JSON at line 3 column" in problem.reason
    path.write_text('{"results": {"id": "W1"}}')
    (problem,) = _records(path)
    assert isinstance(problem, ImportProblem)
    assert problem.reason == "expected an object with a `results` array of works"
    path.write_bytes(orjson.dumps({"results": [_work(), 7]}))
    good, bad = _records(path)
    assert isinstance(good, PaperRecord)
    assert isinstance(bad, ImportProblem)
    assert (bad.record_no, bad.reason) == (2, "results[1]: a work must be a JSON object")


# --- the import, on each store ----------------------------------------------------------------


@dataclass
class Imported:
    store: Store
    seeded: GraphCounts
    first: ImportSummary
    second: ImportSummary
    after_first: GraphCounts
    after_second: GraphCounts


@pytest.fixture(scope="module", params=BACKENDS)
async def imported(request: pytest.FixtureRequest) -> AsyncIterator[Imported]:
    store: Store
    if request.param == "falkordb":
        server: embedded.EmbeddedServer = request.getfixturevalue("falkordb_server")
        store = FalkorStore.over_socket(str(server.socket), f"openalex_{uuid.uuid4().hex[:12]}")
    else:
        store = await open_neo4j(request.getfixturevalue("neo4j_uri"))
    await store.write("MATCH (n) DETACH DELETE n")
    await ensure_schema(store)
    try:
        await load.seed(store, SEEDS)
        seeded = await graph_counts(store)
        first = await import_openalex(store, [RESULTS, LINES])
        after_first = await graph_counts(store)
        second = await import_openalex(store, [LINES, RESULTS])
        after_second = await graph_counts(store)
        yield Imported(store, seeded, first, second, after_first, after_second)
    finally:
        await store.write("MATCH (n) DETACH DELETE n")
        await store.close()


def test_every_work_is_imported(imported: Imported) -> None:
    first = imported.first
    assert (first.read, first.failed_files, first.problems) == (4, [], [])
    # FFJORD is the seed's paper; the real work (in both files) and Neural ODEs are new.
    assert (first.papers_created, first.papers_matched) == (2, 2)
    delta = imported.after_first.labels[Label.PAPER] - imported.seeded.labels[Label.PAPER]
    assert delta == 2


async def test_seed_authors_land_on_the_seed_researchers(imported: Imported) -> None:
    store = imported.store
    ffjord_authors = (await neighbors(store, [FFJORD], Rel.AUTHORED, "in"))[FFJORD]
    assert {e.other for e in ffjord_authors} == set(SEED_PEOPLE.values())
    node_authors = (await neighbors(store, [NODE], Rel.AUTHORED, "in"))[NODE]
    by_position = {e.props["position"]: e.other for e in node_authors}
    assert by_position[1] == SEED_PEOPLE["Ricky T. Q. Chen"]
    assert by_position[3] == SEED_PEOPLE["Jesse Bettencourt"]
    assert by_position[4] == SEED_PEOPLE["David Duvenaud"]
    assert by_position[2] not in SEED_PEOPLE.values()  # Yulia Rubanova is not in the seed
    people = await nodes_by_ids(store, list(SEED_PEOPLE.values()))
    assert "openalex:A9990000005" in people["researcher:david-duvenaud"].get("externalIds")
    assert "openalex:A9990000002" in people["researcher:ricky-t-q-chen"].get("externalIds")
    # Nobody new carries a seed person's name.
    rows = await store.read(
        f"MATCH (r:{Label.RESEARCHER}) WHERE r.name IN $names RETURN r.id AS id",
        {"names": list(SEED_PEOPLE)},
    )
    assert {row["id"] for row in rows} == set(SEED_PEOPLE.values())
    assert imported.first.merges == []


async def test_references_become_cites_and_the_rest_are_counted(imported: Imported) -> None:
    cited = (await neighbors(imported.store, [FFJORD], Rel.CITES, "out"))[FFJORD]
    assert [e.other for e in cited] == [NODE]
    assert imported.after_first.relationships[Rel.CITES] == 1
    # The real work's two references (in each file) and FFJORD's placeholder are unresolved.
    assert imported.first.citations == 1
    assert imported.first.unresolved_references == {"unknown openalex": 5}
    assert any("openalex:W9990000099" in line for line in summary_lines(imported.first))


async def test_ids_institutions_venue_and_the_stated_count_are_kept(imported: Imported) -> None:
    store = imported.store
    paper = (await nodes_by_ids(store, [STATE_OF_OA]))[STATE_OF_OA]
    assert set(paper.get("externalIds")) == {
        "openalex:W2741809807",
        "doi:10.7717/peerj.4375",
        "pmid:29456894",
    }
    assert [(s.count, s.source, s.as_of) for s in stated_citations(paper.props)] == [
        (565, "OpenAlex", "2023-10-29")
    ]
    assert paper.get("abstract").startswith("Despite growing interest in Open Access")
    (venue,) = (await neighbors(store, [STATE_OF_OA], Rel.PUBLISHED_AT, "out"))[STATE_OF_OA]
    assert venue.other == "venue:peerj"
    assert venue.props["kind"] == "journal"
    authors = (await neighbors(store, [STATE_OF_OA], Rel.AUTHORED, "in"))[STATE_OF_OA]
    first = next(e.other for e in authors if e.props["position"] == 1)
    heather = (await nodes_by_ids(store, [first]))[first]
    assert heather.get("name") == "Heather Piwowar"
    assert {"openalex:A1969205032", "orcid:0000-0003-1613-5981"} <= set(heather.get("externalIds"))
    (place,) = (await neighbors(store, [first], Rel.AFFILIATED_WITH, "out"))[first]
    institution = (await nodes_by_ids(store, [place.other]))[place.other]
    assert institution.get("name") == "Our Research"
    assert {"ror:02nr0ka47", "openalex:I4200000001"} <= set(institution.get("externalIds"))
    topics = (await neighbors(store, [FFJORD], Rel.HAS_TOPIC, "out"))[FFJORD]
    assert "topic:generative-models" in {e.other for e in topics}


def test_a_second_import_changes_nothing(imported: Imported) -> None:
    assert imported.after_second == imported.after_first
    second = imported.second
    assert (second.papers_created, second.researchers_created, second.merges) == (0, 0, [])
    assert second.citations == 1


async def test_two_openalex_ids_never_make_one_person(store: Store, tmp_path: Path) -> None:
    """Two authorships named alike on two papers with a shared coauthor, but with different
    OpenAlex author ids: one scheme, two ids, so two people (docs/identity.md)."""
    coauthor = {"author": {"id": "https://openalex.org/A9990000600"},
                "raw_author_name": "Shared Coauthor"}  # fmt: skip
    works = [
        _work(
            id=f"https://openalex.org/W999000070{n}",
            title=f"Constructed Work {n}",
            authorships=[
                {
                    "author": {"id": f"https://openalex.org/A999000070{n}"},
                    "raw_author_name": "Alex Namesake",
                },
                coauthor,
            ],
        )
        for n in (1, 2)
    ]
    path = tmp_path / "namesakes.json"
    path.write_bytes(orjson.dumps({"results": works}))
    summary = await import_openalex(store, [path])
    assert summary.problems == []
    rows = await store.read(
        f"MATCH (r:{Label.RESEARCHER})-[:{Rel.AUTHORED}]->(p) WHERE r.name = 'Alex Namesake' "
        "RETURN r.id AS id, r.externalIds AS ids"
    )
    assert len({row["id"] for row in rows}) == 2
    assert sorted(sorted(row["ids"]) for row in rows) == [
        ["openalex:A9990000701"],
        ["openalex:A9990000702"],
    ]
    shared = await store.read(
        f"MATCH (r:{Label.RESEARCHER} {{name: 'Shared Coauthor'}}) RETURN r.id AS id"
    )
    assert len(shared) == 1  # the same id on both papers: one person


@pytest.mark.falkordb
def test_the_cli_imports_openalex_and_names_a_malformed_file(
    falkordb_server: embedded.EmbeddedServer, tmp_path: Path
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCHOLARGRAPH_")}
    env["SCHOLARGRAPH_FALKORDB_URL"] = f"unix://{falkordb_server.socket}"
    env["SCHOLARGRAPH_GRAPH"] = f"cli_openalex_{tmp_path.name}"
    env["SCHOLARGRAPH_DATA_DIR"] = str(tmp_path)
    broken = tmp_path / "page.json"
    broken.write_text('{"results": [\n  {"id": \n')

    def cli(*files: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "scholargraph.cli", "import", "openalex", *map(str, files)],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    ok = cli(RESULTS, LINES)
    assert ok.returncode == 0, ok.stderr
    assert "papers      3 created, 1 matched" in ok.stdout  # the real work is in both files
    assert "citations   1 references resolved to papers; 5 unresolved" in ok.stdout
    bad = cli(broken, RESULTS)
    assert bad.returncode == 1
    assert f"FAILED      {broken}: not valid JSON at line 3 column" in bad.stdout
    assert "Traceback" not in bad.stdout + bad.stderr


# --- real records of paper-list papers, resolved onto the researchers the lists created -------

# Five real OpenAlex works (SOURCE.md): four are ICLR 2018 papers of the list, UCB Exploration
# is in it as a rejected submission (so not imported from it); all share authors with the list.
LISTED = FIXTURES / "paperlists-works.jsonl"
ICLR2018 = PAPERLISTS / "iclr2018.json"
IN_THE_LIST = {
    "W2623491082": "Parameter Space Noise for Exploration",
    "W2765602917": "META LEARNING SHARED HIERARCHIES",
    "W2762872434": (
        "Continuous Adaptation via Meta-Learning in Nonstationary and Competitive Environments"
    ),
    "W2786303200": (
        "Variance Reduction for Policy Gradient with Action-Dependent Factorized Baselines"
    ),
}
UCB = paper_id("UCB Exploration via Q-Ensembles")


async def _authors(store: Store, papers: list[str]) -> dict[str, dict[int, str]]:
    """Each paper's researchers by position."""
    found = await neighbors(store, papers, Rel.AUTHORED, "in")
    return {p: {e.props["position"]: e.other for e in found[p]} for p in papers}


async def _researcher_rows(store: Store) -> list[tuple[str, str, tuple[str, ...]]]:
    rows = await store.read(
        f"MATCH (r:{Label.RESEARCHER}) RETURN r.id AS id, r.name AS name, "
        "r.externalIds AS ids ORDER BY id"
    )
    return [(row["id"], row["name"], tuple(sorted(row["ids"] or []))) for row in rows]


@pytest.mark.skipif(not ICLR2018.is_file(), reason=f"the real paper lists are not in {PAPERLISTS}")
async def test_real_openalex_works_land_on_the_researchers_the_paper_list_made(
    store: Store,
) -> None:
    await import_paperlists(store, [ICLR2018])
    papers = [paper_id(title) for title in IN_THE_LIST.values()]
    before = await _authors(store, papers)
    people_before = {rid for rid, _, _ in await _researcher_rows(store)}
    assert all(before[p] for p in papers)  # the list made them, with their authors
    assert not (await nodes_by_ids(store, [UCB]))  # a rejected submission: not imported

    first = await import_openalex(store, [LISTED])
    assert (first.read, first.problems, first.merges) == (5, [], [])
    assert (first.papers_matched, first.papers_created) == (4, 1)
    # The four listed works joined the list's papers, with the same researchers in the same
    # places: OpenAlex's authorships added no one and moved no one.
    assert await _authors(store, papers) == before
    rows = await _researcher_rows(store)
    assert {rid for rid, _, _ in rows} == people_before
    # ...and each of those researchers now carries the OpenAlex author id of its authorships.
    works = [orjson.loads(line) for line in LISTED.read_bytes().splitlines()]
    ids = {rid: set(external) for rid, _, external in rows}
    for work in works:
        wid = work["id"].rsplit("/", 1)[1]
        if wid not in IN_THE_LIST:
            continue
        paper = (await nodes_by_ids(store, [paper_id(IN_THE_LIST[wid])]))[
            paper_id(IN_THE_LIST[wid])
        ]
        assert f"openalex:{wid}" in paper.get("externalIds")
        placed = before[paper.id]
        for position, authorship in enumerate(work["authorships"], start=1):
            author = "openalex:" + authorship["author"]["id"].rsplit("/", 1)[1]
            assert author in ids[placed[position]], (wid, position, placed[position])
    # Pieter Abbeel is on all five works under one OpenAlex id, and is one researcher.
    abbeel = [rid for rid, name, _ in rows if name == "Pieter Abbeel"]
    assert len(abbeel) == 1 and "openalex:A5049349154" in ids[abbeel[0]]
    # The work the list did not import is new, by the people the list made.
    ucb = (await _authors(store, [UCB]))[UCB]
    assert set(ucb.values()) <= people_before
    assert [name for rid, name, _ in rows if rid in ucb.values()] != []

    # Importing the records again changes nothing.
    counts = await graph_counts(store)
    second = await import_openalex(store, [LISTED])
    assert (second.papers_created, second.researchers_created, second.merges) == (0, 0, [])
    assert await graph_counts(store) == counts
    assert await _researcher_rows(store) == rows
