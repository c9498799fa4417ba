"""The research-graph explorer: n-hop neighborhoods and collaboration paths.

A neighborhood is walked breadth-first, one query per hop, so the node limit is applied inside
the database at every level and a node is reported once, at its smallest distance.

A level reads at most max(limit + 1, LEVEL_SCAN) new neighbors, taking the frontier in order,
and only then sorts them: a hub in the frontier (a venue with thousands of papers) costs no
more than any other level. When a level offers more than that, the nodes kept are the first
by (label, name, id) among those read, and `truncated` is set. Below it, they are exactly the
first in that order, so a smaller `limit` returns a prefix of a larger one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from scholargraph.graphdb.model import (
    ENTITY,
    EXPLORABLE_RELS,
    KNOWLEDGE_LABELS,
    KNOWLEDGE_RELS,
    Label,
    Rel,
)
from scholargraph.graphdb.store import Store

MAX_HOPS = 4
MAX_LIMIT = 2_000
MAX_PATH_HOPS = 10
# New neighbors a level reads before ranking them (when the limit needs fewer).
LEVEL_SCAN = 1_000
# Most researchers one coauthorship step of a path search expands: on 100k synthetic papers a
# step from 600 researchers took 0.2 s and one from 15,000 took 1.7 s.
MAX_PATH_FRONTIER = 5_000


class PathSearchTooWide(ValueError):
    """Both ends of a path search reach more researchers than one request may expand."""


@dataclass(frozen=True)
class Reached:
    id: str
    label: Label
    name: str
    distance: int

    @property
    def order(self) -> tuple[int, str, str, str]:
        return (self.distance, self.label.value, self.name, self.id)


@dataclass(frozen=True)
class Link:
    source: str
    target: str
    type: Rel
    props: dict[str, Any]


@dataclass(frozen=True)
class Neighborhood:
    center: Reached
    nodes: list[Reached]  # without the center, by (distance, label, name, id)
    edges: list[Link]  # only between returned nodes (center included)
    truncated: bool
    hops: int


_R, _P, _V, _T = Label.RESEARCHER, Label.PAPER, Label.VENUE, Label.TALK
_A, _I, _O = Label.AWARD, Label.INSTITUTION, Label.TOPIC
# The labels each knowledge relationship joins (as model.Rel documents them): a walk limited to
# some labels skips relationship types that cannot reach them, so a topic's thousands of
# papers are not read on the way to its researchers.
ENDPOINTS: dict[Rel, tuple[frozenset[Label], frozenset[Label]]] = {
    rel: (frozenset(src), frozenset(dst))
    for rel, src, dst in (
        (Rel.AUTHORED, {_R}, {_P}),
        (Rel.PUBLISHED_AT, {_P}, {_V}),
        (Rel.AFFILIATED_WITH, {_R}, {_I}),
        (Rel.EDUCATED_AT, {_R}, {_I}),
        (Rel.SUPERVISED_BY, {_R}, {_R}),
        (Rel.INTERESTED_IN, {_R}, {_O}),
        (Rel.HAS_TOPIC, {_P}, {_O}),
        (Rel.GAVE, {_R}, {_T}),
        (Rel.TALK_AT, {_T}, {_V}),
        (Rel.TALK_HOSTED_BY, {_T}, {_I}),
        (Rel.RECEIVED, {_R}, {_A}),
        (Rel.AWARD_FOR, {_A}, {_P}),
        (Rel.AWARDED_AT, {_A}, {_V}),
        (Rel.FUNDED_BY, {_A}, {_I}),
        (Rel.PART_OF, {_V, _I}, {_V, _I}),
        (Rel.HOSTED_BY, {_V}, {_I}),
        (Rel.CITES, {_P}, {_P}),
    )
}


def walkable(rels: Sequence[Rel], labels: Sequence[Label], center: Label) -> list[Rel]:
    """The relationship types that can join two of `labels` (or the center and one of them)."""
    to = set(labels)
    at = to | {center}
    found = []
    for rel in rels:
        src, dst = ENDPOINTS.get(rel, (frozenset(KNOWLEDGE_LABELS), frozenset(KNOWLEDGE_LABELS)))
        if (src & at and dst & to) or (dst & at and src & to):
            found.append(rel)
    return found


def _rel_pattern(rels: Sequence[Rel]) -> str:
    # Relationship types cannot be parameters; they come from the Rel whitelist only.
    return "|".join(str(Rel(rel)) for rel in rels)


# Researchers, venues, institutions, topics and awards have a name; papers and talks a title.
_NAME = "coalesce(n.name, n.title, n.id)"

_CENTER = (
    f"MATCH (n:{ENTITY} {{id: $id}}) "
    "WITH n, [l IN labels(n) WHERE l IN $labels] AS kinds WHERE size(kinds) > 0 "
    f"RETURN n.id AS id, kinds[0] AS label, {_NAME} AS name"
)


def _level_query(rels: Sequence[Rel]) -> str:
    # `$exclude` only needs the previous level and the frontier itself: in a breadth-first walk
    # a neighbor of a level-d node that was already reached is at level d-1 or d. A CALL
    # subquery per frontier node would cap each node separately, but FalkorDB then runs every
    # relationship type as its own traversal per row: ten times slower than this one pass.
    return (
        f"UNWIND $frontier AS fid MATCH (a:{ENTITY} {{id: fid}})-[:{_rel_pattern(rels)}]-(n) "
        "WHERE NOT n.id IN $exclude WITH DISTINCT n "
        "WITH n, [l IN labels(n) WHERE l IN $labels] AS kinds WHERE size(kinds) > 0 "
        "WITH n, kinds[0] AS label LIMIT $scan "
        f"RETURN n.id AS id, label, {_NAME} AS name ORDER BY label, name, id LIMIT $take"
    )


# Naming many relationship types costs FalkorDB one traversal each; past this many, reading
# every outgoing relationship and dropping unwalked types here is faster.
_TYPED_EDGES_MAX = 4


def _edge_query(rels: Sequence[Rel]) -> str:
    # Outgoing only: hubs (venues, topics, institutions) are dense in incoming relationships.
    typed = f":{_rel_pattern(rels)}" if len(rels) <= _TYPED_EDGES_MAX else ""
    return (
        f"UNWIND $ids AS id MATCH (a:{ENTITY} {{id: id}})-[r{typed}]->(b) "
        # Filtering after WITH keeps FalkorDB from planning an index scan of `b` per row.
        "WITH a, r, b WHERE b.id IN $ids "
        "RETURN a.id AS source, b.id AS target, type(r) AS type, properties(r) AS props"
    )


async def center(store: Store, node_id: str) -> Reached | None:
    """The node as a neighborhood center; None unless it exists with a knowledge label."""
    rows = await store.read(_CENTER, {"id": node_id, "labels": [str(x) for x in KNOWLEDGE_LABELS]})
    if not rows:
        return None
    row = rows[0]
    return Reached(row["id"], Label(row["label"]), str(row["name"]), 0)


async def neighborhood(
    store: Store,
    center_id: str,
    hops: int,
    labels: Sequence[Label] | None = None,
    rels: Sequence[Rel] | None = None,
    limit: int = 200,
) -> Neighborhood | None:
    """Nodes within `hops` relationships of the center (at most `limit` of them), and the
    relationships among them. `labels`/`rels` restrict what is walked; None means all
    knowledge labels/relationships (CITES only when named in `rels`), an empty list means none.
    None if the center is unknown."""
    if not 1 <= hops <= MAX_HOPS:
        raise ValueError(f"hops must be between 1 and {MAX_HOPS}")
    if not 1 <= limit <= MAX_LIMIT:
        raise ValueError(f"limit must be between 1 and {MAX_LIMIT}")
    origin = await center(store, center_id)
    if origin is None:
        return None
    walk_labels = [x for x in KNOWLEDGE_LABELS if labels is None or x in labels]
    walk_rels = list(KNOWLEDGE_RELS) if rels is None else [x for x in EXPLORABLE_RELS if x in rels]
    if labels is not None:
        walk_rels = walkable(walk_rels, walk_labels, origin.label)
    found: list[Reached] = []
    truncated = False
    if walk_labels and walk_rels:
        found, truncated = await _walk(store, origin, hops, walk_labels, walk_rels, limit)
    edges = await _edges(store, [origin.id, *(n.id for n in found)], walk_rels)
    return Neighborhood(origin, found, edges, truncated, hops)


async def _walk(
    store: Store,
    origin: Reached,
    hops: int,
    labels: Sequence[Label],
    rels: Sequence[Rel],
    limit: int,
) -> tuple[list[Reached], bool]:
    query = _level_query(rels)
    label_names = [str(x) for x in labels]
    found: list[Reached] = []
    previous: list[str] = []
    frontier = [origin.id]
    for distance in range(1, hops + 1):
        if not frontier:
            break
        remaining = limit - len(found)
        rows = await store.read(
            query,
            {
                "frontier": frontier,
                "exclude": previous + frontier,
                "labels": label_names,
                # One more than fits tells whether anything was left out.
                "take": remaining + 1,
                "scan": max(remaining + 1, LEVEL_SCAN),
            },
        )
        level = [Reached(r["id"], Label(r["label"]), str(r["name"]), distance) for r in rows]
        level.sort(key=lambda n: n.order)
        if len(level) > remaining:
            return found + level[:remaining], True
        found += level
        previous, frontier = frontier, [n.id for n in level]
    return found, False


async def _edges(store: Store, ids: list[str], rels: Sequence[Rel]) -> list[Link]:
    if len(ids) < 2 or not rels:
        return []
    rows = await store.read(_edge_query(rels), {"ids": ids})
    walked = {str(rel) for rel in rels}
    links = [
        Link(r["source"], r["target"], Rel(r["type"]), r["props"] or {})
        for r in rows
        if r["type"] in walked
    ]
    links.sort(key=lambda e: (e.source, e.type.value, e.target, repr(sorted(e.props.items()))))
    return links


async def collaboration_path(
    store: Store, from_id: str, to_id: str, max_hops: int
) -> list[str] | None:
    """Ids of a shortest researcher-paper-researcher chain from one researcher to another, at
    most `max_hops` coauthorships long; None when there is none (or either end is unknown)."""
    if not 1 <= max_hops <= MAX_PATH_HOPS:
        raise ValueError(f"max_hops must be between 1 and {MAX_PATH_HOPS}")
    rows = await store.read(_RESEARCHERS, {"ids": sorted({from_id, to_id})})
    if len(rows) != len({from_id, to_id}):
        return None
    if from_id == to_id:
        # Neither engine's shortest-path routine accepts the same node at both ends.
        return [from_id]
    if not store.dialect.shortest_path:
        return await _meet_in_the_middle(store, from_id, to_id, max_hops)
    query = store.dialect.shortest_path.replace("{max_rels}", str(2 * int(max_hops)))
    rows = await store.read(query, {"from": from_id, "to": to_id})
    if not rows:
        return None
    ids = [str(i) for i in rows[0]["ids"]]
    return ids if 1 < len(ids) <= 2 * max_hops + 1 else None


_RESEARCHERS = (
    f"UNWIND $ids AS id MATCH (n:{ENTITY} {{id: id}}) WHERE n:{Label.RESEARCHER} RETURN n.id AS id"
)

# One coauthorship step from every researcher of a frontier: each coauthor once.
_COAUTHOR_STEP = (
    f"UNWIND $frontier AS rid MATCH (:{ENTITY} {{id: rid}})-[:{Rel.AUTHORED}]->(p)"
    f"<-[:{Rel.AUTHORED}]-(c) RETURN DISTINCT c.id AS id"
)
# The coauthors of `$frontier` among `$allowed` (a level of a shortest chain).
_COAUTHORS_AMONG = (
    f"UNWIND $frontier AS rid MATCH (:{ENTITY} {{id: rid}})-[:{Rel.AUTHORED}]->(p)"
    f"<-[:{Rel.AUTHORED}]-(c) WITH c WHERE c.id IN $allowed RETURN DISTINCT c.id AS id"
)
# The first (paper, coauthor) by id that leads from `$id` to one of `$allowed`.
_FIRST_STEP = (
    f"MATCH (:{ENTITY} {{id: $id}})-[:{Rel.AUTHORED}]->(p)<-[:{Rel.AUTHORED}]-(c) "
    "WITH p, c WHERE c.id IN $allowed "
    "RETURN p.id AS paper, c.id AS id ORDER BY paper, id LIMIT 1"
)


@dataclass
class _Side:
    """One end of a bidirectional breadth-first search: researcher id -> coauthorship steps."""

    depth_of: dict[str, int]
    frontier: list[str]
    depth: int = 0

    def level(self, depth: int) -> list[str]:
        return sorted(i for i, d in self.depth_of.items() if d == depth)


async def _meet_in_the_middle(
    store: Store, from_id: str, to_id: str, max_hops: int
) -> list[str] | None:
    # Without a fast shortest-path routine (FalkorDB's algo.SPpaths enumerates paths: seconds
    # on 100k papers), walk one coauthorship step at a time from the end with the smaller
    # frontier, until the two searches meet.
    ends = (_Side({from_id: 0}, [from_id]), _Side({to_id: 0}, [to_id]))
    while ends[0].depth + ends[1].depth < max_hops:
        if not ends[0].frontier or not ends[1].frontier:
            return None
        i = 0 if len(ends[0].frontier) <= len(ends[1].frontier) else 1
        side, other = ends[i], ends[1 - i]
        if len(side.frontier) > MAX_PATH_FRONTIER:
            raise PathSearchTooWide(
                f"no chain of {side.depth + other.depth} coauthorships or fewer; a longer one "
                f"would mean searching more than {MAX_PATH_FRONTIER} researchers from each end"
            )
        side.depth += 1
        rows = await store.read(_COAUTHOR_STEP, {"frontier": side.frontier})
        side.frontier = sorted({r["id"] for r in rows} - side.depth_of.keys())
        side.depth_of.update(dict.fromkeys(side.frontier, side.depth))
        if any(x in other.depth_of for x in side.frontier):
            return await _first_shortest_chain(store, ends[0], ends[1])
    return None


async def _first_shortest_chain(store: Store, start: _Side, end: _Side) -> list[str]:
    """Of all shortest chains between the two met searches, the first by its ids in order:
    the one Neo4j's allShortestPaths ordered by ids gives, so both engines answer alike."""
    length = min(d + end.depth_of[x] for x, d in start.depth_of.items() if x in end.depth_of)
    # A researcher k steps from the start lies on a shortest chain when it is length - k steps
    # from the end. The end's search knows that distance from step `known` on; before it, keep
    # the start's researchers with a coauthor on the next such level, walking back.
    known = max(0, length - end.depth)
    allowed: dict[int, list[str]] = {k: end.level(length - k) for k in range(known, length + 1)}
    if known > 0:
        allowed[known] = [x for x in allowed[known] if start.depth_of.get(x) == known]
    for k in range(known - 1, 0, -1):
        rows = await store.read(
            _COAUTHORS_AMONG, {"frontier": allowed[k + 1], "allowed": start.level(k)}
        )
        allowed[k] = sorted(r["id"] for r in rows)
    # Greedily the smallest next (paper, researcher): each allowed researcher can finish.
    chain = start.level(0)
    for k in range(1, length + 1):
        rows = await store.read(_FIRST_STEP, {"id": chain[-1], "allowed": allowed[k]})
        chain += [rows[0]["paper"], rows[0]["id"]]
    return chain


__all__ = [
    "ENDPOINTS",
    "LEVEL_SCAN",
    "MAX_HOPS",
    "MAX_LIMIT",
    "MAX_PATH_FRONTIER",
    "MAX_PATH_HOPS",
    "Link",
    "Neighborhood",
    "PathSearchTooWide",
    "Reached",
    "center",
    "collaboration_path",
    "neighborhood",
    "walkable",
]
