"""The reviewed seed transcriptions are valid, faithful and complete with respect to their sources.

Faithful: every string kept from a document occurs in it. Complete: every listing the document
shows has an entry. Counts are derived from the source text, never hard-coded, so that a listing
added to or dropped from either side fails here.
"""

from __future__ import annotations

import copy
import functools
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from scholargraph.text import fold, slug

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
SEED_FILES = ("profile.yaml", "homepage.yaml")

Seed = dict[str, Any]

# Declared entity lists and the id prefix each one uses.
DECLARATIONS = {
    "people": "researcher",
    "institutions": "institution",
    "venues": "venue",
    "topics": "topic",
}

# Homepage headings: paper sections map to the YAML `section` value.
PAPER_SECTIONS = {"Conference": "conference", "Preprints": "preprint", "Workshops": "workshop"}
TALKS_HEADING = "Invited Talks"
AWARDS_HEADING = "Awards and Fellowships"
HOMEPAGE_HEADINGS = ("Papers", *PAPER_SECTIONS, TALKS_HEADING, AWARDS_HEADING)

EQUAL_CONTRIBUTION_NOTE = "(*equal contribution)"


# --------------------------------------------------------------------------- loading


@functools.cache
def _schema() -> dict[str, Any]:
    return json.loads((SEEDS / "schema.json").read_text(encoding="utf-8"))


@functools.cache
def _seed(name: str) -> Seed:
    data = yaml.safe_load((SEEDS / name).read_text(encoding="utf-8"))
    assert isinstance(data, dict), name
    return data


def _source_text(seed: Seed) -> str:
    return (SEEDS / "source" / seed["source"]["file"]).read_text(encoding="utf-8")


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


@pytest.fixture(params=SEED_FILES)
def seed(request: pytest.FixtureRequest) -> Seed:
    return _seed(request.param)


@pytest.fixture
def profile() -> Seed:
    return _seed("profile.yaml")


@pytest.fixture
def homepage() -> Seed:
    return _seed("homepage.yaml")


# --------------------------------------------------------------------------- helpers


def _occurs(needle: str, haystack: str) -> bool:
    """Whole-token containment modulo case, diacritics, punctuation and white space."""
    # Padding keeps "CV" from matching inside an unrelated word.
    return f" {fold(needle)} " in f" {fold(haystack)} "


def _declared(seed: Seed) -> dict[str, Seed]:
    return {entry["id"]: entry for key in DECLARATIONS for entry in seed[key]}


def _spellings(entry: Seed) -> list[str]:
    return [entry["name"], *entry.get("aliases", [])]


def _papers(seed: Seed, title_prefix: str) -> list[Seed]:
    return [p for p in seed["papers"] if p["title"].startswith(title_prefix)]


def _only(items: list[Seed]) -> Seed:
    assert len(items) == 1, items
    return items[0]


def _verbatim_strings(seed: Seed) -> Iterator[tuple[str, str]]:
    """(location, text) for every string the transcription claims to have copied from the source."""

    def walk(node: Any, where: str) -> Iterator[tuple[str, str]]:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in {"asWritten", "dateAsWritten"} and value is not None:
                    yield f"{where}.{key}", value
                else:
                    yield from walk(value, f"{where}.{key}")
        elif isinstance(node, list):
            for index, value in enumerate(node):
                yield from walk(value, f"{where}[{index}]")

    yield from walk(seed, "$")
    for i, paper in enumerate(seed["papers"]):
        for key in ("title", "abstract", "summary"):
            if paper[key] is not None:
                yield f"papers[{i}].{key}", paper[key]
        for j, publication in enumerate(paper["publications"]):
            for key in ("honors", "notes"):
                for text in publication[key]:
                    yield f"papers[{i}].publications[{j}].{key}", text
    for i, talk in enumerate(seed["talks"]):
        for key in ("title", "event", "place", "linkText", "description"):
            if talk[key] is not None:
                yield f"talks[{i}].{key}", talk[key]
    for i, award in enumerate(seed["awards"]):
        for key in ("name", "description", "forPaper"):
            if award[key] is not None:
                yield f"awards[{i}].{key}", award[key]
    bio = seed["profile"]["bio"]
    for i, paragraph in enumerate(bio.split("\n\n") if bio else []):
        yield f"profile.bio[{i}]", paragraph
    for where, holder in (("profile", seed["profile"]), ("snapshot", seed.get("snapshot"))):
        if holder and holder["headline"] is not None:
            yield f"{where}.headline", holder["headline"]


