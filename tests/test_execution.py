"""schema/execution.py: plain leaf fields and objects completed without graphql-core's per-field
machinery answer exactly what strawberry's own execution context answers (data, errors with
their messages, paths and locations), field for field, on a small schema full of edge cases
and on the real schema over both stores; and a request's loaders let go of what they loaded."""

from __future__ import annotations

import enum
from typing import Any

import pytest
import strawberry
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from scholargraph.graphdb.model import Rel
from scholargraph.graphdb.store import Store
from scholargraph.resolvers.context import Context
from scholargraph.resolvers.loaders import Loaders
from scholargraph.schema import build_schema
from scholargraph.schema.execution import PlainLeavesExecutor

SUBJECT = "researcher:will-grathwohl"


@strawberry.enum
class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


@strawberry.interface
class Named:
    name: str


@strawberry.type
class Leaf(Named):
    count: int | None
    ratio: float
    flag: bool
    color: Color | None
    tags: list[str]
    maybe_tags: list[str | None] | None

    @strawberry.field
    def shout(self) -> str:
        return self.name.upper()


@strawberry.type
class Box:
    label: str
    leaf: Leaf
    maybe_leaf: Leaf | None
    leaves: list[Leaf]


def _leaf(called: str, **bad: Any) -> Leaf:
    fields: dict[str, Any] = {
        "name": called,
        "count": 3,
        "ratio": 0.5,
        "flag": True,
        "color": Color.BLUE,
        "tags": ["a", "b"],
        "maybe_tags": ["x", None],
    }
    leaf = Leaf(**fields)
    for key, value in bad.items():  # values the types do not allow, as a buggy resolver might
        setattr(leaf, key, value)
    return leaf


BOXES = {
    "fine": Box(label="fine", leaf=_leaf("one"), maybe_leaf=None, leaves=[_leaf("a"), _leaf("b")]),
    "null-in-non-null": Box(
        label="null", leaf=_leaf("two", name=None), maybe_leaf=_leaf("ok"), leaves=[]
    ),
    "bad-int": Box(
        label="int", leaf=_leaf("three"), maybe_leaf=_leaf("m", count="x"), leaves=[_leaf("c")]
    ),
    "bad-list-item": Box(
        label="list",
        leaf=_leaf("four"),
        maybe_leaf=None,
        leaves=[_leaf("d"), _leaf("e", tags=["ok", None]), _leaf("f", maybe_tags=[1.5, None])],
    ),
    "exception-value": Box(
        label="exc", leaf=_leaf("five", ratio=ValueError("broken")), maybe_leaf=None, leaves=[]
    ),
    "not-a-list": Box(
        label="iter", leaf=_leaf("six", tags=iter(["g", "h"])), maybe_leaf=None, leaves=[]
    ),
}


@strawberry.type
class Query:
    @strawberry.field
    def box(self, key: str) -> Box | None:
        return BOXES[key]

    @strawberry.field
    def named(self) -> list[Named]:
        return [_leaf("via-interface")]


Q = "query($key: String!) "
QUERIES = [
    Q + "{ box(key: $key) { label leaf { name count ratio flag color tags maybeTags shout } } }",
    Q + "{ box(key: $key) { leaves { name tags maybeTags count } maybeLeaf { name count } } }",
    # aliases, one key twice, __typename, leaves around objects in an order of their own
    Q + "{ box(key: $key) { x: label leaf { n: name name name __typename } y: label } }",
    Q + "{ box(key: $key) { leaf { ... on Leaf { count } ...F name } } } "
    "fragment F on Named { name }",
    Q + "{ box(key: $key) { label @include(if: false) leaf { name @skip(if: false) flag } } }",
    Q + "{ box(key: $key) { leaves { shout ratio color } } named { name ... on Leaf { tags } } }",
]


class Counting(PlainLeavesExecutor):
    fields = 0

    def execute_field(self, *args: Any, **kwargs: Any) -> Any:
        Counting.fields += 1
        return super().execute_field(*args, **kwargs)


class CountingPlain(StrawberryGraphQLCoreExecutionContext):
    fields = 0

    def execute_field(self, *args: Any, **kwargs: Any) -> Any:
        CountingPlain.fields += 1
        return super().execute_field(*args, **kwargs)


def _schemas() -> tuple[strawberry.Schema, strawberry.Schema]:
    return (
        strawberry.Schema(query=Query, execution_context_class=Counting),
        strawberry.Schema(query=Query, execution_context_class=CountingPlain),
    )


