"""Enums clients see. Values are what the graph stores; names are what GraphQL shows."""

from __future__ import annotations

from enum import Enum
from typing import TypeVar

import strawberry

E = TypeVar("E", bound=Enum)


@strawberry.enum
class PublicationKind(Enum):
    CONFERENCE = "conference"
    WORKSHOP = "workshop"
    PREPRINT = "preprint"
    JOURNAL = "journal"


@strawberry.enum
class Presentation(Enum):
    ORAL = "oral"
    LONG_ORAL = "long_oral"
    SPOTLIGHT = "spotlight"
    POSTER = "poster"


@strawberry.enum
class VenueKind(Enum):
    CONFERENCE = "conference"
    WORKSHOP = "workshop"
    SYMPOSIUM = "symposium"
    PREPRINT_SERVER = "preprint_server"
    SEMINAR_SERIES = "seminar_series"
    JOURNAL = "journal"


@strawberry.enum
class InstitutionKind(Enum):
    UNIVERSITY = "university"
    COMPANY = "company"
    RESEARCH_GROUP = "research_group"
    INSTITUTE = "institute"
    FUNDER = "funder"


@strawberry.enum
class LinkKind(Enum):
    EMAIL = "email"
    GITHUB = "github"
    LINKEDIN = "linkedin"
    CV = "cv"
    PHOTO = "photo"
    HOMEPAGE = "homepage"
    ORCID = "orcid"
    OTHER = "other"


@strawberry.enum
class AwardKind(Enum):
    FELLOWSHIP = "fellowship"
    PRIZE = "prize"
    TRAVEL_AWARD = "travel_award"
    BEST_PAPER = "best_paper"
    OTHER = "other"


@strawberry.enum
class VerificationLevel(Enum):
    L0 = "L0"
    L1 = "L1"
    L2 = "L2"
    L3 = "L3"


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
