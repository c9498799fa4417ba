"""The change feed: what subscriptions hear about, kept in the store itself.

A write that changes what a researcher's subscribers care about (a follow, a claim decided, a
work, talk or award added by an import, a merge or split of records, an owner's "not me")
appends `:ChangeEvent {seq, kind, researcherId,
subjectId, at}` nodes in the same query as the change, so both commit or neither does. `seq`
comes from the one `:ChangeFeed` node, which the query locks first (on Neo4j: `_lock`, the
pattern of community.py; FalkorDB runs one write query at a time anyway): event-writing
transactions therefore commit in `seq` order, and a reader that has seen `seq` n has seen every
event up to n. Every API process polls `events_after(last seen)`; nothing lives in one
process's memory (docs/subscriptions.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from scholargraph.graphdb.model import ENTITY, Label, Rel
from scholargraph.graphdb.store import Store

FEED = "changes"
# Events kept after a prune: minutes of writes at any realistic rate, and bounded.
RETAIN = 10_000


class Kind(StrEnum):
    WORK_ADDED = "WORK_ADDED"
    TALK_ADDED = "TALK_ADDED"
    AWARD_ADDED = "AWARD_ADDED"
    FOLLOWER_ADDED = "FOLLOWER_ADDED"
    FOLLOWER_REMOVED = "FOLLOWER_REMOVED"
    TRUST_CHANGED = "TRUST_CHANGED"
    # Identity corrections (graphdb/identity.py): the researcher's works changed as a whole.
    MERGED = "MERGED"
    SPLIT = "SPLIT"
    WORK_MOVED_OUT = "WORK_MOVED_OUT"
    WORK_MOVED_IN = "WORK_MOVED_IN"


# What a researcher's followers hear about (followedActivity).
ACTIVITY: frozenset[Kind] = frozenset({Kind.WORK_ADDED, Kind.TALK_ADDED, Kind.AWARD_ADDED})
# Events whose subject is a paper (the others: a talk, an award, a merge record, or none).
ABOUT_WORK: frozenset[Kind] = frozenset({Kind.WORK_ADDED, Kind.WORK_MOVED_OUT, Kind.WORK_MOVED_IN})
# The relationship from a researcher whose creation is an activity of that researcher.
ADDED_BY: dict[Rel, Kind] = {
    Rel.AUTHORED: Kind.WORK_ADDED,
    Rel.GAVE: Kind.TALK_ADDED,
    Rel.RECEIVED: Kind.AWARD_ADDED,
}


def emit(carry: str, events: str, at: str) -> str:
    """Cypher to append to a write query (one row in): records `events`, a list expression of
    `{kind, researcherId, subjectId}` maps, in the feed. `carry` names the variables the rest
    of the query still uses; `at` is the time expression the events carry. A write with no
    events leaves the feed alone (and so takes no lock on it)."""
    keep = f"{carry}, " if carry else ""
    # The events read the feed's seq before it is raised: FalkorDB evaluates every SET in a
    # FOREACH against the values from before the query, Neo4j in order; this order is both.
    return f"""
WITH {keep}{events} AS evs
FOREACH (_ IN CASE WHEN size(evs) > 0 THEN [1] ELSE [] END |
  MERGE (feed:{Label.CHANGE_FEED} {{name: '{FEED}'}})
  SET feed._lock = true
  FOREACH (i IN range(0, size(evs) - 1) |
    CREATE (ev:{Label.CHANGE_EVENT})
    SET ev.seq = coalesce(feed.seq, 0) + i + 1, ev.kind = evs[i].kind,
        ev.researcherId = evs[i].researcherId, ev.subjectId = evs[i].subjectId, ev.at = {at})
  SET feed.seq = coalesce(feed.seq, 0) + size(evs), feed._lock = null)
