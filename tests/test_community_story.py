"""The whole community story over HTTP, on every backend: accounts, follow, claim with evidence,
the trust snapshot moving, an invitation accepted, and the audit trail that recorded it all."""

from __future__ import annotations

import json
from typing import Any

import httpx

from scholargraph import auth
from scholargraph.graphdb.store import Store

WILL = "researcher:will-grathwohl"
DAVID = "researcher:david-duvenaud"

PROFILE = """
query ($id: ID!) {
  researcher(id: $id) {
    followersCount
    stats { followers }
    trust { score label verificationLevel verified claimed }
  }
}
"""


async def call(
    http: httpx.AsyncClient, query: str, variables: dict[str, Any] | None = None, token: str = ""
) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = await http.post(
        "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def ok(
    http: httpx.AsyncClient, query: str, variables: dict[str, Any] | None = None, token: str = ""
) -> dict[str, Any]:
    body = await call(http, query, variables, token)
    assert "errors" not in body, body["errors"]
    data: dict[str, Any] = body["data"]
    return data


async def profile(http: httpx.AsyncClient, researcher: str) -> dict[str, Any]:
    data = await ok(http, PROFILE, {"id": researcher})
    found: dict[str, Any] = data["researcher"]
    return found


async def test_the_whole_story(client: httpx.AsyncClient, seeded: Store) -> None:
    # Accounts and tokens, through the function `scholargraph token create` calls.
    alice = (await auth.issue_token(seeded, "alice")).token
    bob = (await auth.issue_token(seeded, "bob")).token
    root = (await auth.issue_token(seeded, "root", admin=True)).token

    # The seeded profile reproduces the page: 0 followers, trust 15, Unverified, L1, unclaimed.
    page = await profile(client, WILL)
    assert page == {
        "followersCount": 0,
        "stats": {"followers": 0},
        "trust": {
            "score": 15,
            "label": "Unverified",
            "verificationLevel": "L1",
            "verified": False,
            "claimed": False,
        },
    }

    # Bob follows Will; the count moves and Bob's account lists him.
    followed = await ok(
        client,
        "mutation ($id: ID!) { follow(researcherId: $id) { following changed "
        "researcher { followersCount } } }",
        {"id": WILL},
        bob,
    )
    assert followed["follow"] == {
        "following": True,
        "changed": True,
        "researcher": {"followersCount": 1},
    }
    me = await ok(client, "{ me { name isAdmin following { id } } }", token=bob)
    assert me["me"] == {"name": "bob", "isAdmin": False, "following": [{"id": WILL}]}
    assert (await profile(client, WILL))["stats"] == {"followers": 1}

    # Alice claims Will's record with an address on the domain of the email it lists.
    claim = await ok(
        client,
        "mutation ($id: ID!, $e: ClaimEvidenceInput!) { claimProfile(researcherId: $id, "
        "evidence: $e) { id status claimant decidedBy evidence { kind value matched } "
        "researcher { id } } }",
        {"id": WILL, "e": {"email": "Will.G@cs.toronto.edu"}},
        alice,
    )
    assert claim["claimProfile"]["status"] == "APPROVED"
    assert claim["claimProfile"]["claimant"] == "alice"
    assert claim["claimProfile"]["decidedBy"] == "automatic evidence check"
    assert claim["claimProfile"]["evidence"] == [
        {"kind": "EMAIL", "value": "will.g@cs.toronto.edu", "matched": True}
    ]
    # The snapshot moves: claimed, matching public evidence, two public sources -> L2, 65.
    assert (await profile(client, WILL))["trust"] == {
        "score": 65,
        "label": "Verified",
        "verificationLevel": "L2",
        "verified": True,
        "claimed": True,
    }

    # Bob claims David Duvenaud's record; nothing on it to match, so an admin decides.
    pending = await ok(
        client,
        "mutation ($id: ID!) { claimProfile(researcherId: $id, "
        'evidence: {github: "https://github.com/duvenaud"}) { id status } }',
        {"id": DAVID},
        bob,
    )
    claim_id = pending["claimProfile"]["id"]
    assert pending["claimProfile"]["status"] == "PENDING"
    assert (await profile(client, DAVID))["trust"]["claimed"] is False
    queue = await ok(client, "{ claims { totalCount edges { node { id claimant } } } }", token=root)
    assert queue["claims"]["totalCount"] == 1
    assert queue["claims"]["edges"] == [{"node": {"id": claim_id, "claimant": "bob"}}]
    approved = await ok(
        client,
        'mutation ($id: ID!) { approveClaim(id: $id, reason: "checked by mail") '
        "{ status confirmedBy note } }",
        {"id": claim_id},
        root,
    )
    assert approved["approveClaim"] == {
        "status": "APPROVED",
        "confirmedBy": "root",
        "note": "checked by mail",
    }
    # Admin-confirmed: L3; one public source, so no source bonus.
    assert (await profile(client, DAVID))["trust"] == {
        "score": 85,
        "label": "Verified",
        "verificationLevel": "L3",
        "verified": True,
        "claimed": True,
    }

    # Bob (owner of David's profile) invites Will's owner; Alice sees it and accepts.
    sent = await ok(
        client,
        "mutation ($id: ID!, $m: String!) { inviteToCollaborate(researcherId: $id, message: $m) "
        "{ id status message fromAccount fromProfile { id } to { id } } }",
        {"id": WILL, "m": "  Energy-based models and ODEs: a joint paper?  "},
        bob,
    )
    invitation = sent["inviteToCollaborate"]
    assert invitation["status"] == "PENDING"
    assert invitation["message"] == "Energy-based models and ODEs: a joint paper?"
    assert invitation["fromAccount"] == "bob"
    assert invitation["fromProfile"] == {"id": DAVID}
    assert invitation["to"] == {"id": WILL}
    inbox = await ok(
        client, "{ me { ownedProfiles { id } invitations { id status fromAccount } } }", token=alice
    )
    assert inbox["me"]["ownedProfiles"] == [{"id": WILL}]
    assert inbox["me"]["invitations"] == [
        {"id": invitation["id"], "status": "PENDING", "fromAccount": "bob"}
    ]
    accepted = await ok(
        client,
        "mutation ($id: ID!) { respondToInvitation(id: $id, accept: true) { status } }",
        {"id": invitation["id"]},
        alice,
    )
    assert accepted["respondToInvitation"] == {"status": "ACCEPTED"}
    outbox = await ok(
        client, "{ me { invitations(direction: SENT) { id status } claims { status } } }", token=bob
    )
    assert outbox["me"]["invitations"] == [{"id": invitation["id"], "status": "ACCEPTED"}]
    assert outbox["me"]["claims"] == [{"status": "APPROVED"}]

    # The audit trail, newest first, as an admin reads it.
    log = await ok(
        client,
        "{ auditLog(first: 20) { totalCount edges { node { actor action target before after } } } }",
        token=root,
    )
    trail = [e["node"] for e in log["auditLog"]["edges"]]
    assert log["auditLog"]["totalCount"] == len(trail) == 9
    assert [(r["actor"], r["action"], r["target"]) for r in trail] == [
        ("alice", "respondToInvitation", invitation["id"]),
        ("bob", "inviteToCollaborate", WILL),
        ("root", "approveClaim", claim_id),
        ("bob", "claimProfile", DAVID),
        ("alice", "claimProfile", WILL),
        ("bob", "follow", WILL),
        ("cli", "token.create", "account:root"),
        ("cli", "token.create", "account:bob"),
        ("cli", "token.create", "account:alice"),
    ]
    states = [(json.loads(r["before"]), json.loads(r["after"])) for r in trail]
    assert states[0] == ({"status": "pending"}, {"status": "accepted"})
    assert states[2][0] == {"status": "pending", "confirmedBy": None, "owner": None}
    assert states[2][1] == {"status": "approved", "confirmedBy": "root", "owner": "bob"}
    assert states[4][0] == {"owner": None}
    assert states[4][1]["owner"] == "alice"
    assert states[4][1]["status"] == "approved"
    assert states[5] == ({"following": False}, {"following": True})
    # No token secret or hash reaches the audit trail.
    assert all("sgt_" not in r["before"] + r["after"] for r in trail)
