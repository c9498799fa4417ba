"""parse_paperlists on small fixtures reproducing each quirk, and on the eight real files."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from conftest import PAPERLISTS
from scholargraph.ingest import authorids
from scholargraph.ingest.paperlists import MAX_FIELD_BYTES, parse_paperlists
from scholargraph.ingest.records import ImportProblem, PaperRecord

FIXTURES = Path(__file__).parent / "fixtures" / "paperlists"
BAD_FIXTURES = Path(__file__).parent / "fixtures" / "paperlists-bad"
REAL = PAPERLISTS


def parse(name: str, *, keep_rejected: bool = False) -> list[PaperRecord | ImportProblem]:
    return list(parse_paperlists(FIXTURES / name, keep_rejected=keep_rejected))


def papers(name: str, *, keep_rejected: bool = False) -> dict[str, PaperRecord]:
    """Accepted records by title."""
    items = parse(name, keep_rejected=keep_rejected)
    return {item.title: item for item in items if isinstance(item, PaperRecord)}


def problems(name: str, *, keep_rejected: bool = False) -> dict[int | None, str]:
    items = parse(name, keep_rejected=keep_rejected)
    return {item.record_no: item.reason for item in items if isinstance(item, ImportProblem)}


def names(paper: PaperRecord) -> list[str]:
    return [author.name for author in paper.authors]


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    return path


def minimal(**fields: object) -> dict[str, object]:
    record: dict[str, object] = {
        "id": "site_1",
        "title": "A Title",
        "author": "Ada Lovelace",
        "status": "Poster",
    }
    record.update(fields)
    return record


# --- venue, year, ids -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "venue", "year"),
    [
        ("iclr2018.json", "ICLR", 2018),
        ("iclr2021.json", "ICLR", 2021),
        ("icml2019.json", "ICML", 2019),
        ("icml2020.json", "ICML", 2020),
        ("nips2019.json", "NeurIPS", 2019),
    ],
)
def test_venue_and_year_come_from_the_file_name(name: str, venue: str, year: int) -> None:
    accepted = papers(name)
    assert accepted
    assert {(p.venue, p.year) for p in accepted.values()} == {(venue, year)}
    assert {p.source for p in accepted.values()} == {f"paperlists:{name.removesuffix('.json')}"}


def test_iclr_papers_use_openreview_ids_and_others_are_namespaced_by_file() -> None:
    assert papers("iclr2018.json")["A Poster Paper"].external_id == "openreview:Hkpost02"
    icml = papers("icml2019.json")["A Single Author Paper"]
    assert icml.external_id == "paperlists:icml2019:3646"
    nips = papers("nips2019.json")["Episodic Memory in Lifelong Language Learning"]
    assert nips.external_id == "paperlists:nips2019:site_0050b30f28"


def test_file_name_without_venue_and_year_is_one_problem(tmp_path: Path) -> None:
    path = write(tmp_path, "papers.json", json.dumps([minimal()]))
    items = list(parse_paperlists(path))
    assert len(items) == 1
    assert isinstance(items[0], ImportProblem)
    assert items[0].record_no is None
    assert "venue and year" in items[0].reason


def test_record_numbers_are_one_based_positions_in_the_array() -> None:
    items = parse("iclr2018.json")
    assert [item.record_no for item in items] == list(range(1, 10))


# --- statuses -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "title", "kind", "presentation"),
    [
        ("iclr2018.json", "Tensor Contraction & Regression Networks", "conference", "oral"),
        ("iclr2018.json", "A Poster Paper", "conference", "poster"),
        ("iclr2018.json", "A Workshop Paper", "workshop", None),
        ("iclr2020.json", "A Talk", "conference", "oral"),
        ("iclr2020.json", "A Spotlight", "conference", "spotlight"),
        ("nips2019.json", "A Single Author With An Entity", "conference", "oral"),
    ],
)
def test_accepted_statuses_map_to_kind_and_presentation(
    name: str, title: str, kind: str, presentation: str | None
) -> None:
    paper = papers(name)[title]
    assert (paper.kind, paper.presentation) == (kind, presentation)


def test_rejected_withdrawn_and_unreviewed_records_are_skipped_by_default() -> None:
    found = problems("iclr2018.json")
    assert found[4] == "skipped: status Reject"
    assert found[5] == "skipped: status Withdraw"
    assert found[6] == "skipped: status Active"
    assert problems("iclr2020.json") == {3: "skipped: status Desk Reject"}
    accepted = papers("iclr2018.json")
    assert "A Rejected Paper" not in accepted
    assert "A Paper Under Review" not in accepted


def test_keep_rejected_keeps_raw_status_without_presentation() -> None:
    kept = papers("iclr2018.json", keep_rejected=True)
    for title, status in [
        ("A Rejected Paper", "Reject"),
        ("A Withdrawn Paper", "Withdraw"),
        ("A Paper Under Review", "Active"),
    ]:
        assert kept[title].status == status
        assert kept[title].presentation is None
    assert papers("iclr2020.json", keep_rejected=True)["A Desk Rejected Paper"].status == (
        "Desk Reject"
    )
    # Records that are broken stay problems whatever keep_rejected says.
    assert set(problems("iclr2018.json", keep_rejected=True)) == {7, 8}


def test_record_without_status_is_skipped_unless_kept() -> None:
    assert problems("icml2019.json") == {3: "skipped: no status"}
    kept = papers("icml2019.json", keep_rejected=True)["Universal Poisoning"]
    assert kept.status == ""
    assert kept.presentation is None


def test_unknown_status_is_reported_not_guessed(tmp_path: Path) -> None:
    path = write(tmp_path, "iclr2022.json", json.dumps([minimal(status="Accept (Oral)")]))
    for keep in (False, True):
        items = list(parse_paperlists(path, keep_rejected=keep))
        assert items == [ImportProblem(str(path), 1, "unknown status 'Accept (Oral)'")]


# --- authors, ids and affiliations ----------------------------------------------------------------


def test_semicolon_authors_are_paired_with_emails_by_position() -> None:
    paper = papers("iclr2018.json")["Tensor Contraction & Regression Networks"]
    assert names(paper) == ["Ada Lovelace", "Alan Turing", "Grace Hopper"]
    assert [a.position for a in paper.authors] == [1, 2, 3]
    # Emails are lower-cased; the OpenReview group placeholder is nobody's id.
    assert [a.external_ids for a in paper.authors] == [
        ("email:ada@example.org",),
        (),
        ("email:grace@example.org",),
    ]


def test_author_ids_are_paired_by_name_when_counts_differ() -> None:
    paper = papers("iclr2018.json")["Ids Do Not Line Up"]
    assert len(paper.authors) == 3
    assert [a.external_ids for a in paper.authors] == [
        ("email:ada@example.org",),
        (),
        ("email:grace@example.org",),
    ]
    assert paper.unassigned_author_ids == ()


@pytest.mark.parametrize(
    ("names", "ids", "paired", "unassigned"),
    [
        # iclr2018 "Predict Responsibly": the e-mails of Pitassi and Zemel are swapped.
        (
            ["David Madras", "Toniann Pitassi", "Richard Zemel"],
            ["david.madras@mail.utoronto.ca", "zemel@cs.toronto.edu", "toni@cs.toronto.edu"],
            ["david.madras@mail.utoronto.ca", "toni@cs.toronto.edu", "zemel@cs.toronto.edu"],
            [],
        ),
        # An id that fits no name is nobody's, even at the "right" position.
        (
            ["Junhyuk Oh", "Yijie Guo", "Satinder Singh", "Honglak Lee"],
            ["junhyuk@umich.edu", "guoyijie@umich.edu", "baveja@umich.edu", "honglak@google.com"],
            ["junhyuk@umich.edu", "guoyijie@umich.edu", None, "honglak@google.com"],
            ["baveja@umich.edu"],
        ),
        # Initials, prefixes, transliterations; position breaks the tie between two Chens.
        (
            ["Quoc V. Le", "Gunnar Rätsch", "Kris M. Kitani", "Ricky T. Q. Chen", "Xi Chen"],
            ["qvl@google.com", "raetsch@inf.ethz.ch", "kkitani@cs.cmu.edu", "rtqichen@x.edu",
             "xichen@x.edu"],
            ["qvl@google.com", "raetsch@inf.ethz.ch", "kkitani@cs.cmu.edu", "rtqichen@x.edu",
             "xichen@x.edu"],
            [],
        ),
        (
            ["Will Sussman Grathwohl", "Toniann Pitassi"],
            ["~Toniann_Pitassi1", "~Will_Sussman_Grathwohl2"],
            ["~Will_Sussman_Grathwohl2", "~Toniann_Pitassi1"],
            [],
        ),
    ],
)  # fmt: skip
def test_author_ids_are_paired_by_the_names_they_encode(
    names: list[str], ids: list[str], paired: list[str | None], unassigned: list[str]
) -> None:
    def scheme(value: str) -> str:
        return f"openreview:{value}" if value.startswith("~") else f"email:{value}"

    got, left = authorids.pair(names, [scheme(i) for i in ids])
    assert got == [(scheme(p),) if p else () for p in paired]
    assert list(left) == [scheme(u) for u in unassigned]


def test_openreview_profile_ids() -> None:
    paper = papers("iclr2020.json")["A Talk"]
    assert paper.authors[1].external_ids == ("openreview:~Alan_Turing1",)
    paper = papers("iclr2021.json")["Affiliations Line Up"]
    assert paper.authors[0].external_ids == ("openreview:~Will_Sussman_Grathwohl2",)
    assert paper.authors[1].external_ids == ("email:jacob.jin.kelly@gmail.com",)


def test_affiliations_are_attached_only_when_counts_match() -> None:
    iclr = papers("iclr2021.json")
    assert [a.affiliations for a in iclr["Affiliations Line Up"].authors] == [
        ("Department of Computer Science, University of Toronto",),
        ("Google",),
    ]
    assert all(a.affiliations == () for a in iclr["Fewer Affiliations Than Authors"].authors)
    # Ids are paired independently of affiliations.
    assert iclr["Fewer Affiliations Than Authors"].authors[2].external_ids == (
        "openreview:~Milad_Hashemi1",
    )
    icml = papers("icml2019.json")["Affiliations Do Not Line Up"]
    assert len(icml.authors) == 3
    assert all(a.affiliations == () for a in icml.authors)


def test_icml2019_plus_joins_one_authors_affiliations() -> None:
    paper = papers("icml2019.json")["A Baseline for Any Order Gradient Estimation"]
    assert names(paper) == ["Jingkai Mao", "Jakob Foerster", "Tim Rocktäschel"]
    assert [a.affiliations for a in paper.authors] == [
        ("Man AHL, London, UK", "University of Oxford"),
        ("Department of Computer Science, University of Oxford, Oxford, UK",),
        # Repeated affiliations of one author are kept once.
        ("University of Oxford", "University College London"),
    ]


def test_icml2019_single_author_keeps_commas_in_affiliation() -> None:
    paper = papers("icml2019.json")["A Single Author Paper"]
    assert names(paper) == ["Sylvain Lamprier"]
    assert paper.authors[0].affiliations == ("Sorbonne Universités, LIP6, F-75005, Paris, France",)


def test_comma_delimited_record_in_a_semicolon_file_is_split_on_commas() -> None:
    paper = papers("icml2019.json")["Data Poisoning Attacks in Multi-Party Learning"]
    assert names(paper) == ["Saeed Mahloujifar", "Mohammad Mahmoody", "Ameer Mohammed"]
    # Its one affiliation splits on commas into three parts, one per author; the record
    # disagrees with its file about delimiters, so no such pairing is trusted.
    assert all(a.affiliations == () for a in paper.authors)


def test_comma_families_split_on_commas() -> None:
    paper = papers("icml2020.json")["(Locally) Differentially Private Combinatorial Semi-Bandits"]
    assert names(paper) == ["Xiaoyu Chen", "Kai Zheng", "Zixin Zhou"]
    assert [a.position for a in paper.authors] == [1, 2, 3]
    # nips2019 writes "Mausam , ...": the stray space does not survive.
    mononym = papers("nips2019.json")["Robust Initialization for WeightNorm & ResNets"]
    assert names(mononym) == ["Mausam", "Ada Lovelace"]


def test_html_entities_are_decoded_before_splitting() -> None:
    accepted = papers("nips2019.json")
    paper = accepted["Episodic Memory in Lifelong Language Learning"]
    assert names(paper) == [
        "Cyprien de Masson d'Autume",
        "Sebastian Ruder",
        "Lingpeng Kong",
        "Dani Yogatama",
    ]
    # A lone name holding the entity's ";" must not be mistaken for a ";"-delimited list.
    assert names(accepted["A Single Author With An Entity"]) == ["Cyprien de Masson d'Autume"]
    assert "Robust Initialization for WeightNorm & ResNets" in accepted


# --- other fields -----------------------------------------------------------------------------


def test_keywords_are_split_cleaned_and_deduplicated_by_fold() -> None:
    paper = papers("iclr2018.json")["Tensor Contraction & Regression Networks"]
    assert paper.keywords == ("Deep Learning", "GANs")
    assert papers("iclr2018.json")["A Poster Paper"].keywords == ()


def test_abstract_primary_area_and_links() -> None:
    paper = papers("iclr2018.json")["Tensor Contraction & Regression Networks"]
    assert paper.abstract == "An abstract with spaces."
    assert paper.primary_area is None
    assert paper.links == (
        ("site", "https://openreview.net/forum?id=Hkoral01"),
        ("code", "https://github.com/ada/tensor"),
        ("code", "https://paperswithcode.com/paper/?openreview=Hkoral01"),
    )
    assert papers("iclr2021.json")["Affiliations Line Up"].primary_area == "Generative Models"
    icml = papers("icml2019.json")["A Baseline for Any Order Gradient Estimation"]
    assert ("code", "https://www.github.com/example/dice") in icml.links


# --- broken records ---------------------------------------------------------------------------


def test_record_without_title_and_non_object_record_are_problems() -> None:
    found = problems("iclr2018.json")
    assert found[7] == "record has no title"
    assert found[8] == "record is a string, not an object"
    # The records after them are still parsed.
    assert "Ids Do Not Line Up" in papers("iclr2018.json")


def test_record_without_authors_is_a_problem(tmp_path: Path) -> None:
    path = write(tmp_path, "nips2021.json", json.dumps([minimal(author=" , ")]))
    assert list(parse_paperlists(path)) == [ImportProblem(str(path), 1, "record has no authors")]


def test_field_of_the_wrong_type_is_a_problem(tmp_path: Path) -> None:
    path = write(tmp_path, "nips2021.json", json.dumps([minimal(title=["a", "list"]), minimal()]))
    items = list(parse_paperlists(path))
    assert items[0] == ImportProblem(str(path), 1, "field title is an array, not a string")
    assert isinstance(items[1], PaperRecord)


def test_field_over_one_megabyte_is_a_problem(tmp_path: Path) -> None:
    huge = "x" * (MAX_FIELD_BYTES + 1)
    # Four-byte characters: under the limit in characters, over it in bytes.
    wide = "\U0001f600" * (MAX_FIELD_BYTES // 4 + 1)
    records = [minimal(abstract=huge), minimal(tldr=wide), minimal(abstract="x" * 1000)]
    path = write(tmp_path, "nips2021.json", json.dumps(records))
    items = list(parse_paperlists(path))
    assert items[0] == ImportProblem(str(path), 1, "field abstract too large")
    assert items[1] == ImportProblem(str(path), 2, "field tldr too large")
    assert isinstance(items[2], PaperRecord)


# --- broken files -----------------------------------------------------------------------------


def test_truncated_file_is_one_problem_and_nothing_else() -> None:
    path = BAD_FIXTURES / "nips2020.json"
    items = list(parse_paperlists(path))
    assert len(items) == 1
    problem = items[0]
    assert isinstance(problem, ImportProblem)
    assert problem.file == str(path)
    assert problem.record_no is None
    assert problem.reason.startswith("not valid JSON (truncated or malformed)")


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ('{"id": "x"}', "expected a JSON array of records, found an object"),
        ('"just text"', "expected a JSON array of records, found a string"),
        ("not json at all", "not valid JSON (truncated or malformed)"),
        (b"[\xff\xfe]", "not valid JSON (truncated or malformed)"),
        ("", "not valid JSON (truncated or malformed)"),
    ],
)
def test_malformed_file_is_one_problem(tmp_path: Path, content: str | bytes, reason: str) -> None:
    path = write(tmp_path, "icml2021.json", content)
    items = list(parse_paperlists(path))
    assert len(items) == 1
    assert isinstance(items[0], ImportProblem)
    assert items[0].record_no is None
    assert items[0].reason.startswith(reason)


def test_missing_file_is_one_problem(tmp_path: Path) -> None:
    items = list(parse_paperlists(tmp_path / "iclr2019.json"))
    assert len(items) == 1
    assert isinstance(items[0], ImportProblem)
    assert items[0].reason.startswith("cannot read file")


# --- the real files ---------------------------------------------------------------------------

# Accepted records and skip reasons per real file (keep_rejected=False), from SOURCE.md's status
# counts; a change here means the parser's treatment of real data changed.
REAL_EXPECTED = {
    "iclr2018.json": (
        427,
        {
            "skipped: status Reject": 496,
            "skipped: status Withdraw": 69,
            "skipped: status Active": 3,
        },
    ),
    "iclr2019.json": (502, {"skipped: status Reject": 921, "skipped: status Withdraw": 156}),
    "iclr2020.json": (
        687,
        {
            "skipped: status Reject": 1526,
            "skipped: status Withdraw": 369,
            "skipped: status Desk Reject": 12,
        },
    ),
    "iclr2021.json": (
        860,
        {
            "skipped: status Reject": 1756,
            "skipped: status Withdraw": 381,
            "skipped: status Desk Reject": 17,
        },
    ),
    "icml2019.json": (773, {"skipped: no status": 1}),
    "icml2020.json": (1084, {}),
    "nips2019.json": (1427, {}),
    "nips2020.json": (1899, {}),
}
NOT_ACCEPTED = {"reject", "withdraw", "desk reject", "active", ""}

needs_real = pytest.mark.skipif(
    not all((REAL / name).is_file() for name in REAL_EXPECTED),
    reason=f"the real paperlists files are not at {REAL}",
)


@needs_real
def test_real_files_account_for_every_record() -> None:
    total_json = 0
    total_items = 0
    for name, (accepted_count, skips) in REAL_EXPECTED.items():
        path = REAL / name
        json_records = len(json.loads(path.read_bytes()))
        items = list(parse_paperlists(path))
        accepted = [item for item in items if isinstance(item, PaperRecord)]
        reasons = Counter(item.reason for item in items if isinstance(item, ImportProblem))
        assert len(items) == json_records, name
        assert (len(accepted), dict(reasons)) == (accepted_count, skips), name
        for paper in accepted:
            assert paper.title, (name, paper.record_no)
            assert len(paper.authors) >= 1, (name, paper.record_no)
            assert all(author.name for author in paper.authors)
            assert paper.status.lower() not in NOT_ACCEPTED, (name, paper.record_no)
        total_json += json_records
        total_items += len(items)
    assert total_json == total_items == 13366


@needs_real
def test_real_files_with_keep_rejected_yield_a_record_for_every_json_record() -> None:
    for name in REAL_EXPECTED:
        items = list(parse_paperlists(REAL / name, keep_rejected=True))
        assert all(isinstance(item, PaperRecord) for item in items), name


@needs_real
def test_real_nips2019_entity_names_are_decoded() -> None:
    raw = (REAL / "nips2019.json").read_text(encoding="utf-8")
    assert "d&amp;#x27;Autume" in raw
    authors = [
        author.name
        for item in parse_paperlists(REAL / "nips2019.json")
        if isinstance(item, PaperRecord)
        for author in item.authors
    ]
    assert authors.count("Cyprien de Masson d'Autume") == 2
    assert not [name for name in authors if "&" in name or ";" in name]


@needs_real
def test_real_affiliations_are_never_paired_across_mismatched_counts() -> None:
    raw = json.loads((REAL / "iclr2021.json").read_bytes())
    mismatched = {
        f"openreview:{r['id']}"
        for r in raw
        if r["aff"] and len(r["aff"].split(";")) != len(r["author"].split(";"))
    }
    assert mismatched
    items = list(parse_paperlists(REAL / "iclr2021.json", keep_rejected=True))
    for paper in items:
        assert isinstance(paper, PaperRecord)
        if paper.external_id in mismatched:
            assert all(author.affiliations == () for author in paper.authors)
    paired = [p for p in items if isinstance(p, PaperRecord) and p.authors[0].affiliations]
    assert len(paired) == len([r for r in raw if r["aff"]]) - len(mismatched)
