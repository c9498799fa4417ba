"""Load bench: concurrent clients mixing profile, neighborhood, search and follow/unfollow.

    .venv/bin/python bench/load.py [--clients 32] [--seconds 60] [--data-dir DIR]

Without --data-dir it imports the graph first, as a user would, into a fresh temporary data
directory: `scholargraph seed`, then `scholargraph import paperlists` with the eight lists in
/work/shared/data/paperlists (--files). It then serves the API with `scholargraph serve` (a
subprocess, default settings), creates one API token per client with `scholargraph token
create`, resolves a sample of researchers named in the lists, and runs two phases of
--seconds each over real HTTP (one httpx.AsyncClient, a bounded connection pool):

  1. --clients closed-loop clients (no think time), each sending its own token: profile,
     neighborhood and search chosen at random; every --mutation-interval seconds (2.5) a
     follow or unfollow instead, paced below the per-account mutation limit;
  2. the same, while one more client (its own token) sends only costly requests: one that
     must be refused as QUERY_TOO_COSTLY and the most expensive neighborhood still within
     the cost limit, alternately, as fast as it is answered.

An answer is an error when it is not HTTP 200 or has `errors`; RATE_LIMITED answers are
counted apart (the pacing should make them 0). It prints per kind the requests, errors,
p50/p99; throughput; the API process's RSS (VmRSS) and the bundled FalkorDB's before and
after; the other clients' p99 in both phases side by side; and what the costly client got.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import datetime
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from _stores import free_port, machine, percentile

ROOT = Path(__file__).resolve().parents[1]
PAPERLISTS = ROOT.parent / "shared" / "data" / "paperlists"

PROFILE = """query Profile($id: ID!) { researcher(id: $id) {
  id name aliases bio affiliations { institution { name } role } topics { name }
  works(first: 20) { totalCount edges { node { id title year
    authors { position researcher { id name } } publications { venue { name } year kind } } } }
  collaborators(first: 10) { researcher { id name } sharedWorkCount }
  stats { works followers collaborators } followersCount
} }"""
NEIGHBORHOOD = """query Neighborhood($id: ID!) { neighborhood(id: $id, hops: 2, limit: 100) {
  truncated nodes { id label name distance } edges { source target type } } }"""
SEARCH = """query Search($q: String!) { search(query: $q, first: 10) {
  totalCount edges { score matched node { id } } } }"""
FOLLOW = """mutation Follow($id: ID!) { follow(researcherId: $id) {
  following changed researcher { followersCount } } }"""
UNFOLLOW = """mutation Unfollow($id: ID!) { unfollow(researcherId: $id) {
  following changed researcher { followersCount } } }"""
RESOLVE = """query Resolve($name: String!) { researcher(name: $name) {
  id stats { works collaborators } } }"""
# Costs 100 + 100 x (2,000 + 8,000): refused before execution (docs/cost.md).
TOO_COSTLY = """{ researchers(first: 100) { edges { node {
  neighborhood(hops: 4, limit: 2000) { truncated nodes { id } edges { type } } } } } }"""
# The largest single neighborhood, hops x limit nodes and edges, around a well-connected
# researcher: 2,000 + hops x 2,000. The script takes hops 4 (10,000) when the server's
# per-request limit admits it, else hops 3 (8,000).
HEAVY = """query Heavy($id: ID!, $hops: Int!) { neighborhood(id: $id, hops: $hops, limit: 2000) {
  truncated nodes { id label name distance } edges { source target type } } }"""

KINDS = ("profile", "neighborhood", "search", "follow")


@dataclass
class Tally:
    """Answers of one kind in one phase."""

    times: list[float] = field(default_factory=list)  # ms, every answer
    errors: int = 0
    rate_limited: int = 0


@dataclass
class Phase:
    tallies: dict[str, Tally] = field(default_factory=lambda: {k: Tally() for k in KINDS})
    first_errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    costly: dict[str, collections.Counter[str]] = field(default_factory=dict)
    costly_times: dict[str, list[float]] = field(default_factory=dict)


def codes_of(status: int, body: Any) -> list[str]:
    """The error codes of an answer; empty for a clean 200."""
    errors = body.get("errors") if isinstance(body, dict) else None
    if status == 200 and not errors:
        return []
    if not errors:
        return [f"HTTP {status}"]
    return [str((e.get("extensions") or {}).get("code", "NO_CODE")) for e in errors]


async def post(
    http: httpx.AsyncClient, query: str, variables: dict[str, Any], token: str | None
) -> tuple[float, int, Any]:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    started = time.perf_counter()
    try:
        answer = await http.post(
            "/graphql", json={"query": query, "variables": variables}, headers=headers
        )
        elapsed = (time.perf_counter() - started) * 1000
        try:
            body = answer.json()
        except ValueError:
            body = answer.text[:200]
        return elapsed, answer.status_code, body
    except httpx.HTTPError as exc:
        return (time.perf_counter() - started) * 1000, 0, f"{type(exc).__name__}: {exc}"


@dataclass
class Sample:
    ids: list[str]
    terms: list[str]
    hub: str  # a well-connected researcher


async def client(
    http: httpx.AsyncClient,
    token: str,
    sample: Sample,
    phase: Phase,
    until: float,
    mutation_interval: float,
    rng: random.Random,
) -> None:
    followed: str | None = None
    # Stagger the first mutation so that 32 clients do not all write in the same instant.
    next_mutation = time.monotonic() + rng.uniform(0, mutation_interval)
    while time.monotonic() < until:
        if time.monotonic() >= next_mutation:
            kind = "follow"
            if followed is None:
                followed = rng.choice(sample.ids)
                query, variables = FOLLOW, {"id": followed}
            else:
                query, variables = UNFOLLOW, {"id": followed}
                followed = None
            next_mutation = time.monotonic() + mutation_interval
        else:
            kind = rng.choice(("profile", "neighborhood", "search"))
            if kind == "search":
                query, variables = SEARCH, {"q": rng.choice(sample.terms)}
            else:
                query = PROFILE if kind == "profile" else NEIGHBORHOOD
                variables = {"id": rng.choice(sample.ids)}
        elapsed, status, body = await post(http, query, variables, token)
        tally = phase.tallies[kind]
        tally.times.append(elapsed)
        codes = codes_of(status, body)
        if codes == ["RATE_LIMITED"] * len(codes) and codes:
            tally.rate_limited += 1
        elif codes:
            tally.errors += 1
            if len(phase.first_errors) < 5:
                phase.first_errors.append(f"{kind} {variables}: HTTP {status} {str(body)[:300]}")
    if followed is not None:  # leave the graph as it was
        await post(http, UNFOLLOW, {"id": followed}, token)


async def costly_client(
    http: httpx.AsyncClient, token: str, hub: str, hops: int, phase: Phase, until: float
) -> None:
    requests = {
        "too costly (researchers x hops 4)": (TOO_COSTLY, {}),
        f"heaviest allowed (hops {hops}, limit 2000)": (HEAVY, {"id": hub, "hops": hops}),
    }
    for name in requests:
        phase.costly[name] = collections.Counter()
        phase.costly_times[name] = []
    while time.monotonic() < until:
        for name, (query, variables) in requests.items():
            elapsed, status, body = await post(http, query, variables, token)
            codes = codes_of(status, body)
            phase.costly[name][f"{status} {'+'.join(sorted(set(codes))) or 'ok'}"] += 1
            phase.costly_times[name].append(elapsed)


async def run_phase(
    http: httpx.AsyncClient,
    tokens: list[str],
    sample: Sample,
    args: argparse.Namespace,
    costly: tuple[str, int] | None,
) -> Phase:
    phase = Phase()
    started = time.monotonic()
    until = started + args.seconds
    work = [
        client(
            http, token, sample, phase, until, args.mutation_interval, random.Random(args.seed + i)
        )
        for i, token in enumerate(tokens)
    ]
    if costly is not None:
        work.append(costly_client(http, costly[0], sample.hub, costly[1], phase, until))
    await asyncio.gather(*work)
    phase.seconds = time.monotonic() - started
    return phase


def rss_kib(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # The command name is in parentheses and may hold spaces: split after it.
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def memory_line(api_pid: int, db_pid: int | None) -> str:
    api = rss_kib(api_pid)
    db = rss_kib(db_pid) if db_pid else None
    mib = lambda kib: f"{kib / 1024:.0f} MiB" if kib else "?"  # noqa: E731
    return f"API VmRSS {mib(api)}, FalkorDB VmRSS {mib(db)}"


def scholargraph_command() -> list[str]:
    script = Path(sys.executable).parent / "scholargraph"
    return [str(script)] if script.exists() else [sys.executable, "-m", "scholargraph.cli"]


def import_graph(data_dir: Path, files: list[Path], env: dict[str, str]) -> None:
    command = scholargraph_command()
    for step in (["seed"], ["import", "paperlists", *map(str, files)]):
        started = time.perf_counter()
        done = subprocess.run(
            [*command, *step], env=env, capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            sys.exit(f"scholargraph {step[0]} failed ({done.returncode}):\n{done.stderr[-2000:]}")
        last = (done.stdout.strip().splitlines() or [""])[-1]
        print(f"scholargraph {' '.join(step[:2])}: {time.perf_counter() - started:.1f} s; {last}")


async def create_tokens(users: list[str], env: dict[str, str]) -> list[str]:
    command = scholargraph_command()
    gate = asyncio.Semaphore(4)  # 2 cores: a few Python start-ups at a time

    async def one(user: str) -> str:
        async with gate:
            proc = await asyncio.create_subprocess_exec(
                *command, "token", "create", "--user", user, env=env,
                stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            )  # fmt: skip
            out, err = await proc.communicate()
        lines = out.decode().split()
        if proc.returncode != 0 or not lines:
            sys.exit(f"token create --user {user} failed: {err.decode()[-500:]}")
        return lines[-1]

    return list(await asyncio.gather(*(one(u) for u in users)))


def names_and_words(files: list[Path], rng: random.Random) -> tuple[list[str], list[str]]:
    """The 40 most prolific author names and 260 others; 200 title words and surnames."""
    authors: collections.Counter[str] = collections.Counter()
    words: set[str] = set()
    for path in files:
        for record in json.loads(path.read_text()):
            authors.update(n.strip() for n in str(record.get("author", "")).split(";") if n.strip())
            words.update(w.lower() for w in re.findall(r"[A-Za-z]{5,}", record.get("title", "")))
    top = [name for name, _ in authors.most_common(40)]
    rest = sorted(set(authors) - set(top))
    names = top + rng.sample(rest, min(260, len(rest)))
    surnames = [n.split()[-1] for n in rng.sample(names, min(100, len(names)))]
    return names, rng.sample(sorted(words), min(100, len(words))) + surnames


async def resolve(
    http: httpx.AsyncClient, token: str, names: list[str], terms: list[str]
) -> Sample:
    gate = asyncio.Semaphore(8)

    async def one(name: str) -> dict[str, Any] | None:
        async with gate:
            _, status, body = await post(http, RESOLVE, {"name": name}, token)
        if codes_of(status, body):
            sys.exit(f"resolving {name!r} failed: HTTP {status} {str(body)[:300]}")
        found: dict[str, Any] | None = body["data"]["researcher"]
        return found

    found = [r for r in await asyncio.gather(*(one(n) for n in names)) if r]
    ids = sorted({r["id"] for r in found})
    hub = max(found, key=lambda r: (r["stats"]["collaborators"], r["id"]))
    print(
        f"sample: {len(ids)} researchers (of {len(names)} names from the lists), "
        f"{len(terms)} search terms; hub {hub['id']} "
        f"({hub['stats']['collaborators']} collaborators, {hub['stats']['works']} works)"
    )
    return Sample(ids, terms, hub["id"])


def heaviest_hops(http_answer: tuple[float, int, Any]) -> bool:
    return "QUERY_TOO_COSTLY" not in codes_of(http_answer[1], http_answer[2])


def pct(values: list[float], q: float) -> float:
    """The q quantile (0.5, 0.99) of `values`."""
    return percentile(values, round(q * 100))


def ms(values: list[float], q: float) -> str:
    return f"{pct(values, q):.1f}" if values else "-"


def report(title: str, phase: Phase) -> None:
    print(f"\n{title}: {phase.seconds:.1f} s")
    print(
        f"{'kind':<14}{'requests':>10}{'errors':>8}{'rate-limited':>14}{'p50 ms':>10}{'p99 ms':>10}"
    )
    every: list[float] = []
    errors = limited = 0
    for kind, t in phase.tallies.items():
        every += t.times
        errors += t.errors
        limited += t.rate_limited
        print(
            f"{kind:<14}{len(t.times):>10}{t.errors:>8}{t.rate_limited:>14}"
            f"{ms(t.times, 0.5):>10}{ms(t.times, 0.99):>10}"
        )
    print(
        f"{'all':<14}{len(every):>10}{errors:>8}{limited:>14}"
        f"{ms(every, 0.5):>10}{ms(every, 0.99):>10}"
    )
    print(f"throughput: {len(every) / phase.seconds:.1f} requests/s (the costly client excluded)")
    for line in phase.first_errors:
        print(f"  error: {line}")


def compare(one: Phase, two: Phase) -> None:
    print("\nthe other clients' latency, without and with the costly client:")
    print(f"{'kind':<14}{'p50 1':>9}{'p50 2':>9}{'ratio':>7}{'p99 1':>10}{'p99 2':>10}{'ratio':>7}")
    rows = [(k, one.tallies[k].times, two.tallies[k].times) for k in KINDS]
    rows.append(("all", [t for r in rows for t in r[1]], [t for r in rows for t in r[2]]))
    for kind, a, b in rows:
        if not a or not b:
            continue
        p50, p99 = (pct(a, 0.5), pct(b, 0.5)), (pct(a, 0.99), pct(b, 0.99))
        print(
            f"{kind:<14}{p50[0]:>9.1f}{p50[1]:>9.1f}{p50[1] / p50[0]:>7.2f}"
            f"{p99[0]:>10.1f}{p99[1]:>10.1f}{p99[1] / p99[0]:>7.2f}"
        )
    print("\nwhat the costly client got (HTTP status and error codes: count, p50/p99 ms):")
    for name, counts in two.costly.items():
        times = two.costly_times[name]
        got = ", ".join(f"{code}: {n}" for code, n in counts.most_common())
        print(f"  {name}: {got}; {ms(times, 0.5)}/{ms(times, 0.99)} ms")


async def bench(args: argparse.Namespace, data_dir: Path) -> None:
    env = {
        **os.environ,
        "SCHOLARGRAPH_DATA_DIR": str(data_dir),
        "SCHOLARGRAPH_LOG_LEVEL": "warning",
    }
    files = sorted(args.files.glob("*.json"))
    if not args.data_dir:
        import_graph(data_dir, files, env)
    port = free_port()
    api = subprocess.Popen([*scholargraph_command(), "serve", "--port", str(port)], env=env)
    try:
        limits = httpx.Limits(
            max_connections=args.clients + 4, max_keepalive_connections=args.clients + 4
        )
        async with httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{port}", timeout=120, limits=limits
        ) as http:
            deadline = time.monotonic() + 300
            while True:
                if api.poll() is not None:
                    sys.exit(f"scholargraph serve exited with {api.returncode}")
                try:
                    if (await http.get("/readyz")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    sys.exit("scholargraph serve did not become ready in 300 s")
                await asyncio.sleep(0.3)
            db_pid = next(iter(children(api.pid)), None)
            started = time.perf_counter()
            tokens = await create_tokens([f"load{i}" for i in range(args.clients + 1)], env)
            print(f"{len(tokens)} tokens created in {time.perf_counter() - started:.1f} s")
            costly_token, tokens = tokens[-1], tokens[:-1]
            names, terms = names_and_words(files, random.Random(args.seed))
            sample = await resolve(http, costly_token, names, terms)
            hops = 4
            if not heaviest_hops(
                await post(http, HEAVY, {"id": sample.hub, "hops": 4}, costly_token)
            ):
                hops = 3
            print(f"heaviest allowed request: neighborhood(hops: {hops}, limit: 2000) of the hub")
            print(f"\nbefore:            {memory_line(api.pid, db_pid)}")
            one = await run_phase(http, tokens, sample, args, None)
            after_one = memory_line(api.pid, db_pid)
            two = await run_phase(http, tokens, sample, args, (costly_token, hops))
            after_two = memory_line(api.pid, db_pid)
            print(f"after phase 1:     {after_one}")
            print(f"after phase 2:     {after_two}")
        report(f"phase 1, {args.clients} clients", one)
        report(f"phase 2, {args.clients} clients and 1 costly client", two)
        compare(one, two)
    finally:
        api.terminate()
        try:
            api.wait(120)
        except subprocess.TimeoutExpired:
            api.kill()
            api.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=60, help="per phase")
    parser.add_argument("--mutation-interval", type=float, default=2.5,
                        help="seconds between one client's follow/unfollow requests")  # fmt: skip
    parser.add_argument("--data-dir", type=Path, help="an imported graph: skip the import")
    parser.add_argument("--files", type=Path, default=PAPERLISTS)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    print(
        f"{datetime.date.today()} on {machine()}; {args.clients} clients, {args.seconds:g} s a phase"
    )
    if args.data_dir:
        asyncio.run(bench(args, args.data_dir))
        return
    data_dir = Path(tempfile.mkdtemp(prefix="sg-load-"))
    try:
        asyncio.run(bench(args, data_dir))
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
