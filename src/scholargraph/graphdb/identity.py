"""Identity in the graph: load what resolution needs, merge researchers, split them again.

A merge re-points every relationship of the merged researchers onto the target and deletes
them, in ONE query, so it lands whole or not at all on both engines. Relationship types cannot
be parameters and there is no APOC to re-create a relationship of a runtime type, so the
query holds one subquery per (type, direction) that occurs, each naming its type from the
`Rel` enum. A `MergeRecord` keeps who, when, why, the merged nodes and every moved
relationship with its properties, so `split_researcher` restores exactly what was moved.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from scholargraph import text
from scholargraph.graphdb.events import Kind, each_event, emit
from scholargraph.graphdb.model import ENTITY, Label, MalformedId, Rel, label_of
from scholargraph.graphdb.store import Row, Store
from scholargraph.graphdb.writes import UNION_LISTS, existing_ids

PAGE_SIZE = 5_000


class IdentityError(ValueError):
    """A merge or split that cannot be done; the message says why and what to do."""


class UnknownResearcher(IdentityError):
    pass


class InvalidMerge(IdentityError):
    pass


class UnknownMerge(IdentityError):
    pass


class SplitConflict(IdentityError):
    pass


# --- loading what identity resolution needs ---------------------------------------------------


@dataclass(frozen=True)
class ResearcherRow:
    id: str
    name: str
    aliases: tuple[str, ...]
    name_keys: tuple[str, ...]
    external_ids: tuple[str, ...]
    papers: tuple[tuple[str, int | None], ...]
    sources: tuple[str, ...] = ()
    # Per authorship: (paper id, asWritten, the AUTHORED relationship's sources, the author ids
    # the sources gave with it).
    authorships: tuple[tuple[str, str, tuple[str, ...], tuple[str, ...]], ...] = ()


@dataclass(frozen=True)
class PaperRow:
    id: str
    title: str
    title_key: str
    external_ids: tuple[str, ...]
    has_abstract: bool
    publications: tuple[tuple[str, str], ...]  # (venue id, relationship key)
    topics: tuple[str, ...] = ()  # topic ids


@dataclass(frozen=True)
class NamedRow:
    id: str
    name: str
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class Snapshot:
    researchers: list[ResearcherRow]
    papers: list[PaperRow]
    venues: list[NamedRow]
    topics: set[str]
    institutions: set[str]
    merged_away: set[str]  # ids absorbed by merges that still stand
    apart: set[frozenset[str]]  # pairs that were merged and split again
    merged_into: set[str] = field(default_factory=set)  # targets of standing merges


_RESEARCHERS = (
    f"MATCH (r:{Label.RESEARCHER}) WHERE r.id > $after WITH r ORDER BY r.id LIMIT $limit "
    f"OPTIONAL MATCH (r)-[a:{Rel.AUTHORED}]->(p:{Label.PAPER}) "
    "WITH r, collect([p.id, a.position, a.asWritten, a.sources, a.authorIds]) AS papers "
    "RETURN r.id AS id, r.name AS name, r.aliases AS aliases, r.nameKeys AS nameKeys, "
    "r.externalIds AS externalIds, r.sources AS sources, r.apartFrom AS apartFrom, papers "
    "ORDER BY id"
)
_PAPERS = (
    f"MATCH (p:{Label.PAPER}) WHERE p.id > $after WITH p ORDER BY p.id LIMIT $limit "
    f"OPTIONAL MATCH (p)-[pub:{Rel.PUBLISHED_AT}]->(v:{Label.VENUE}) "
    "WITH p, collect([v.id, pub.key]) AS pubs "
    f"OPTIONAL MATCH (p)-[:{Rel.HAS_TOPIC}]->(t:{Label.TOPIC}) "
    "WITH p, pubs, collect(t.id) AS topics "
    "RETURN p.id AS id, p.title AS title, p.titleKey AS titleKey, p.externalIds AS externalIds, "
    "p.abstract IS NOT NULL AS hasAbstract, pubs, topics ORDER BY id"
)
_NAMED = (
    "MATCH (n:{label}) WHERE n.id > $after WITH n ORDER BY n.id LIMIT $limit "
    "RETURN n.id AS id, n.name AS name, n.aliases AS aliases ORDER BY id"
)
_MERGES = (
    f"MATCH (m:{Label.MERGE}) RETURN m.id AS id, m.into AS into, m.mergedIds AS mergedIds, "
    "m.status AS status, m.at AS at ORDER BY m.at, m.id"
)


async def _paged(store: Store, query: str, page_size: int) -> list[Row]:
    """Keyset paging on `id`: each page is one bounded read, however large the graph."""
    rows: list[Row] = []
    after = ""
    while True:
        page = await store.read(query, {"after": after, "limit": page_size})
        rows.extend(page)
        if len(page) < page_size:
            return rows
        after = page[-1]["id"]


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in value or () if v is not None)


async def load_snapshot(store: Store, page_size: int = PAGE_SIZE) -> Snapshot:
    researcher_rows = await _paged(store, _RESEARCHERS, page_size)
    researchers = [
        ResearcherRow(
            row["id"],
            row["name"] or "",
            _strings(row["aliases"]),
            _strings(row["nameKeys"]),
            _strings(row["externalIds"]),
            tuple((p, pos) for p, pos, *_ in row["papers"] if p is not None),
            _strings(row["sources"]),
            tuple(
                (p, str(written or ""), _strings(sources), _strings(ids))
                for p, _, written, sources, ids in row["papers"]
                if p is not None
            ),
        )
        for row in researcher_rows
    ]
    papers = [
        PaperRow(
            row["id"],
            row["title"] or "",
            row["titleKey"] or text.title_key(row["title"] or ""),
            _strings(row["externalIds"]),
            bool(row["hasAbstract"]),
            tuple((v, str(k or "")) for v, k in row["pubs"] if v is not None),
            _strings(row["topics"]),
        )
        for row in await _paged(store, _PAPERS, page_size)
    ]
    named: dict[Label, list[NamedRow]] = {}
    for label in (Label.VENUE, Label.TOPIC, Label.INSTITUTION):
        query = _NAMED.format(label=label)
        named[label] = [
            NamedRow(row["id"], row["name"] or "", _strings(row["aliases"]))
            for row in await _paged(store, query, page_size)
        ]
    merged_away: set[str] = set()
    merged_into: set[str] = set()
    # An owner's "not me" keeps the record the work went to apart from the owner's, for good.
    apart: set[frozenset[str]] = {
        frozenset((row["id"], other))
        for row in researcher_rows
        for other in _strings(row["apartFrom"])
        if other != row["id"]
    }
    for row in await store.read(_MERGES):
        ids = _strings(row["mergedIds"])
        if row["status"] == "merged":
            merged_away.update(ids)
            merged_into.add(row["into"])
        else:
            apart.update(frozenset((row["into"], other)) for other in ids)
    return Snapshot(
        researchers,
        papers,
        named[Label.VENUE],
        {n.id for n in named[Label.TOPIC]},
        {n.id for n in named[Label.INSTITUTION]},
        merged_away,
        apart,
        merged_into,
    )


# --- merge ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MergeResult:
    merge_id: str
    into: str
    merged: tuple[str, ...]
    moved: int  # relationships re-pointed onto `into`
    dropped: int  # relationships among the merged researchers themselves (kept in the record)
    at: str


@dataclass(frozen=True)
class SplitResult:
    merge_id: str
    into: str
    restored: tuple[str, ...]
    relationships: int  # relationships given back to the restored researchers
    skipped: tuple[str, ...]  # relationships whose far end no longer exists


@dataclass(frozen=True)
class _Edge:
    src: str
    type: str
    dst: str
    props: dict[str, Any]

    def json(self) -> dict[str, Any]:
        return {"src": self.src, "type": self.type, "dst": self.dst, "props": self.props}


Sig = tuple[str, str, str, str]  # (type, direction seen from the target, other end, key)


def _sig(edge: _Edge, owner: str) -> Sig:
    direction, other = ("out", edge.dst) if edge.src == owner else ("in", edge.src)
    return (edge.type, direction, other, str(edge.props.get("key") or ""))


_NODES = (
    f"UNWIND $ids AS id MATCH (n:{ENTITY} {{id: id}}) "
    "RETURN n.id AS id, labels(n) AS labels, properties(n) AS props"
)
_OUT = (
    f"UNWIND $ids AS id MATCH (n:{ENTITY} {{id: id}})-[r]->(o) "
    "RETURN n.id AS src, type(r) AS type, o.id AS dst, properties(r) AS props"
)
# Relationships among the queried nodes are already in _OUT; only outside sources here.
_IN = (
    f"UNWIND $ids AS id MATCH (n:{ENTITY} {{id: id}})<-[r]-(o) WHERE NOT o.id IN $ids "
    "RETURN o.id AS src, type(r) AS type, n.id AS dst, properties(r) AS props"
)
_SEARCH_TEXT = "reduce(s = '', x IN coalesce(t.searchTerms, []) | s + ' ' + x)"
_RELS = frozenset(str(rel) for rel in Rel)
_FIXED = frozenset({"id", "name", "nameKey", "searchText", "sources", *UNION_LISTS})


def _check_researcher_id(node_id: str) -> None:
    try:
        label = label_of(node_id)
    except MalformedId as exc:
        raise InvalidMerge(str(exc)) from exc
    if label is not Label.RESEARCHER:
        raise InvalidMerge(f"{node_id} is not a researcher id (only researchers can be merged)")


async def _edges(store: Store, ids: list[str]) -> list[_Edge]:
    rows = await store.read(_OUT, {"ids": ids}) + await store.read(_IN, {"ids": ids})
    edges = []
    for row in rows:
        if row["src"] is None or row["dst"] is None:
            raise InvalidMerge(f"a relationship of {ids} reaches a node without an id")
        if row["type"] not in _RELS:
            raise InvalidMerge(
                f"a {row['type']} relationship is not in the model; it cannot be moved"
            )
        edges.append(_Edge(row["src"], row["type"], row["dst"], dict(row["props"])))
    return edges


def _combine(kept: dict[str, Any], incoming: dict[str, Any]) -> dict[str, Any]:
    """The target's relationship wins on conflicts; provenance is the union of both."""
    combined = {**incoming, **kept}
    sources = list(kept.get("sources") or [])
    sources += [s for s in incoming.get("sources") or [] if s not in sources]
    combined["sources"] = sources
    return combined