def _references(seed: Seed) -> Iterator[tuple[str, str]]:
    """(location, id) for every id the file refers to."""
    yield "subject", seed["subject"]
    for entry in seed["institutions"]:
        if entry["parent"]:
            yield f"institution {entry['id']}.parent", entry["parent"]
    for entry in seed["venues"]:
        for key in ("parent", "hostedBy"):
            if entry[key]:
                yield f"venue {entry['id']}.{key}", entry[key]
    profile = seed["profile"]
    for key in ("affiliations", "education"):
        for entry in profile[key]:
            yield f"profile.{key}", entry["institution"]
    for entry in profile["supervisors"]:
        yield "profile.supervisors", entry["person"]
    for topic in profile["topics"]:
        yield "profile.topics", topic
    for paper in seed["papers"]:
        for author in paper["authors"]:
            yield f"{paper['title']}.authors", author["person"]
        for publication in paper["publications"]:
            yield f"{paper['title']}.publications", publication["venue"]
    for talk in seed["talks"]:
        for key in ("speaker", "venue", "institution"):
            if talk[key]:
                yield f"talk {talk['title']}.{key}", talk[key]
    for award in seed["awards"]:
        for key in ("recipient", "funder", "venue"):
            if award[key]:
                yield f"award {award['name']}.{key}", award[key]


def _without_years(text: str) -> str:
    # Split "preprint2020arXiv" into words first so the year can be dropped from venue lines.
    spaced = re.sub(r"(?<=\D)(?=\d)|(?<=\d)(?=\D)", " ", text)
    return re.sub(r"(?<!\d)(?:19|20)\d{2}(?!\d)", " ", spaced)


def _best_venue(seed: Seed, text: str) -> str | None:
    """The declared venue whose name or alias is the longest one written in `text`."""
    haystack = _without_years(text)
    matches = [
        (len(fold(spelling)), venue["id"])
        for venue in seed["venues"]
        for spelling in _spellings(venue)
        if _occurs(spelling, haystack)
    ]
    return max(matches)[1] if matches else None


def _years(text: str) -> list[int]:
    return [int(year) for year in re.findall(r"(?<!\d)(?:19|20)\d{2}(?!\d)", text)]


def _presentation(venue_line: str) -> str | None:
    # Longest phrase first: "Long Oral Presentation" also contains "Oral Presentation".
    for phrase, value in (
        ("long oral presentation", "long_oral"),
        ("oral presentation", "oral"),
        ("spotlight", "spotlight"),
        ("poster", "poster"),
    ):
        if _occurs(phrase, venue_line):
            return value
    return None


def _residue(text: str, parts: list[str]) -> str:
    """What is left of `text` once each part has been removed (once, in order)."""
    for part in parts:
        assert part in text, (part, text)
        text = text.replace(part, "", 1)
    return text


# --------------------------------------------------------------------------- source parsing


def _homepage_sections(text: str) -> dict[str, list[str]]:
    sections: dict[str, list[str]] = {}
    current: str | None = None
    for line in _lines(text):
        if line in HOMEPAGE_HEADINGS:
            current = line
            sections[current] = []
        elif current is not None:
            sections[current].append(line)
    assert set(sections) == set(HOMEPAGE_HEADINGS), sorted(sections)
    return sections


def _looks_like_author_list(text: str) -> bool:
    names = re.split(r",\s*|\s+and\s+", text.replace(EQUAL_CONTRIBUTION_NOTE, "").strip(" ."))
    # Two to eight capitalised words per name; the missing comma in "Will Grathwohl* Ricky T. Q.
    # Chen" makes one "name" of six words, which is why the bound is generous.
    return len(names) >= 2 and all(
        2 <= len(words := name.split()) <= 8 and all(word[0].isupper() for word in words)
        for name in names
    )


@dataclass(frozen=True)
class Listing:
    section: str
    title: str
    authors: str
    body: tuple[str, ...]  # the lines after the title line, up to the next listing


def _paper_listings(text: str) -> list[Listing]:
    listings: list[Listing] = []
    sections = _homepage_sections(text)
    for heading, section in PAPER_SECTIONS.items():
        current: tuple[str, str] | None = None
        body: list[str] = []
        for line in [*sections[heading], None]:
            title, sep, authors = (line or "").rpartition(": ")
            if line is not None and not (sep and _looks_like_author_list(authors)):
                body.append(line)
                continue
            if current is not None:
                listings.append(Listing(section, current[0], current[1], tuple(body)))
            current, body = (title, authors), []
    return listings


