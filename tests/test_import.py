"""The importer on small files: one test per identity rule, idempotency, atomic batches, bad
files and the CLI. Every test that takes `store` runs on every backend."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest

from scholargraph.graphdb import embedded, writes
from scholargraph.graphdb.identity import split_researcher
from scholargraph.graphdb.model import Label, Rel, paper_id
from scholargraph.graphdb.reads import neighbors, nodes_by_ids, works
from scholargraph.graphdb.stats import graph_counts
from scholargraph.graphdb.store import Params, Row, Store, StoreError
from scholargraph.ingest.importer import import_jsonl, import_paperlists, summary_lines

FIXTURES = Path(__file__).parent / "fixtures"


# --- writing small source files ---------------------------------------------------------------


def paperlist(
    folder: Path, name: str, records: list[dict[str, Any]], *, delimiter: str = ";"
) -> Path:
    """A paperlists file; each record's `author`/`authorids` may be given as lists."""
    rows = []
    for number, record in enumerate(records, start=1):
        row = {"id": f"{name[:-5]}-{number}", "status": "Poster", "track": "main", **record}
        for key in ("author", "authorids", "aff"):
            if isinstance(row.get(key), list):
                row[key] = delimiter.join(row[key])
        rows.append(row)
    path = folder / name
    path.write_bytes(orjson.dumps(rows))
    return path


def jsonl(folder: Path, name: str, lines: list[dict[str, Any]]) -> Path:
    path = folder / name
    path.write_bytes(b"".join(orjson.dumps({"v": 1, **line}) + b"\n" for line in lines))
    return path


def paper_line(
    external_id: str, title: str, authors: list[str | dict[str, Any]], **fields: Any
) -> dict[str, Any]:
    return {
        "type": "paper",
        "externalId": external_id,
        "title": title,
        "year": fields.pop("year", 2018),
        "venue": fields.pop("venue", "arXiv"),
        "kind": fields.pop("kind", "preprint"),
        "authors": [a if isinstance(a, dict) else {"name": a} for a in authors],
        **fields,
    }


async def researchers_named(store: Store, name: str) -> list[dict[str, Any]]:
    rows = await store.read(
        f"MATCH (r:{Label.RESEARCHER}) WHERE $name = r.name OR $name IN r.aliases "
        "RETURN properties(r) AS props ORDER BY r.id",
        {"name": name},
    )
    return [row["props"] for row in rows]


async def authored(store: Store, researcher: str) -> dict[str, dict[str, Any]]:
    found = await neighbors(store, [researcher], Rel.AUTHORED, "out")
    return {edge.other: edge.props for edge in found[researcher]}


# --- the rules --------------------------------------------------------------------------------


