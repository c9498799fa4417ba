"""API tokens (issue, authenticate, revoke, list; the CLI) and the rate limiter."""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from scholargraph import auth
from scholargraph.graphdb import accounts, embedded
from scholargraph.graphdb.model import Label
from scholargraph.graphdb.store import Store

TOKEN = re.compile(r"^sgt_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$")


async def _account_props(store: Store) -> list[dict[str, Any]]:
    rows = await store.read(f"MATCH (a:{Label.ACCOUNT}) RETURN properties(a) AS p")
    return [row["p"] for row in rows]


async def _token_props(store: Store) -> list[dict[str, Any]]:
    rows = await store.read(f"MATCH (t:{Label.TOKEN}) RETURN properties(t) AS p")
    return [row["p"] for row in rows]


async def test_a_token_is_random_and_only_its_hash_is_stored(store: Store) -> None:
    first = await auth.issue_token(store, "alice")
    second = await auth.issue_token(store, "alice")
    match = TOKEN.match(first.token)
    assert match is not None
    assert match.group(1) == first.token_id
    assert first.account_created is True
    assert second.account_created is False
    assert first.token != second.token
    assert first.account.id == second.account.id == "account:alice"

    [account] = await _account_props(store)
    tokens = await _token_props(store)
    stored = " ".join(str(v) for p in [account, *tokens] for v in p.values())
    for issued in (first, second):
        secret = TOKEN.match(issued.token).group(2)  # type: ignore[union-attr]
        assert secret not in stored
        assert hashlib.sha256(secret.encode()).hexdigest() in stored
    assert sorted(t["id"] for t in tokens) == sorted(
        f"token:{issued.token_id}" for issued in (first, second)
    )


async def test_authenticate_accepts_live_tokens_and_refuses_the_rest(store: Store) -> None:
    issued = await auth.issue_token(store, "alice")
    account = await auth.authenticate(store, f"Bearer {issued.token}")
    assert (account.name, account.admin) == ("alice", False)
    assert (await auth.authenticate(store, f"bearer   {issued.token} ")).id == account.id

    token_id, secret = auth.parse_token(issued.token)
    forged_secret = ("A" if secret[0] != "A" else "B") + secret[1:]
    refusals = {
        "right id, wrong secret": f"Bearer sgt_{token_id}_{forged_secret}",
        "unknown id": f"Bearer sgt_{'0' * 16}_{secret}",
        "malformed": "Bearer not-a-token",
        "another scheme": f"Basic {issued.token}",
        "empty": "Bearer ",
    }
    for case, header in refusals.items():
        with pytest.raises(auth.InvalidToken) as caught:
            await auth.authenticate(store, header)
        assert secret not in str(caught.value), case


