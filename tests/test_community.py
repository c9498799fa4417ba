"""Community mutations on every backend: each refusal's code and that it changed nothing,
idempotent follows that stay exact under concurrency, the claim lifecycle and the trust it
moves, invitations, owner corrections, and the rate limit."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from scholargraph import auth
from scholargraph.app import create_app
from scholargraph.graphdb.model import Label, Rel
from scholargraph.graphdb.stats import graph_counts
from scholargraph.graphdb.store import Store
from scholargraph.settings import Settings
from test_community_story import call, ok, profile

WILL = "researcher:will-grathwohl"
DAVID = "researcher:david-duvenaud"
KEVIN = "researcher:kevin-swersky"
RICKY = "researcher:ricky-t-q-chen"

FOLLOW = "mutation ($id: ID!) { follow(researcherId: $id) { following changed } }"
UNFOLLOW = "mutation ($id: ID!) { unfollow(researcherId: $id) { following changed } }"
CLAIM = (
    "mutation ($id: ID!, $e: ClaimEvidenceInput!) "
    "{ claimProfile(researcherId: $id, evidence: $e) { id status } }"
)
INVITE = (
    "mutation ($id: ID!, $m: String!) "
    "{ inviteToCollaborate(researcherId: $id, message: $m) { id status } }"
)
RESPOND = (
    "mutation ($id: ID!, $a: Boolean!) { respondToInvitation(id: $id, accept: $a) { status } }"
)
RELEASE = "mutation ($id: ID!) { releaseProfile(researcherId: $id) { id } }"


class FrozenClock:
    def __call__(self) -> float:
        return 0.0


def _client(
    store: Store, limiter: auth.RateLimiter, settings: Settings | None = None
) -> httpx.AsyncClient:
    app = create_app(settings, store=store)
    app.state.rate_limiter = limiter
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


@pytest.fixture
async def roomy(seeded: Store) -> AsyncIterator[httpx.AsyncClient]:
    """A client whose rate limits never bite (a frozen clock and deep buckets)."""
    deep = {kind: auth.Limit(100_000, 1) for kind in auth.DEFAULT_LIMITS}
    # Its tests send dozens of writes at once, to check exact counts, not speed: on Neo4j
    # they queue on the same locks (the write generation, the change feed), which on a
    # loaded 2-core machine can outlast the default 10 s deadline of the last in line.
    roomy_deadline = Settings(query_timeout_ms=120_000)
    async with _client(seeded, auth.RateLimiter(deep, FrozenClock()), roomy_deadline) as http:
        yield http


async def token(store: Store, name: str, *, admin: bool = False) -> str:
    return (await auth.issue_token(store, name, admin=admin)).token


async def state(store: Store) -> tuple[dict[str, int], dict[str, int], list[Any]]:
    """Everything a refused mutation must leave as it was."""
    counts = await graph_counts(store)
    props = await store.read(
        f"MATCH (n:{Label.RESEARCHER}) WHERE n.verifiedEvidence IS NOT NULL "
        "OR n.adminConfirmed IS NOT NULL RETURN n.id AS id, properties(n) AS p ORDER BY id"
    )
    return counts.labels, counts.relationships, props


def code(body: dict[str, Any]) -> str:
    assert body.get("data") is None or all(v is None for v in body["data"].values()), body
    [error] = body["errors"]
    value: str = error["extensions"]["code"]
    return value


async def refused(
    http: httpx.AsyncClient,
    store: Store,
    query: str,
    variables: dict[str, Any],
    token_: str,
    expected: str,
) -> str:
    """Assert the call fails with `expected` and changes nothing; return the message."""
    before = await state(store)
    body = await call(http, query, variables, token_)
    assert code(body) == expected, body
    assert await state(store) == before
    message: str = body["errors"][0]["message"]
    return message


async def claimed(http: httpx.AsyncClient, store: Store, name: str, researcher: str) -> str:
    """A token for `name`, who owns `researcher` through an admin-approved claim."""
    mine = await token(store, name)
    root = await token(store, "root", admin=True)
    data = await ok(http, CLAIM, {"id": researcher, "e": {"github": f"@{name}"}}, mine)
    await ok(
        http,
        "mutation ($id: ID!) { approveClaim(id: $id) { status } }",
        {"id": data["claimProfile"]["id"]},
        root,
    )
    return mine


async def works(http: httpx.AsyncClient, researcher: str) -> int:
    data = await ok(http, "query ($id: ID!) { researcher(id: $id) { stats { works } } }",
                    {"id": researcher})  # fmt: skip
    count: int = data["researcher"]["stats"]["works"]
    return count


# ------------------------------------------------------------------------- authentication


async def test_mutations_need_a_valid_token(client: httpx.AsyncClient, seeded: Store) -> None:
    alice = await token(seeded, "alice")
    token_id, secret = auth.parse_token(alice)
    forged = f"sgt_{token_id}_{'A' * 43 if secret != 'A' * 43 else 'B' * 43}"
    for bad in ("", forged, "sgt_0000000000000000_" + secret, "garbage"):
        message = await refused(client, seeded, FOLLOW, {"id": WILL}, bad, "UNAUTHENTICATED")
        assert secret not in message
    # Queries stay public, with or without a (bad) token.
    name = "query ($id: ID!) { researcher(id: $id) { name } }"
    for anyone in ("", forged):
        data = await ok(client, name, {"id": WILL}, anyone)
        assert data == {"researcher": {"name": "Will Grathwohl"}}
    assert (await ok(client, "{ me { name } }")) == {"me": None}
    assert code(await call(client, "{ me { name } }", token=forged)) == "UNAUTHENTICATED"
    assert (await ok(client, FOLLOW, {"id": WILL}, alice))["follow"]["changed"] is True


async def test_a_revoked_token_is_refused(client: httpx.AsyncClient, seeded: Store) -> None:
    from scholargraph.graphdb import accounts

    issued = await auth.issue_token(seeded, "alice")
    await ok(client, FOLLOW, {"id": WILL}, issued.token)
    assert await accounts.revoke_token(seeded, issued.token_id) == "alice"
    await refused(client, seeded, UNFOLLOW, {"id": WILL}, issued.token, "UNAUTHENTICATED")
    assert (await profile(client, WILL))["followersCount"] == 1


async def test_admin_only_operations_refuse_other_accounts(
    client: httpx.AsyncClient, seeded: Store
) -> None:
    alice = await token(seeded, "alice")
    bob = await token(seeded, "bob")
    pending = await ok(client, CLAIM, {"id": DAVID, "e": {"orcid": "0000-0002-1825-0097"}}, bob)
    claim_id = pending["claimProfile"]["id"]
    for name in ("approveClaim", "rejectClaim"):
        query = f"mutation ($id: ID!) {{ {name}(id: $id) {{ status }} }}"
        await refused(client, seeded, query, {"id": claim_id}, alice, "FORBIDDEN")
        await refused(client, seeded, query, {"id": claim_id}, bob, "FORBIDDEN")  # own claim too
    assert code(await call(client, "{ auditLog { totalCount } }", token=alice)) == "FORBIDDEN"
    assert code(await call(client, "{ claims { totalCount } }", token=bob)) == "FORBIDDEN"
    assert code(await call(client, "{ auditLog { totalCount } }")) == "UNAUTHENTICATED"


# -------------------------------------------------------------------------------- follows


async def test_follow_and_unfollow_are_idempotent(roomy: httpx.AsyncClient, seeded: Store) -> None:
    alice = await token(seeded, "alice")
    results = [(await ok(roomy, FOLLOW, {"id": WILL}, alice))["follow"] for _ in range(3)]
    assert [r["changed"] for r in results] == [True, False, False]
    counts = await graph_counts(seeded)
    assert counts.relationships[Rel.FOLLOWS] == 1
    assert (await profile(roomy, WILL))["followersCount"] == 1
    results = [(await ok(roomy, UNFOLLOW, {"id": WILL}, alice))["unfollow"] for _ in range(2)]
    assert results == [
        {"following": False, "changed": True},
        {"following": False, "changed": False},
    ]
    assert Rel.FOLLOWS not in (await graph_counts(seeded)).relationships
    assert (await profile(roomy, WILL))["stats"]["followers"] == 0


async def test_follow_refuses_what_is_not_a_researcher(
    client: httpx.AsyncClient, seeded: Store
) -> None:
    alice = await token(seeded, "alice")
    [row] = await seeded.read(f"MATCH (p:{Label.PAPER}) RETURN p.id AS id ORDER BY id LIMIT 1")
    message = await refused(client, seeded, FOLLOW, {"id": row["id"]}, alice, "BAD_USER_INPUT")
    assert "Researcher" in message
    for bad in ("researcher", "not an id", "researcher:" + "x" * 300):
        await refused(client, seeded, FOLLOW, {"id": bad}, alice, "BAD_USER_INPUT")
    await refused(client, seeded, FOLLOW, {"id": "researcher:nobody"}, alice, "NOT_FOUND")


async def test_concurrent_follows_keep_every_count_exact(
    roomy: httpx.AsyncClient, seeded: Store
) -> None:
    names = [f"user{i}" for i in range(6)]
    tokens = [await token(seeded, name) for name in names]
    targets = [WILL, DAVID, KEVIN, RICKY]
    # Every account follows every target three times over, all at once, interleaved.
    calls = [
        call(roomy, FOLLOW, {"id": target}, t)
        for _ in range(3)
        for target in targets
        for t in tokens
    ]
    bodies = await asyncio.gather(*calls)
    assert all("errors" not in body for body in bodies)
    changed = sum(body["data"]["follow"]["changed"] for body in bodies)
    assert changed == len(names) * len(targets)

    counts = await graph_counts(seeded)
    assert counts.relationships[Rel.FOLLOWS] == len(names) * len(targets)
    assert counts.labels[Label.AUDIT] == len(calls) + len(names)  # + one per token created
    for target in targets:
        page = await profile(roomy, target)
        assert page["followersCount"] == page["stats"]["followers"] == len(names)
    for t in tokens:
        me = await ok(roomy, "{ me { following { id } } }", token=t)
        assert sorted(r["id"] for r in me["me"]["following"]) == sorted(targets)

    # And back down, concurrently, to exactly zero.
    bodies = await asyncio.gather(
        *(call(roomy, UNFOLLOW, {"id": target}, t) for target in targets for t in tokens * 2)
    )
    assert sum(body["data"]["unfollow"]["changed"] for body in bodies) == len(names) * len(targets)
    assert Rel.FOLLOWS not in (await graph_counts(seeded)).relationships


async def test_a_burst_of_follows_is_rate_limited(seeded: Store) -> None:
    limiter = auth.RateLimiter(clock=FrozenClock())  # the default limits, with time stopped
    alice = await token(seeded, "alice")
    bob = await token(seeded, "bob")
    async with _client(seeded, limiter) as http:
        bodies = [await call(http, FOLLOW, {"id": WILL}, alice) for _ in range(1_000)]
        allowed = [b for b in bodies if "errors" not in b]
        limited = [b for b in bodies if "errors" in b]
        assert len(allowed) == auth.MUTATIONS.capacity
        assert {code(b) for b in limited} == {"RATE_LIMITED"}
        assert limited[0]["errors"][0]["extensions"]["retryAfterSeconds"] > 0
        # A limited call changes nothing: one follow, one audit record per allowed call.
        counts = await graph_counts(seeded)
        assert counts.relationships[Rel.FOLLOWS] == 1
        assert counts.labels[Label.AUDIT] == auth.MUTATIONS.capacity + 2
        await refused(http, seeded, UNFOLLOW, {"id": WILL}, alice, "RATE_LIMITED")
        # Other accounts have their own buckets.
        assert (await ok(http, FOLLOW, {"id": WILL}, bob))["follow"]["changed"] is True


# --------------------------------------------------------------------------------- claims


async def test_claiming_moves_trust_and_a_profile_has_one_owner(
    roomy: httpx.AsyncClient, seeded: Store
) -> None:
    alice = await token(seeded, "alice")
    bob = await token(seeded, "bob")
    root = await token(seeded, "root", admin=True)
    assert (await profile(roomy, WILL))["trust"]["score"] == 15

    # Evidence that does not match stays pending, and trust does not move.
    for evidence in ({"email": "will@toronto.edu"}, {"github": "https://github.com/someone"}):
        data = await ok(roomy, CLAIM, {"id": WILL, "e": evidence}, bob)
        assert data["claimProfile"]["status"] == "PENDING"
        await ok(roomy, "mutation ($id: ID!) { rejectClaim(id: $id) { status } }",
                 {"id": data["claimProfile"]["id"]}, root)  # fmt: skip
    assert (await profile(roomy, WILL))["trust"]["verificationLevel"] == "L1"

    # Two independent kinds of matching evidence: L3 without an admin.
    data = await ok(
        roomy,
        CLAIM,
        {"id": WILL, "e": {"email": "w@ml.cs.toronto.edu", "github": "WGrathwohl"}},
        alice,
    )
    assert data["claimProfile"]["status"] == "APPROVED"
    trust = (await profile(roomy, WILL))["trust"]
    assert (trust["verificationLevel"], trust["score"], trust["claimed"]) == ("L3", 90, True)

    # Already claimed: by someone else, or by oneself.
    message = await refused(
        roomy, seeded, CLAIM, {"id": WILL, "e": {"github": "wgrathwohl"}}, bob, "CONFLICT"
    )
    assert "already claimed" in message
    await refused(
        roomy, seeded, CLAIM, {"id": WILL, "e": {"github": "wgrathwohl"}}, alice, "CONFLICT"
    )
    # One profile per account.
    await refused(roomy, seeded, CLAIM, {"id": DAVID, "e": {"github": "x"}}, alice, "CONFLICT")
    # Another account cannot release it; the owner can, and trust returns to the public level.
    await refused(roomy, seeded, RELEASE, {"id": WILL}, bob, "FORBIDDEN")
    await ok(roomy, RELEASE, {"id": WILL}, alice)
    assert (await profile(roomy, WILL))["trust"] == {
        "score": 15,
        "label": "Unverified",
        "verificationLevel": "L1",
        "verified": False,
        "claimed": False,
    }
    me = await ok(roomy, "{ me { ownedProfiles { id } claims { status } } }", token=alice)
    assert me["me"] == {"ownedProfiles": [], "claims": [{"status": "RELEASED"}]}
    # Released, it can be claimed again.
    data = await ok(roomy, CLAIM, {"id": WILL, "e": {"github": "wgrathwohl"}}, bob)
    assert data["claimProfile"]["status"] == "APPROVED"


async def test_claim_evidence_is_validated(client: httpx.AsyncClient, seeded: Store) -> None:
    alice = await token(seeded, "alice")
    for evidence, field in (
        ({}, "evidence"),
        ({"email": "not-an-email"}, "evidence.email"),
        ({"github": "https://gitlab.com/x"}, "evidence.github"),
        ({"orcid": "0000-0002-1825-0098"}, "evidence.orcid"),  # wrong check digit
        ({"email": "a@" + "b" * 250 + ".com"}, "evidence.email"),
    ):
        body = await call(client, CLAIM, {"id": WILL, "e": evidence}, alice)
        assert code(body) == "BAD_USER_INPUT", evidence
        assert body["errors"][0]["extensions"]["argument"] == field
    await refused(client, seeded, CLAIM, {"id": "venue:arxiv", "e": {"github": "x"}}, alice,
                  "BAD_USER_INPUT")  # fmt: skip
    assert (await graph_counts(seeded)).labels.get(Label.CLAIM) is None


async def test_admins_approve_confirm_and_withdraw_claims(
    roomy: httpx.AsyncClient, seeded: Store
) -> None:
    alice = await token(seeded, "alice")
    root = await token(seeded, "root", admin=True)
    approve = "mutation ($id: ID!) { approveClaim(id: $id) { status confirmedBy } }"
    reject = 'mutation ($id: ID!) { rejectClaim(id: $id, reason: "not them") { status note } }'

    # An automatic approval (L2) that an admin then confirms (L3).
    data = await ok(roomy, CLAIM, {"id": WILL, "e": {"email": "x@cs.toronto.edu"}}, alice)
    claim_id = data["claimProfile"]["id"]
    assert (await profile(roomy, WILL))["trust"]["verificationLevel"] == "L2"
    confirmed = await ok(roomy, approve, {"id": claim_id}, root)
    assert confirmed["approveClaim"] == {"status": "APPROVED", "confirmedBy": "root"}
    assert (await profile(roomy, WILL))["trust"]["score"] == 90
    await refused(roomy, seeded, approve, {"id": claim_id}, root, "CONFLICT")

    # Withdrawn by an admin: ownership and verification go with it.
    withdrawn = await ok(roomy, reject, {"id": claim_id}, root)
    assert withdrawn["rejectClaim"] == {"status": "REJECTED", "note": "not them"}
    assert (await profile(roomy, WILL))["trust"]["score"] == 15
    assert Rel.OWNS not in (await graph_counts(seeded)).relationships
    await refused(roomy, seeded, reject, {"id": claim_id}, root, "CONFLICT")
    await refused(roomy, seeded, approve, {"id": "claim:nothing"}, root, "NOT_FOUND")
    await refused(roomy, seeded, approve, {"id": WILL}, root, "BAD_USER_INPUT")


async def test_an_admin_cannot_give_a_profile_a_second_owner(
    roomy: httpx.AsyncClient, seeded: Store
) -> None:
    alice = await token(seeded, "alice")
    bob = await token(seeded, "bob")
    root = await token(seeded, "root", admin=True)
    pending = await ok(roomy, CLAIM, {"id": WILL, "e": {"github": "bob"}}, bob)
    await ok(roomy, CLAIM, {"id": WILL, "e": {"github": "wgrathwohl"}}, alice)  # approved
    approve = "mutation ($id: ID!) { approveClaim(id: $id) { status } }"
    message = await refused(
        roomy, seeded, approve, {"id": pending["claimProfile"]["id"]}, root, "CONFLICT"
    )
    assert "already owned" in message


# ---------------------------------------------------------------------------- invitations


async def test_invitations_go_between_claimed_profiles(
    roomy: httpx.AsyncClient, seeded: Store
) -> None:
    alice = await claimed(roomy, seeded, "alice", WILL)
    bob = await claimed(roomy, seeded, "bob", DAVID)
    carol = await token(seeded, "carol")  # owns nothing
    hello = {"id": DAVID, "m": "hello"}

    # The sender must own a profile, the target must be owned, and not by the sender.
    await refused(roomy, seeded, INVITE, hello, carol, "FORBIDDEN")
    await refused(roomy, seeded, INVITE, {"id": KEVIN, "m": "hi"}, alice, "FORBIDDEN")
    await refused(roomy, seeded, INVITE, {"id": WILL, "m": "hi"}, alice, "BAD_USER_INPUT")
    # The message is bounded and not blank.
    message = await refused(
        roomy, seeded, INVITE, {"id": DAVID, "m": "x" * 2_001}, alice, "BAD_USER_INPUT"
    )
    assert "2000" in message
    await refused(roomy, seeded, INVITE, {"id": DAVID, "m": "   "}, alice, "BAD_USER_INPUT")
    assert (await ok(roomy, INVITE, {"id": DAVID, "m": "x" * 2_000}, alice))["inviteToCollaborate"][
        "status"
    ] == "PENDING"

    # One pending invitation per pair.
    await refused(roomy, seeded, INVITE, hello, alice, "CONFLICT")
    [invitation] = (await ok(roomy, "{ me { invitations { id } } }", token=bob))["me"][
        "invitations"
    ]
    # Only the invited profile's owner answers, and only once.
    await refused(roomy, seeded, RESPOND, {"id": invitation["id"], "a": True}, alice, "FORBIDDEN")
    await refused(roomy, seeded, RESPOND, {"id": invitation["id"], "a": True}, carol, "FORBIDDEN")
    declined = await ok(roomy, RESPOND, {"id": invitation["id"], "a": False}, bob)
    assert declined["respondToInvitation"] == {"status": "DECLINED"}
    await refused(roomy, seeded, RESPOND, {"id": invitation["id"], "a": True}, bob, "CONFLICT")
    await refused(roomy, seeded, RESPOND, {"id": "invitation:none", "a": True}, bob, "NOT_FOUND")
    # Answered, a new one may follow.
    await ok(roomy, INVITE, hello, alice)


async def test_invitations_have_their_own_tighter_rate_limit(seeded: Store) -> None:
    async with _client(seeded, auth.RateLimiter(clock=FrozenClock())) as http:
        alice = await claimed(http, seeded, "alice", WILL)
        others = [KEVIN, RICKY, DAVID, "researcher:geoffrey-hinton", "researcher:dami-choi"]
        for i, researcher in enumerate(others):
            await claimed(http, seeded, f"user{i}", researcher)
        for researcher in others[: int(auth.INVITATIONS.capacity)]:
            await ok(http, INVITE, {"id": researcher, "m": "hi"}, alice)
        await refused(
            http, seeded, INVITE, {"id": "researcher:yuhuai-wu", "m": "hi"}, alice, "RATE_LIMITED"
        )
        # Other mutations are still allowed: the general bucket has tokens left.
        assert (await ok(http, FOLLOW, {"id": KEVIN}, alice))["follow"]["changed"] is True


# ---------------------------------------------------------------------- owner corrections


async def test_owners_correct_their_own_profile(roomy: httpx.AsyncClient, seeded: Store) -> None:
    alice = await claimed(roomy, seeded, "alice", WILL)
    bob = await claimed(roomy, seeded, "bob", DAVID)
    add = (
        "mutation ($id: ID!, $p: PaperInput!) { addPaper(researcherId: $id, paper: $p) "
        "{ id title year sources authors { researcher { id } } } }"
    )
    works_before = await works(roomy, WILL)
    paper = {"title": "A Corrected Paper", "venueId": "venue:arxiv", "year": 2021,
             "kind": "PREPRINT", "abstract": "First words."}  # fmt: skip
    added = (await ok(roomy, add, {"id": WILL, "p": paper}, alice))["addPaper"]
    assert added["title"] == "A Corrected Paper"
    assert added["year"] == 2021
    assert added["sources"] == ["account:alice"]
    assert added["authors"] == [{"researcher": {"id": WILL}}]
    assert await works(roomy, WILL) == works_before + 1
    await refused(roomy, seeded, add, {"id": WILL, "p": paper}, alice, "CONFLICT")
    await refused(roomy, seeded, add, {"id": WILL, "p": paper}, bob, "FORBIDDEN")
    await refused(roomy, seeded, add, {"id": WILL, "p": {"title": "T", "year": 2020}}, alice,
                  "BAD_USER_INPUT")  # fmt: skip
    await refused(roomy, seeded, add, {"id": WILL, "p": {"title": "x" * 501}}, alice,
                  "BAD_USER_INPUT")  # fmt: skip

    update = (
        "mutation ($id: ID!, $p: PaperPatch!) { updatePaper(id: $id, patch: $p) "
        "{ title abstract } }"
    )
    patch = {"abstract": "Better words."}
    updated = await ok(roomy, update, {"id": added["id"], "p": patch}, alice)
    assert updated["updatePaper"] == {"title": "A Corrected Paper", "abstract": "Better words."}
    await refused(roomy, seeded, update, {"id": added["id"], "p": patch}, bob, "FORBIDDEN")
    await refused(roomy, seeded, update, {"id": added["id"], "p": {}}, alice, "BAD_USER_INPUT")

    talk = await ok(
        roomy,
        'mutation ($id: ID!) { addTalk(researcherId: $id, talk: {title: "On EBMs", '
        'date: "2021-05", event: "Seminar"}) { id year month speaker { id } } }',
        {"id": WILL},
        alice,
    )
    assert talk["addTalk"]["speaker"] == {"id": WILL}
    assert (talk["addTalk"]["year"], talk["addTalk"]["month"]) == (2021, 5)
    retitled = await ok(
        roomy,
        'mutation ($id: ID!) { updateTalk(id: $id, patch: {place: "Toronto"}) { place } }',
        {"id": talk["addTalk"]["id"]},
        alice,
    )
    assert retitled["updateTalk"] == {"place": "Toronto"}
    await refused(roomy, seeded,
                  'mutation ($id: ID!) { addTalk(researcherId: $id, talk: {title: "T", '
                  'date: "May 2021"}) { id } }', {"id": WILL}, alice, "BAD_USER_INPUT")  # fmt: skip

    award = await ok(
        roomy,
        'mutation ($id: ID!) { addAward(researcherId: $id, award: {name: "Test Prize", '
        "year: 2022, kind: PRIZE}) { id name recipients { id } } }",
        {"id": WILL},
        alice,
    )
    assert award["addAward"]["recipients"] == [{"id": WILL}]
    renamed = await ok(
        roomy,
        'mutation ($id: ID!) { updateAward(id: $id, patch: {amount: 500, currency: "$"}) '
        "{ amount currency } }",
        {"id": award["addAward"]["id"]},
        alice,
    )
    assert renamed["updateAward"] == {"amount": 500.0, "currency": "$"}

    affiliation = (
        "mutation ($id: ID!, $a: AffiliationInput!) { addAffiliation(researcherId: $id, "
        "affiliation: $a) { affiliations { institution { id name } role since } } }"
    )
    first = {"institutionName": "Vector Institute", "role": "Postdoc", "since": "2021"}
    data = await ok(roomy, affiliation, {"id": WILL, "a": first}, alice)
    vector = {"institution": {"id": "institution:vector-institute", "name": "Vector Institute"},
              "role": "Postdoc", "since": "2021"}  # fmt: skip
    assert vector in data["addAffiliation"]["affiliations"]
    edited = {"institutionId": "institution:vector-institute", "role": "Postdoc", "since": "2020"}
    data = await ok(roomy, affiliation, {"id": WILL, "a": edited}, alice)
    mine = [a for a in data["addAffiliation"]["affiliations"] if a["role"] == "Postdoc"]
    assert mine == [vector | {"since": "2020"}]
    await refused(roomy, seeded, affiliation, {"id": WILL, "a": first}, bob, "FORBIDDEN")

    # Each correction left an audit record with its before and after.
    root = await token(seeded, "root", admin=True)
    log = await ok(roomy, "{ auditLog(first: 100) { edges { node { actor action before after } } } }",
                   token=root)  # fmt: skip
    trail = [e["node"] for e in log["auditLog"]["edges"] if e["node"]["actor"] == "alice"]
    actions = [r["action"] for r in trail]
    for action in ("addPaper", "updatePaper", "addTalk", "updateTalk", "addAward",
                   "updateAward", "addAffiliation"):  # fmt: skip
        assert action in actions, action
    [paper_update] = [r for r in trail if r["action"] == "updatePaper"]
    assert json.loads(paper_update["before"]) == {"abstract": "First words."}
    assert json.loads(paper_update["after"]) == {"abstract": "Better words."}
    [affiliation_edit] = [r for r in trail if r["action"] == "addAffiliation"][:1]
    assert json.loads(affiliation_edit["before"])["since"] == "2021"  # newest first: the edit


@pytest.mark.parametrize(
    ("first", "second"),
    [("!!!", "???"), ("🎉", "🚀"), ("Deep Learning", "!!!")],
)
async def test_two_owners_with_titles_that_fold_alike_keep_their_own_papers(
    roomy: httpx.AsyncClient, seeded: Store, first: str, second: str
) -> None:
    # Titles of only punctuation or emoji fold to nothing; they once shared one paper id, so
    # the second owner became an author of the first owner's paper and could rewrite it.
    alice = await claimed(roomy, seeded, "alice", WILL)
    bob = await claimed(roomy, seeded, "bob", DAVID)
    add = (
        "mutation ($id: ID!, $p: PaperInput!) { addPaper(researcherId: $id, paper: $p) "
        "{ id title authors { researcher { id } } } }"
    )
    mine = (await ok(roomy, add, {"id": WILL, "p": {"title": first}}, alice))["addPaper"]
    theirs = (await ok(roomy, add, {"id": DAVID, "p": {"title": second}}, bob))["addPaper"]
    assert mine["id"] != theirs["id"]
    assert mine["authors"] == [{"researcher": {"id": WILL}}]
    assert theirs == {"id": theirs["id"], "title": second,
                      "authors": [{"researcher": {"id": DAVID}}]}  # fmt: skip

    update = "mutation ($id: ID!, $p: PaperPatch!) { updatePaper(id: $id, patch: $p) { title } }"
    await refused(roomy, seeded, update, {"id": mine["id"], "p": {"title": "Taken"}}, bob,
                  "FORBIDDEN")  # fmt: skip
    await refused(roomy, seeded, update, {"id": theirs["id"], "p": {"title": "Taken"}}, alice,
                  "FORBIDDEN")  # fmt: skip
    paper = "query ($id: ID!) { paper(id: $id) { title } }"
    assert (await ok(roomy, paper, {"id": mine["id"]}))["paper"] == {"title": first}
    renamed = await ok(roomy, update, {"id": theirs["id"], "p": {"title": "Mine, renamed"}}, bob)
    assert renamed["updatePaper"] == {"title": "Mine, renamed"}


# ---------------------------------------------------------------------- merges and splits

MERGE = (
    "mutation ($ids: [ID!]!, $into: ID!) { mergeResearchers(ids: $ids, into: $into, "
    'reason: "one person") { mergeId merged movedRelationships into { id followersCount } } }'
)
SPLIT = (
    "mutation ($ref: ID!) { splitResearcher(ref: $ref) { mergeId restored { id } "
    "into { id followersCount } } }"
)


async def test_admins_merge_and_split_researchers(roomy: httpx.AsyncClient, seeded: Store) -> None:
    alice = await token(seeded, "alice")
    root = await token(seeded, "root", admin=True)
    await ok(roomy, FOLLOW, {"id": KEVIN}, alice)
    pair = {"ids": [KEVIN], "into": RICKY}

    await refused(roomy, seeded, MERGE, pair, alice, "FORBIDDEN")
    await refused(roomy, seeded, MERGE, {"ids": [], "into": RICKY}, root, "BAD_USER_INPUT")
    await refused(roomy, seeded, MERGE, {"ids": ["venue:arxiv"], "into": RICKY}, root,
                  "BAD_USER_INPUT")  # fmt: skip
    await refused(roomy, seeded, MERGE, {"ids": [RICKY], "into": RICKY}, root, "BAD_USER_INPUT")
    await refused(roomy, seeded, MERGE, {"ids": ["researcher:nobody"], "into": RICKY}, root,
                  "NOT_FOUND")  # fmt: skip

    merged = (await ok(roomy, MERGE, pair, root))["mergeResearchers"]
    assert merged["merged"] == [KEVIN]
    assert merged["movedRelationships"] > 0
    assert merged["into"] == {"id": RICKY, "followersCount": 1}  # the follow moved with it
    # The merged-away id answers the survivor, which says so (docs/identity.md, "Links never
    # break").
    assert (
        await ok(roomy, "query ($id: ID!) { researcher(id: $id) { id mergedFrom } }", {"id": KEVIN})
    )["researcher"] == {"id": RICKY, "mergedFrom": [KEVIN]}

    await refused(roomy, seeded, SPLIT, {"ref": "paper:abc"}, root, "BAD_USER_INPUT")
    await refused(roomy, seeded, SPLIT, {"ref": merged["mergeId"]}, alice, "FORBIDDEN")
    split = (await ok(roomy, SPLIT, {"ref": merged["mergeId"]}, root))["splitResearcher"]
    assert split["restored"] == [{"id": KEVIN}]
    assert split["into"] == {"id": RICKY, "followersCount": 0}
    assert (await profile(roomy, KEVIN))["followersCount"] == 1
    await refused(roomy, seeded, SPLIT, {"ref": merged["mergeId"]}, root, "CONFLICT")

    log = await ok(roomy, "{ auditLog(first: 5) { edges { node { actor action target } } } }",
                   token=root)  # fmt: skip
    assert [e["node"] for e in log["auditLog"]["edges"][:2]] == [
        {"actor": "root", "action": "splitResearcher", "target": merged["mergeId"]},
        {"actor": "root", "action": "mergeResearchers", "target": RICKY},
    ]


async def test_a_merge_cannot_give_a_profile_two_owners(
    roomy: httpx.AsyncClient, seeded: Store
) -> None:
    await claimed(roomy, seeded, "alice", KEVIN)
    await claimed(roomy, seeded, "bob", RICKY)
    root = await token(seeded, "root", admin=True)
    message = await refused(roomy, seeded, MERGE, {"ids": [KEVIN], "into": RICKY}, root, "CONFLICT")
    assert "owned by 2" in message


async def test_concurrent_claims_of_one_profile_make_exactly_one_owner(
    roomy: httpx.AsyncClient, seeded: Store
) -> None:
    tokens = [await token(seeded, f"claimer{i}") for i in range(8)]
    evidence = {"email": "w@ml.cs.toronto.edu", "github": "WGrathwohl"}
    bodies = await asyncio.gather(
        *(call(roomy, CLAIM, {"id": WILL, "e": evidence}, t) for t in tokens)
    )
    won = [b for b in bodies if "errors" not in b]
    assert len(won) == 1 and won[0]["data"]["claimProfile"]["status"] == "APPROVED"
    assert sorted(code(b) for b in bodies if "errors" in b) == ["CONFLICT"] * 7
    owners = await seeded.read(
        f"MATCH (a:{Label.ACCOUNT})-[:{Rel.OWNS}]->(r {{id: $id}}) RETURN a.name AS name",
        {"id": WILL},
    )
    assert len(owners) == 1
    assert (await profile(roomy, WILL))["trust"]["claimed"] is True


async def test_an_invitation_answered_concurrently_is_answered_once(
    roomy: httpx.AsyncClient, seeded: Store
) -> None:
    alice = await claimed(roomy, seeded, "alice", WILL)
    bob = await claimed(roomy, seeded, "bob", DAVID)
    await ok(roomy, INVITE, {"id": DAVID, "m": "hello"}, alice)
    [invitation] = (await ok(roomy, "{ me { invitations { id } } }", token=bob))["me"][
        "invitations"
    ]
    answers = [{"id": invitation["id"], "a": i % 2 == 0} for i in range(10)]
    bodies = await asyncio.gather(*(call(roomy, RESPOND, a, bob) for a in answers))
    won = [b for b in bodies if "errors" not in b]
    assert len(won) == 1
    assert sorted(code(b) for b in bodies if "errors" in b) == ["CONFLICT"] * 9
    # Concurrent invitations between one pair: exactly one is pending.
    bodies = await asyncio.gather(
        *(call(roomy, INVITE, {"id": DAVID, "m": f"again {i}"}, alice) for i in range(6))
    )
    assert sorted(code(b) if "errors" in b else "OK" for b in bodies) == ["CONFLICT"] * 5 + ["OK"]
    pending = await seeded.read(
        f"MATCH (i:{Label.INVITATION} {{status: 'pending'}}) RETURN count(i) AS n"
    )
    assert pending == [{"n": 1}]