def _now() -> datetime:
    return datetime.now(UTC)


def _merge_id(at: datetime, into: str, ids: Sequence[str]) -> str:
    digest = hashlib.sha1("|".join([into, *ids]).encode(), usedforsecurity=False).hexdigest()
    return f"merge:{at.strftime('%Y%m%dt%H%M%S%fz')}-{digest[:8]}"


def _target_additions(
    target: dict[str, Any], merged: list[dict[str, Any]]
) -> tuple[dict[str, list[Any]], dict[str, Any]]:
    """Values the merged nodes add to the target's lists, and scalars the target lacked."""
    added: dict[str, list[Any]] = {name: [] for name in (*UNION_LISTS, "sources")}

    def add(name: str, values: Sequence[Any]) -> None:
        have = list(target.get(name) or []) + added[name]
        added[name] += [v for v in values if v not in have and v not in added[name]]

    filled: dict[str, Any] = {}
    for props in merged:
        spellings = [props.get("name"), *(props.get("aliases") or [])]
        add("aliases", [s for s in spellings if s and s != target.get("name")])
        add(
            "nameKeys",
            [text.name_key(s) for s in spellings if s] + list(props.get("nameKeys") or []),
        )
        add("searchTerms", list(props.get("searchTerms") or []))
        add("externalIds", list(props.get("externalIds") or []))
        add("sources", list(props.get("sources") or []))
        for key, value in props.items():
            if key not in _FIXED and key not in target and key not in filled:
                filled[key] = value
    return added, filled


