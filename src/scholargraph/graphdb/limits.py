"""Token buckets kept in the store, so that every worker process spends from the same ones.

One atomic operation: take `cost` tokens from each of some buckets, all or none, and return
what each holds afterwards and how long until the refused take would succeed. Buckets refill
continuously at `per_second` up to `capacity`; time is the store server's clock, so workers
with skewed clocks still agree. One round trip on either store:

- FalkorDB (a redis-server): a Lua script run by EVALSHA over plain redis keys beside the
  graph (a hash of tokens and time each), expiring once the bucket would be full again, so
  idle clients cost no memory.
- Neo4j: one Cypher statement in a write transaction: MERGE the bucket nodes (outside the graph:
  no Entity label), lock them by writing, then compute and SET the new levels.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from scholargraph.graphdb.model import RATE_BUCKET


@dataclass(frozen=True)
class Bucket:
    key: str  # e.g. "cost:ip:10.0.0.1", "mutation:account:ab12"
    capacity: float
    per_second: float


@dataclass(frozen=True)
class Take:
    allowed: bool
    remaining: tuple[float, ...]  # tokens left in each bucket, after this take
    retry_after: float  # seconds until the refused take would be allowed; 0 when it was


_LUA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local cost = tonumber(ARGV[1])
local levels = {}
local wait = 0
for i, key in ipairs(KEYS) do
  local capacity = tonumber(ARGV[2 * i])
  local rate = tonumber(ARGV[2 * i + 1])
  local state = redis.call('HMGET', key, 'tokens', 'at')
  local level = capacity
  if state[1] then
    level = math.min(capacity, tonumber(state[1]) + (now - tonumber(state[2])) * rate)
  end
  levels[i] = level
  if level < cost then
    wait = math.max(wait, (cost - level) / rate)
  end
end
local out = {string.format('%.17g', wait)}
for i, key in ipairs(KEYS) do
  local level = levels[i]
  if wait == 0 and cost > 0 then
    local capacity = tonumber(ARGV[2 * i])
    local rate = tonumber(ARGV[2 * i + 1])
    level = level - cost
    redis.call('HSET', key, 'tokens', string.format('%.17g', level),
               'at', string.format('%.17g', now))
    redis.call('PEXPIRE', key, math.ceil((capacity - level) / rate * 1000) + 1000)
  end
  out[i + 1] = string.format('%.17g', level)
end
return out
"""

# The first SET takes the nodes' write locks before their tokens are read, so two workers
# spending from one bucket at once serialise instead of both reading the same level.
NEO4J_TAKE = f"""
UNWIND $buckets AS b
MERGE (k:{RATE_BUCKET} {{id: b.key}})
SET k.touched = true
WITH b, k, timestamp() / 1000.0 AS now
WITH b, k, now, CASE
    WHEN k.at IS NULL THEN b.capacity
    WHEN k.tokens + (now - k.at) * b.rate > b.capacity THEN b.capacity
    ELSE k.tokens + (now - k.at) * b.rate END AS level
WITH now, collect({{b: b, k: k, level: level}}) AS rows
WITH now, rows, reduce(w = 0.0, r IN rows |
    CASE WHEN r.level < $cost AND ($cost - r.level) / r.b.rate > w
         THEN ($cost - r.level) / r.b.rate ELSE w END) AS wait
UNWIND range(0, size(rows) - 1) AS i
WITH now, wait, i, rows[i] AS r
WITH now, wait, i, r, r.k AS k, wait = 0.0 AND $cost > 0 AS spend
SET k.tokens = CASE WHEN spend THEN r.level - $cost ELSE k.tokens END,
    k.at = CASE WHEN spend THEN now ELSE k.at END
RETURN i, wait, CASE WHEN spend THEN r.level - $cost ELSE r.level END AS level
ORDER BY i
"""


def falkor_key(graph: str, bucket: str) -> str:
    return f"scholargraph:{graph}:bucket:{bucket}"


def supported(store: Any) -> bool:
    """Whether `store` can keep shared buckets (test doubles of a store cannot)."""
    return getattr(getattr(store, "dialect", None), "name", None) in ("falkordb", "neo4j")


async def take(store: Any, buckets: list[Bucket], cost: float) -> Take:
    """Spend `cost` from every bucket, or from none when one holds fewer; `cost` 0 peeks."""
    if not buckets:
        return Take(True, (), 0.0)
    if store.dialect.name == "falkordb":
        graph = store.graph_name
        script = store.script(_LUA)
        args: list[float] = [cost]
        for bucket in buckets:
            args += [bucket.capacity, bucket.per_second]
        reply = await script(keys=[falkor_key(graph, b.key) for b in buckets], args=args)
        wait, levels = float(reply[0]), tuple(float(v) for v in reply[1:])
    else:
        params = {
            "buckets": [
                {"key": b.key, "capacity": float(b.capacity), "rate": float(b.per_second)}
                for b in buckets
            ],
            "cost": float(cost),
        }
        rows = await store.bookkeeping(NEO4J_TAKE, params, write=True)
        wait = float(rows[0]["wait"])
        levels = tuple(float(row["level"]) for row in rows)
    return Take(wait == 0, levels, wait)


__all__ = ["NEO4J_TAKE", "Bucket", "Take", "falkor_key", "supported", "take"]
