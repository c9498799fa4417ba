"""GraphQL subscriptions over a real WebSocket (graphql-transport-ws), on both stores: changes
made over HTTP and by the importer reach subscribers through the store's change feed, also on
another app's server in this process and on another `scholargraph serve` OS process; identity
corrections (merges, "not me") are heard; auth, input and protocol errors."""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from conftest import free_port, open_neo4j, serving, store_env
from scholargraph import auth
from scholargraph.app import create_app
from scholargraph.graphdb import community, events, writes
from scholargraph.graphdb.falkor_store import FalkorStore
from scholargraph.graphdb.model import Label, Rel
from scholargraph.graphdb.store import Store
from scholargraph.graphdb.writes import EdgeRow, NodeRow
from scholargraph.ingest.importer import import_jsonl
from test_identity_corrections import DUP, EVIDENCE, NOT_ME, REQUEST, _duplicate

WILL = "researcher:will-grathwohl"
PROTOCOL = "graphql-transport-ws"
# Generous: a wait that ends early when the event comes; it only bounds a failing test.
WAIT_S = 20.0

CHANGED = """
subscription ($id: ID!) {
  researcherChanged(id: $id) { seq kind at researcher { id name stats { followers } } }
}"""
ACTIVITY = """
subscription { followedActivity { seq kind researcher { id } work { title year } talk { id } } }
"""
FOLLOW = "mutation ($id: ID!) { follow(researcherId: $id) { following changed } }"


def ws_url(base: str) -> str:
    return base.replace("http://", "ws://") + "/graphql"


@pytest.fixture
async def served(seeded: Store) -> AsyncIterator[str]:
    async with serving(create_app(store=seeded), ws="websockets-sansio") as url:
        yield url


@pytest.fixture
async def bare(store: Store) -> AsyncIterator[str]:
    """The app over an empty graph: refusals need no data (and no time to seed it)."""
    async with serving(create_app(store=store), ws="websockets-sansio") as url:
        yield url


