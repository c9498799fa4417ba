"""The trust snapshot: a verification level and a score, from evidence in the graph.

The rule (docs/trust.md states it for users):
- L0: no public source asserts the record.
- L1: at least one public source (a seed document, an import) asserts it.
- L2: an account owns the record and at least one piece of its claim evidence checked out.
- L3: owned, and confirmed by an admin or by two independent pieces of checked evidence.
Score: L0 0, L1 15, L2 60, L3 85, plus 5 per public source beyond the first (at most 15) once
the record is owned: sources only vouch for a record somebody answers for.

Claim evidence (`check_evidence`) is checked against what the record itself publishes: its
links and external ids. Those are public, so a match shows consistency, not possession (an
email address cannot be proven owned without sending mail): hence L2, and L3 only with an
admin's confirmation or two independent kinds of evidence.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

BASE = {"L0": 0, "L1": 15, "L2": 60, "L3": 85}
SOURCE_BONUS = 5
SOURCE_BONUS_MAX = 15


@dataclass(frozen=True)
class Evidence:
    public_sources: int
    claimed: bool
    verified_evidence: int = 0
    admin_confirmed: bool = False


@dataclass(frozen=True)
class Trust:
    level: str
    score: int
    claimed: bool

    @property
    def verified(self) -> bool:
        return self.level in ("L2", "L3")

    @property
    def label(self) -> str:
        return "Verified" if self.verified else "Unverified"


def assess(evidence: Evidence) -> Trust:
    if evidence.claimed and (evidence.admin_confirmed or evidence.verified_evidence >= 2):
        level = "L3"
    elif evidence.claimed and evidence.verified_evidence >= 1:
        level = "L2"
    elif evidence.public_sources >= 1:
        level = "L1"
    else:
        level = "L0"
    score = BASE[level]
    if evidence.claimed and evidence.public_sources > 1:
        score += min(SOURCE_BONUS_MAX, SOURCE_BONUS * (evidence.public_sources - 1))
    return Trust(level, score, evidence.claimed)


# Shared mail providers: a domain match there says nothing, so only the exact address counts.
SHARED_MAIL_DOMAINS = frozenset(
    {
        "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "msn.com",
        "yahoo.com", "ymail.com", "icloud.com", "me.com", "aol.com", "proton.me",
        "protonmail.com", "gmx.com", "gmx.de", "gmx.net", "web.de", "mail.com", "yandex.com",
        "yandex.ru", "qq.com", "163.com", "126.com", "zoho.com", "fastmail.com",
    }
)  # fmt: skip
_EMAIL = re.compile(
    r"^[A-Za-z0-9._%+'-]{1,64}@((?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,63})$"
)
_LOGIN = r"([A-Za-z0-9][A-Za-z0-9-]{0,38})"
_GITHUB = re.compile(
    rf"^(?:(?:https?://)?(?:www\.)?github\.com/{_LOGIN}/?|@?{_LOGIN})$", re.IGNORECASE
)
_ORCID = re.compile(
    r"^(?:https?://)?(?:www\.)?(?:orcid\.org/)?(\d{4}-\d{4}-\d{4}-\d{3}[\dX])/?$", re.IGNORECASE
)


class EvidenceError(ValueError):
    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class EvidenceItem:
    kind: str  # email | github | orcid
    value: str  # normalised: lower-case address or login, bare ORCID iD
    matched: bool


def normalise_email(value: str) -> str | None:
    value = value.strip()
    return value.lower() if len(value) <= 254 and _EMAIL.match(value) else None


def normalise_github(value: str) -> str | None:
    match = _GITHUB.match(value.strip())
    return (match.group(1) or match.group(2)).lower() if match else None


def _orcid_checksum_ok(orcid: str) -> bool:
    digits = orcid.replace("-", "")
    total = 0
    for char in digits[:-1]:
        total = (total + int(char)) * 2
    check = (12 - total % 11) % 11
    return digits[-1] == ("X" if check == 10 else str(check))


def normalise_orcid(value: str) -> str | None:
    match = _ORCID.match(value.strip())
    if match is None or not _orcid_checksum_ok(match.group(1).upper()):
        return None
    return match.group(1).upper()


_NORMALISE = {"email": normalise_email, "github": normalise_github, "orcid": normalise_orcid}
_FORMATS = {
    "email": "an email address such as name@cs.example.edu",
    "github": "a GitHub profile URL (https://github.com/LOGIN) or login",
    "orcid": "an ORCID iD such as 0000-0002-1825-0097 (with a valid check digit)",
}


def record_evidence(links_json: str | None, external_ids: Iterable[str]) -> dict[str, set[str]]:
    """What a researcher record publishes, normalised: kind -> values."""
    found: dict[str, set[str]] = {kind: set() for kind in _NORMALISE}
    pairs: list[tuple[str, Any]] = []
    try:
        links = json.loads(links_json) if links_json else []
    except ValueError:
        links = []
    for link in links if isinstance(links, list) else []:
        if isinstance(link, dict):
            pairs.append((str(link.get("kind")), link.get("value")))
    for external in external_ids:
        kind, _, value = str(external).partition(":")
        pairs.append((kind, value))
    for kind, value in pairs:
        if kind in _NORMALISE and isinstance(value, str):
            normalised = _NORMALISE[kind](value)
            if normalised:
                found[kind].add(normalised)
    return found


def _email_matches(address: str, published: set[str]) -> bool:
    domain = address.rpartition("@")[2]
    for known in published:
        known_domain = known.rpartition("@")[2]
        if known_domain in SHARED_MAIL_DOMAINS:
            if address == known:
                return True
        elif domain == known_domain or domain.endswith("." + known_domain):
            return True
    return False


def check_evidence(
    given: dict[str, str | None], published: dict[str, set[str]]
) -> list[EvidenceItem]:
    """Validate and match claim evidence (kind -> value as typed). The rule:
    - email: its domain equals, or is a subdomain of, the domain of an email the record
      publishes (on a shared mail provider such as gmail.com, only that exact address);
    - github: the same login (case-insensitive) as a GitHub link of the record;
    - orcid: the same iD as an ORCID link or `orcid:` external id of the record.
    EvidenceError names the first malformed value; nothing given is an EvidenceError too."""
    items: list[EvidenceItem] = []
    for kind, raw in given.items():
        if raw is None:
            continue
        normalised = _NORMALISE[kind](raw)
        if normalised is None:
            raise EvidenceError(f"`{kind}` must be {_FORMATS[kind]}", kind)
        if kind == "email":
            matched = _email_matches(normalised, published["email"])
        else:
            matched = normalised in published[kind]
        items.append(EvidenceItem(kind, normalised, matched))
    if not items:
        raise EvidenceError(
            "give at least one piece of evidence: email, github or orcid", "evidence"
        )
    return items


__all__ = [
    "BASE",
    "SHARED_MAIL_DOMAINS",
    "Evidence",
    "EvidenceError",
    "EvidenceItem",
    "Trust",
    "assess",
    "check_evidence",
    "normalise_email",
    "normalise_github",
    "normalise_orcid",
    "record_evidence",
]
