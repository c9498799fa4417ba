"""The checked-in SDL (schema.graphql) is what the code serves; regenerate it when it drifts."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from graphql import Visitor, parse, print_ast, visit

from scholargraph.schema import build_schema

SDL = Path(__file__).resolve().parents[1] / "schema.graphql"


def test_checked_in_sdl_matches_the_code() -> None:
    served = build_schema().as_str().strip()
    assert SDL.read_text().strip() == served, (
        "schema.graphql is stale: run `.venv/bin/scholargraph schema > schema.graphql`"
    )


class _StripDescriptions(Visitor):
    def enter(self, node: Any, *_: Any) -> Any:
        if getattr(node, "description", None) is not None:
            return dataclasses.replace(node, description=None)
        return None


def _without_descriptions(sdl: str) -> str:
    """The SDL as signatures only: descriptions break argument lists over several lines."""
    document = parse(sdl)
    stripped = visit(document, _StripDescriptions())
    return print_ast(stripped)


def test_contract_field_names_are_public() -> None:
    sdl = _without_descriptions(SDL.read_text())
    for fragment in (
        "interface Node",
        "researcher(id: ID = null, name: String = null): Researcher",
        "researchers(search: String = null, first: Int = 20, after: String = null): ResearcherConnection!",
        "works(kind: PublicationKind = null, first: Int = 50, after: String = null, filter: "
        "WorkFilter = null): WorkConnection!",
        "collaborators(first: Int = 10): [Collaborator!]!",
        "trust: TrustSnapshot!",
        "stats: ResearcherStats!",
        "publications: [Publication!]!",
        "authors: [Authorship!]!",
    ):
        assert fragment in sdl, fragment