def _grouped(rows: dict[Sig, dict[str, Any]]) -> dict[tuple[str, str], list[dict[str, Any]]]:
    groups: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for (rel, direction, other, key), props in sorted(rows.items()):
        groups[(rel, direction)].append({"other": other, "key": key, "props": props})
    return groups


def _on_target(name: str, rel: str, direction: str, action: str) -> str:
    """A subquery applying `action` to the target's `rel` relationships listed in $name."""
    pattern = f"(t)-[r:{rel}]->(o)" if direction == "out" else f"(t)<-[r:{rel}]-(o)"
    return (
        f"CALL {{ WITH t UNWIND ${name} AS e MATCH {pattern} "
        f"WHERE o.id = e.other AND coalesce(r.key, '') = e.key {action} "
        f"RETURN count(*) AS {name} }}"
    )


def _create_on_target(name: str, rel: str, direction: str) -> str:
    pattern = f"(t)-[r:{rel}]->(o)" if direction == "out" else f"(o)-[r:{rel}]->(t)"
    return (
        f"CALL {{ WITH t UNWIND ${name} AS e MATCH (o:{ENTITY} {{id: e.other}}) "
        f"CREATE {pattern} SET r = e.props RETURN count(*) AS {name} }}"
    )


def _recreate(name: str, rel: str) -> str:
    return (
        f"CALL {{ WITH t UNWIND ${name} AS e "
        f"MATCH (a:{ENTITY} {{id: e.src}}), (b:{ENTITY} {{id: e.dst}}) "
        f"CREATE (a)-[r:{rel}]->(b) SET r = e.props RETURN count(*) AS {name} }}"
    )


