"""The trust snapshot: a verification level and a score, from evidence in the graph.

The rule (docs/trust.md states it for users):
- L0: no public source asserts the record.
- L1: at least one public source (a seed document, an import) asserts it.
- L2: an account owns the record and at least one piece of its claim evidence checked out.
- L3: owned, and confirmed by an admin or by two independent pieces of checked evidence.
Score: L0 0, L1 15, L2 60, L3 85, plus 5 per public source beyond the first (at most 15) once
the record is owned: sources only vouch for a record somebody answers for.
"""

from __future__ import annotations

from dataclasses import dataclass

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


__all__ = ["BASE", "Evidence", "Trust", "assess"]