async def test_same_external_id_is_one_person_whatever_the_spelling(
    store: Store, tmp_path: Path
) -> None:
    first = paperlist(
        tmp_path,
        "iclr2019.json",
        [
            {
                "title": "Notes",
                "author": ["Ada Lovelace", "Charles Babbage"],
                "authorids": ["ada@example.org", "cb@example.org"],
            }
        ],
    )
    # A paperlists e-mail that fits no name on the byline is nobody's (see ingest.authorids),
    # so the other spelling comes with an explicit id, as JSON Lines give it.
    second = jsonl(
        tmp_path,
        "letters.jsonl",
        [
            paper_line(
                "x:letters",
                "Letters",
                [
                    {"name": "Augusta King", "externalIds": ["email:ada@example.org"]},
                    "Mary Somerville",
                ],
            )
        ],
    )
    await import_paperlists(store, [first])
    summary = await import_jsonl(store, [second])
    assert summary.evidence["external-id"] == 1
    (ada,) = await researchers_named(store, "Augusta King")
    assert ada["name"] == "Ada Lovelace"
    assert ada["externalIds"] == ["email:ada@example.org"]
    assert "augusta king" in ada["nameKeys"]
    letters = [p for p in (await works(store, [ada["id"]]))[ada["id"]] if p.title == "Letters"]
    edge = (await authored(store, ada["id"]))[letters[0].paper]
    assert edge["evidence"] == "external-id"
    assert edge["evidenceSource"] == "import:jsonl/letters.jsonl#1"
    assert edge["asWritten"] == "Augusta King"


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Ricky T. Q. Chen", "Ricky Chen"),  # middle initials tolerated
        ("Will Grathwohl", "W. Grathwohl"),  # a first initial
        ("Jörn-Henrik Jacobsen", "Joern-Henrik Jacobsen"),  # transliteration
    ],
)
async def test_compatible_name_with_a_shared_coauthor_is_one_person(
    store: Store, tmp_path: Path, first: str, second: str
) -> None:
    # No ids in NeurIPS files: only the name and the shared coauthor can tell.
    a = paperlist(
        tmp_path,
        "nips2019.json",
        [{"title": "One", "author": [first, "David Duvenaud"]}],
        delimiter=", ",
    )
    b = paperlist(
        tmp_path,
        "nips2020.json",
        [{"title": "Two", "author": ["David Duvenaud", second]}],
        delimiter=", ",
    )
    summary = await import_paperlists(store, [a, b])
    (person,) = await researchers_named(store, first)
    assert person["name"] == first
    assert second in person["aliases"]
    assert sorted(p.title for p in (await works(store, [person["id"]]))[person["id"]]) == [
        "One",
        "Two",
    ]
    assert summary.evidence["shared-coauthor"] >= 2  # each author vouches for the other
    counts = await graph_counts(store)
    assert counts.labels[Label.RESEARCHER] == 2


async def test_same_name_without_evidence_stays_two_people(store: Store, tmp_path: Path) -> None:
    a = paperlist(
        tmp_path,
        "nips2019.json",
        [{"title": "Graphs", "author": ["Wei Wang", "Alice Ng"]}],
        delimiter=", ",
    )
    b = paperlist(
        tmp_path,
        "nips2020.json",
        [{"title": "Proteins", "author": ["Wei Wang", "Bob Ortiz"]}],
        delimiter=", ",
    )
    summary = await import_paperlists(store, [a, b])
    people = await researchers_named(store, "Wei Wang")
    assert people[0]["id"] == "researcher:wei-wang"
    assert len(people) == 2
    assert people[1]["id"].startswith("researcher:wei-wang-")
    assert summary.evidence["new-namesake"] == 2  # each is a namesake of the other
    # Deterministic: the same files into an empty graph give the same ids.
    assert summary.researchers_created == 4


JEM = "Your Classifier is Secretly an Energy Based Model and You Should Treat it Like One"