"""


def one_event(condition: str, kind: Kind | str, researcher: str, subject: str = "null") -> str:
    """A list expression of one event when `condition` holds, else none (for `emit`)."""
    kind_text = f"'{Kind(kind)}'" if isinstance(kind, Kind) else kind
    return (
        f"CASE WHEN {condition} THEN [{{kind: {kind_text}, researcherId: {researcher}, "
        f"subjectId: {subject}}}] ELSE [] END"
    )


def each_event(kind: Kind, researchers: str, subject: str = "null") -> str:
    """A list expression of one `kind` event per id in the list expression `researchers`."""
    return f"[rid IN {researchers} | {{kind: '{kind}', researcherId: rid, subjectId: {subject}}}]"


# For batch upserts: which of the watched relationships (researcher -> work, talk, award) are
# new for a researcher that already existed, decided before the batch writes anything. New
# researchers have no subscribers yet, so seeding an empty graph records no events.
FRESH_ADDITIONS = f"""
UNWIND $watch AS w
OPTIONAL MATCH (r:{ENTITY} {{id: w.researcherId}})
OPTIONAL MATCH (r)-[old]->(:{ENTITY} {{id: w.subjectId}}) WHERE type(old) = w.type
WITH w.kind AS kind, w.researcherId AS rid, w.subjectId AS sid, r, count(old) AS n
WITH collect(CASE WHEN r IS NOT NULL AND n = 0
                  THEN {{kind: kind, researcherId: rid, subjectId: sid}} END) AS fresh
"""


def watched(edges: list[dict[str, Any]]) -> list[dict[str, str]]:
    """The rows of `FRESH_ADDITIONS`' $watch for a batch's relationship parameter rows."""
    seen: dict[tuple[str, str, str], dict[str, str]] = {}
    for edge in edges:
        kind = ADDED_BY.get(Rel(edge["type"]))
        if kind is not None:
            key = (edge["type"], edge["src"], edge["dst"])
            seen.setdefault(key, {
                "kind": str(kind), "type": edge["type"],
                "researcherId": edge["src"], "subjectId": edge["dst"],
            })  # fmt: skip
    return list(seen.values())


@dataclass(frozen=True)
class Event:
    seq: int
    kind: Kind
    researcher_id: str
    subject_id: str | None
    at: str


_AFTER = f"""
MATCH (e:{Label.CHANGE_EVENT}) WHERE e.seq > $after
RETURN e.seq AS seq, e.kind AS kind, e.researcherId AS researcherId, e.subjectId AS subjectId,
       e.at AS at
ORDER BY seq LIMIT $limit
"""
_HEAD = f"MATCH (f:{Label.CHANGE_FEED} {{name: $feed}}) RETURN f.seq AS seq"
_PRUNE = f"""
MATCH (e:{Label.CHANGE_EVENT}) WHERE e.seq <= $below
WITH e LIMIT $limit
DELETE e
"""
_FOLLOWED = f"""
MATCH (a:{ENTITY} {{id: $account}})-[:{Rel.FOLLOWS}]->(r:{Label.RESEARCHER})
WHERE a:{Label.ACCOUNT} AND r.id IN $ids
RETURN r.id AS id
"""


async def head(store: Store) -> int:
    """The newest event's seq (0 before the first)."""
    rows = await store.read(_HEAD, {"feed": FEED})
    return int(rows[0]["seq"] or 0) if rows else 0


async def events_after(store: Store, after: int, limit: int = 500) -> list[Event]:
    """Events with seq above `after`, oldest first, at most `limit`."""
    rows = await store.read(_AFTER, {"after": after, "limit": limit})
    return [
        Event(
            int(row["seq"]),
            Kind(row["kind"]),
            row["researcherId"],
            row["subjectId"],
            row["at"],
        )
        for row in rows
        if row["kind"] in Kind.__members__
    ]


async def prune(store: Store, retain: int = RETAIN, limit: int = 5_000) -> None:
    """Delete all but the newest `retain` events (up to `limit` of them per call)."""
    below = await head(store) - retain
    if below > 0:
        await store.write(_PRUNE, {"below": below, "limit": limit})


async def followed_among(store: Store, account: str, researchers: list[str]) -> set[str]:
    """Which of `researchers` the account follows now."""
    if not researchers:
        return set()
    rows = await store.read(_FOLLOWED, {"account": account, "ids": researchers})
    return {row["id"] for row in rows}


__all__ = [
    "ABOUT_WORK",
    "ACTIVITY",
    "ADDED_BY",
    "FEED",
    "FRESH_ADDITIONS",
    "RETAIN",
    "Event",
    "Kind",
    "each_event",
    "emit",
    "events_after",
    "followed_among",
    "head",
    "one_event",
    "prune",
    "watched",
]