def _counted(parts: list[str], names: list[str], head: str, events: str, at: str) -> str:
    """The query's end: the change feed's `events` (docs/subscriptions.md), in the same
    query as the change, then the counts."""
    total = " + ".join(names) if names else "0"
    feed = emit(", ".join([head, *names]), events, at)
    return "\n".join([*parts, feed, f"RETURN {head}, {total} AS relationships"])


async def merge_researchers(
    store: Store,
    ids: Sequence[str],
    into: str,
    *,
    actor: str,
    reason: str,
    evidence: Sequence[Mapping[str, Any]] = (),
    merge_id: str | None = None,
    audit: Mapping[str, Any] | None = None,
    request: Mapping[str, Any] | None = None,
) -> MergeResult:
    """Merge researchers `ids` into `into` in one atomic query and record a MergeRecord.

    Their relationships move onto `into` (one already there with the same type, end and key
    absorbs the moved one's provenance); their names become aliases of `into`; the merged
    nodes are deleted. `merge_id` defaults to one made of the time and the ids; an import
    passes one made of the ids alone, so that a re-run writes the same record. Raises an
    IdentityError for unknown or non-researcher ids, an empty
    list, or merging a researcher into itself.

    `audit` (an AuditRecord's properties) and `request` (a MergeRequest's, created or updated
    by id) are written by the same query, so they commit with the merge or not at all.
    """
    merged_ids = list(dict.fromkeys(ids))
    if not merged_ids:
        raise InvalidMerge("nothing to merge: name at least one researcher besides the target")
    for node_id in [*merged_ids, into]:
        _check_researcher_id(node_id)
    if into in merged_ids:
        raise InvalidMerge(f"cannot merge {into} into itself")
    group = [*merged_ids, into]
    nodes = {row["id"]: row for row in await store.read(_NODES, {"ids": group})}
    missing = [node_id for node_id in group if node_id not in nodes]
    if missing:
        raise UnknownResearcher(f"no researcher with id {', '.join(missing)}")
    for node_id, row in nodes.items():
        if set(row["labels"]) != {ENTITY, str(Label.RESEARCHER)}:
            raise InvalidMerge(f"{node_id} is not a researcher (labels {row['labels']})")
    target = dict(nodes[into]["props"])
    edges = await _edges(store, group)

    members = set(group)
    target_edges = {_sig(e, into): e.props for e in edges if into in (e.src, e.dst)}
    creates: dict[Sig, dict[str, Any]] = {}
    updates: dict[Sig, dict[str, Any]] = {}
    moved: list[dict[str, Any]] = []
    dropped: list[dict[str, Any]] = []
    for edge in sorted(
        edges, key=lambda e: (e.src, e.type, e.dst, json.dumps(e.props, default=str))
    ):
        owner = edge.src if edge.src in merged_ids else edge.dst
        if owner not in merged_ids:
            continue  # the target's own
        if edge.src in members and edge.dst in members:
            dropped.append(edge.json())  # would become a loop on the target
            continue
        sig = _sig(edge, owner)
        props = {"key": "", **edge.props}
        if sig in target_edges:
            updates[sig] = _combine(updates.get(sig, target_edges[sig]), props)
            moved.append({**edge.json(), "onto": "existing", "before": target_edges[sig]})
        else:
            creates[sig] = _combine(creates[sig], props) if sig in creates else props
            moved.append({**edge.json(), "onto": "created"})

    added, filled = _target_additions(target, [dict(nodes[i]["props"]) for i in merged_ids])
    target_set: dict[str, Any] = {
        name: list(target.get(name) or []) + values for name, values in added.items() if values
    }
    target_set.update(filled)
    now = _now()
    at = now.isoformat()
    merge_id = merge_id or _merge_id(now, into, merged_ids)
    record = {
        "id": merge_id,
        "status": "merged",
        "into": into,
        "mergedIds": merged_ids,
        "actor": actor,
        "reason": reason,
        "at": at,
        "sources": [actor],
        "moved": len(moved),
        "dropped": len(dropped),
        "evidenceJson": json.dumps(list(evidence) or [{"kind": "manual"}], default=str),
        "nodesJson": json.dumps([nodes[i]["props"] for i in merged_ids], default=str),
        "movedJson": json.dumps(moved, default=str),
        "droppedJson": json.dumps(dropped, default=str),
        "addedJson": json.dumps({"lists": added, "filled": sorted(filled)}, default=str),
    }
    params: dict[str, Any] = {
        "into": into,
        "ids": merged_ids,
        "targetSet": target_set,
        "record": record,
        "sources": [actor],
    }
    parts = [
        f"MATCH (t:{ENTITY} {{id: $into}}) WHERE t:{Label.RESEARCHER}",
        "SET t += $targetSet",
        f"SET t.searchText = {_SEARCH_TEXT}",
        f"CREATE (m:{ENTITY}:{Label.MERGE})",
        "SET m += $record",
        f"CREATE (m)-[:{Rel.MERGED_INTO} {{key: '', sources: $sources}}]->(t)",
        "WITH t",
    ]
    names: list[str] = []
    for n, ((rel, direction), rows) in enumerate(_grouped(creates).items()):
        params[f"c{n}"] = rows
        parts.append(_create_on_target(f"c{n}", rel, direction))
        names.append(f"c{n}")
    for n, ((rel, direction), rows) in enumerate(_grouped(updates).items()):
        params[f"u{n}"] = rows
        parts.append(_on_target(f"u{n}", rel, direction, "SET r = e.props"))
    if audit is not None:
        params["audit"] = dict(audit)
        parts.append(
            f"CALL {{ WITH t CREATE (x:{ENTITY}:{Label.AUDIT}) SET x += $audit "
            "RETURN count(*) AS audited }"
        )
    if request is not None:
        params["request"] = dict(request)
        parts.append(
            f"CALL {{ WITH t MERGE (q:{ENTITY}:{Label.MERGE_REQUEST} {{id: $request.id}}) "
            "SET q += $request RETURN count(*) AS requested }"
        )
    parts.append(
        f"CALL {{ WITH t UNWIND $ids AS mid MATCH (x:{ENTITY} {{id: mid}}) "
        f"WHERE x:{Label.RESEARCHER} DETACH DELETE x RETURN count(*) AS deleted }}"
    )
    # Every record involved changed as a whole: the survivor's subscribers hear it, and so do
    # those of the records merged away (their id now reads as the survivor).
    changed = each_event(Kind.MERGED, "[$into] + $ids", "$record.id")
    await store.write(_counted(parts, names, "deleted", changed, "$record.at"), params)
    return MergeResult(merge_id, into, tuple(merged_ids), len(moved), len(dropped), at)


