"""Owner corrections of identity on every backend: "not me" (and that it survives a re-import),
merge requests (pending then approved by an admin, or approved at once by a shared id), links
to merged-away ids that answer the survivor, the per-work explanation of a profile, and the
change-feed events each correction records (docs/subscriptions.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from scholargraph import auth
from scholargraph.graphdb import events
from scholargraph.graphdb.events import Kind
from scholargraph.graphdb.model import Label, Rel
from scholargraph.graphdb.stats import graph_counts
from scholargraph.graphdb.store import Store
from scholargraph.graphdb.writes import EdgeRow, NodeRow, upsert
from scholargraph.ingest.importer import import_paperlists
from test_community_story import call, ok

WILL = "researcher:will-grathwohl"
DUP = "researcher:w-grathwohl"
ICLR2021 = Path(__file__).parent / "fixtures" / "paperlists" / "iclr2021.json"
# Matches the record's own links: the claim is approved at once (see test_community).
EVIDENCE = {"email": "w@ml.cs.toronto.edu", "github": "WGrathwohl"}

CLAIM = (
    "mutation ($id: ID!, $e: ClaimEvidenceInput!) "
    "{ claimProfile(researcherId: $id, evidence: $e) { id status } }"
)
NOT_ME = """
mutation ($r: ID!, $p: ID!, $to: ID, $why: String) {
  markNotMe(researcherId: $r, paperId: $p, moveTo: $to, reason: $why) {
    created researcher { id } movedTo { id name } paper { title }
  }
}"""
REQUEST = """
mutation ($r: ID!, $o: ID!) {
  requestMerge(researcherId: $r, otherId: $o, reason: "my old record") {
    id status otherId requester proof mergeId decidedBy into { id }
  }
}"""
APPROVE = """
mutation ($id: ID!) {
  approveMergeRequest(id: $id, reason: "checked") { id status mergeId decidedBy into { id } }
}"""
IDENTITY = """
query ($id: ID!) {
  researcher(id: $id) {
    id mergedFrom
    identity {
      paper { id title } evidence score kinds matchedIds sources detail
      terms { kind weight detail }
      ownerDecision decidedBy movedFrom
    }
  }
}"""
NODE = "query ($id: ID!) { node(id: $id) { id ... on Researcher { name mergedFrom } } }"


def code(body: dict[str, Any]) -> str:
    assert body.get("data") is None or all(v is None for v in body["data"].values()), body
    [error] = body["errors"]
    value: str = error["extensions"]["code"]
    return value


async def owner(client: httpx.AsyncClient, store: Store, name: str = "alice") -> str:
    token = (await auth.issue_token(store, name)).token
    data = await ok(client, CLAIM, {"id": WILL, "e": EVIDENCE}, token)
    assert data["claimProfile"]["status"] == "APPROVED"
    return token


async def works_of(client: httpx.AsyncClient, rid: str) -> dict[str, dict[str, Any]]:
    data = await ok(client, IDENTITY, {"id": rid})
    return {w["paper"]["title"]: w for w in data["researcher"]["identity"]}


async def audit_actions(store: Store) -> list[str]:
    rows = await store.read(f"MATCH (x:{Label.AUDIT}) RETURN x.action AS a ORDER BY x.at")
    return [row["a"] for row in rows]


async def feed_since(store: Store, seq: int) -> set[tuple[Kind, str, str | None]]:
    """The change feed's events after `seq`, as (kind, researcher, subject)."""
    return {(e.kind, e.researcher_id, e.subject_id) for e in await events.events_after(store, seq)}


