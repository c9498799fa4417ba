"""Input hygiene: text and numbers no store can hold are refused before anything executes.

FalkorDB's client writes parameters into the query text, so a NUL or a lone surrogate there
breaks the query (and surfaced as a masked internal error); an infinite float does the same.
One pass over the document's literals and the request's variables covers every argument and
input field, however deeply nested in input objects and lists, without a check per resolver.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from typing import Any

from graphql import (
    DocumentNode,
    FloatValueNode,
    IntValueNode,
    StringValueNode,
    Visitor,
    visit,
)
from graphql.execution import ExecutionResult as GraphQLExecutionResult
from strawberry.extensions import SchemaExtension

from scholargraph.errors import BadUserInput

# NUL, the surrogate code points (only ever lone in a Python str) and the 66 non-characters.
_FORBIDDEN = re.compile(
    "[\x00\ud800-\udfff\ufdd0-\ufdef"
    + "".join(chr(plane << 16 | 0xFFFE) + chr(plane << 16 | 0xFFFF) for plane in range(17))
    + "]"
)
_RULE = "strings may not hold NUL, lone surrogates or Unicode non-characters"


def bad_character(value: str) -> str | None:
    """The first character no argument may hold, as U+XXXX, or None."""
    found = _FORBIDDEN.search(value)
    return None if found is None else f"U+{ord(found.group()):04X}"


class _Literals(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.problem: BadUserInput | None = None

    def enter_string_value(self, node: StringValueNode, *_: Any) -> Any:
        character = bad_character(node.value)
        if character is not None:
            line = node.loc.start_token.line if node.loc else "?"
            self.problem = BadUserInput(f"a string on line {line} holds {character}: {_RULE}")
            return self.BREAK
        return None

    def enter_float_value(self, node: FloatValueNode, *_: Any) -> Any:
        return self._number(node)

    def enter_int_value(self, node: IntValueNode, *_: Any) -> Any:
        # An integer literal given to a Float argument becomes a float: 400 digits are infinity.
        return self._number(node)

    def _number(self, node: FloatValueNode | IntValueNode) -> Any:
        if not math.isfinite(float(node.value)):
            self.problem = BadUserInput(
                f"the number {node.value[:20]}… is too large: numbers must be finite doubles"
            )
            return self.BREAK
        return None


def _walk(value: Any, path: str) -> Iterator[tuple[str, Any]]:
    # Iterative, so deeply nested variables cannot exhaust the stack.
    stack: list[tuple[str, Any]] = [(path, value)]
    while stack:
        where, item = stack.pop()
        if isinstance(item, dict):
            for key, member in item.items():
                yield f"{where}.<key>", key
                stack.append((f"{where}.{key}", member))
        elif isinstance(item, list):
            stack.extend((f"{where}[{i}]", member) for i, member in enumerate(item))
        else:
            yield where, item


def check_variables(variables: dict[str, Any] | None) -> None:
    for where, value in _walk(variables or {}, "variables"):
        if isinstance(value, str):
            character = bad_character(value)
            if character is not None:
                raise BadUserInput(f"`{where}` holds {character}: {_RULE}", variable=where)
        elif isinstance(value, float) and not math.isfinite(value):
            raise BadUserInput(f"`{where}` is {value}: numbers must be finite", variable=where)


def check_document(document: DocumentNode) -> None:
    literals = _Literals()
    visit(document, literals)
    if literals.problem is not None:
        raise literals.problem


class InputHygiene(SchemaExtension):
    """Refuses, before execution, any request whose arguments hold text or numbers that no
    store can hold, with BAD_USER_INPUT."""

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        try:
            if context.graphql_document is not None:
                check_document(context.graphql_document)
            check_variables(context.variables)
        except BadUserInput as error:
            context.result = GraphQLExecutionResult(data=None, errors=[error])
        yield


__all__ = ["InputHygiene", "bad_character", "check_document", "check_variables"]