# --- split ------------------------------------------------------------------------------------

_RECORD = f"MATCH (m:{ENTITY} {{id: $id}}) RETURN labels(m) AS labels, properties(m) AS props"
_ACTIVE = (
    f"MATCH (m:{Label.MERGE}) WHERE m.status = 'merged' AND (m.into = $id OR $id IN m.mergedIds) "
    "RETURN m.id AS id, m.into AS into, m.mergedIds AS mergedIds, m.at AS at ORDER BY m.at DESC"
)


async def _active_merges(store: Store, researcher: str) -> list[Row]:
    return await store.read(_ACTIVE, {"id": researcher})


async def _find_record(store: Store, ref: str) -> dict[str, Any]:
    try:
        label = label_of(ref)
    except MalformedId as exc:
        raise UnknownMerge(str(exc)) from exc
    if label is Label.RESEARCHER:
        active = await _active_merges(store, ref)
        if not active:
            raise UnknownMerge(f"no merge that still stands involves {ref}")
        ref = active[0]["id"]
    elif label is not Label.MERGE:
        raise UnknownMerge(f"{ref} is neither a merge id nor a researcher id")
    rows = await store.read(_RECORD, {"id": ref})
    if not rows or str(Label.MERGE) not in rows[0]["labels"]:
        raise UnknownMerge(f"no merge record {ref}")
    return dict(rows[0]["props"])


