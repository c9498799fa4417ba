"""parse_jsonl: per-line validation, bounded reading, and the round trip through to_line."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import IO, cast

import pytest

from scholargraph.ingest import jsonl
from scholargraph.ingest.jsonl import MAX_LINE_BYTES, parse_jsonl, to_line
from scholargraph.ingest.paperlists import parse_paperlists
from scholargraph.ingest.records import (
    AuthorRecord,
    ImportProblem,
    PaperRecord,
    ResearcherRecord,
)

FIXTURES = Path(__file__).parent / "fixtures"
SAMPLE = FIXTURES / "jsonl" / "sample.jsonl"
DOC = Path(__file__).parent.parent / "docs" / "import-format.md"

Item = PaperRecord | ResearcherRecord | ImportProblem


def by_line(path: Path) -> dict[int | None, Item]:
    return {item.record_no: item for item in parse_jsonl(path)}


def paper_line(**fields: object) -> dict[str, object]:
    line: dict[str, object] = {
        "v": 1,
        "type": "paper",
        "externalId": "test:1",
        "title": "A Title",
        "year": 2020,
        "venue": "ICLR",
        "authors": [{"name": "Ada Lovelace"}],
    }
    line.update(fields)
    return line


def write_lines(tmp_path: Path, *lines: dict[str, object] | str) -> Path:
    path = tmp_path / "test.jsonl"
    text = "".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines)
    path.write_text(text, encoding="utf-8")
    return path


def only_problem(path: Path) -> str:
    items = list(parse_jsonl(path))
    assert len(items) == 1
    assert isinstance(items[0], ImportProblem)
    return items[0].reason


# --- the sample fixture -------------------------------------------------------------------------


def test_sample_yields_one_item_per_non_blank_line() -> None:
    items = list(parse_jsonl(SAMPLE))
    assert [item.record_no for item in items] == [1, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12]
    assert all(item.file == str(SAMPLE) for item in items if isinstance(item, ImportProblem))


def test_sample_researcher_line() -> None:
    researcher = by_line(SAMPLE)[1]
    assert researcher == ResearcherRecord(
        source="jsonl:sample.jsonl",
        record_no=1,
        name="Ada Lovelace",
        aliases=("A. Lovelace", "Augusta Ada King"),
        external_ids=("orcid:0000-0000-0000-0001", "dblp:00/0001"),
    )


def test_sample_full_paper_line() -> None:
    paper = by_line(SAMPLE)[2]
    assert paper == PaperRecord(
        source="dblp",
        record_no=2,
        external_id="dblp:conf/example/Lovelace43",
        title="Notes on the Analytical Engine & its Programs",
        abstract="Sketch of the engine.",
        year=1843,
        venue="Scientific Memoirs",
        kind="journal",
        presentation=None,
        status="Published",
        authors=(
            AuthorRecord(
                name="Ada Lovelace",
                position=1,
                external_ids=("orcid:0000-0000-0000-0001",),
                affiliations=("University of London",),
            ),
            AuthorRecord(name="Charles Babbage", position=2),
        ),
        keywords=("Computing", "Bernoulli numbers"),
        primary_area="Mathematics",
        links=(("pdf", "https://example.org/notes.pdf"),),
    )


def test_sample_minimal_paper_gets_defaults_and_decoded_names() -> None:
    paper = by_line(SAMPLE)[10]
    assert isinstance(paper, PaperRecord)
    assert (paper.kind, paper.presentation, paper.status) == ("conference", None, "")
    assert (paper.abstract, paper.keywords, paper.links) == (None, (), ())
    assert paper.authors == (AuthorRecord(name="Cyprien de Masson d'Autume", position=1),)


@pytest.mark.parametrize(
    ("line_no", "reason"),
    [
        (4, "not valid JSON"),
        (5, "unsupported version 2"),
        (6, "unknown type 'venue'"),
        (7, "missing title"),
        (8, "line is not a JSON object"),
        (9, "unknown field 'abstact' in paper"),
        (11, "a researcher needs at least one externalIds entry"),
        (12, "unsupported version True"),
    ],
)
def test_sample_bad_lines_are_problems_with_line_numbers(line_no: int, reason: str) -> None:
    item = by_line(SAMPLE)[line_no]
    assert isinstance(item, ImportProblem)
    assert item.reason.startswith(reason)


# --- validation -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"v": None}, "missing v"),
        ({"v": "1"}, "unsupported version '1'"),
        ({"v": 1.0}, "unsupported version 1.0"),
        ({"type": None}, "unknown type None"),
        ({"title": "   "}, "missing title"),
        ({"title": 7}, "title must be a string"),
        ({"year": None}, "missing year"),
        ({"year": "2020"}, "year must be a four-digit integer"),
        ({"year": 20}, "year must be a four-digit integer"),
        ({"venue": ""}, "missing venue"),
        ({"externalId": None}, "missing externalId"),
        ({"externalId": "no-scheme"}, "externalId must be '<scheme>:<value>'"),
        ({"kind": "book"}, "kind must be one of conference, journal, preprint, workshop"),
        ({"presentation": "keynote"}, "presentation must be one of"),
        ({"authors": None}, "missing authors"),
        ({"authors": []}, "authors is empty"),
        ({"authors": "Ada Lovelace"}, "authors must be an array"),
        ({"authors": ["Ada Lovelace"]}, "authors[0] must be an object"),
        ({"authors": [{"name": "A"}, {"name": ""}]}, "authors[1] has no name"),
        ({"authors": [{"name": "A", "orcid": "x"}]}, "unknown field 'orcid' in authors[0]"),
        ({"authors": [{"name": "A", "externalIds": ["bad"]}]}, "authors[0].externalIds entry"),
        ({"authors": [{"name": "A", "affiliations": [1]}]}, "authors[0].affiliations must be"),
        ({"keywords": "a;b"}, "keywords must be an array"),
        ({"links": [{"url": "https://x"}]}, "links[0] needs a kind and a url"),
    ],
)
def test_invalid_paper_fields(tmp_path: Path, fields: dict[str, object], reason: str) -> None:
    path = write_lines(tmp_path, paper_line(**fields))
    assert only_problem(path).startswith(reason)


def test_a_bad_line_does_not_stop_the_next(tmp_path: Path) -> None:
    path = write_lines(tmp_path, paper_line(title=None), "{oops", paper_line(title="Kept"))
    items = list(parse_jsonl(path))
    assert [type(item) for item in items] == [ImportProblem, ImportProblem, PaperRecord]
    assert [item.record_no for item in items] == [1, 2, 3]
    assert isinstance(items[2], PaperRecord)
    assert items[2].title == "Kept"


def test_byte_order_mark_and_missing_final_newline_are_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(paper_line()).encode())
    items = list(parse_jsonl(path))
    assert len(items) == 1
    assert isinstance(items[0], PaperRecord)


def test_invalid_utf8_is_a_problem_for_that_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.jsonl"
    path.write_bytes(b'{"v": 1, "type": "paper", "title": "Caf\xe9"}\n' + to_line(sample_paper()))
    items = list(parse_jsonl(path))
    assert isinstance(items[0], ImportProblem)
    assert items[0].reason.startswith("not valid JSON")
    assert isinstance(items[1], PaperRecord)


def test_missing_file_is_one_problem(tmp_path: Path) -> None:
    items = list(parse_jsonl(tmp_path / "absent.jsonl"))
    assert len(items) == 1
    assert isinstance(items[0], ImportProblem)
    assert items[0].record_no is None
    assert items[0].reason.startswith("cannot read file")


# --- size limits ------------------------------------------------------------------------------


def padded_line(total_bytes: int) -> bytes:
    """A valid paper line of exactly `total_bytes` bytes, newline excluded."""
    base = json.dumps(paper_line(abstract="")).encode()
    return base.replace(
        b'"abstract": ""', b'"abstract": "' + b"x" * (total_bytes - len(base)) + b'"'
    )


def test_line_of_exactly_the_limit_is_read_and_one_byte_more_is_skipped(tmp_path: Path) -> None:
    at_limit = padded_line(MAX_LINE_BYTES)
    over_limit = padded_line(MAX_LINE_BYTES + 1)
    assert (len(at_limit), len(over_limit)) == (MAX_LINE_BYTES, MAX_LINE_BYTES + 1)
    path = tmp_path / "big.jsonl"
    path.write_bytes(at_limit + b"\n" + over_limit + b"\n" + to_line(sample_paper()))
    items = list(parse_jsonl(path))
    assert [type(item) for item in items] == [PaperRecord, ImportProblem, PaperRecord]
    assert items[1] == ImportProblem(str(path), 2, f"line is longer than {MAX_LINE_BYTES} bytes")
    assert items[2].record_no == 3


def test_fifty_megabyte_line_is_skipped_without_reading_it_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "huge.jsonl"
    with path.open("wb") as handle:
        handle.write(b'{"v": 1, "type": "paper", "title": "')
        chunk = b"y" * (1024 * 1024)
        for _ in range(50):
            handle.write(chunk)
        handle.write(b'"}\n')
        handle.write(to_line(sample_paper()))
    reads: list[int] = []
    real_lines = jsonl._lines

    class SpyReader:
        """Records the size of every read the parser makes."""

        def __init__(self, handle: IO[bytes]) -> None:
            self.handle = handle

        def readline(self, limit: int = -1) -> bytes:
            assert limit > 0, "readline without a limit"
            data = self.handle.readline(limit)
            reads.append(len(data))
            return data

    def spying_lines(handle: IO[bytes]) -> Iterator[tuple[int, bytes | None]]:
        return real_lines(cast(IO[bytes], SpyReader(handle)))

    monkeypatch.setattr(jsonl, "_lines", spying_lines)
    items = list(parse_jsonl(path))
    assert [type(item) for item in items] == [ImportProblem, PaperRecord]
    assert items[0].record_no == 1
    assert max(reads) <= MAX_LINE_BYTES + 1
    assert sum(reads) > 50 * 1024 * 1024


# --- the documented example and the round trip ------------------------------------------------


def test_documented_example_parses_cleanly(tmp_path: Path) -> None:
    match = re.search(r"```jsonl\n(.*?)```", DOC.read_text(encoding="utf-8"), re.DOTALL)
    assert match is not None, "docs/import-format.md has no ```jsonl example"
    path = tmp_path / "example.jsonl"
    path.write_text(match.group(1), encoding="utf-8")
    items = list(parse_jsonl(path))
    assert len(items) == 3
    assert [type(item) for item in items] == [ResearcherRecord, PaperRecord, PaperRecord]


def sample_paper() -> PaperRecord:
    return PaperRecord(
        source="test",
        record_no=1,
        external_id="test:1",
        title="Round Trip",
        abstract=None,
        year=2020,
        venue="ICLR",
        kind="conference",
        presentation="oral",
        status="Oral",
        authors=(AuthorRecord(name="Ada Lovelace", position=1),),
    )


def test_paperlists_records_survive_the_round_trip(tmp_path: Path) -> None:
    originals = [
        item
        for name in ("iclr2018.json", "iclr2021.json", "icml2019.json", "nips2019.json")
        for item in parse_paperlists(FIXTURES / "paperlists" / name, keep_rejected=True)
        if isinstance(item, PaperRecord)
    ]
    assert len(originals) > 10
    path = tmp_path / "converted.jsonl"
    path.write_bytes(b"".join(to_line(record) for record in originals))
    back = list(parse_jsonl(path))
    assert len(back) == len(originals)
    for line_no, (original, read) in enumerate(zip(originals, back, strict=True), start=1):
        assert read == dataclasses.replace(original, record_no=line_no)


def test_researcher_round_trip(tmp_path: Path) -> None:
    researcher = ResearcherRecord(
        source="test", record_no=1, name="Ada", aliases=("A. L.",), external_ids=("orcid:1",)
    )
    path = tmp_path / "r.jsonl"
    path.write_bytes(to_line(researcher))
    assert list(parse_jsonl(path)) == [researcher]
