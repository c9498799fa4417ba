"""Query cost (docs/cost.md): the most nodes a request can return, refused over the per-request
maximum before anything executes; a budget of points per minute per client (account, else IP
address) refused past it with 429; `extensions.cost` on every answer."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import httpx
import pytest
from graphql import get_introspection_query, parse

from scholargraph import auth
from scholargraph.app import create_app
from scholargraph.budget import InProcessBudget
from scholargraph.graphdb.store import Store
from scholargraph.schema import build_schema
from scholargraph.schema.cost import LIST_ESTIMATE, estimate

WILL = "researcher:will-grathwohl"
ACCEPTANCE = (
    "{ researchers(first: 100) { edges { node { neighborhood(hops: 4, limit: 2000) "
    "{ truncated nodes { id } edges { type } } } } } }"
)
FIFTY_ALIASES = "{ %s }" % " ".join(
    f"a{i}: researchers(first: 1000) {{ edges {{ node {{ id }} }} }}" for i in range(50)
)
SCHEMA = build_schema()._schema


def cost_of(query: str, variables: dict[str, Any] | None = None, name: str | None = None) -> int:
    return estimate(SCHEMA, parse(query), name, variables)


async def post(
    http: httpx.AsyncClient, query: str, variables: dict[str, Any] | None = None, **headers: str
) -> httpx.Response:
    return await http.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers
    )


@pytest.mark.parametrize(
    ("query", "variables", "cost"),
    [
        ("{ __typename }", None, 1),
        ('{ researcher(name: "x") { name bio } }', None, 1),
        ("{ researchers { totalCount } }", None, 1),
        ("{ researchers { edges { node { id } } } }", None, 20),  # the default `first`
        ("{ researchers(first: null) { edges { node { id } } } }", None, 20),
        ("{ researchers(first: 7) { edges { node { id talks { id } } } } }", None,
         7 + 7 * LIST_ESTIMATE),
        ("query ($n: Int) { researchers(first: $n) { edges { node { id } } } }", {"n": 300}, 300),
        ("query ($n: Int = 40) { researchers(first: $n) { edges { node { id } } } }", None, 40),
        ('{ researcher(id: "%s") { collaborators(first: 5) { sharedWorks { id } } } }' % WILL,
         None, 5 + 5 * LIST_ESTIMATE),
        ('{ neighborhood(id: "%s") { nodes { id } edges { type } } }' % WILL, None,
         200 + 200 * 2),
        ('{ neighborhood(id: "%s", hops: 4, limit: 2000) { nodes { id } edges { type } } }'
         % WILL, None, 10_000),
        ('{ collaborationPath(from: "%s", to: "%s") { researchers { id } papers { id } } }'
         % (WILL, WILL), None, 2 * 13),
        ("{ search(query: \"x\", first: 3) { edges { node { id } } } }", None, 3),
        # Every fragment counts, whatever type the node turns out to be.
        ("{ ...F } fragment F on Query { researchers(first: 2) { edges { node { id } } } }",
         None, 2),
        ('{ node(id: "%s") { ... on Researcher { talks { id } } ... on Paper { authors '
         "{ position } } } }" % WILL, None, 2 * LIST_ESTIMATE),
        (FIFTY_ALIASES, None, 50_000),
        (ACCEPTANCE, None, 100 + 100 * (2_000 + 2_000 * 4)),
        # Operations are costed one at a time: the one that runs.
        ("query A { researchers(first: 5) { edges { node { id } } } } query B { __typename }",
         None, 5),
    ],
)  # fmt: skip
def test_estimates(query: str, variables: dict[str, Any] | None, cost: int) -> None:
    assert cost_of(query, variables, "A" if "query A" in query else None) == cost


def test_introspection_is_affordable_and_cycles_are_not() -> None:
    assert cost_of(get_introspection_query()) < 10_000
    cycle = "{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }"
    assert cost_of(cycle) > 10_000


async def test_the_acceptance_case_is_refused_before_execution(
    client: httpx.AsyncClient, seeded: Store
) -> None:
    seeded.counters.reads = seeded.counters.writes = 0
    for accept, status in (("application/json", 200), ("application/graphql-response+json", 400)):
        response = await post(client, ACCEPTANCE, accept=accept)
        assert response.status_code == status
        body = response.json()
        assert "data" not in body
        [error] = body["errors"]
        assert error["extensions"] == {"code": "QUERY_TOO_COSTLY", "cost": 1_000_100,
                                       "limit": 10_000}  # fmt: skip
        assert "1,000,100" in error["message"] and "10,000" in error["message"]
        assert body["extensions"]["cost"]["requested"] == 1_000_100
        assert body["extensions"]["cost"]["remaining"] == 100_000  # nothing was charged
    assert seeded.counters.round_trips == 0


async def test_aliases_fragments_and_variables_are_counted(client: httpx.AsyncClient) -> None:
    codes = []
    for query, variables in (
        (FIFTY_ALIASES, None),
        ("query ($n: Int) { researchers(first: $n) { edges { node { id } } } }", {"n": 20_000}),
        ("{ ...F } fragment F on Query { a: researchers(first: 1000) { edges { node { "
         "talks { id } } } } }", None),
    ):  # fmt: skip
        body = (await post(client, query, variables)).json()
        codes.append(body["errors"][0]["extensions"]["code"])
    assert codes == ["QUERY_TOO_COSTLY"] * 3


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def clock() -> Clock:
    return Clock()


@pytest.fixture
async def app(seeded: Store, clock: Clock) -> Any:
    app = create_app(store=seeded)
    app.state.cost_budget = InProcessBudget(1_000, clock=clock, wall=lambda: 1_800_000_000.0)
    return app


def _client(app: Any, address: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 5000))
    return httpx.AsyncClient(transport=transport, base_url="http://t")


@pytest.fixture
async def http(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with _client(app, "10.0.0.1") as client:
        yield client


PAGE = "query ($n: Int) { researchers(first: $n) { edges { node { id } } } }"


async def test_every_answer_reports_its_cost(http: httpx.AsyncClient, clock: Clock) -> None:
    body = (await post(http, PAGE, {"n": 300})).json()
    assert "errors" not in body
    assert body["extensions"]["cost"] == {
        "requested": 300, "limit": 1_000, "remaining": 700, "resetAt": "2027-01-15T08:00:18Z"
    }  # fmt: skip
    assert datetime.fromisoformat(body["extensions"]["cost"]["resetAt"])
    for query in ("{ nosuchfield }", "{", "{ __typename }"):
        body = (await post(http, query)).json()
        assert set(body["extensions"]["cost"]) == {"requested", "limit", "remaining", "resetAt"}
    clock.now += 60  # the budget refills in a minute
    assert (await post(http, PAGE, {"n": 1})).json()["extensions"]["cost"]["remaining"] == 999


async def test_the_per_request_limit_is_at_most_the_budget(http: httpx.AsyncClient) -> None:
    body = (await post(http, PAGE, {"n": 1_001})).json()
    assert body["errors"][0]["extensions"] == {"code": "QUERY_TOO_COSTLY", "cost": 1_001,
                                               "limit": 1_000}  # fmt: skip


async def test_past_the_budget_is_429_with_retry_after(
    app: Any, http: httpx.AsyncClient, seeded: Store, clock: Clock
) -> None:
    for _ in range(3):
        assert (await post(http, PAGE, {"n": 300})).status_code == 200
    seeded.counters.reads = seeded.counters.writes = 0
    for accept in ("application/json", "application/graphql-response+json"):
        refused = await post(http, PAGE, {"n": 300}, accept=accept)
        assert refused.status_code == 429
        assert refused.headers["retry-after"] == "12"  # 200 points short at 1,000 a minute
        body = refused.json()
        assert "data" not in body
        [error] = body["errors"]
        assert error["extensions"]["code"] == "RATE_LIMITED"
        assert error["extensions"]["retryAfterSeconds"] == 12
        assert body["extensions"]["cost"]["remaining"] == 100
    assert seeded.counters.round_trips == 0
    # A cheaper request still fits; another address has its own budget; so has an account.
    assert (await post(http, PAGE, {"n": 100})).status_code == 200
    async with _client(app, "10.0.0.2") as other:
        assert (await post(other, PAGE, {"n": 300})).status_code == 200
    token = (await auth.issue_token(seeded, "alice")).token
    signed = await post(http, PAGE, {"n": 300}, authorization=f"Bearer {token}")
    assert signed.status_code == 200
    assert signed.json()["extensions"]["cost"]["remaining"] == 700
    clock.now += 18  # the 300 points spent since refill at 1,000 a minute
    assert (await post(http, PAGE, {"n": 300})).status_code == 200


async def test_accounts_are_charged_wherever_they_call_from(app: Any, seeded: Store) -> None:
    token = (await auth.issue_token(seeded, "bob")).token
    header = {"authorization": f"Bearer {token}"}
    remaining = []
    for address in ("10.0.0.3", "10.0.0.4"):
        async with _client(app, address) as client:
            body = (await post(client, PAGE, {"n": 400}, **header)).json()
            remaining.append(body["extensions"]["cost"]["remaining"])
    assert remaining == [600, 200]