async def test_position_and_surname_on_the_same_paper(seeded: Store, tmp_path: Path) -> None:
    """The seed's "Jackson Wang" (JEM, position 2) is ICLR 2020's "Kuan-Chieh Wang" at position 2;
    the seed's separate "Kuan-Chieh Wang" (Stein paper, same coauthors) is that person too, so
    the two seed researchers are merged, with the evidence in a MergeRecord."""
    jem = paperlist(
        tmp_path,
        "iclr2020.json",
        [
            {
                "title": "Your classifier is secretly an energy based model and you should treat "
                "it like one",
                "status": "Talk",
                "author": [
                    "Will Grathwohl",
                    "Kuan-Chieh Wang",
                    "Joern-Henrik Jacobsen",
                    "David Duvenaud",
                    "Mohammad Norouzi",
                    "Kevin Swersky",
                ],
                "authorids": [
                    "wgrathwohl@cs.toronto.edu",
                    "wangkua1@cs.toronto.edu",
                    "j.jacobsen@vectorinstitute.ai",
                    "duvenaud@cs.toronto.edu",
                    "mnorouzi@google.com",
                    "kswersky@google.com",
                ],
            }
        ],
    )
    before = await graph_counts(seeded)
    summary = await import_paperlists(seeded, [jem])
    assert summary.evidence["position-surname"] == 1
    assert summary.papers_matched == 1
    assert summary.merged == 1
    (merge_id,) = summary.merges
    (wang,) = await researchers_named(seeded, "Kuan-Chieh Wang")
    assert {wang["name"], *wang["aliases"]} >= {"Jackson Wang", "Kuan-Chieh Wang"}
    assert wang["externalIds"] == ["email:wangkua1@cs.toronto.edu"]
    record = (await nodes_by_ids(seeded, [merge_id]))[merge_id]
    evidence = orjson.loads(record.get("evidenceJson"))
    assert {e["kind"] for e in evidence} >= {"position-surname", "shared-coauthor"}
    assert {e["record"] for e in evidence if "record" in e} == {1}
    # The seed's JEM authorship keeps its own spelling and gains the evidence.
    jem_edge = (await authored(seeded, wang["id"]))[paper_id(JEM)]
    assert jem_edge["asWritten"] == "Jackson Wang"
    assert jem_edge["evidence"] == "position-surname"
    assert jem_edge["evidenceAsWritten"] == "Kuan-Chieh Wang"
    after = await graph_counts(seeded)
    assert after.labels[Label.RESEARCHER] == before.labels[Label.RESEARCHER] - 1
    assert after.labels[Label.PAPER] == before.labels[Label.PAPER]

    # Split it again: both come back, and a re-import respects the split.
    await split_researcher(seeded, merge_id, actor="test")
    again = await import_paperlists(seeded, [jem])
    assert again.merges == []
    people = {p["id"] for p in await researchers_named(seeded, "Kuan-Chieh Wang")}
    people |= {p["id"] for p in await researchers_named(seeded, "Jackson Wang")}
    assert people == {"researcher:jackson-wang", "researcher:kuan-chieh-wang"}


async def test_one_paper_across_sources(store: Store, tmp_path: Path) -> None:
    preprint = jsonl(
        tmp_path,
        "arxiv.jsonl",
        [
            paper_line(
                "arxiv:1810.01367",
                "FFJORD: Free-form Continuous Dynamics for Scalable Reversible Generative Models",
                ["Will Grathwohl", "Ricky T. Q. Chen", "David Duvenaud"],
                abstract="Flows.",
            )
        ],
    )
    conference = paperlist(
        tmp_path,
        "iclr2019.json",
        [
            {
                "id": "rJxgknCcK7",
                "status": "Oral",
                "title": "FFJORD: Free-Form Continuous Dynamics for Scalable Reversible Generative "
                "Models",
                "author": ["Will Grathwohl", "Ricky T. Q. Chen", "David Duvenaud"],
                "authorids": [
                    "wgrathwohl@cs.toronto.edu",
                    "rtqichen@cs.toronto.edu",
                    "duvenaud@cs.toronto.edu",
                ],
                "keywords": "Generative Models;flows",
            }
        ],
    )
    await import_jsonl(store, [preprint])
    summary = await import_paperlists(store, [conference])
    assert summary.papers_matched == 1
    assert summary.papers_created == 0
    counts = await graph_counts(store)
    assert counts.labels[Label.PAPER] == 1
    assert counts.labels[Label.RESEARCHER] == 3
    assert counts.relationships[Rel.AUTHORED] == 3
    (will,) = await researchers_named(store, "Will Grathwohl")
    (work,) = (await works(store, [will["id"]]))[will["id"]]
    assert work.kinds == ("conference", "preprint")
    paper = (await nodes_by_ids(store, [work.paper]))[work.paper]
    assert paper.get("title").startswith("FFJORD: Free-form")  # the first source's title stays
    assert paper.get("externalIds") == ["arxiv:1810.01367", "openreview:rJxgknCcK7"]
    assert paper.get("sources") == ["import:jsonl/arxiv.jsonl", "import:paperlists/iclr2019.json"]
    venues = {
        e.other: e.props
        for e in (await neighbors(store, [work.paper], Rel.PUBLISHED_AT, "out"))[work.paper]
    }
    assert venues["venue:iclr"]["presentation"] == "oral"
    assert venues["venue:arxiv"]["kind"] == "preprint"
    topics = {
        e.other for e in (await neighbors(store, [work.paper], Rel.HAS_TOPIC, "out"))[work.paper]
    }
    assert topics == {"topic:generative-models", "topic:flows"}


