"""The graph model: the only labels, relationship types and id prefixes any query may name.

Cypher cannot take labels or relationship types as parameters, so query text that needs one
interpolates it from these enums and nowhere else; user text never reaches a label position.
"""

from __future__ import annotations

import re
from enum import StrEnum

from scholargraph import text

# Every node also carries this label so that one index on `id` serves lookups of any kind.
ENTITY = "Entity"
# The API's own state on Neo4j, never part of the graph (no Entity label): rate-limit buckets
# shared by every worker (graphdb/limits.py) and the write generation (graphdb/generation.py).
RATE_BUCKET = "RateBucket"
WRITE_GENERATION = "WriteGeneration"


class Label(StrEnum):
    RESEARCHER = "Researcher"
    PAPER = "Paper"
    VENUE = "Venue"
    TALK = "Talk"
    AWARD = "Award"
    INSTITUTION = "Institution"
    TOPIC = "Topic"
    SNAPSHOT = "ProfileSnapshot"
    ACCOUNT = "Account"
    TOKEN = "ApiToken"  # noqa: S105  (a label, not a secret)
    CLAIM = "Claim"
    INVITATION = "Invitation"
    AUDIT = "AuditRecord"
    MERGE = "MergeRecord"
    MERGE_REQUEST = "MergeRequest"
    # The change feed (graphdb/events.py): not entities, so neither carries `Entity` or an id.
    CHANGE_EVENT = "ChangeEvent"
    CHANGE_FEED = "ChangeFeed"


class Rel(StrEnum):
    AUTHORED = "AUTHORED"  # Researcher -> Paper {position, equalContribution, asWritten}
    PUBLISHED_AT = "PUBLISHED_AT"  # Paper -> Venue {year, kind, presentation, honors, notes}
    AFFILIATED_WITH = "AFFILIATED_WITH"  # Researcher -> Institution {role, since, until, place}
    EDUCATED_AT = "EDUCATED_AT"  # Researcher -> Institution {degree, field, year, status}
    SUPERVISED_BY = "SUPERVISED_BY"  # Researcher -> Researcher {role}
    INTERESTED_IN = "INTERESTED_IN"  # Researcher -> Topic
    HAS_TOPIC = "HAS_TOPIC"  # Paper -> Topic
    GAVE = "GAVE"  # Researcher -> Talk
    TALK_AT = "TALK_AT"  # Talk -> Venue (workshop, seminar series)
    TALK_HOSTED_BY = "TALK_HOSTED_BY"  # Talk -> Institution
    RECEIVED = "RECEIVED"  # Researcher -> Award {year}
    AWARD_FOR = "AWARD_FOR"  # Award -> Paper
    AWARDED_AT = "AWARDED_AT"  # Award -> Venue
    FUNDED_BY = "FUNDED_BY"  # Award -> Institution
    PART_OF = "PART_OF"  # Venue -> Venue, Institution -> Institution
    HOSTED_BY = "HOSTED_BY"  # Venue -> Institution
    HAS_SNAPSHOT = "HAS_SNAPSHOT"  # Researcher -> ProfileSnapshot
    FOLLOWS = "FOLLOWS"  # Account -> Researcher
    HAS_TOKEN = "HAS_TOKEN"  # noqa: S105  Account -> ApiToken
    OWNS = "OWNS"  # Account -> Researcher (a confirmed claim)
    CLAIMS = "CLAIMS"  # Account -> Claim -> Researcher
    CLAIM_OF = "CLAIM_OF"
    INVITED = "INVITED"  # Account -> Invitation -> Researcher
    INVITATION_TO = "INVITATION_TO"
    MERGED_INTO = "MERGED_INTO"  # MergeRecord -> Researcher
    CITES = "CITES"  # Paper -> Paper (the citing paper's reference list)


# The part of the graph that is scholarly knowledge: what neighborhoods, search and stats walk.
KNOWLEDGE_LABELS: tuple[Label, ...] = (
    Label.RESEARCHER,
    Label.PAPER,
    Label.VENUE,
    Label.TALK,
    Label.AWARD,
    Label.INSTITUTION,
    Label.TOPIC,
)
KNOWLEDGE_RELS: tuple[Rel, ...] = (
    Rel.AUTHORED,
    Rel.PUBLISHED_AT,
    Rel.AFFILIATED_WITH,
    Rel.EDUCATED_AT,
    Rel.SUPERVISED_BY,
    Rel.INTERESTED_IN,
    Rel.HAS_TOPIC,
    Rel.GAVE,
    Rel.TALK_AT,
    Rel.TALK_HOSTED_BY,
    Rel.RECEIVED,
    Rel.AWARD_FOR,
    Rel.AWARDED_AT,
    Rel.FUNDED_BY,
    Rel.PART_OF,
    Rel.HOSTED_BY,
)
# What the explorer may walk when asked to by name. CITES is not a default: a neighborhood
# asked for without `relationships` stays what it was before citations were imported.
EXPLORABLE_RELS: tuple[Rel, ...] = (*KNOWLEDGE_RELS, Rel.CITES)

PREFIX: dict[Label, str] = {
    Label.RESEARCHER: "researcher",
    Label.PAPER: "paper",
    Label.VENUE: "venue",
    Label.TALK: "talk",
    Label.AWARD: "award",
    Label.INSTITUTION: "institution",
    Label.TOPIC: "topic",
    Label.SNAPSHOT: "snapshot",
    Label.ACCOUNT: "account",
    Label.TOKEN: "token",
    Label.CLAIM: "claim",
    Label.INVITATION: "invitation",
    Label.AUDIT: "audit",
    Label.MERGE: "merge",
    Label.MERGE_REQUEST: "mergerequest",
}
LABEL_OF_PREFIX: dict[str, Label] = {prefix: label for label, prefix in PREFIX.items()}

ID_PATTERN = re.compile(r"^([a-z]+):([a-z0-9][a-z0-9._~-]{0,199})$")


class MalformedId(ValueError):
    pass


def label_of(node_id: str) -> Label:
    """The label an id names, or MalformedId when the id is not one of ours."""
    match = ID_PATTERN.match(node_id)
    if match is None or match.group(1) not in LABEL_OF_PREFIX:
        raise MalformedId(
            f"{node_id[:80]!r} is not a valid id: expected '<kind>:<slug>' where kind is one of "
            + ", ".join(sorted(LABEL_OF_PREFIX))
        )
    return LABEL_OF_PREFIX[match.group(1)]


def make_id(label: Label, name: str) -> str:
    return f"{PREFIX[label]}:{text.slug(name)}"


def paper_id(title: str) -> str:
    return f"{PREFIX[Label.PAPER]}:{text.title_hash(title)}"


__all__ = [
    "ENTITY",
    "EXPLORABLE_RELS",
    "ID_PATTERN",
    "KNOWLEDGE_LABELS",
    "KNOWLEDGE_RELS",
    "LABEL_OF_PREFIX",
    "PREFIX",
    "RATE_BUCKET",
    "WRITE_GENERATION",
    "Label",
    "MalformedId",
    "Rel",
    "label_of",
    "make_id",
    "paper_id",
]