async def split_researcher(store: Store, ref: str, *, actor: str, reason: str = "") -> SplitResult:
    """Undo a merge: re-create the merged researchers with their properties and give them
    back exactly the relationships the merge moved; the target loses what the merge added.

    `ref` is a merge id, or a researcher id (the latest standing merge into it, or the merge
    that absorbed it). Merges into one researcher are undone newest first. The MergeRecord
    stays, marked split; identity resolution never merges that pair again by itself.
    """
    record = await _find_record(store, ref)
    merge_id, into = record["id"], record["into"]
    merged_ids = list(record["mergedIds"])
    if record.get("status") != "merged":
        raise SplitConflict(f"{merge_id} was already split at {record.get('splitAt')}")
    for other in await _active_merges(store, into):
        if other["id"] != merge_id and other["into"] == into and other["at"] > record["at"]:
            raise SplitConflict(
                f"{other['id']} merged more into {into} after {merge_id}; split it first"
            )
    if into not in await existing_ids(store, [into]):
        later = [m["id"] for m in await _active_merges(store, into) if m["into"] != into]
        hint = f"; split {later[0]} first" if later else ""
        raise SplitConflict(f"{into} no longer exists{hint}")
    back = await existing_ids(store, merged_ids)
    if back:
        raise SplitConflict(f"{', '.join(sorted(back))} exists again; cannot restore it")

    nodes: list[dict[str, Any]] = json.loads(record["nodesJson"])
    moved: list[dict[str, Any]] = json.loads(record["movedJson"])
    dropped: list[dict[str, Any]] = json.loads(record["droppedJson"])
    added = json.loads(record["addedJson"])
    target = dict((await store.read(_NODES, {"ids": [into]}))[0]["props"])
    restore: dict[str, Any] = {
        name: [v for v in target.get(name) or [] if v not in values]
        for name, values in added["lists"].items()
        if values
    }
    restore.update(dict.fromkeys(added["filled"]))

    deletes: dict[Sig, dict[str, Any]] = {}
    befores: dict[Sig, dict[str, Any]] = {}
    for entry in moved:
        edge = _Edge(entry["src"], entry["type"], entry["dst"], entry["props"])
        owner = edge.src if edge.src in merged_ids else edge.dst
        sig = _sig(edge, owner)
        if entry["onto"] == "existing":
            befores[sig] = entry["before"]
        else:
            deletes[sig] = {}
    originals = [*moved, *dropped]
    ends = {e[k] for e in originals for k in ("src", "dst")} - set(merged_ids)
    present = await existing_ids(store, ends)
    skipped = [
        f"{e['src']} {e['type']} {e['dst']}"
        for e in originals
        if not {e["src"], e["dst"]} - set(merged_ids) <= present
    ]
    recreate: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for entry in originals:
        recreate[entry["type"]].append(
            {"src": entry["src"], "dst": entry["dst"], "props": entry["props"]}
        )

    at = _now().isoformat()
    params: dict[str, Any] = {
        "id": merge_id,
        "into": into,
        "restore": restore,
        "nodes": nodes,
        "record": {"status": "split", "splitAt": at, "splitBy": actor, "splitReason": reason},
    }
    parts = [
        f"MATCH (m:{ENTITY} {{id: $id}})",
        f"MATCH (t:{ENTITY} {{id: $into}}) WHERE t:{Label.RESEARCHER}",
        "SET m += $record",
        "SET t += $restore",
        f"SET t.searchText = {_SEARCH_TEXT}",
        "WITH t",
        f"CALL {{ WITH t UNWIND $nodes AS n CREATE (x:{ENTITY}:{Label.RESEARCHER}) SET x = n "
        "RETURN count(*) AS restored }",
    ]
    for n, ((rel, direction), rows) in enumerate(_grouped(deletes).items()):
        params[f"d{n}"] = rows
        parts.append(_on_target(f"d{n}", rel, direction, "DELETE r"))
    for n, ((rel, direction), rows) in enumerate(_grouped(befores).items()):
        params[f"b{n}"] = rows
        parts.append(_on_target(f"b{n}", rel, direction, "SET r = e.props"))
    names: list[str] = []
    for n, (rel, rows) in enumerate(sorted(recreate.items())):
        params[f"r{n}"] = rows
        parts.append(_recreate(f"r{n}", rel))
        names.append(f"r{n}")
    # The target loses what the merge brought; the restored records get it back.
    changed = each_event(Kind.SPLIT, "[$into] + $restoredIds", "$id")
    params["restoredIds"] = merged_ids
    rows = await store.write(_counted(parts, names, "restored", changed, "$record.splitAt"), params)
    count = int(rows[0]["relationships"]) if rows else 0
    return SplitResult(merge_id, into, tuple(merged_ids), count, tuple(skipped))


