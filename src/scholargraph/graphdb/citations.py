"""Citations: the papers a paper cites (CITES out) and those citing it (CITES in), batched, and
the citation counts sources state (a paper's `statedCitations`), which are kept apart from the
live count of CITES relationships."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from scholargraph.graphdb.model import ENTITY, Label, Rel
from scholargraph.graphdb.reads import Direction
from scholargraph.graphdb.store import Store


@dataclass(frozen=True)
class CitationRef:
    paper: str
    title: str
    year: int | None


def _query(direction: Direction) -> str:
    pattern = f"-[:{Rel.CITES}]->" if direction == "out" else f"<-[:{Rel.CITES}]-"
    return (
        f"UNWIND $ids AS pid MATCH (:{ENTITY} {{id: pid}}){pattern}(q:{Label.PAPER}) "
        f"OPTIONAL MATCH (q)-[pub:{Rel.PUBLISHED_AT}]->() "
        "WITH pid, q, min(pub.year) AS year "
        # One row of lists, as reads.py's batched reads: both drivers pay per record.
        "RETURN collect([pid, q.id, q.title, year]) AS rows"
    )


_QUERIES = {direction: _query(direction) for direction in ("out", "in")}


async def citations(
    store: Store, ids: Sequence[str], direction: Direction
) -> dict[str, list[CitationRef]]:
    """Per paper, the papers it cites ("out") or that cite it ("in"): newest first, then by
    title and id, so pages are stable."""
    found: dict[str, list[CitationRef]] = defaultdict(list)
    if ids:
        rows = await store.read(_QUERIES[direction], {"ids": sorted(set(ids))})
        for pid, paper, title, year in rows[0]["rows"] if rows else []:
            found[pid].append(CitationRef(paper, title or "", year))
    for refs in found.values():
        refs.sort(key=lambda r: (-(r.year or 0), r.title.lower(), r.paper))
    return found


@dataclass(frozen=True)
class StatedCitations:
    count: int
    source: str
    as_of: str | None


def stated_citations(props: Mapping[str, Any]) -> list[StatedCitations]:
    """The newest statement of each source (by `asOf`; an undated one only when the source
    gave no dated one), ordered by source. Statements accumulate across imports, so a source
    that counted again keeps its history in the graph."""
    latest: dict[str, StatedCitations] = {}
    for raw in props.get("statedCitations") or []:
        try:
            data = orjson.loads(raw)
            stated = StatedCitations(int(data["count"]), str(data["source"]), data.get("asOf"))
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
            continue  # written by this code only; a hand-edited value is not worth an error
        held = latest.get(stated.source)
        if held is None or (stated.as_of or "", stated.count) > (held.as_of or "", held.count):
            latest[stated.source] = stated
    return [latest[source] for source in sorted(latest)]


__all__ = ["CitationRef", "StatedCitations", "citations", "stated_citations"]