async def test_not_me_moves_the_work_and_survives_a_reimport(
    client: httpx.AsyncClient, seeded: Store
) -> None:
    await import_paperlists(seeded, [ICLR2021])
    alice = await owner(client, seeded)
    bob = (await auth.issue_token(seeded, "bob")).token
    mine = await works_of(client, WILL)
    line_up = mine["Affiliations Line Up"]
    paper = line_up["paper"]["id"]
    # Explained: the import placed it and says on what, with the id that came with it.
    assert line_up["evidence"] and "import:paperlists/iclr2021.json" in line_up["sources"]
    assert "openreview:~Will_Sussman_Grathwohl2" in line_up["matchedIds"]
    assert line_up["ownerDecision"] is None
    seed_work = mine[
        "Your Classifier is Secretly an Energy Based Model and You Should Treat it Like One"
    ]
    assert seed_work["evidence"] is None and any(
        s.startswith("seed:") for s in seed_work["sources"]
    )

    # Refusals change nothing, and record no event.
    before = await graph_counts(seeded)
    seq = await events.head(seeded)
    variables = {"r": WILL, "p": paper}
    assert code(await call(client, NOT_ME, variables)) == "UNAUTHENTICATED"
    assert code(await call(client, NOT_ME, variables, bob)) == "FORBIDDEN"
    assert code(await call(client, NOT_ME, {"r": WILL, "p": "paper:nope"}, alice)) == "NOT_FOUND"
    assert code(await call(client, NOT_ME, {"r": WILL, "p": "x y"}, alice)) == "BAD_USER_INPUT"
    assert code(await call(client, NOT_ME, {**variables, "to": WILL}, alice)) == "BAD_USER_INPUT"
    assert (
        code(await call(client, NOT_ME, {**variables, "to": "researcher:david-duvenaud"}, alice))
        == "BAD_USER_INPUT"  # not the name the paper gives
    )
    assert await graph_counts(seeded) == before
    assert await events.head(seeded) == seq

    data = await ok(client, NOT_ME, {**variables, "why": "another Will"}, alice)
    moved = data["markNotMe"]
    assert moved["created"] is True
    assert moved["researcher"]["id"] == WILL
    assert moved["movedTo"]["name"] == "Will Sussman Grathwohl"
    other = moved["movedTo"]["id"]
    assert other != WILL
    # Both records' works changed: one event each, written with the move.
    assert await feed_since(seeded, seq) == {
        (Kind.WORK_MOVED_OUT, WILL, paper),
        (Kind.WORK_MOVED_IN, other, paper),
    }
    assert await events.head(seeded) == seq + 2
    assert "Affiliations Line Up" not in await works_of(client, WILL)
    theirs = (await works_of(client, other))["Affiliations Line Up"]
    assert theirs["ownerDecision"] == "not-me"
    assert theirs["decidedBy"] == "alice"
    assert theirs["movedFrom"] == WILL
    assert "account:alice" in theirs["sources"]
    assert "markNotMe" in await audit_actions(seeded)
    # The same work again: it is no longer on the profile.
    assert code(await call(client, NOT_ME, variables, alice)) == "BAD_USER_INPUT"

    # The decision survives re-importing the same list.
    await import_paperlists(seeded, [ICLR2021])
    assert "Affiliations Line Up" not in await works_of(client, WILL)
    assert "Affiliations Line Up" in await works_of(client, other)
    (row,) = await seeded.read(
        f"MATCH (r:{Label.RESEARCHER})-[:{Rel.AUTHORED}]->(p:{Label.PAPER} {{id: $p}}) "
        "RETURN collect(r.id) AS ids",
        {"p": paper},
    )
    assert other in row["ids"] and WILL not in row["ids"]


async def test_not_me_can_move_the_work_to_a_named_record(
    client: httpx.AsyncClient, seeded: Store
) -> None:
    await import_paperlists(seeded, [ICLR2021])
    alice = await owner(client, seeded)
    paper = (await works_of(client, WILL))["Affiliations Line Up"]["paper"]["id"]
    namesake = "researcher:will-sussman-grathwohl-namesake"
    await upsert(
        seeded,
        [NodeRow(namesake, Label.RESEARCHER, "test", {"name": "Will Sussman Grathwohl"})],
        [],
    )
    variables = {"r": WILL, "p": paper, "to": namesake}
    moved = (await ok(client, NOT_ME, variables, alice))["markNotMe"]
    assert moved["created"] is False
    assert moved["movedTo"] == {"id": namesake, "name": "Will Sussman Grathwohl"}
    assert "Affiliations Line Up" not in await works_of(client, WILL)
    newest = await events.events_after(seeded, await events.head(seeded) - 2)
    assert {(e.kind, e.researcher_id, e.subject_id) for e in newest} == {
        (Kind.WORK_MOVED_OUT, WILL, paper),
        (Kind.WORK_MOVED_IN, namesake, paper),
    }
    theirs = (await works_of(client, namesake))["Affiliations Line Up"]
    assert (theirs["ownerDecision"], theirs["movedFrom"]) == ("not-me", WILL)


async def _duplicate(store: Store, external_ids: list[str]) -> None:
    """A second record of Will's, with one work of its own."""
    await upsert(
        store,
        [
            NodeRow(
                DUP,
                Label.RESEARCHER,
                "test",
                {"name": "W. Grathwohl"},
                {"externalIds": external_ids, "aliases": []},
            ),
            NodeRow("paper:dup-only-work", Label.PAPER, "test", {"title": "A Workshop Note"}),
        ],
        [EdgeRow(Rel.AUTHORED, DUP, "paper:dup-only-work", "test", props={"position": 1})],
    )


