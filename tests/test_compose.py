"""Offline checks for the container files: docker-compose.yml, Dockerfile, .dockerignore.

No Docker engine is needed. docker-compose.yml is validated against the official
Compose Specification JSON schema as vendored by ``check-jsonschema`` (a test
dependency; ``check-jsonschema --builtin-schema vendor.compose-spec``), loaded from
the installed package and run through ``jsonschema`` in-process, so no network
access happens. The rest asserts the semantics the stack relies on.
"""

from __future__ import annotations

import copy
import fnmatch
import functools
import importlib.resources
import json
import re
import shlex
import tomllib
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

import jsonschema
import pytest
import yaml
from jsonschema.validators import validator_for

ROOT = Path(__file__).resolve().parents[1]
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"

# check_jsonschema/builtin_schemas/vendor/compose-spec.json
SCHEMA_PACKAGE = "check_jsonschema.builtin_schemas.vendor"
SCHEMA_RESOURCE = "compose-spec.json"


# --------------------------------------------------------------------------- helpers


@functools.cache
def _compose_schema() -> dict[str, Any]:
    resource = importlib.resources.files(SCHEMA_PACKAGE).joinpath(SCHEMA_RESOURCE)
    schema: dict[str, Any] = json.loads(resource.read_text(encoding="utf-8"))
    return schema


def _compose_validator() -> jsonschema.protocols.Validator:
    schema = _compose_schema()
    cls = validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def _load_compose() -> dict[str, Any]:
    data = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    assert isinstance(data, dict), "docker-compose.yml must be a mapping"
    return data


def _service(name: str) -> dict[str, Any]:
    services = _load_compose().get("services", {})
    assert name in services, f"docker-compose.yml has no service {name!r}"
    service: dict[str, Any] = services[name]
    return service


def _environment(service: dict[str, Any]) -> dict[str, str]:
    """A service's ``environment`` as a dict, whichever of the two spec forms it uses."""
    env = service.get("environment") or {}
    if isinstance(env, list):
        pairs = (item.split("=", 1) for item in env)
        return {kv[0]: kv[1] if len(kv) == 2 else "" for kv in pairs}
    return {key: "" if value is None else str(value) for key, value in env.items()}


_VAR = re.compile(r"\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^}]*))?\}")


