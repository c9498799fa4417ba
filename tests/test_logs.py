"""Logs: with the JSON format, every line a request causes is one JSON object carrying its request
id, and its access line names the operation, status, duration and cost."""

from __future__ import annotations

import io
import json
import logging
import logging.config
from collections.abc import Iterator

import httpx
import pytest

from scholargraph import logs


@pytest.fixture
def json_lines() -> Iterator[io.StringIO]:
    """The scholargraph loggers' records, formatted as `SCHOLARGRAPH_LOG_FORMAT=json` does."""
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(logs.JsonFormatter())
    logger = logging.getLogger("scholargraph")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield out
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


async def test_a_requests_lines_are_json_with_its_id(
    client: httpx.AsyncClient, json_lines: io.StringIO
) -> None:
    named = await client.post(
        "/graphql",
        json={"query": 'query Who { researcher(name: "will grathwohl") { name } }'},
        headers={"x-request-id": "log-test-1"},
    )
    assert named.headers["x-request-id"] == "log-test-1"
    # A client mistake: logged (debug) while the request runs, so with its id too.
    refused = await client.post(
        "/graphql", json={"query": "query Typo { researcher(name: 1) { nam } }"}
    )
    refused_id = refused.headers["x-request-id"]
    assert refused_id != "log-test-1"

    lines = [json.loads(line) for line in json_lines.getvalue().splitlines()]
    assert lines, "nothing was logged"
    for line in lines:
        assert {"time", "level", "logger", "message", "request_id"} <= line.keys(), line
        assert line["request_id"] in ("log-test-1", refused_id)

    access = [line for line in lines if line["logger"] == "scholargraph.access"]
    assert [(a["request_id"], a["operation"]) for a in access] == [
        ("log-test-1", "Who"),
        (refused_id, "Typo"),  # parsed, so named, though it did not validate
    ]
    first = access[0]
    assert first["message"] == "POST /graphql 200"
    assert (first["method"], first["path"], first["status"]) == ("POST", "/graphql", 200)
    assert first["outcome"] == "ok"
    assert first["cost"] >= 1
    assert first["duration_ms"] > 0
    assert access[1]["outcome"] == "GRAPHQL_VALIDATION_FAILED"
    during = [line for line in lines if line["logger"] == "scholargraph.errors"]
    assert during, "the client error was not logged"
    assert {line["request_id"] for line in during} == {refused_id}


def test_text_lines_carry_the_request_id_and_fields() -> None:
    record = logging.makeLogRecord({
        "name": "scholargraph.access", "levelname": "INFO", "msg": "%s %s %s",
        "args": ("GET", "/graphql", 200), "operation": "Who", "cost": 3,
    })  # fmt: skip
    with logs.request("abc123"):
        line = logs.TextFormatter().format(record)
    assert line == "INFO scholargraph.access: GET /graphql 200 operation=Who cost=3 request_id=abc123"
    assert "request_id" not in logs.JsonFormatter().format(record)  # no request bound now


def test_the_log_config_formats_as_asked() -> None:
    for name, formatter in (("json", logs.JsonFormatter), ("text", logs.TextFormatter)):
        config = logs.config("debug", name)
        assert config["formatters"]["default"]["()"].endswith(formatter.__name__)
        assert config["root"]["level"] == "DEBUG"
        # uvicorn's own access line gives way to scholargraph.access.
        assert config["loggers"]["uvicorn.access"]["propagate"] is False
