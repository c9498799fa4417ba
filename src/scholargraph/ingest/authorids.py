"""Pair a record's author ids with its byline by the names the ids encode.

ICLR 2018-2020 list `authorids` (e-mails) in another order than `author` on some records: in
iclr2018 "Predict Responsibly" the e-mails of Toniann Pitassi and Richard Zemel are swapped.
Pairing by position would put one person's id on another. So every id is matched to the byline
name it *fits*:

- an OpenReview profile id `~First_Middle_Last1` spells the name: its tokens are compared
  with the name key's tokens;
- an e-mail's local part (`zemel`, `toni`, `rtqichen`, `j.jacobsen`, `kkitani`) is explained,
  left to right, by the name's parts: whole parts, prefixes of at least three letters, and
  initials (worth half); the fit is the share of the local part's letters explained.

Pairs are taken best fit first; the byline position is only the tie-break between equal fits.
An id that fits no name (`baveja@umich.edu` for Satinder Singh) is not put on anybody: the
record keeps it as unassigned evidence. See docs/identity.md.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from scholargraph import text

# Below this an id does not fit a name (see `fit`).
MIN_FIT = 0.6
# A local part that is exactly the name's initials: a fit, but below a spelled-out name.
INITIALS_FIT = 0.7

_LETTERS = re.compile(r"[a-z]+")


def _profile_tokens(profile: str) -> list[str]:
    """`~Irene_Raissa_KAMENI_KAMENI1` -> ['irene', 'raissa', 'kameni', 'kameni']."""
    body = profile.lstrip("~").rstrip("0123456789")
    return text.name_key(body.replace("_", " ")).split()


def _profile_fit(profile: str, key: str) -> float:
    ids = _profile_tokens(profile)
    names = key.split()
    if not ids or not names:
        return 0.0
    if ids == names or "".join(ids) == "".join(names):
        return 1.0
    # Surname must agree (the last token, or the first for family-name-first profiles).
    if ids[-1] != names[-1] and ids[0] != names[-1]:
        return 0.0
    common = sum(1 for t in names if t in ids or (len(t) == 1 and any(i[0] == t for i in ids)))
    return 0.5 + 0.5 * common / max(len(names), len(ids))


@lru_cache(maxsize=65536)
def _explained(local: str, parts: tuple[str, ...]) -> float:
    """Most letters of `local` that name `parts` explain, each part used at most once."""
    best = 0.0

    def walk(i: int, used: frozenset[int], score: float) -> None:
        nonlocal best
        if score + (len(local) - i) <= best:
            return
        if i == len(local):
            best = max(best, score)
            return
        walk(i + 1, used, score)  # leave this letter unexplained
        for n, part in enumerate(parts):
            if n in used:
                continue
            if local.startswith(part, i) and len(part) >= 2:
                walk(i + len(part), used | {n}, score + len(part))
            else:
                # The longest prefix of at least three letters (kitani -> kitan in "kkitan").
                k = 0
                while k < len(part) and i + k < len(local) and local[i + k] == part[k]:
                    k += 1
                if k >= 3:
                    walk(i + k, used | {n}, score + k)
            if local[i] == part[0]:
                walk(i + 1, used | {n}, score + 0.5)

    walk(0, frozenset(), 0.0)
    return best


def _email_fit(address: str, key: str) -> float:
    local = address.split("@", 1)[0].lower()
    letters = "".join(_LETTERS.findall(text.name_key(local)))
    parts = tuple(key.split())
    if len(letters) < 2 or not parts:
        return 0.0
    # Exactly the name's initials, in order (qvl: Quoc V. Le; lpk: Leslie Pack Kaelbling).
    if len(parts) >= 2 and letters == "".join(part[0] for part in parts):
        return INITIALS_FIT
    explained = _explained(letters, parts)
    # At least one real piece of the name (three letters), not just initials.
    if explained < 3 and not (explained >= 1.5 and explained * 2 >= len(letters)):
        return 0.0
    return explained / len(letters)


def fit(external_id: str, name: str) -> float:
    """How well an author id fits a byline name, from 0 (not at all) to 1."""
    key = text.name_key(name)
    if not key:
        return 0.0
    scheme, _, value = external_id.partition(":")
    if scheme == "openreview" and value.startswith("~"):
        return _profile_fit(value, key)
    if scheme == "email":
        return _email_fit(value, key)
    return 0.0


def pair(
    names: Sequence[str], ids: Sequence[str | None]
) -> tuple[list[tuple[str, ...]], tuple[str, ...]]:
    """Ids for each name (by fit, position as tie-break), and the ids that fit nobody.

    `ids` is the record's id list as given (None for an entry that is nobody's id); it need not
    have as many entries as `names`.
    """
    scored: list[tuple[float, int, int, int]] = []
    for j, external_id in enumerate(ids):
        if external_id is None:
            continue
        for i, name in enumerate(names):
            score = fit(external_id, name)
            if score >= MIN_FIT:
                scored.append((-score, abs(i - j), i, j))
    scored.sort()
    taken_names: set[int] = set()
    taken_ids: set[int] = set()
    paired: list[list[str]] = [[] for _ in names]
    for _, _, i, j in scored:
        if i in taken_names or j in taken_ids:
            continue
        taken_names.add(i)
        taken_ids.add(j)
        external_id = ids[j]
        assert external_id is not None
        paired[i].append(external_id)
    unassigned = tuple(
        dict.fromkeys(e for j, e in enumerate(ids) if e is not None and j not in taken_ids)
    )
    return [tuple(p) for p in paired], unassigned


__all__ = ["MIN_FIT", "fit", "pair"]
