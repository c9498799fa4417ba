"""What a store read returns: plain Python values, the same on both stores (FalkorDB's replies
are parsed without the client's per-cell coroutines; Neo4j's records without data()'s walk)."""

from __future__ import annotations

from scholargraph.graphdb.store import Store


async def test_values_come_back_as_plain_python(store: Store) -> None:
    rows = await store.read(
        "RETURN true AS yes, false AS no, 1.5 AS half, -7 AS seven, null AS nothing, "
        "'Grathwohl, \"Will\" é' AS text, [1, 'a', [2, null], []] AS list, "
        "{a: 1, b: {c: [true, 2.25]}, d: null} AS map, [{x: 'y'}] AS maps"
    )
    assert rows == [
        {
            "yes": True,
            "no": False,
            "half": 1.5,
            "seven": -7,
            "nothing": None,
            "text": 'Grathwohl, "Will" é',
            "list": [1, "a", [2, None], []],
            "map": {"a": 1, "b": {"c": [True, 2.25]}, "d": None},
            "maps": [{"x": "y"}],
        }
    ]
    assert all(type(v) is bool for v in (rows[0]["yes"], rows[0]["no"]))
    assert type(rows[0]["map"]) is dict


async def test_rows_keep_their_order_and_columns(store: Store) -> None:
    rows = await store.read("UNWIND [3, 1, 2] AS i RETURN i, i * 2 AS twice")
    assert rows == [{"i": 3, "twice": 6}, {"i": 1, "twice": 2}, {"i": 2, "twice": 4}]
    assert await store.read("UNWIND [] AS i RETURN i") == []
    assert await store.write("CREATE (:Scratch {id: 'scratch:1'})") == []