async def test_the_hash_comparison_runs_in_constant_time_even_on_a_miss(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    issued = await auth.issue_token(store, "alice")
    calls: list[tuple[str, str]] = []
    real = hmac.compare_digest

    def spy(a: str, b: str) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(auth.hmac, "compare_digest", spy)
    await auth.authenticate(store, f"Bearer {issued.token}")
    with pytest.raises(auth.InvalidToken):
        await auth.authenticate(store, f"Bearer sgt_{'0' * 16}_{'x' * 43}")
    assert len(calls) == 2


async def test_revoked_tokens_stop_working_and_stay_listed(store: Store) -> None:
    kept = await auth.issue_token(store, "alice")
    gone = await auth.issue_token(store, "alice")
    assert await accounts.revoke_token(store, gone.token_id) == "alice"
    assert await accounts.revoke_token(store, gone.token_id) is None  # already revoked
    with pytest.raises(auth.InvalidToken):
        await auth.authenticate(store, f"Bearer {gone.token}")
    assert (await auth.authenticate(store, f"Bearer {kept.token}")).name == "alice"

    listed = {t.token_id: t for t in await accounts.list_tokens(store)}
    assert set(listed) == {kept.token_id, gone.token_id}
    assert listed[kept.token_id].revoked_at is None
    assert listed[gone.token_id].revoked_at is not None
    assert listed[gone.token_id].created_at < listed[gone.token_id].revoked_at  # type: ignore[operator]
    # Nothing of the revoked token's hash is kept.
    revoked = next(t for t in await _token_props(store) if t["id"] == f"token:{gone.token_id}")
    assert "tokenHash" not in revoked and revoked["revokedAt"]


async def test_admin_role_is_granted_by_the_operator_and_never_silently_dropped(
    store: Store,
) -> None:
    assert (await auth.issue_token(store, "root")).account.admin is False
    assert (await auth.issue_token(store, "root", admin=True)).account.admin is True
    assert (await auth.issue_token(store, "root")).account.admin is True


@pytest.mark.parametrize("name", ["", "Alice", "a b", "-x", "x" * 65, "ali/ce", "é"])
async def test_bad_account_names_are_refused(store: Store, name: str) -> None:
    with pytest.raises(accounts.BadAccountName):
        await auth.issue_token(store, name)
    assert await _account_props(store) == []


# ------------------------------------------------------------------------------------- CLI


@pytest.fixture
def cli_env(
    falkordb_server: embedded.EmbeddedServer, tmp_path: Path
) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run `scholargraph token ...` as a user does, against a fresh graph of the test server."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCHOLARGRAPH_")}
    env["SCHOLARGRAPH_FALKORDB_URL"] = f"unix://{falkordb_server.socket}"
    env["SCHOLARGRAPH_GRAPH"] = f"cli_{tmp_path.name}"
    env["SCHOLARGRAPH_DATA_DIR"] = str(tmp_path)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "scholargraph.cli", "token", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    return run


@pytest.mark.falkordb
def test_cli_creates_lists_and_revokes_tokens(
    cli_env: Callable[..., subprocess.CompletedProcess[str]],
) -> None:
    created = cli_env("create", "--user", "alice", "--admin")
    assert created.returncode == 0, created.stderr
    token = created.stdout.strip()
    match = TOKEN.match(token)
    assert match is not None, created.stdout
    token_id, secret = match.groups()
    assert "created account alice (admin)" in created.stderr

    listed = cli_env("list")
    assert listed.returncode == 0
    assert re.search(rf"^{token_id}\s+alice\s+admin\s+\S+\s+-$", listed.stdout, re.M)
    assert secret not in listed.stdout + listed.stderr

    revoked = cli_env("revoke", token_id)
    assert revoked.returncode == 0
    assert f"revoked token {token_id} of alice" in revoked.stdout
    assert re.search(rf"^{token_id}\s+alice\s+admin\s+\S+\s+\S+T\S+$", cli_env("list").stdout, re.M)

    again = cli_env("revoke", token_id)
    assert again.returncode == 1
    assert "no live token" in again.stderr
    assert cli_env("create", "--user", "Not Valid").returncode == 1
    assert cli_env("revoke", "nonsense").returncode == 1


# ------------------------------------------------------------------------------ rate limits


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


async def test_a_bucket_allows_its_burst_then_refills_with_time() -> None:
    clock = Clock()
    limiter = auth.RateLimiter({"mutation": auth.Limit(3, 0.5)}, clock)
    assert [await limiter.take("account:a", "mutation") for _ in range(3)] == [0, 0, 0]
    assert await limiter.take("account:a", "mutation") == pytest.approx(2.0)
    assert await limiter.take("account:b", "mutation") == 0  # buckets are per account
    clock.now += 2.0
    assert await limiter.take("account:a", "mutation") == 0
    assert await limiter.take("account:a", "mutation") > 0
    clock.now += 1_000
    assert [await limiter.take("account:a", "mutation") for _ in range(4)][-1] > 0  # capped at 3


async def test_several_buckets_are_spent_all_or_none() -> None:
    limiter = auth.RateLimiter(
        {"mutation": auth.Limit(10, 1), "invitation": auth.Limit(1, 0.001)}, Clock()
    )
    assert await limiter.take("account:a", "mutation", "invitation") == 0
    assert await limiter.take("account:a", "mutation", "invitation") == pytest.approx(1000)
    # The refused call spent nothing: nine general tokens remain.
    assert [await limiter.take("account:a", "mutation") for _ in range(9)] == [0] * 9
    assert await limiter.take("account:a", "mutation") > 0