def _profile_items(text: str) -> tuple[int, list[tuple[str, str, str]]]:
    """The declared item count and (venue marker, title, abstract) for each Published work item."""
    lines = _lines(text)
    lines = lines[lines.index("Published work") + 1 :]
    count = re.fullmatch(r"(\d+) published item\(s\)", lines[0])
    assert count, lines[0]
    rest = lines[1:]
    assert len(rest) % 3 == 0, "each item is a venue marker, a title and an abstract"
    items = [(rest[i], rest[i + 1], rest[i + 2]) for i in range(0, len(rest), 3)]
    return int(count.group(1)), items


def _snapshot_from_page(text: str) -> dict[str, Any]:
    def find(pattern: str) -> re.Match[str]:
        match = re.search(pattern, text, re.MULTILINE)
        assert match, pattern
        return match

    lines = _lines(text)
    trust = find(r"^Trust (\d+) - (\w+)Verification (L\d+)(Unclaimed|Claimed) author$")
    status = find(r"^(\w+)Affiliation (.+?)(Open to collaborate)?$")
    return {
        "trustScore": int(trust.group(1)),
        "trustLabel": trust.group(2),
        "verificationLevel": trust.group(3),
        "claimed": trust.group(4) == "Claimed",
        "works": int(find(r"^(\d+)works$").group(1)),
        "followers": int(find(r"^(\d+)followers$").group(1)),
        "topics": int(find(r"^(\d+)topics$").group(1)),
        "closeCollaborators": int(find(r"^(\d+)close collaborators$").group(1)),
        "role": status.group(1),
        "affiliationStatus": status.group(2),
        "openToCollaborate": status.group(3) is not None,
        # The tagline is the line right after the researcher's name.
        "headline": lines[lines.index("Researcher profile") + 2],
    }


# --------------------------------------------------------------------------- schema


def test_schema_is_valid_draft_2020_12() -> None:
    jsonschema.Draft202012Validator.check_schema(_schema())
    assert _schema()["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_seed_validates_against_schema(seed: Seed) -> None:
    errors = [
        f"{list(error.absolute_path)}: {error.message}"
        for error in jsonschema.Draft202012Validator(_schema()).iter_errors(seed)
    ]
    assert errors == []


def _rename_paper_field(seed: Seed) -> None:
    seed["papers"][0]["titel"] = seed["papers"][0].pop("title")


def _add_author_field(seed: Seed) -> None:
    seed["papers"][0]["authors"][0]["equalContribtion"] = True


def _bad_presentation(seed: Seed) -> None:
    seed["papers"][0]["publications"][0]["presentation"] = "Oral Presentation"


def _bad_person_id(seed: Seed) -> None:
    seed["papers"][0]["authors"][0]["person"] = "person:will-grathwohl"


def _drop_required_award_field(seed: Seed) -> None:
    del seed["awards"][0]["funder"]


def _snapshot_on_homepage(seed: Seed) -> None:
    seed["snapshot"] = copy.deepcopy(_seed("profile.yaml")["snapshot"])


@pytest.mark.parametrize(
    "mutate",
    [
        _rename_paper_field,
        _add_author_field,
        _bad_presentation,
        _bad_person_id,
        _drop_required_award_field,
        _snapshot_on_homepage,
    ],
)
def test_schema_rejects_broken_homepage(mutate: Callable[[Seed], None]) -> None:
    # Proves the schema is strict where it matters: typos, enums, id patterns, required fields.
    broken = copy.deepcopy(_seed("homepage.yaml"))
    mutate(broken)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, _schema(), cls=jsonschema.Draft202012Validator)


def test_schema_requires_snapshot_on_profile_pages() -> None:
    broken = copy.deepcopy(_seed("profile.yaml"))
    del broken["snapshot"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, _schema(), cls=jsonschema.Draft202012Validator)


# --------------------------------------------------------------------------- faithfulness


@pytest.mark.parametrize(
    ("name", "kind", "source_id"),
    [
        ("profile.yaml", "profile_page", "seed:profile"),
        ("homepage.yaml", "homepage", "seed:homepage"),
    ],
)
def test_source_header(name: str, kind: str, source_id: str) -> None:
    source = _seed(name)["source"]
    assert (source["kind"], source["id"]) == (kind, source_id)
    assert (SEEDS / "source" / source["file"]).is_file()


