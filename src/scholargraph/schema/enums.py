"""Enums clients see. Values are what the graph stores; names are what GraphQL shows."""

from __future__ import annotations

from enum import Enum
from typing import TypeVar

import strawberry
from strawberry import enum_value

E = TypeVar("E", bound=Enum)


@strawberry.enum(description="How a paper appeared at a venue.")
class PublicationKind(Enum):
    CONFERENCE = enum_value(
        "conference", description="In a conference's main proceedings or track."
    )
    WORKSHOP = enum_value("workshop", description="At a workshop, usually held with a conference.")
    PREPRINT = enum_value(
        "preprint", description="On a preprint server such as arXiv; not refereed."
    )
    JOURNAL = enum_value("journal", description="In a journal.")


@strawberry.enum(description="How a paper was presented at its venue, when the source says.")
class Presentation(Enum):
    ORAL = enum_value("oral", description="A talk in an oral session.")
    LONG_ORAL = enum_value("long_oral", description="A long talk (some venues' highest tier).")
    SPOTLIGHT = enum_value("spotlight", description="A short talk alongside a poster.")
    POSTER = enum_value("poster", description="A poster only.")


@strawberry.enum(description="What kind of series a venue is.")
class VenueKind(Enum):
    CONFERENCE = enum_value(
        "conference", description="A conference series, e.g. ICLR (not one edition)."
    )
    WORKSHOP = enum_value("workshop", description="A workshop series, often part of a conference.")
    SYMPOSIUM = enum_value("symposium", description="A symposium series.")
    PREPRINT_SERVER = enum_value("preprint_server", description="A preprint server such as arXiv.")
    SEMINAR_SERIES = enum_value(
        "seminar_series", description="A recurring seminar that hosts talks."
    )
    JOURNAL = enum_value("journal", description="A journal.")


@strawberry.enum(description="What kind of organisation an institution is.")
class InstitutionKind(Enum):
    UNIVERSITY = enum_value("university", description="A university or one of its departments.")
    COMPANY = enum_value("company", description="A company, e.g. an industrial research lab.")
    RESEARCH_GROUP = enum_value(
        "research_group", description="A research group or lab within another."
    )
    INSTITUTE = enum_value("institute", description="A research institute outside a university.")
    FUNDER = enum_value("funder", description="An organisation that funds awards and fellowships.")


@strawberry.enum(description="What a researcher's link points at.")
class LinkKind(Enum):
    EMAIL = enum_value("email", description="An email address (value without mailto:).")
    GITHUB = enum_value("github", description="A GitHub profile URL.")
    LINKEDIN = enum_value("linkedin", description="A LinkedIn profile URL.")
    CV = enum_value("cv", description="A CV or resume document.")
    PHOTO = enum_value("photo", description="A portrait photo.")
    HOMEPAGE = enum_value("homepage", description="A personal homepage.")
    ORCID = enum_value("orcid", description="An ORCID iD or its URL.")
    OTHER = enum_value("other", description="Anything else, or a kind this API does not know yet.")


@strawberry.enum(description="What kind of recognition an award is.")
class AwardKind(Enum):
    FELLOWSHIP = enum_value(
        "fellowship", description="A fellowship or scholarship, often with funding."
    )
    PRIZE = enum_value("prize", description="A prize or honour.")
    TRAVEL_AWARD = enum_value("travel_award", description="Funding to attend a venue.")
    BEST_PAPER = enum_value("best_paper", description="A best-paper (or honourable mention) award.")
    OTHER = enum_value("other", description="Anything else, or a kind this API does not know yet.")


@strawberry.enum(
    description="How well a profile's identity is established (docs/trust.md): L2 and L3 are "
    '"Verified".'
)
class VerificationLevel(Enum):
    L0 = enum_value("L0", description="No public source asserts the record.")
    L1 = enum_value(
        "L1", description="At least one public source (seed document, import file) does."
    )
    L2 = enum_value(
        "L2", description="Claimed by an account whose evidence matched the record's links."
    )
    L3 = enum_value(
        "L3",
        description="Claimed, and confirmed by an admin or by two independent kinds of evidence.",
    )


def parse(enum: type[E], value: object, default: E | None = None) -> E | None:
    """The member whose value the graph stored; `default` for values from a newer writer."""
    if value is None:
        return None
    try:
        return enum(value)
    except ValueError:
        return default


__all__ = [
    "AwardKind",
    "InstitutionKind",
    "LinkKind",
    "Presentation",
    "PublicationKind",
    "VenueKind",
    "VerificationLevel",
    "parse",
]