# --- links that outlive merges ----------------------------------------------------------------

# The MERGED_INTO relationship of a standing merge moves with its target when that target is
# merged in turn, so it always reaches the record that holds the merged ids now.
_REDIRECT = (
    f"UNWIND $ids AS id MATCH (m:{Label.MERGE}) WHERE m.status = 'merged' AND id IN m.mergedIds "
    f"MATCH (m)-[:{Rel.MERGED_INTO}]->(t:{Label.RESEARCHER}) "
    "RETURN id, t.id AS into, labels(t) AS labels, properties(t) AS props"
)


async def redirects(store: Store, ids: Sequence[str]) -> dict[str, Row]:
    """For ids merged away by merges that still stand: the surviving researcher's row
    (`into`, `labels`, `props`), in one read."""
    if not ids:
        return {}
    return {row["id"]: row for row in await store.read(_REDIRECT, {"ids": sorted(set(ids))})}


# --- owner corrections ------------------------------------------------------------------------


def _append(var: str, prop: str, values: str) -> str:
    """`var.prop` gains the values of list `values` it lacks."""
    have = f"coalesce({var}.{prop}, [])"
    return f"{var}.{prop} = {have} + [v IN {values} WHERE NOT v IN {have}]"


# Both records' works changed: the one the paper left and the one it joined.
_MOVED = (
    f"[{{kind: '{Kind.WORK_MOVED_OUT}', researcherId: r.id, subjectId: p.id}}, "
    f"{{kind: '{Kind.WORK_MOVED_IN}', researcherId: x.id, subjectId: p.id}}]"
)

