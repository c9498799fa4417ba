"""Every type, field, argument, enum value and input field of the schema says what it is.

GraphiQL's docs show these descriptions; a bare name is not documentation. With `node` and
web/node_modules present, graphql-schema-linter's description rules check schema.graphql too.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
)

from scholargraph.schema import build_schema

REPO = Path(__file__).resolve().parents[1]
LINTER = REPO / "web" / "node_modules" / "graphql-schema-linter" / "lib" / "cli.js"
RULES = (
    "types-have-descriptions",
    "fields-have-descriptions",
    "arguments-have-descriptions",
    "enum-values-have-descriptions",
    "input-object-values-have-descriptions",
)


def undocumented(schema: GraphQLSchema) -> list[str]:
    """Coordinates (Type, Type.field, Type.field(arg:), Enum.VALUE) without a description."""
    missing: list[str] = []

    def check(coordinate: str, description: str | None) -> None:
        if not (description or "").strip():
            missing.append(coordinate)

    for name, named in sorted(schema.type_map.items()):
        if name.startswith("__"):
            continue  # introspection's own types
        check(name, named.description)
        if isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
            for field_name, field in named.fields.items():
                check(f"{name}.{field_name}", field.description)
                for arg_name, arg in field.args.items():
                    check(f"{name}.{field_name}({arg_name}:)", arg.description)
        elif isinstance(named, GraphQLInputObjectType):
            for field_name, input_field in named.fields.items():
                check(f"{name}.{field_name}", input_field.description)
        elif isinstance(named, GraphQLEnumType):
            for value_name, value in named.values.items():
                check(f"{name}.{value_name}", value.description)
    return missing


def test_everything_in_the_schema_has_a_description() -> None:
    missing = undocumented(build_schema()._schema)
    assert missing == [], f"{len(missing)} without a description:\n" + "\n".join(missing)


def test_the_walk_finds_a_missing_description() -> None:
    from graphql import build_schema as parse_sdl

    bare = parse_sdl('"Documented." type Query { "Documented." a(x: Int): Int  b: Int }')
    assert undocumented(bare) == ["Query.a(x:)", "Query.b"]


def test_graphql_schema_linter_description_rules() -> None:
    node = shutil.which("node")
    if node is None or not LINTER.exists():
        pytest.skip("graphql-schema-linter: needs node and web/node_modules (`cd web && npm ci`)")
    result = subprocess.run(
        [node, str(LINTER), "--rules", ",".join(RULES), str(REPO / "schema.graphql")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