def _interpolate(value: str, env: dict[str, str]) -> str:
    """Compose-style ``${VAR}``, ``${VAR:-default}``, ``${VAR-default}`` and ``$$``."""

    def repl(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name, op, default = match.group(1), match.group(2), match.group(3) or ""
        if op == ":-":
            return env.get(name) or default
        if op == "-":
            return env.get(name, default)
        return env.get(name, "")

    return _VAR.sub(repl, value)


def _healthcheck_shell(test: str | list[str]) -> str:
    """The command line a compose/Dockerfile healthcheck ``test`` runs."""
    if isinstance(test, str):
        return test
    kind, *rest = test
    if kind == "CMD-SHELL":
        return " ".join(rest)
    if kind == "CMD":
        return shlex.join(rest)
    raise AssertionError(f"healthcheck test kind {kind!r} runs nothing")


def _flag_value(tokens: list[str], i: int, long: str, short: str | None) -> str | None:
    """If tokens[i] is ``--long=V``/``--long V``/``-sV``/``-s V`` (short may be in a
    cluster like ``-qO``), return V, else None."""
    tok = tokens[i]
    nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
    if tok == long:
        return nxt
    if tok.startswith(long + "="):
        return tok.split("=", 1)[1]
    if short and tok.startswith("-") and not tok.startswith("--") and short in tok[1:]:
        rest = tok[tok.index(short, 1) + 1 :]
        return rest or nxt
    return None


def _probe_writes_files(command: str) -> bool:
    """Whether a healthcheck command leaves something on disk each time it runs.

    Healthchecks run every few seconds for the container's lifetime, so anything
    they write accumulates: ``wget URL`` saves index.html, index.html.1, ... into the
    working directory, ``cypher-shell`` appends to its history file, and shell
    redirections or ``curl -o`` write wherever they point.
    """
    harmless = {"/dev/null", "-"}
    if "cypher-shell" in command:
        return True
    for target in re.findall(r"(?:&>|\d?>>?)\s*([^\s&|;]+)", command):
        if target not in harmless:
            return True
    try:
        tokens = shlex.split(command)
    except ValueError:
        return True
    if "tee" in tokens:
        return True
    for start, tok in enumerate(tokens):
        prog = PurePosixPath(tok).name
        if prog not in {"wget", "curl"}:
            continue
        args = []
        for arg in tokens[start + 1 :]:
            if arg in {"||", "&&", ";", "|"}:
                break
            args.append(arg)
        if prog == "wget":
            outputs = [_flag_value(args, i, "--output-document", "O") for i in range(len(args))]
            logs = [_flag_value(args, i, "--output-file", "o") for i in range(len(args))]
            if any(v is not None and v not in harmless for v in logs):
                return True
            if "--spider" in args:
                continue
            if not any(v is not None for v in outputs):
                return True  # saves the page under its remote name
            if any(v is not None and v not in harmless for v in outputs):
                return True
        else:
            if any(
                a in {"--remote-name", "--remote-name-all"}
                or (a.startswith("-") and not a.startswith("--") and "O" in a[1:])
                for a in args
            ):
                return True
            outputs = [_flag_value(args, i, "--output", "o") for i in range(len(args))]
            if any(v is not None and v not in harmless for v in outputs):
                return True
    return False


def _dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    instructions: list[tuple[str, str]] = []
    pending = ""
    for raw in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        full = (pending + line).strip()
        pending = ""
        keyword, _, args = full.partition(" ")
        instructions.append((keyword.upper(), args.strip()))
    assert not pending, "Dockerfile ends inside a line continuation"
    return instructions


def _exec_form(args: str) -> list[str]:
    assert args.startswith("["), f"expected JSON exec form, got {args!r}"
    value = json.loads(args)
    assert isinstance(value, list)
    return value


def _dockerfile_env() -> dict[str, str]:
    env: dict[str, str] = {}
    for keyword, args in _dockerfile_instructions():
        if keyword == "ENV":
            for pair in shlex.split(args):
                key, sep, value = pair.partition("=")
                assert sep, f"use ENV KEY=VALUE, got {pair!r}"
                env[key] = value
    return env


def _dockerfile_copies() -> dict[str, PurePosixPath]:
    """Source (normalised, no ``./`` or trailing ``/``) -> absolute destination."""
    workdir = PurePosixPath("/")
    copies: dict[str, PurePosixPath] = {}
    for keyword, args in _dockerfile_instructions():
        if keyword == "WORKDIR":
            workdir = workdir / args
        elif keyword in {"COPY", "ADD"}:
            parts = [p for p in shlex.split(args) if not p.startswith("--")]
            *sources, dest = parts
            dest_path = workdir / dest
            for src in sources:
                name = src.removeprefix("./").rstrip("/")
                # "COPY a b ./" puts a at ./a; "COPY dir/ ./dir/" puts dir at ./dir
                if len(sources) > 1 or (dest.endswith("/") and not src.endswith("/")):
                    copies[name] = dest_path / PurePosixPath(name).name
                else:
                    copies[name] = dest_path
    return copies


# --------------------------------------------------------------------------- schema


def test_vendored_schema_is_the_compose_spec() -> None:
    schema = _compose_schema()
    assert schema.get("title") == "Compose Specification"
    assert "services" in schema["properties"]


def test_compose_file_matches_compose_spec() -> None:
    validator = _compose_validator()
    errors = sorted(validator.iter_errors(_load_compose()), key=lambda e: list(e.path))
    messages = [f"{'/'.join(map(str, e.path)) or '<root>'}: {e.message}" for e in errors]
    assert not messages, "docker-compose.yml violates the Compose spec:\n" + "\n".join(messages)


def test_compose_schema_check_can_fail() -> None:
    mutated = copy.deepcopy(_load_compose())
    mutated["services"]["api"]["depends_on"] = {"neo4j": {"condition": "bogus"}}
    with pytest.raises(jsonschema.ValidationError):
        _compose_validator().validate(mutated)


# --------------------------------------------------------------------------- compose semantics


def test_api_waits_for_healthy_neo4j() -> None:
    depends_on = _service("api").get("depends_on")
    assert isinstance(depends_on, dict), "api.depends_on must use the long form with a condition"
    assert depends_on.get("neo4j", {}).get("condition") == "service_healthy"


def test_neo4j_has_a_healthcheck_that_does_not_write_files() -> None:
    neo4j = _service("neo4j")
    assert neo4j["image"].startswith("neo4j:5")
    healthcheck = neo4j.get("healthcheck")
    assert healthcheck, "neo4j needs a healthcheck for condition: service_healthy"
    assert not healthcheck.get("disable", False)
    command = _healthcheck_shell(healthcheck["test"])
    assert "curl" not in command, "the neo4j image ships wget, not curl"
    assert not _probe_writes_files(command), f"healthcheck writes files: {command!r}"
    assert healthcheck.get("interval") == "10s"
    assert int(healthcheck.get("retries", 0)) == 12
    assert healthcheck.get("start_period") == "30s"


@pytest.mark.parametrize(
    "command",
    [
        "wget http://localhost:7474 || exit 1",
        "wget -q http://localhost:7474",
        "wget -q -O /tmp/probe.html http://localhost:7474",
        "wget --spider -o /tmp/wget.log http://localhost:7474",
        "cypher-shell -u neo4j -p secret 'RETURN 1'",
        "curl -fsS http://localhost:7474 > /tmp/out",
        "curl -fsS -o probe.html http://localhost:7474",
        "curl -fsSO http://localhost:7474/index.html",
    ],
)
def test_probe_writes_files_flags_disk_writers(command: str) -> None:
    assert _probe_writes_files(command)


@pytest.mark.parametrize(
    "command",
    [
        "wget --quiet --tries=1 --spider http://localhost:7474 || exit 1",
        "wget -qO- http://localhost:7474 >/dev/null",
        "wget -q -O /dev/null http://localhost:7474",
        "curl -fsS -o /dev/null http://localhost:7474",
        "neo4j status",
    ],
)
def test_probe_writes_files_accepts_clean_probes(command: str) -> None:
    assert not _probe_writes_files(command)


def test_neo4j_memory_is_modest_and_data_is_a_named_volume() -> None:
    compose = _load_compose()
    neo4j = _service("neo4j")
    env = _environment(neo4j)
    assert env.get("NEO4J_server_memory_heap_max__size"), "cap the Neo4j heap"
    assert env.get("NEO4J_server_memory_pagecache_size"), "cap the Neo4j page cache"
    assert "NEO4J_PLUGINS" not in env
    mounts = [v for v in neo4j.get("volumes", []) if isinstance(v, str)]
    data = [m.split(":")[0] for m in mounts if m.split(":")[1:2] == ["/data"]]
    assert len(data) == 1, "mount one volume at /data"
    assert data[0] in (compose.get("volumes") or {}), f"{data[0]!r} is not a declared volume"
    assert {"7474:7474", "7687:7687"} <= {str(p) for p in neo4j.get("ports", [])}


def test_api_env_points_at_the_neo4j_service() -> None:
    compose = _load_compose()
    env = _environment(_service("api"))
    uri = urlsplit(env["SCHOLARGRAPH_NEO4J_URI"])
    assert uri.scheme in {"bolt", "neo4j"}
    assert uri.hostname == "neo4j"
    assert uri.hostname in compose["services"]
    assert uri.port == 7687
    assert env["SCHOLARGRAPH_NEO4J_DATABASE"] == "neo4j"
    assert env["SCHOLARGRAPH_SEED_ON_START"].strip().lower() == "true"


@pytest.mark.parametrize(
    ("shell_env", "password"),
    [({}, "scholargraph-dev"), ({"NEO4J_PASSWORD": "s3cret-override"}, "s3cret-override")],
)
def test_api_credentials_match_neo4j_auth(shell_env: dict[str, str], password: str) -> None:
    neo4j_auth = _interpolate(_environment(_service("neo4j"))["NEO4J_AUTH"], shell_env)
    api_env = {k: _interpolate(v, shell_env) for k, v in _environment(_service("api")).items()}
    assert neo4j_auth == f"neo4j/{password}"
    user, password_in_api = (
        api_env["SCHOLARGRAPH_NEO4J_USER"],
        api_env["SCHOLARGRAPH_NEO4J_PASSWORD"],
    )
    assert f"{user}/{password_in_api}" == neo4j_auth


def test_api_service_build_port_restart_and_healthcheck() -> None:
    api = _service("api")
    build = api["build"]
    context = build if isinstance(build, str) else build.get("context", ".")
    assert (COMPOSE_FILE.parent / context / "Dockerfile").is_file()
    assert "8000:8000" in [str(p) for p in api.get("ports", [])]
    assert api.get("restart") == "unless-stopped"
    command = _healthcheck_shell(api["healthcheck"]["test"])
    assert "curl" not in command, "python:3.11-slim has no curl"
    assert not _probe_writes_files(command)


# --------------------------------------------------------------------------- Dockerfile


def test_dockerfile_base_user_and_port() -> None:
    instructions = _dockerfile_instructions()
    froms = [args for keyword, args in instructions if keyword == "FROM"]
    assert froms, "Dockerfile has no FROM"
    assert froms[-1].split()[0].startswith("python:3.11-slim")
    users = [args for keyword, args in instructions if keyword == "USER"]
    assert users, "the image must not run as root"
    assert users[-1].split(":")[0] not in {"root", "0"}
    exposed = {p for keyword, args in instructions if keyword == "EXPOSE" for p in args.split()}
    assert "8000" in exposed or "8000/tcp" in exposed


def test_dockerfile_installs_project_and_copies_seeds() -> None:
    instructions = _dockerfile_instructions()
    copies = _dockerfile_copies()
    for needed in ("pyproject.toml", "README.md", "src", "seeds"):
        assert needed in copies, f"Dockerfile does not COPY {needed}"
    runs = [args for keyword, args in instructions if keyword == "RUN"]
    assert any(re.search(r"pip install --no-cache-dir \.(\s|$)", run) for run in runs)
    seeds_dir = _dockerfile_env().get("SCHOLARGRAPH_SEEDS_DIR")
    assert seeds_dir == "/app/seeds"
    assert copies["seeds"] == PurePosixPath(seeds_dir)
    assert (ROOT / "seeds").is_dir()


def test_dockerfile_healthcheck_and_cmd() -> None:
    instructions = _dockerfile_instructions()
    healthchecks = [args for keyword, args in instructions if keyword == "HEALTHCHECK"]
    assert len(healthchecks) == 1
    probe = healthchecks[0].split(" CMD ", 1)[1].strip()
    command = _healthcheck_shell(["CMD", *_exec_form(probe)])
    assert "urllib" in command
    assert "/healthz" in command
    assert ":8000/" in command
    cmds = [args for keyword, args in instructions if keyword == "CMD"]
    assert cmds, "Dockerfile has no CMD"
    all_interfaces = "0.0.0.0"  # noqa: S104 - inside a container the API must not bind loopback only
    assert _exec_form(cmds[-1]) == [
        "scholargraph",
        "serve",
        "--host",
        all_interfaces,
        "--port",
        "8000",
    ]
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "scripts"
    ]
    assert "scholargraph" in scripts