def _answer(result: Any) -> tuple[Any, list[dict[str, Any]]]:
    return result.data, [e.formatted for e in result.errors or []]


@pytest.mark.parametrize("key", sorted(BOXES))
@pytest.mark.parametrize("query", QUERIES)
async def test_answers_as_graphql_core_does(key: str, query: str) -> None:
    fast, plain = _schemas()
    BOXES["not-a-list"].leaf.tags = iter(["g", "h"])  # type: ignore[assignment]
    expected = _answer(await plain.execute(query, variable_values={"key": key}))
    BOXES["not-a-list"].leaf.tags = iter(["g", "h"])  # type: ignore[assignment]
    got = _answer(await fast.execute(query, variable_values={"key": key}))
    assert got == expected
    # Keys in the selection's order, not only equal as dicts: the JSON is byte for byte the same.
    assert repr(got[0]) == repr(expected[0])


async def test_plain_leaves_skip_graphql_cores_field_machinery() -> None:
    fast, plain = _schemas()
    document = Q + "{ box(key: $key) { label leaves { name count ratio flag color tags shout } } }"
    Counting.fields = CountingPlain.fields = 0
    await fast.execute(document, variable_values={"key": "fine"})
    await plain.execute(document, variable_values={"key": "fine"})
    # box, leaves and two `shout`s go through graphql-core; label and 2 x 6 leaves do not.
    assert (Counting.fields, CountingPlain.fields) == (4, 17)


async def test_resolve_hooks_see_every_field() -> None:
    seen: list[str] = []

    class Hook(SchemaExtension):
        def resolve(self, _next: Any, root: Any, info: Any, *args: Any, **kwargs: Any) -> Any:
            seen.append(info.field_name)
            return _next(root, info, *args, **kwargs)

    schema = strawberry.Schema(query=Query, execution_context_class=Counting, extensions=[Hook])
    result = await schema.execute('{ box(key: "fine") { label leaf { name count } } }')
    assert result.errors is None
    assert seen == ["box", "label", "leaf", "name", "count"]


PROFILE = """query($id: ID!) { researcher(id: $id) {
  id name aliases bio headline externalIds links { kind value asWritten }
  affiliations { institution { id name kind } role since until place }
  education { institution { name } degree year }
  works(first: 100) { totalCount edges { cursor node { id title abstract year externalIds
    authors { position equalContribution asWritten researcher { id name aliases } }
    publications { venue { id name kind } year kind presentation honors notes } } } }
  talks { title event date } awards { year award { name amount funder { name } } for { title } }
  collaborators(first: 20) { researcher { name } sharedWorkCount lastSharedYear }
  stats { works followers topics collaborators talks awards }
  trust { score verificationLevel }
} }"""


async def test_the_profile_is_the_same_on_the_real_schema(seeded: Store) -> None:
    fast = build_schema(max_cost=1_000_000)
    plain = build_schema(max_cost=1_000_000)
    plain.execution_context_class = StrawberryGraphQLCoreExecutionContext
    answers = []
    for schema in (fast, plain):
        context = Context.for_request(seeded, "test")
        result = await schema.execute(
            PROFILE, variable_values={"id": SUBJECT}, context_value=context
        )
        assert result.errors is None, result.errors
        answers.append(result.data)
    assert answers[0] == answers[1]
    assert repr(answers[0]) == repr(answers[1])
    works = answers[0]["researcher"]["works"]["edges"]  # type: ignore[index]
    assert works and all(w["node"]["authors"] for w in works)


async def test_loaders_let_go_of_what_they_loaded(seeded: Store) -> None:
    loaders = Loaders(seeded)
    works = await loaders.works.load(SUBJECT)
    papers = [w.paper for w in works]
    await loaders.prefetch(papers, [(Rel.AUTHORED, "in")])
    assert loaders.known_linked(papers[0], Rel.AUTHORED, "in")
    loaders.clear()
    assert loaders.known_linked(papers[0], Rel.AUTHORED, "in") is None
    assert not loaders.node.cache_map.cache_map  # type: ignore[attr-defined]
    assert not loaders.works.cache_map.cache_map  # type: ignore[attr-defined]
    before = seeded.counters.round_trips
    assert [w.paper for w in await loaders.works.load(SUBJECT)] == papers  # loads afresh
    assert seeded.counters.round_trips == before + 1