_NOT_ME = f"""
MATCH (a:{ENTITY} {{id: $account}}) WHERE a:{Label.ACCOUNT}
MATCH (a)-[:{Rel.OWNS}]->(r:{Label.RESEARCHER} {{id: $researcher}})
MATCH (r)-[w:{Rel.AUTHORED}]->(p:{Label.PAPER} {{id: $paper}})
SET r._lock = true SET r._lock = null
WITH r, p, w, properties(w) AS props
MERGE (x:{ENTITY}:{Label.RESEARCHER} {{id: $target}})
ON CREATE SET x += $newTarget
WITH r, p, w, props, x
WHERE x.id <> r.id
CREATE (x)-[n:{Rel.AUTHORED}]->(p)
SET n = props
SET n += $decision
SET {_append("n", "sources", "$sources")}
DELETE w
SET {_append("r", "apartFrom", "[$target]")}
SET {_append("x", "apartFrom", "[$researcher]")}
SET {_append("r", "notMine", "[$paper]")}
CREATE (q:{ENTITY}:{Label.AUDIT}) SET q += $audit
{emit("x", _MOVED, "$audit.at")}
RETURN x.id AS id
"""


async def move_authorship(
    store: Store,
    *,
    account: str,
    researcher: str,
    paper: str,
    target: str,
    new_target: Mapping[str, Any],
    decision: Mapping[str, Any],
    source: str,
    audit: Mapping[str, Any],
) -> bool:
    """An owner's "not me": the authorship of `paper` leaves `researcher` (owned by `account`)
    for `target` (created from `new_target` when missing), carrying `decision` and `source`
    so that imports keep it there; the two records are kept apart from then on. One query with
    its audit record; False when the account no longer owns `researcher` or the authorship is
    gone."""
    rows = await store.write(
        _NOT_ME,
        {
            "account": account,
            "researcher": researcher,
            "paper": paper,
            "target": target,
            "newTarget": dict(new_target),
            "decision": dict(decision),
            "sources": [source],
            "audit": dict(audit),
        },
    )
    return bool(rows)


_REQUEST = f"""
MATCH (a:{ENTITY} {{id: $account}}) WHERE a:{Label.ACCOUNT}
MATCH (a)-[:{Rel.OWNS}]->(r:{Label.RESEARCHER} {{id: $request.into}})
MATCH (o:{ENTITY} {{id: $request.other}}) WHERE o:{Label.RESEARCHER}
SET r._lock = true SET r._lock = null
WITH r, o
OPTIONAL MATCH (q:{Label.MERGE_REQUEST}) WHERE q.status = 'pending' AND q.into = r.id
  AND q.other = o.id
WITH r, o, collect(q.id) AS pending
WITH r, o, pending, size(pending) = 0 AS ok
FOREACH (_ IN CASE WHEN ok THEN [1] ELSE [] END |
  CREATE (m:{ENTITY}:{Label.MERGE_REQUEST}) SET m += $request
  CREATE (x:{ENTITY}:{Label.AUDIT}) SET x += $audit)
RETURN ok, pending
"""


@dataclass(frozen=True)
class RequestOutcome:
    ok: bool
    pending: list[str]  # the same request, already pending


async def create_merge_request(
    store: Store, account: str, request: Mapping[str, Any], audit: Mapping[str, Any]
) -> RequestOutcome | None:
    """A pending MergeRequest (ids `into`, `other`) with its audit record, unless the same one
    is pending already; None when the account no longer owns `into` or `other` is gone."""
    rows = await store.write(
        _REQUEST, {"account": account, "request": dict(request), "audit": dict(audit)}
    )
    if not rows:
        return None
    return RequestOutcome(bool(rows[0]["ok"]), list(rows[0]["pending"]))


_REQUEST_STATE = (
    f"MATCH (q:{ENTITY} {{id: $id}}) WHERE q:{Label.MERGE_REQUEST} RETURN properties(q) AS props"
)


async def merge_request(store: Store, request_id: str) -> dict[str, Any] | None:
    rows = await store.read(_REQUEST_STATE, {"id": request_id})
    return dict(rows[0]["props"]) if rows else None


__all__ = [
    "PAGE_SIZE",
    "IdentityError",
    "InvalidMerge",
    "MergeResult",
    "NamedRow",
    "PaperRow",
    "RequestOutcome",
    "ResearcherRow",
    "Snapshot",
    "SplitConflict",
    "SplitResult",
    "UnknownMerge",
    "UnknownResearcher",
    "create_merge_request",
    "load_snapshot",
    "merge_request",
    "merge_researchers",
    "move_authorship",
    "redirects",
    "split_researcher",
]