def test_copied_strings_occur_in_source(seed: Seed) -> None:
    source = _source_text(seed)
    strings = list(_verbatim_strings(seed))
    assert len(strings) > len(seed["papers"]), "the walk found the papers' titles and more"
    missing = [(where, text) for where, text in strings if not _occurs(text, source)]
    assert missing == []


def test_people_names_occur_in_source(seed: Seed) -> None:
    source = _source_text(seed)
    for person in seed["people"]:
        absent_aliases = [alias for alias in person["aliases"] if not _occurs(alias, source)]
        assert absent_aliases == [], person["id"]
        # A canonical name may come from the other document, but then an alias must be here.
        assert _occurs(person["name"], source) or person["aliases"], person["id"]


# --------------------------------------------------------------------------- ids


def test_ids_are_slugs_of_canonical_names(seed: Seed) -> None:
    for key, prefix in DECLARATIONS.items():
        ids = [entry["id"] for entry in seed[key]]
        assert len(ids) == len(set(ids)), f"duplicate {key} ids"
        for entry in seed[key]:
            assert entry["id"] == f"{prefix}:{slug(entry['name'])}"
            assert entry["name"] not in entry.get("aliases", []), entry["id"]


def test_every_reference_is_declared(seed: Seed) -> None:
    declared = _declared(seed)
    references = list(_references(seed))
    assert references, "at least the subject is referenced"
    assert [(where, ref) for where, ref in references if ref not in declared] == []


def test_every_declaration_is_used(seed: Seed) -> None:
    # An entity nothing refers to is a fact with no anchor in the document: likely invented.
    used = {ref for _, ref in _references(seed)}
    assert sorted(set(_declared(seed)) - used) == []


def test_award_papers_are_titles_in_the_file(seed: Seed) -> None:
    titles = {paper["title"] for paper in seed["papers"]}
    for award in seed["awards"]:
        assert award["forPaper"] is None or award["forPaper"] in titles, award["name"]


def test_subject_is_the_same_person_in_both_files(profile: Seed, homepage: Seed) -> None:
    assert profile["subject"] == homepage["subject"] == "researcher:will-grathwohl"
    for seed in (profile, homepage):
        assert _declared(seed)[seed["subject"]]["name"] == seed["profile"]["name"]


def test_shared_ids_have_the_same_canonical_name(profile: Seed, homepage: Seed) -> None:
    left, right = _declared(profile), _declared(homepage)
    shared = set(left) & set(right)
    assert {"researcher:will-grathwohl", "venue:arxiv"} <= shared
    assert {ref: left[ref]["name"] for ref in shared} == {ref: right[ref]["name"] for ref in shared}


# --------------------------------------------------------------------------- publications


def test_publication_venue_year_and_presentation_follow_the_line(seed: Seed) -> None:
    for paper in seed["papers"]:
        for publication in paper["publications"]:
            line = publication["asWritten"]
            years = _years(line)
            assert len(years) <= 1, line
            assert publication["year"] == (years[0] if years else None), line
            assert publication["venue"] == _best_venue(seed, line), line
            assert publication["presentation"] == _presentation(line), line
            honors = [h for h in ("Best Paper Award",) if h in line]
            assert publication["honors"] == honors, line


def test_talk_venue_follows_the_event(homepage: Seed) -> None:
    for talk in homepage["talks"]:
        assert talk["venue"] == _best_venue(homepage, talk["event"]), talk["event"]


# --------------------------------------------------------------------------- profile page


def test_profile_lists_every_published_item(profile: Seed) -> None:
    declared_count, items = _profile_items(_source_text(profile))
    assert declared_count == len(items) > 0
    papers = profile["papers"]
    assert [fold(title) for _, title, _ in items] == [fold(p["title"]) for p in papers]
    for (marker, title, abstract), paper in zip(items, papers, strict=True):
        assert paper["section"] == "published_work"
        assert paper["abstract"] == abstract, title
        assert paper["summary"] is None
        assert paper["authors"] == [], "the page lists no authors"
        publication = _only(paper["publications"])
        assert publication["asWritten"] == marker
        assert marker.startswith(publication["kind"])