class Client:
    """A graphql-transport-ws client over the `websockets` package."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws

    async def send(self, message: dict[str, Any]) -> None:
        await self.ws.send(json.dumps(message))

    async def receive(self) -> dict[str, Any]:
        message: dict[str, Any] = json.loads(await asyncio.wait_for(self.ws.recv(), WAIT_S))
        return message

    async def init(self, token: str | None = None) -> None:
        payload = {"Authorization": f"Bearer {token}"} if token else {}
        await self.send({"type": "connection_init", "payload": payload})
        assert await self.receive() == {"type": "connection_ack"}

    async def subscribe(self, op: str, query: str, variables: dict[str, Any] | None = None) -> None:
        payload = {"query": query, "variables": variables or {}}
        await self.send({"id": op, "type": "subscribe", "payload": payload})
        # The server reads the next message once the subscription listens: the pong says so.
        await self.send({"type": "ping"})
        reply = await self.receive()
        assert reply == {"type": "pong"}, reply

    async def closed(self) -> tuple[int, str]:
        try:
            unexpected = await asyncio.wait_for(self.ws.recv(), WAIT_S)
        except ConnectionClosed as closed:
            frame = closed.rcvd
        else:
            raise AssertionError(f"expected the server to close; it sent {unexpected!r}")
        if frame is None:
            raise AssertionError("the connection ended without a close frame")
        return frame.code, frame.reason


async def client(base: str, subprotocol: str = PROTOCOL) -> Client:
    ws = await connect(ws_url(base), subprotocols=[subprotocol])  # type: ignore[list-item]
    return Client(ws)


async def follow(base: str, token: str, researcher: str) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=base, timeout=WAIT_S) as http:
        response = await http.post(
            "/graphql",
            json={"query": FOLLOW, "variables": {"id": researcher}},
            headers={"authorization": f"Bearer {token}"},
        )
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body
    return body["data"]["follow"]


async def test_researcher_changed_hears_a_follow_made_over_http(served: str, seeded: Store) -> None:
    alice = await auth.issue_token(seeded, "alice")
    live = await client(served)
    await live.init()
    await live.subscribe("will", CHANGED, {"id": WILL})
    assert await follow(served, alice.token, WILL) == {"following": True, "changed": True}
    message = await live.receive()
    assert message["type"] == "next" and message["id"] == "will", message
    change = message["payload"]["data"]["researcherChanged"]
    assert change["kind"] == "FOLLOWER_ADDED"
    assert change["researcher"] == {
        "id": WILL, "name": "Will Grathwohl", "stats": {"followers": 1}
    }  # fmt: skip
    assert change["seq"] == await events.head(seeded)
    # A second follow changes nothing, so nothing is sent; the client completes, the server
    # stops listening, and the connection stays usable.
    assert (await follow(served, alice.token, WILL))["changed"] is False
    await live.send({"id": "will", "type": "complete"})
    await live.send({"type": "ping"})
    assert await live.receive() == {"type": "pong"}
    await live.ws.close()


def paper_line(title: str, author: str, email: str) -> str:
    return json.dumps({
        "v": 1, "type": "paper", "externalId": f"test:{title.lower().replace(' ', '-')}",
        "title": title, "year": 2026, "venue": "ICLR",
        "authors": [{"name": author, "externalIds": [f"email:{email}"]}],
    })  # fmt: skip


async def researcher_named(base: str, name: str) -> str:
    async with httpx.AsyncClient(base_url=base, timeout=WAIT_S) as http:
        response = await http.post(
            "/graphql",
            json={"query": "query ($n: String!) { researcher(name: $n) { id } }",
                  "variables": {"n": name}},
        )  # fmt: skip
    found: str = response.json()["data"]["researcher"]["id"]
    return found


async def test_followed_activity_delivers_an_imported_work(
    served: str, seeded: Store, tmp_path: Path
) -> None:
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    first.write_text(paper_line("Analytical Engines", "Ada Lovelace", "ada@example.org") + "\n")
    second.write_text(paper_line("Energy Flows Live", "Ada Lovelace", "ada@example.org") + "\n")
    # A researcher's first import records nothing: nobody could follow them before.
    await import_jsonl(seeded, [first])
    head = await events.head(seeded)
    ada = await researcher_named(served, "Ada Lovelace")
    alice = await auth.issue_token(seeded, "alice")
    await follow(served, alice.token, ada)
    live = await client(served)
    await live.init(alice.token)
    await live.subscribe("mine", ACTIVITY)
    # Will's changes are not Alice's activity: she does not follow Will.
    await follow(served, alice.token, WILL)
    await import_jsonl(seeded, [second])
    message = await live.receive()
    assert message["type"] == "next" and message["id"] == "mine", message
    activity = message["payload"]["data"]["followedActivity"]
    assert activity["kind"] == "WORK_ADDED"
    assert activity["researcher"] == {"id": ada}
    assert activity["work"] == {"title": "Energy Flows Live", "year": 2026}
    assert activity["talk"] is None
    assert activity["seq"] > head
    # Importing the same file again adds nothing, so the feed records nothing.
    await import_jsonl(seeded, [second])
    assert await events.head(seeded) == activity["seq"]
    await live.ws.close()


async def second_connection(store: Store, request: pytest.FixtureRequest) -> Store:
    """Another connection to the same graph, as a second API process would open."""
    if isinstance(store, FalkorStore):
        server = request.getfixturevalue("falkordb_server")
        return FalkorStore.over_socket(str(server.socket), store._graph._name)
    return await open_neo4j(request.getfixturevalue("neo4j_uri"))


async def test_a_change_through_one_process_reaches_a_subscriber_on_another(
    served: str, seeded: Store, request: pytest.FixtureRequest
) -> None:
    alice = await auth.issue_token(seeded, "alice")
    other = await second_connection(seeded, request)
    try:
        async with serving(create_app(store=other), ws="websockets-sansio") as process_b:
            live = await client(process_b)
            await live.init()
            await live.subscribe("b", CHANGED, {"id": WILL})
            await follow(served, alice.token, WILL)  # through process A
            message = await live.receive()
            change = message["payload"]["data"]["researcherChanged"]
            assert change["kind"] == "FOLLOWER_ADDED"
            assert change["researcher"]["stats"] == {"followers": 1}
            await live.ws.close()
    finally:
        await other.close()


def _output(log: Path) -> str:
    return log.read_text()


@contextlib.asynccontextmanager
async def serve_process(env: dict[str, str], log: Path) -> AsyncIterator[str]:
    """`scholargraph serve` as an OS process of its own with `env`; yields its base URL once
    /readyz answers, and stops it (SIGTERM) afterwards. Its output goes to `log`."""
    port = free_port()
    with log.open("w") as out:
        process = await asyncio.create_subprocess_exec(
            *[sys.executable, "-m", "scholargraph.cli", "serve", "--port", str(port)],
            env=env, stdout=out, stderr=asyncio.subprocess.STDOUT,
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=base, timeout=5) as http:
            for _ in range(600):  # a hang guard for a loaded machine, not a speed requirement
                assert process.returncode is None, _output(log)
                with contextlib.suppress(httpx.TransportError):
                    if (await http.get("/readyz")).status_code == 200:
                        break
                await asyncio.sleep(0.2)
            else:
                raise AssertionError(f"serve did not become ready:\n{_output(log)}")
        yield base
    finally:
        if process.returncode is None:
            process.terminate()
            try:
                await asyncio.wait_for(process.wait(), 30)
            except TimeoutError:
                process.kill()
                await process.wait()


async def test_two_serve_processes_share_changes_through_the_store(
    seeded: Store, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    alice = await auth.issue_token(seeded, "alice")
    processes = [
        serve_process(
            store_env(seeded, request, tmp_path / name, SCHOLARGRAPH_SEED_ON_START="false"),
            tmp_path / f"{name}.log",
        )
        for name in ("a", "b")
    ]
    async with processes[0] as process_a, processes[1] as process_b:
        live = await client(process_b)
        await live.init(alice.token)
        await live.subscribe("will", CHANGED, {"id": WILL})
        await live.subscribe("mine", ACTIVITY)
        assert await follow(process_a, alice.token, WILL) == {"following": True, "changed": True}
        message = await live.receive()
        assert message["type"] == "next" and message["id"] == "will", message
        change = message["payload"]["data"]["researcherChanged"]
        assert change["kind"] == "FOLLOWER_ADDED"
        assert change["researcher"]["stats"] == {"followers": 1}
        assert change["seq"] == await events.head(seeded)
        # A work added to Will from this test's process: Alice follows him now, so process B
        # delivers it on both subscriptions (in seq order, one event each).
        paper = NodeRow("paper:live-cross-process", Label.PAPER, "test:feed", {"title": "Live"})
        edge = EdgeRow(Rel.AUTHORED, WILL, paper.id, "test:feed")
        await writes.upsert(seeded, [paper], [edge])
        got = {}
        for _ in range(2):
            message = await live.receive()
            assert message["type"] == "next", message
            got[message["id"]] = next(iter(message["payload"]["data"].values()))
        assert got["will"]["kind"] == got["mine"]["kind"] == "WORK_ADDED"
        assert got["mine"]["work"] == {"title": "Live", "year": None}
        assert got["will"]["seq"] == got["mine"]["seq"] == change["seq"] + 1
        await live.ws.close()


CORRECTED = """
subscription ($id: ID!) {
  researcherChanged(id: $id) { seq kind researcher { id mergedFrom } work { title } }
}"""


async def test_identity_corrections_are_heard_by_the_records_they_change(
    served: str, seeded: Store
) -> None:
    alice = await auth.issue_token(seeded, "alice")
    claim = (
        "mutation ($id: ID!, $e: ClaimEvidenceInput!) "
        "{ claimProfile(researcherId: $id, evidence: $e) { status } }"
    )
    shared = "orcid:0000-0002-1825-0097"
    await seeded.write(
        f"MATCH (r:{Label.RESEARCHER} {{id: $id}}) SET r.externalIds = $ids",
        {"id": WILL, "ids": [shared]},
    )
    await _duplicate(seeded, [shared])
    async with httpx.AsyncClient(base_url=served, timeout=WAIT_S) as http:

        async def call(query: str, variables: dict[str, Any]) -> dict[str, Any]:
            headers = {"authorization": f"Bearer {alice.token}"}
            response = await http.post(
                "/graphql", json={"query": query, "variables": variables}, headers=headers
            )
            body: dict[str, Any] = response.json()
            assert "errors" not in body, body
            return body["data"]

        assert (await call(claim, {"id": WILL, "e": EVIDENCE}))["claimProfile"] == {
            "status": "APPROVED"
        }
        will, dup = await client(served), await client(served)
        for live, rid in ((will, WILL), (dup, DUP)):
            await live.init()
            await live.subscribe("c", CORRECTED, {"id": rid})
        # "Not me" on one of Will's seed works: it leaves Will for a new record.
        works = await seeded.read(
            f"MATCH (:{Label.RESEARCHER} {{id: $id}})-[:{Rel.AUTHORED}]->(p:{Label.PAPER}) "
            "RETURN p.id AS id, p.title AS title ORDER BY id LIMIT 1",
            {"id": WILL},
        )
        moved = await call(NOT_ME, {"r": WILL, "p": works[0]["id"]})
        message = await will.receive()
        change = message["payload"]["data"]["researcherChanged"]
        assert change["kind"] == "WORK_MOVED_OUT"
        assert change["work"] == {"title": works[0]["title"]}
        assert change["researcher"]["id"] == WILL
        assert moved["markNotMe"]["movedTo"]["id"] != WILL
        # A shared id approves Will's merge request at once: both records hear the merge, and
        # the merged-away record's subscription now reads as the survivor.
        request = (await call(REQUEST, {"r": WILL, "o": DUP}))["requestMerge"]
        assert request["status"] == "APPROVED"
        heard = [
            (await live.receive())["payload"]["data"]["researcherChanged"] for live in (will, dup)
        ]
        assert [h["kind"] for h in heard] == ["MERGED", "MERGED"]
        assert abs(heard[0]["seq"] - heard[1]["seq"]) == 1  # one write's two events
        for h in heard:
            assert h["researcher"] == {"id": WILL, "mergedFrom": [DUP]}
            assert h["work"] is None
        await will.ws.close()
        await dup.ws.close()


async def first_error(live: Client, op: str, query: str, variables: dict[str, Any]) -> Any:
    await live.send(
        {"id": op, "type": "subscribe", "payload": {"query": query, "variables": variables}}
    )
    message = await live.receive()
    assert message["type"] == "error" and message["id"] == op, message
    return message["payload"][0]


async def test_refused_subscriptions_say_why_with_a_code(bare: str) -> None:
    served = bare
    live = await client(served)
    await live.init()  # anonymous
    error = await first_error(live, "a", ACTIVITY, {})
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert "connection_init" in error["message"]
    unknown = await first_error(live, "b", CHANGED, {"id": "researcher:nobody-at-all"})
    assert unknown["extensions"]["code"] == "NOT_FOUND"
    malformed = await first_error(live, "c", CHANGED, {"id": "not an id"})
    assert malformed["extensions"]["code"] == "BAD_USER_INPUT"
    venue = await first_error(live, "d", CHANGED, {"id": "venue:arxiv"})
    assert venue["extensions"]["code"] == "BAD_USER_INPUT"
    costly = (
        "subscription ($id: ID!) { researcherChanged(id: $id) { researcher { "
        "works(first: 1000) { edges { node { authors { researcher { "
        "works(first: 1000) { totalCount } } } } } } } } }"
    )
    assert (await first_error(live, "e", costly, {"id": WILL}))["extensions"]["code"] == (
        "QUERY_TOO_COSTLY"
    )
    query = await first_error(live, "f", "{ researcher(id: $id) { id } }", {})
    assert query["extensions"]["code"]
    await live.ws.close()
    # A token that does not authenticate is refused the same way, with the reason.
    forged = await client(served)
    await forged.init("sgt_0123456789abcdef_" + "x" * 43)
    error = await first_error(forged, "a", ACTIVITY, {})
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert "not valid" in error["message"]
    await forged.ws.close()


async def test_protocol_mistakes_close_the_socket_with_their_codes(bare: str, store: Store) -> None:
    served = bare
    alice = await auth.issue_token(store, "alice")
    subscribe = {"id": "1", "type": "subscribe", "payload": {"query": "subscription { x }"}}
    early = await client(served)
    await early.send(subscribe)
    assert await early.closed() == (4401, "Unauthorized")

    garbled = await client(served)
    await garbled.init()
    await garbled.ws.send("{not json")
    assert (await garbled.closed())[0] == 4400

    untyped = await client(served)
    await untyped.init()
    await untyped.send({"id": "1", "payload": {}})
    assert (await untyped.closed())[0] == 4400

    twice = await client(served)
    await twice.init()
    await twice.send({"type": "connection_init"})
    assert await twice.closed() == (4429, "Too many initialisation requests")

    duplicate = await client(served)
    await duplicate.init(alice.token)
    await duplicate.subscribe("same", ACTIVITY)
    await duplicate.send({"id": "same", "type": "subscribe", "payload": {"query": ACTIVITY}})
    assert await duplicate.closed() == (4409, "Subscriber for same already exists")

    wrong = await client(served, subprotocol="graphql-ws")
    assert (await wrong.closed())[0] == 4406


# ------------------------------------------------------------------- the change feed itself


def _row(node_id: str, label: Label, **props: Any) -> NodeRow:
    return NodeRow(node_id, label, "test:feed", props)


async def test_the_feed_records_additions_follows_and_trust_changes_in_order(
    store: Store,
) -> None:
    ada = "researcher:ada"
    first = [_row(ada, Label.RESEARCHER, name="Ada"), _row("paper:p1", Label.PAPER, title="A")]
    await writes.upsert(store, first, [EdgeRow(Rel.AUTHORED, ada, "paper:p1", "test:feed")])
    assert await events.head(store) == 0  # a new researcher: nobody can follow her yet
    later = [
        _row("paper:p2", Label.PAPER, title="B"),
        _row("talk:t1", Label.TALK, title="T"),
        _row("award:a1", Label.AWARD, name="W"),
    ]
    edges = [
        EdgeRow(Rel.AUTHORED, ada, "paper:p1", "test:feed"),  # known: no event
        EdgeRow(Rel.AUTHORED, ada, "paper:p2", "test:feed"),
        EdgeRow(Rel.GAVE, ada, "talk:t1", "test:feed"),
        EdgeRow(Rel.RECEIVED, ada, "award:a1", "test:feed"),
    ]
    await writes.upsert(store, later, edges)
    await writes.upsert(store, later, edges)  # again: nothing new
    alice = await auth.issue_token(store, "alice")
    for follow in (True, True, False):  # the second follow changes nothing
        audit = community.audit_entry("alice", "follow", ada, None, None)
        await community.set_following(store, alice.account.id, ada, follow, audit)
    claim = {
        "id": community.new_id(Label.CLAIM), "status": "approved", "matchedCount": 2,
        "createdAt": community.now(),
    }  # fmt: skip
    audit = community.audit_entry("alice", "claim", ada, None, None)
    assert (await community.create_claim(store, alice.account.id, ada, claim, audit)) is not None
    audit = community.audit_entry("alice", "release", ada, None, None)
    assert await community.release(store, alice.account.id, ada, audit)
    found = await events.events_after(store, 0)
    assert [e.seq for e in found] == [1, 2, 3, 4, 5, 6, 7]
    # One batch's events are consecutive, in no particular order among themselves.
    assert {(e.kind, e.researcher_id, e.subject_id) for e in found[:3]} == {
        (events.Kind.WORK_ADDED, ada, "paper:p2"),
        (events.Kind.TALK_ADDED, ada, "talk:t1"),
        (events.Kind.AWARD_ADDED, ada, "award:a1"),
    }
    assert [(e.kind, e.researcher_id) for e in found[3:]] == [
        (events.Kind.FOLLOWER_ADDED, ada),
        (events.Kind.FOLLOWER_REMOVED, ada),
        (events.Kind.TRUST_CHANGED, ada),  # the claim, approved at once
        (events.Kind.TRUST_CHANGED, ada),  # released
    ]
    assert await events.head(store) == 7
    assert [e.seq for e in await events.events_after(store, 5)] == [6, 7]
    await events.prune(store, retain=2)
    assert [e.seq for e in await events.events_after(store, 0)] == [6, 7]