def test_dockerignore_keeps_the_build_inputs() -> None:
    patterns = [
        line.strip()
        for line in DOCKERIGNORE.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    assert ".venv" in patterns
    assert ".git" in patterns

    def ignored(path: str) -> bool:
        parts = PurePosixPath(path).parts
        candidates = ["/".join(parts[: i + 1]) for i in range(len(parts))]
        result = False
        for pattern in patterns:
            negate = pattern.startswith("!")
            pat = pattern.lstrip("!").strip("/")
            variants = [pat, pat.removeprefix("**/")]
            if any(fnmatch.fnmatchcase(c, v) for c in candidates for v in variants):
                result = not negate
        return result

    for needed in (
        "pyproject.toml",
        "README.md",
        "src/scholargraph/__init__.py",
        "src/scholargraph/py.typed",
        *(p.relative_to(ROOT).as_posix() for p in (ROOT / "seeds").rglob("*") if p.is_file()),
    ):
        assert not ignored(needed), f".dockerignore excludes {needed}, which the build needs"
    assert ignored(".venv/bin/python")
    assert ignored("src/scholargraph/__pycache__/cli.cpython-311.pyc")


def test_api_healthcheck_touches_the_store() -> None:
    # /healthz answers while Neo4j is down; /readyz pings the store and answers 503 then.
    command = _healthcheck_shell(_service("api")["healthcheck"]["test"])
    assert "/readyz" in command and "/healthz" not in command