async def test_same_title_different_authors_are_different_papers(
    store: Store, tmp_path: Path
) -> None:
    a = paperlist(tmp_path, "nips2019.json", [{"title": "Attention", "author": ["Ann Lee"]}])
    b = paperlist(tmp_path, "nips2020.json", [{"title": "Attention!", "author": ["Bo Chen"]}])
    summary = await import_paperlists(store, [a, b])
    assert summary.papers_created == 2
    rows = await store.read(f"MATCH (p:{Label.PAPER}) RETURN p.id AS id ORDER BY id")
    assert len({row["id"] for row in rows}) == 2


async def test_affiliations_and_rejected_papers(store: Store, tmp_path: Path) -> None:
    file = paperlist(
        tmp_path,
        "iclr2021.json",
        [
            {
                "title": "Kept",
                "author": ["Ada Lovelace", "Charles Babbage"],
                "authorids": ["~Ada_Lovelace1", "~Charles_Babbage1"],
                "aff": ["University of London", "Cambridge"],
            },
            # Fewer affiliations than authors: nothing is paired.
            {
                "title": "Unpaired",
                "author": ["Ada Lovelace", "Grace Hopper"],
                "authorids": ["~Ada_Lovelace1", "~Grace_Hopper1"],
                "aff": "Yale",
            },
            {
                "title": "Turned Down",
                "status": "Reject",
                "author": ["Ada Lovelace"],
                "authorids": ["~Ada_Lovelace1"],
            },
        ],
    )
    summary = await import_paperlists(store, [file])
    assert summary.skipped == {"skipped: status Reject": 1}
    affiliations = await neighbors(store, ["researcher:ada-lovelace"], Rel.AFFILIATED_WITH, "out")
    (edge,) = affiliations["researcher:ada-lovelace"]
    assert edge.other == "institution:university-of-london"
    assert edge.props["since"] == 2021
    assert edge.props["source"] == "import:paperlists/iclr2021.json"
    assert (await graph_counts(store)).labels[Label.INSTITUTION] == 2

    kept = await import_paperlists(store, [file], keep_rejected=True)
    assert kept.papers_created == 1
    (ada,) = await researchers_named(store, "Ada Lovelace")
    rejected = next(
        w for w in (await works(store, [ada["id"]]))[ada["id"]] if w.title == "Turned Down"
    )
    assert rejected.kinds == ("submission",)


async def test_researcher_lines_join_identities(store: Store, tmp_path: Path) -> None:
    papers = jsonl(
        tmp_path,
        "papers.jsonl",
        [
            paper_line(
                "x:1", "Alpha", [{"name": "Will Grathwohl", "externalIds": ["email:w@x.org"]}]
            ),
            paper_line(
                "x:2",
                "Beta",
                [{"name": "Will Sussman Grathwohl", "externalIds": ["openreview:~Will2"]}],
            ),
        ],
    )
    await import_jsonl(store, [papers])
    assert len(await researchers_named(store, "Will Grathwohl")) == 1
    assert (await graph_counts(store)).labels[Label.RESEARCHER] == 2  # nothing says they're one
    people = jsonl(
        tmp_path,
        "people.jsonl",
        [
            {
                "type": "researcher",
                "name": "Will Grathwohl",
                "aliases": ["Will Sussman Grathwohl"],
                "externalIds": ["email:w@x.org", "openreview:~Will2"],
            }
        ],
    )
    summary = await import_jsonl(store, [people])
    assert summary.merged == 1
    (will,) = await researchers_named(store, "Will Sussman Grathwohl")
    assert sorted(will["externalIds"]) == ["email:w@x.org", "openreview:~Will2"]
    assert len((await works(store, [will["id"]]))[will["id"]]) == 2