def test_profile_snapshot_matches_the_page(profile: Seed) -> None:
    assert profile["snapshot"] == _snapshot_from_page(_source_text(profile))
    assert profile["snapshot"]["works"] == len(profile["papers"])
    assert profile["profile"]["headline"] == profile["snapshot"]["headline"]


def test_profile_snapshot_values(profile: Seed) -> None:
    assert profile["snapshot"] == {
        "trustScore": 15,
        "trustLabel": "Unverified",
        "verificationLevel": "L1",
        "claimed": False,
        "works": 3,
        "followers": 0,
        "topics": 2,
        "closeCollaborators": 4,
        "role": "Researcher",
        "affiliationStatus": "not imported",
        "openToCollaborate": True,
        "headline": (
            "Will Grathwohl contributes to research discovery and scholarly infrastructure."
        ),
    }


def test_profile_invents_no_topics_or_collaborators(profile: Seed) -> None:
    # The page counts 2 topics and 4 collaborators but names none of them.
    assert profile["topics"] == [] == profile["profile"]["topics"]
    assert [p["id"] for p in profile["people"]] == [profile["subject"]]
    assert profile["institutions"] == []
    assert [v["id"] for v in profile["venues"]] == ["venue:arxiv"]
    assert profile["venues"][0]["name"] == "arXiv"


# --------------------------------------------------------------------------- homepage papers


def test_homepage_lists_every_paper_listing(homepage: Seed) -> None:
    listings = _paper_listings(_source_text(homepage))
    assert {listing.section for listing in listings} == set(PAPER_SECTIONS.values())
    in_source = [(listing.section, fold(listing.title)) for listing in listings]
    transcribed = [(paper["section"], fold(paper["title"])) for paper in homepage["papers"]]
    assert transcribed == in_source


def _check_author_spelling(listing: Listing, authors: list[Seed]) -> None:
    """The authors' asWritten forms, in order, are exactly the listing's author list."""
    text, position, previous = listing.authors, 0, None
    for author in authors:
        found = text.find(author["asWritten"], position)
        assert found >= 0, (author["asWritten"], text)
        gap = text[position:found]
        if previous is None:
            assert gap == "", text
        # The page drops one comma after a starred name; otherwise names are comma/and separated.
        elif gap not in {", ", " and "} and not (gap == " " and previous.endswith("*")):
            pytest.fail(f"unexpected {gap!r} between names in {text!r}")
        position, previous = found + len(author["asWritten"]), author["asWritten"]
    assert re.fullmatch(r"\.?( \(\*equal contribution\))?", text[position:]), text


def test_homepage_authors_are_transcribed_in_order(homepage: Seed) -> None:
    listings = _paper_listings(_source_text(homepage))
    declared = _declared(homepage)
    for listing, paper in zip(listings, homepage["papers"], strict=True):
        assert paper["authors"], listing.title
        _check_author_spelling(listing, paper["authors"])
        for author in paper["authors"]:
            written = author["asWritten"]
            assert author["equalContribution"] == written.endswith("*"), written
            spellings = {fold(s) for s in _spellings(declared[author["person"]])}
            assert fold(written) in spellings, (written, author["person"])
        if any(author["equalContribution"] for author in paper["authors"]):
            assert EQUAL_CONTRIBUTION_NOTE in listing.authors, listing.title


def test_homepage_listing_lines_are_all_accounted_for(homepage: Seed) -> None:
    # Each line under a listing is a venue line, a standalone note, or part of the summary.
    listings = _paper_listings(_source_text(homepage))
    for listing, paper in zip(listings, homepage["papers"], strict=True):
        venue_lines = [publication["asWritten"] for publication in paper["publications"]]
        notes = [note for publication in paper["publications"] for note in publication["notes"]]
        assert [line for line in listing.body if line in venue_lines] == venue_lines
        for note in notes:
            assert note in listing.body or any(note in line for line in venue_lines), note
        rest = [line for line in listing.body if line not in venue_lines and line not in notes]
        assert paper["summary"] == ("\n".join(rest) or None), listing.title
        assert paper["abstract"] is None


# --------------------------------------------------------------------------- homepage profile


def test_homepage_bio_is_the_prose_verbatim(homepage: Seed) -> None:
    lines = _lines(_source_text(homepage))
    # The prose sits between the photo caption and the "Papers" heading.
    prose = lines[lines.index("A photo of me") + 1 : lines.index("Papers")]
    assert len(prose) > 1
    assert homepage["profile"]["bio"] == "\n\n".join(prose)


