"""Turn the seed transcriptions (seeds/*.yaml, see docs/seed-format.md) into graph rows."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from scholargraph import text
from scholargraph.graphdb.model import PREFIX, Label, Rel, paper_id
from scholargraph.graphdb.writes import EdgeRow, NodeRow

SEED_FILES = ("profile.yaml", "homepage.yaml")


class SeedError(ValueError):
    """A seed file that cannot be loaded; the message names the file and the problem."""


@dataclass
class Rows:
    """Every assertion of every document; the writer folds repeats of one node or edge."""

    nodes: list[NodeRow] = field(default_factory=list)
    edges: list[EdgeRow] = field(default_factory=list)

    def node(self, row: NodeRow) -> None:
        self.nodes.append(row)

    def edge(self, row: EdgeRow) -> None:
        self.edges.append(row)


def load_documents(seeds_dir: Path) -> list[dict[str, Any]]:
    schema_path = seeds_dir / "schema.json"
    try:
        schema = json.loads(schema_path.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise SeedError(f"{schema_path}: cannot read the seed schema: {exc}") from exc
    validator = jsonschema.Draft202012Validator(schema)
    documents = []
    for name in SEED_FILES:
        path = seeds_dir / name
        try:
            document = yaml.safe_load(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise SeedError(f"{path}: cannot read: {exc.strerror}") from exc
        except yaml.YAMLError as exc:
            raise SeedError(f"{path}: not valid YAML: {exc}") from exc
        errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
        if errors:
            where = "/".join(str(p) for p in errors[0].absolute_path) or "(top)"
            raise SeedError(f"{path}: {where}: {errors[0].message}")
        _check_references(path, document)
        documents.append(document)
    return documents


def _declared(document: dict[str, Any]) -> set[str]:
    groups = ("people", "institutions", "venues", "topics")
    return {entry["id"] for group in groups for entry in document.get(group) or []}


def _references(document: dict[str, Any]) -> Iterable[tuple[str, str]]:
    yield "subject", document["subject"]
    for group, keys in (("institutions", ("parent",)), ("venues", ("parent", "hostedBy"))):
        for entry in document.get(group) or []:
            for key in keys:
                if entry.get(key):
                    yield f"{group}/{entry['id']}/{key}", entry[key]
    profile = document.get("profile") or {}
    for i, item in enumerate(profile.get("affiliations") or []):
        yield f"profile/affiliations/{i}", item["institution"]
    for i, item in enumerate(profile.get("education") or []):
        yield f"profile/education/{i}", item["institution"]
    for i, item in enumerate(profile.get("supervisors") or []):
        yield f"profile/supervisors/{i}", item["person"]
    for i, topic in enumerate(profile.get("topics") or []):
        yield f"profile/topics/{i}", topic
    for i, paper in enumerate(document.get("papers") or []):
        for j, author in enumerate(paper.get("authors") or []):
            yield f"papers/{i}/authors/{j}", author["person"]
        for j, publication in enumerate(paper.get("publications") or []):
            yield f"papers/{i}/publications/{j}", publication["venue"]
    for i, talk in enumerate(document.get("talks") or []):
        for key in ("speaker", "venue", "institution"):
            if talk.get(key):
                yield f"talks/{i}/{key}", talk[key]
    for i, award in enumerate(document.get("awards") or []):
        for key in ("recipient", "funder", "venue"):
            if award.get(key):
                yield f"awards/{i}/{key}", award[key]


def _check_references(path: Path, document: dict[str, Any]) -> None:
    declared = _declared(document)
    for where, ref in _references(document):
        if ref not in declared:
            raise SeedError(f"{path}: {where}: {ref!r} is not declared in this file")
    titles = {text.title_key(p["title"]) for p in document.get("papers") or []}
    for i, award in enumerate(document.get("awards") or []):
        if award.get("forPaper") and text.title_key(award["forPaper"]) not in titles:
            raise SeedError(f"{path}: awards/{i}/forPaper: no paper titled {award['forPaper']!r}")


def _terms(*values: str | None) -> list[str]:
    return [text.fold(v) for v in values if v]


def _named(label: Label, entry: dict[str, Any], source: str, **props: Any) -> NodeRow:
    aliases = list(entry.get("aliases") or [])
    return NodeRow(
        entry["id"],
        label,
        source,
        {"name": entry["name"], **props},
        {"aliases": aliases, "searchTerms": _terms(entry["name"], *aliases)},
    )


def award_id(name: str, venue_name: str | None, year: int | None) -> str:
    # Award names like "Best Paper Award" repeat across venues and years; qualify them.
    folded = text.fold(name)
    parts = [name]
    if venue_name and text.fold(venue_name) not in folded:
        parts.append(venue_name)
    if year and str(year) not in folded:
        parts.append(str(year))
    return f"{PREFIX[Label.AWARD]}:{text.slug(' '.join(parts), 120)}"


def talk_id(title: str, date: str | None) -> str:
    return f"{PREFIX[Label.TALK]}:{text.slug(title, 100)}-{text.slug(date or 'undated')}"


def document_rows(document: dict[str, Any], rows: Rows) -> None:
    source = document["source"]["id"]
    subject = document["subject"]
    for person in document.get("people") or []:
        row = _named(Label.RESEARCHER, person, source, nameKey=text.name_key(person["name"]))
        keys = sorted({text.name_key(n) for n in [person["name"], *row.lists["aliases"]]})
        rows.node(NodeRow(row.id, row.label, source, row.props, {**row.lists, "nameKeys": keys}))
    for inst in document.get("institutions") or []:
        rows.node(
            _named(Label.INSTITUTION, inst, source, kind=inst.get("kind"), place=inst.get("place"))
        )
        if inst.get("parent"):
            rows.edge(EdgeRow(Rel.PART_OF, inst["id"], inst["parent"], source))
    for venue in document.get("venues") or []:
        rows.node(
            _named(Label.VENUE, venue, source, kind=venue.get("kind"), place=venue.get("place"))
        )
        if venue.get("parent"):
            rows.edge(EdgeRow(Rel.PART_OF, venue["id"], venue["parent"], source))
        if venue.get("hostedBy"):
            rows.edge(EdgeRow(Rel.HOSTED_BY, venue["id"], venue["hostedBy"], source))
    for topic in document.get("topics") or []:
        rows.node(_named(Label.TOPIC, topic, source))
    _profile_rows(document, rows)
    _paper_rows(document, rows)
    _talk_rows(document, rows)
    _award_rows(document, rows)
    if document.get("snapshot"):
        snap = document["snapshot"]
        snap_id = (
            f"{PREFIX[Label.SNAPSHOT]}:{text.slug(subject.split(':', 1)[1])}-{text.slug(source)}"
        )
        rows.node(
            NodeRow(
                snap_id,
                Label.SNAPSHOT,
                source,
                {**snap, "recordedFrom": document["source"]["file"]},
            )
        )
        rows.edge(EdgeRow(Rel.HAS_SNAPSHOT, subject, snap_id, source))


def _profile_rows(document: dict[str, Any], rows: Rows) -> None:
    source, subject = document["source"]["id"], document["subject"]
    profile = document.get("profile") or {}
    props: dict[str, Any] = {"bio": profile.get("bio"), "headline": profile.get("headline")}
    if profile.get("links"):
        props["linksJson"] = json.dumps(profile["links"], ensure_ascii=False)
    name = profile.get("name")
    rows.node(NodeRow(subject, Label.RESEARCHER, source, props, {"searchTerms": _terms(name)}))
    for item in profile.get("affiliations") or []:
        rows.edge(
            EdgeRow(
                Rel.AFFILIATED_WITH,
                subject,
                item["institution"],
                source,
                key=text.slug(item.get("role") or ""),
                props={k: item.get(k) for k in ("role", "since", "until", "place", "asWritten")},
            )
        )
    for item in profile.get("education") or []:
        rows.edge(
            EdgeRow(
                Rel.EDUCATED_AT,
                subject,
                item["institution"],
                source,
                key=text.slug(item.get("degree") or ""),
                props={k: item.get(k) for k in ("degree", "field", "year", "status", "asWritten")},
            )
        )
    for item in profile.get("supervisors") or []:
        rows.edge(
            EdgeRow(
                Rel.SUPERVISED_BY, subject, item["person"], source, props={"role": item.get("role")}
            )
        )
    for topic in profile.get("topics") or []:
        rows.edge(EdgeRow(Rel.INTERESTED_IN, subject, topic, source))


def _paper_rows(document: dict[str, Any], rows: Rows) -> None:
    source, subject = document["source"]["id"], document["subject"]
    for paper in document.get("papers") or []:
        pid = paper_id(paper["title"])
        rows.node(
            NodeRow(
                pid,
                Label.PAPER,
                source,
                {
                    "title": paper["title"],
                    "titleKey": text.title_key(paper["title"]),
                    "abstract": paper.get("abstract"),
                    "summary": paper.get("summary"),
                },
                {
                    "searchTerms": _terms(
                        paper["title"], paper.get("abstract"), paper.get("summary")
                    )
                },
            )
        )
        authors = paper.get("authors") or []
        for position, author in enumerate(authors, start=1):
            rows.edge(
                EdgeRow(
                    Rel.AUTHORED,
                    author["person"],
                    pid,
                    source,
                    props={
                        "position": position,
                        "equalContribution": bool(author.get("equalContribution")),
                        "asWritten": author.get("asWritten"),
                    },
                )
            )
        if not authors:
            # A profile page lists its subject's works without bylines: authorship, no position.
            rows.edge(EdgeRow(Rel.AUTHORED, subject, pid, source))
        for pub in paper.get("publications") or []:
            rows.edge(
                EdgeRow(
                    Rel.PUBLISHED_AT,
                    pid,
                    pub["venue"],
                    source,
                    key=str(pub.get("year") or ""),
                    props={
                        "year": pub.get("year"),
                        "kind": pub.get("kind"),
                        "presentation": pub.get("presentation"),
                        "honors": list(pub.get("honors") or []),
                        "notes": list(pub.get("notes") or []),
                        "asWritten": pub.get("asWritten"),
                    },
                )
            )


def _talk_rows(document: dict[str, Any], rows: Rows) -> None:
    source = document["source"]["id"]
    for talk in document.get("talks") or []:
        tid = talk_id(talk["title"], talk.get("date"))
        props = {
            k: talk.get(k)
            for k in (
                "title",
                "event",
                "place",
                "date",
                "dateAsWritten",
                "linkText",
                "url",
                "description",
            )
        }
        rows.node(
            NodeRow(
                tid,
                Label.TALK,
                source,
                props,
                {"searchTerms": _terms(talk["title"], talk.get("event"))},
            )
        )
        rows.edge(EdgeRow(Rel.GAVE, talk["speaker"], tid, source))
        if talk.get("venue"):
            rows.edge(EdgeRow(Rel.TALK_AT, tid, talk["venue"], source))
        if talk.get("institution"):
            rows.edge(EdgeRow(Rel.TALK_HOSTED_BY, tid, talk["institution"], source))


def _award_rows(document: dict[str, Any], rows: Rows) -> None:
    source = document["source"]["id"]
    venue_names = {v["id"]: v["name"] for v in document.get("venues") or []}
    for award in document.get("awards") or []:
        aid = award_id(award["name"], venue_names.get(award.get("venue") or ""), award.get("year"))
        props = {
            k: award.get(k)
            for k in (
                "name",
                "kind",
                "year",
                "amount",
                "currency",
                "durationYears",
                "description",
                "asWritten",
            )
        }
        rows.node(NodeRow(aid, Label.AWARD, source, props, {"searchTerms": _terms(award["name"])}))
        rows.edge(
            EdgeRow(
                Rel.RECEIVED, award["recipient"], aid, source, props={"year": award.get("year")}
            )
        )
        if award.get("funder"):
            rows.edge(EdgeRow(Rel.FUNDED_BY, aid, award["funder"], source))
        if award.get("venue"):
            rows.edge(EdgeRow(Rel.AWARDED_AT, aid, award["venue"], source))
        if award.get("forPaper"):
            rows.edge(EdgeRow(Rel.AWARD_FOR, aid, paper_id(award["forPaper"]), source))


def seed_rows(seeds_dir: Path) -> Rows:
    rows = Rows()
    for document in load_documents(seeds_dir):
        document_rows(document, rows)
    return rows


__all__ = ["SEED_FILES", "Rows", "SeedError", "award_id", "load_documents", "seed_rows", "talk_id"]