async def test_a_merge_request_waits_for_an_admin_and_old_links_answer_the_survivor(
    client: httpx.AsyncClient, seeded: Store
) -> None:
    await _duplicate(seeded, ["email:will@example.org"])
    alice = await owner(client, seeded)
    bob = (await auth.issue_token(seeded, "bob")).token
    root = (await auth.issue_token(seeded, "root", admin=True)).token
    before = await graph_counts(seeded)
    assert code(await call(client, REQUEST, {"r": WILL, "o": DUP})) == "UNAUTHENTICATED"
    assert code(await call(client, REQUEST, {"r": WILL, "o": DUP}, bob)) == "FORBIDDEN"
    assert code(await call(client, REQUEST, {"r": WILL, "o": WILL}, alice)) == "BAD_USER_INPUT"
    assert code(await call(client, REQUEST, {"r": WILL, "o": "paper:x"}, alice)) == (
        "BAD_USER_INPUT"
    )
    assert code(await call(client, REQUEST, {"r": WILL, "o": "researcher:nobody"}, alice)) == (
        "NOT_FOUND"
    )
    assert await graph_counts(seeded) == before

    request = (await ok(client, REQUEST, {"r": WILL, "o": DUP}, alice))["requestMerge"]
    assert request["status"] == "PENDING"
    assert request["proof"] is None and request["mergeId"] is None
    assert code(await call(client, REQUEST, {"r": WILL, "o": DUP}, alice)) == "CONFLICT"
    assert (await ok(client, NODE, {"id": DUP}))["node"]["id"] == DUP  # not merged yet

    assert code(await call(client, APPROVE, {"id": request["id"]}, alice)) == "FORBIDDEN"
    assert code(await call(client, APPROVE, {"id": "mergerequest:nope"}, root)) == "NOT_FOUND"
    assert code(await call(client, APPROVE, {"id": WILL}, root)) == "BAD_USER_INPUT"
    seq = await events.head(seeded)
    approved = (await ok(client, APPROVE, {"id": request["id"]}, root))["approveMergeRequest"]
    assert approved["status"] == "APPROVED"
    assert approved["decidedBy"] == "root"
    assert approved["into"]["id"] == WILL
    assert approved["mergeId"]
    # The survivor's works changed, and the merged-away record's subscribers hear it too.
    assert await feed_since(seeded, seq) == {
        (Kind.MERGED, WILL, approved["mergeId"]),
        (Kind.MERGED, DUP, approved["mergeId"]),
    }
    assert code(await call(client, APPROVE, {"id": request["id"]}, root)) == "CONFLICT"
    assert await events.head(seeded) == seq + 2
    actions = await audit_actions(seeded)
    assert "requestMerge" in actions and "approveMergeRequest" in actions

    # Links never break: the merged-away id answers the survivor, which says so.
    node = (await ok(client, NODE, {"id": DUP}))["node"]
    assert node["id"] == WILL and DUP in node["mergedFrom"]
    found = (await ok(client, IDENTITY, {"id": DUP}))["researcher"]
    assert found["id"] == WILL and found["mergedFrom"] == [DUP]
    assert "A Workshop Note" in {w["paper"]["title"] for w in found["identity"]}
    # Unknown ids still answer null, in the same one extra read.
    assert (await ok(client, NODE, {"id": "researcher:nobody"}))["node"] is None


async def test_a_shared_id_approves_a_merge_request_at_once(
    client: httpx.AsyncClient, seeded: Store
) -> None:
    shared = "orcid:0000-0002-1825-0097"
    await seeded.write(
        f"MATCH (r:{Label.RESEARCHER} {{id: $id}}) SET r.externalIds = $ids",
        {"id": WILL, "ids": [shared]},
    )
    await _duplicate(seeded, [shared])
    alice = await owner(client, seeded)
    seq = await events.head(seeded)
    request = (await ok(client, REQUEST, {"r": WILL, "o": DUP}, alice))["requestMerge"]
    assert request["status"] == "APPROVED"
    assert await feed_since(seeded, seq) == {
        (Kind.MERGED, WILL, request["mergeId"]),
        (Kind.MERGED, DUP, request["mergeId"]),
    }
    assert request["proof"] == shared
    assert request["decidedBy"] == f"shared id {shared}"
    (merge,) = await seeded.read(
        f"MATCH (m:{Label.MERGE} {{id: $id}})-[:{Rel.MERGED_INTO}]->(r) "
        "RETURN r.id AS into, m.mergedIds AS ids, m.evidenceJson AS evidence",
        {"id": request["mergeId"]},
    )
    assert merge["into"] == WILL and merge["ids"] == [DUP]
    assert "merge-request" in merge["evidence"]
    (stored,) = await seeded.read(
        f"MATCH (q:{Label.MERGE_REQUEST}) RETURN q.status AS status, q.mergeId AS merge"
    )
    assert stored == {"status": "approved", "merge": request["mergeId"]}
    assert "requestMerge" in await audit_actions(seeded)
    assert (await ok(client, NODE, {"id": DUP}))["node"]["id"] == WILL