def test_homepage_supervisors(homepage: Seed) -> None:
    match = re.search(r"I am co-supervised by (.+) and (.+)\.", _source_text(homepage))
    assert match
    declared = _declared(homepage)
    supervisors = homepage["profile"]["supervisors"]
    assert [declared[s["person"]]["name"] for s in supervisors] == list(match.groups())
    assert {s["role"] for s in supervisors} == {"co-supervisor"}


def test_homepage_affiliations_and_education(homepage: Seed) -> None:
    profile, declared = homepage["profile"], _declared(homepage)
    google = _only(
        [a for a in profile["affiliations"] if a["institution"].endswith("google-brain")]
    )
    assert (google["role"], google["since"], google["place"]) == ("part-time", "2019-02", "Toronto")
    assert "Febuary 2019" in google["asWritten"], "the typo is kept"
    group = declared["institution:machine-learning-group"]
    assert (group["kind"], group["parent"]) == (
        "research_group",
        "institution:university-of-toronto",
    )
    by_degree = {e["degree"]: e for e in profile["education"]}
    assert by_degree.keys() == {"undergraduate", "phd"}
    mit = by_degree["undergraduate"]
    assert (mit["institution"], mit["field"], mit["year"], mit["status"]) == (
        "institution:mit",
        "Mathematics",
        2014,
        "completed",
    )
    phd = by_degree["phd"]
    assert (phd["institution"], phd["year"], phd["status"]) == (
        "institution:university-of-toronto",
        None,
        "in_progress",
    )


def test_homepage_links(homepage: Seed) -> None:
    links = {link["kind"]: link for link in homepage["profile"]["links"]}
    assert links["email"]["value"] == "wgrathwohl@cs.toronto.edu"
    assert links["github"]["value"] == "https://github.com/wgrathwohl"
    assert links["linkedin"]["value"] == "https://www.linkedin.com/in/will-grathwohl"
    # The page shows a CV link and a photo but gives no address for either.
    assert (links["cv"]["value"], links["photo"]["value"]) == (None, None)


# --------------------------------------------------------------------------- talks and awards


def test_homepage_lists_every_talk(homepage: Seed) -> None:
    lines = _homepage_sections(_source_text(homepage))[TALKS_HEADING]
    talk_lines = [line for line in lines if ": " in line]
    talks = homepage["talks"]
    assert [fold(line.partition(": ")[0]) for line in talk_lines] == [
        fold(t["title"]) for t in talks
    ]
    declared = _declared(homepage)
    descriptions: dict[int, str] = {}
    for position, line in enumerate(lines):
        if ": " not in line:
            # A line without a colon describes the talk listed just before it.
            assert position > 0, line
            descriptions[talk_lines.index(lines[position - 1])] = line
    for index, (line, talk) in enumerate(zip(talk_lines, talks, strict=True)):
        assert talk["description"] == descriptions.get(index), talk["title"]
        assert talk["speaker"] == homepage["subject"]
        # Everything after the title is the event, host, place, date and link text.
        parts = [talk["title"], talk["event"]]
        if talk["institution"] and declared[talk["institution"]]["name"] in line:
            parts.append(declared[talk["institution"]]["name"])
        parts += [p for p in (talk["place"], talk["dateAsWritten"], talk["linkText"]) if p]
        assert _residue(line, parts).strip(" :,.") == "", line


def test_talk_dates_follow_the_written_dates(homepage: Seed) -> None:
    for talk in homepage["talks"]:
        written = talk["dateAsWritten"]
        parsed = None
        for form in ("%B %Y", "%b %Y"):
            try:
                parsed = datetime.strptime(written, form)
                break
            except ValueError:
                continue
        assert parsed is not None, written
        assert talk["date"] == parsed.strftime("%Y-%m"), written


def test_dtu_talk(homepage: Seed) -> None:
    talk = _only([t for t in homepage["talks"] if "Secretly and" in t["title"]])
    assert talk["place"] == "Copenhagen, Denmark"
    assert talk["institution"] == "institution:technical-university-of-denmark"
    venue = _declared(homepage)[talk["venue"]]
    assert (venue["kind"], venue["hostedBy"]) == ("workshop", talk["institution"])