# --- idempotency and atomicity ----------------------------------------------------------------


def _fixture_files() -> list[Path]:
    return sorted((FIXTURES / "paperlists").glob("*.json"))


async def test_a_second_import_changes_nothing(seeded: Store) -> None:
    first = await import_paperlists(seeded, _fixture_files(), batch_records=2)
    assert first.batches > 1
    counts = await graph_counts(seeded)
    second = await import_paperlists(seeded, _fixture_files(), batch_records=2)
    assert await graph_counts(seeded) == counts
    assert second.papers_created == second.researchers_created == 0
    assert second.merges == []


class PoisonedStore:
    """Passes everything through, but makes the n-th batch write fail inside the database,
    after it has written part of the batch."""

    def __init__(self, inner: Store, fail_at: int) -> None:
        self.inner = inner
        self.dialect = inner.dialect
        self.counters = inner.counters
        self.fail_at = fail_at
        self.batches = 0

    async def read(self, query: str, params: Params | None = None) -> list[Row]:
        return await self.inner.read(query, params)

    async def write(self, query: str, params: Params | None = None) -> list[Row]:
        # An upsert's node sections are its parameters n0, n1, ...
        sections = sorted(k for k in params or {} if re.fullmatch(r"n\d+", k))
        if params is not None and sections:
            self.batches += 1
            if self.batches == self.fail_at:
                # Maps are not storable property values on either engine: the last node of the
                # last section fails, after the sections before it were written.
                poison = writes.node_params(
                    [writes.NodeRow("researcher:poison", Label.RESEARCHER, "t", {"name": "x"})]
                )
                poison[0]["props"]["name"] = {"not": "storable"}
                last = sections[-1]
                params = {**params, last: [*params[last], *poison]}
        return await self.inner.write(query, params)

    async def ping(self) -> None:
        await self.inner.ping()

    async def close(self) -> None:
        await self.inner.close()


async def test_a_failed_batch_leaves_the_graph_whole_and_the_import_can_be_run_again(
    store: Store,
) -> None:
    files = _fixture_files()
    poisoned = PoisonedStore(store, fail_at=3)
    batch = 2
    with pytest.raises(StoreError, match="run the same import again"):
        await import_paperlists(poisoned, files, batch_records=batch)  # type: ignore[arg-type]
    partial = await graph_counts(store)
    assert "researcher:poison" not in await nodes_by_ids(store, ["researcher:poison"])
    # Exactly the two batches before the failure: an import of those records alone agrees.
    done = await import_paperlists(store, files, batch_records=batch)
    final = await graph_counts(store)
    assert partial.nodes < final.nodes
    assert done.batches >= 3
    again = await import_paperlists(store, files, batch_records=batch)
    assert await graph_counts(store) == final
    assert again.researchers_created == again.papers_created == 0


async def test_failed_batch_writes_none_of_its_rows(store: Store) -> None:
    files = _fixture_files()
    poisoned = PoisonedStore(store, fail_at=1)
    with pytest.raises(StoreError):
        await import_paperlists(poisoned, files, batch_records=1000)  # type: ignore[arg-type]
    counts = await graph_counts(store)
    assert counts.nodes == 0
    assert counts.edges == 0


# --- bad input --------------------------------------------------------------------------------