def test_homepage_lists_every_award(homepage: Seed) -> None:
    lines = _homepage_sections(_source_text(homepage))[AWARDS_HEADING]
    awards = homepage["awards"]
    assert [fold(line.partition(": ")[0]) for line in lines] == [fold(a["name"]) for a in awards]
    assert [award["asWritten"] for award in awards] == lines
    assert {award["recipient"] for award in awards} == {homepage["subject"]}


# --------------------------------------------------------------------------- easy-to-miss facts


def test_invertible_residual_networks_authors(homepage: Seed) -> None:
    paper = _only(_papers(homepage, "Invertible Residual Networks"))
    authors = paper["authors"]
    assert [a["person"] for a in authors] == [
        "researcher:jens-behrmann",
        "researcher:will-grathwohl",
        "researcher:ricky-t-q-chen",
        "researcher:david-duvenaud",
        "researcher:jorn-henrik-jacobsen",
    ]
    assert [a["person"] for a in authors if a["equalContribution"]] == [
        "researcher:jens-behrmann",
        "researcher:will-grathwohl",
        "researcher:jorn-henrik-jacobsen",
    ]
    assert _only(paper["publications"])["presentation"] == "long_oral"


def test_ffjord_listings_each_have_two_equal_contributions(homepage: Seed) -> None:
    listings = _papers(homepage, "FFJORD")
    assert [p["section"] for p in listings] == ["conference", "workshop"]
    for paper in listings:
        starred = [a["person"] for a in paper["authors"] if a["equalContribution"]]
        assert starred == ["researcher:will-grathwohl", "researcher:ricky-t-q-chen"]
    workshop = _only(listings[1]["publications"])
    assert workshop["venue"] == "venue:symposium-on-advances-in-approximate-bayesian-inference"
    assert (workshop["presentation"], workshop["honors"]) == ("oral", ["Best Paper Award"])


def test_modeling_global_class_structure_has_two_workshops(homepage: Seed) -> None:
    paper = _only(_papers(homepage, "Modeling Global Class Structure"))
    assert [(p["venue"], p["year"]) for p in paper["publications"]] == [
        ("venue:neurips-workshop-on-meta-learning", 2018),
        ("venue:neurips-workshop-on-continual-learning", 2018),
    ]


def test_borealis_fellowship(homepage: Seed) -> None:
    award = _only([a for a in homepage["awards"] if a["name"].startswith("Borealis")])
    assert award["kind"] == "fellowship"
    assert (award["amount"], award["currency"], award["durationYears"]) == (50000, "$", 2)
    assert award["funder"] == "institution:royal-bank-of-canada"
    assert _declared(homepage)[award["funder"]]["name"] == "Royal Bank of Canada"


def test_best_paper_award_is_for_ffjord_at_aabi(homepage: Seed) -> None:
    award = _only([a for a in homepage["awards"] if a["kind"] == "best_paper"])
    assert award["forPaper"] == _papers(homepage, "FFJORD")[0]["title"]
    assert (award["venue"], award["year"]) == (
        "venue:symposium-on-advances-in-approximate-bayesian-inference",
        2018,
    )
    huawei = _only([a for a in homepage["awards"] if a["name"] == "Huawei Prize"])
    assert huawei["funder"] is None, "the page names no funder for the Huawei Prize"


def test_jacobsen_is_one_person_with_every_spelling(homepage: Seed) -> None:
    source = _source_text(homepage)
    jacobsen = _declared(homepage)["researcher:jorn-henrik-jacobsen"]
    assert jacobsen["name"] == "Jörn-Henrik Jacobsen"
    assert sorted(jacobsen["aliases"]) == sorted(
        ["Jorn-Henrik Jacobsen", "Jorn-Henrik Jocobsen", "Jorn-Henrick Jacobsen"]
    )
    # Exact, unfolded: each misspelling is really on the page.
    for spelling in _spellings(jacobsen):
        assert spelling in source, spelling
    people = [p for p in homepage["people"] if "jacobsen" in fold(" ".join(_spellings(p)))]
    assert people == [jacobsen]


def test_similar_names_stay_distinct_people(homepage: Seed) -> None:
    declared = _declared(homepage)
    for first, second in (
        ("researcher:geoff-roeder", "researcher:geoffrey-hinton"),
        ("researcher:jackson-wang", "researcher:kuan-chieh-wang"),
    ):
        assert first in declared
        assert second in declared
        assert not set(_spellings(declared[first])) & set(_spellings(declared[second]))