async def test_bad_files_are_reported_and_the_rest_imported(store: Store, tmp_path: Path) -> None:
    good = paperlist(
        tmp_path,
        "icml2020.json",
        [
            {"title": "Fine", "author": ["Ada Lovelace"]},
            {"title": "", "author": ["Ada Lovelace"]},
            {"title": "Odd", "status": "Maybe", "author": ["Ada Lovelace"]},
        ],
        delimiter=", ",
    )
    truncated = FIXTURES / "paperlists-bad" / "nips2020.json"
    unnamed = tmp_path / "conference.json"
    unnamed.write_text("[]")
    long_line = tmp_path / "long.jsonl"
    with long_line.open("wb") as handle:
        handle.write(b'{"v": 1, "type": "paper", "title": "' + b"x" * (50 * 1024 * 1024) + b'"}\n')
        handle.write(orjson.dumps({"v": 1, **paper_line("x:1", "After", ["Bo Chen"])}) + b"\n")
    summary = await import_paperlists(store, [good, truncated, unnamed])
    failed = {Path(p.file).name: p.reason for p in summary.failed_files}
    assert set(failed) == {"nips2020.json", "conference.json"}
    assert "truncated or malformed" in failed["nips2020.json"]
    assert summary.skipped == {"record has no title": 1, "unknown status 'Maybe'": 1}
    assert {(Path(p.file).name, p.record_no) for p in summary.problems} == {
        ("icml2020.json", 2),
        ("icml2020.json", 3),
    }
    assert summary.papers_created == 1
    lines = "\n".join(summary_lines(summary))
    assert "icml2020.json record 2: record has no title" in lines
    assert "FAILED" in lines
    assert "nips2020.json" in lines

    lines_summary = await import_jsonl(store, [long_line])
    assert lines_summary.papers_created == 1
    (problem,) = lines_summary.problems
    assert (problem.record_no, problem.reason) == (1, "line is longer than 8388608 bytes")


@pytest.fixture
def cli(
    falkordb_server: embedded.EmbeddedServer, tmp_path: Path
) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run `scholargraph ...` as a user does, against a fresh graph of the test server."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCHOLARGRAPH_")}
    env["SCHOLARGRAPH_FALKORDB_URL"] = f"unix://{falkordb_server.socket}"
    env["SCHOLARGRAPH_GRAPH"] = f"cli_import_{tmp_path.name}"
    env["SCHOLARGRAPH_DATA_DIR"] = str(tmp_path)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "scholargraph.cli", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    return run


@pytest.mark.falkordb
def test_cli_import_exit_codes_and_output(
    cli: Callable[..., subprocess.CompletedProcess[str]],
) -> None:
    good = [str(f) for f in _fixture_files()]
    ok = cli("import", "paperlists", *good)
    assert ok.returncode == 0, ok.stderr
    assert "papers " in ok.stdout
    assert re.search(r"^elapsed\s+[0-9.]+ s \([0-9,]+ records/s\)$", ok.stdout, re.M)
    assert "importing" in ok.stderr  # the progress bar goes to stderr
    bad = cli("import", "paperlists", str(FIXTURES / "paperlists-bad" / "nips2020.json"), *good)
    assert bad.returncode == 1
    assert "FAILED" in bad.stdout
    assert "nips2020.json" in bad.stdout
    assert "Traceback" not in bad.stdout + bad.stderr
    lines = cli("import", "jsonl", str(FIXTURES / "jsonl" / "sample.jsonl"))
    assert lines.returncode == 0, lines.stderr
    assert "sample.jsonl record 4: not valid JSON" in lines.stdout  # bad lines, by number

    merge = cli(
        "researchers", "merge", "researcher:grace-hopper", "--into", "researcher:ada-lovelace"
    )
    assert merge.returncode == 0, merge.stderr
    merge_id = merge.stdout.split(": ", 1)[0]
    assert merge_id.startswith("merge:")
    split = cli("researchers", "split", merge_id)
    assert split.returncode == 0, split.stderr
    assert "restored researcher:grace-hopper" in split.stdout
    again = cli("researchers", "split", merge_id)
    assert again.returncode == 1
    assert "already split" in again.stderr
    wrong = cli("researchers", "merge", "paper:x", "--into", "researcher:ada-lovelace")
    assert wrong.returncode == 1
    assert "not a researcher id" in wrong.stderr
    assert "Traceback" not in again.stderr + wrong.stderr
