"""Query cost, as GitHub's GraphQL API counts it: before execution, the most nodes a request can
return, from `first`, `limit` and `hops` multiplied through nesting (docs/cost.md).

A request over the per-request maximum is refused with QUERY_TOO_COSTLY; one within it is
charged to its client's budget of points per minute (per account, else per IP address) and
refused with RATE_LIMITED when the budget holds fewer points. Every answer reports
`extensions.cost {requested, limit, remaining, resetAt}`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    NamedTypeNode,
    SchemaMetaFieldDef,
    SelectionSetNode,
    TypeMetaFieldDef,
    get_named_type,
    get_operation_ast,
    is_composite_type,
)
from graphql.execution import ExecutionResult as GraphQLExecutionResult
from graphql.execution.values import get_argument_values, get_variable_values
from strawberry.extensions import SchemaExtension

from scholargraph.budget import Budget, Spend
from scholargraph.errors import ApiError, RateLimited

# Items assumed in a list that takes no size argument (a paper's authors, a researcher's
# talks); documented in docs/cost.md with the per-field exceptions below.
LIST_ESTIMATE = 10
LIST_ESTIMATES: dict[tuple[str, str], int] = {
    ("Account", "ownedProfiles"): 1,
    # One per source that states a count (OpenAlex, Google Scholar via paperlists, ...).
    ("Paper", "statedCitations"): 3,
    # One entry per work on the profile, unpaged: priced as a works page of the largest size.
    ("Researcher", "identity"): 100,
    ("WorkFacets", "kinds"): 4,  # there are four kinds of appearance
}
# Objects that cost more than what they return: a facet set reads every paper of its
# filtered list in the store (a researcher's works, a venue's papers, search's paper hits),
# whatever the page size; this many papers is the estimate (docs/cost.md).
FACETS_READ = 100
FIELD_COSTS: dict[tuple[str, str], int] = {
    ("WorkConnection", "facets"): FACETS_READ,
    ("VenuePublicationConnection", "facets"): FACETS_READ,
    ("SearchConnection", "facets"): FACETS_READ,
}


class QueryTooCostly(ApiError):
    code = "QUERY_TOO_COSTLY"


@dataclass(frozen=True)
class _Page:
    """The size a paged field (`first`, `limit`, `maxHops`) gives the lists of its object."""

    size: int
    hops: int = 1

    def of(self, type_name: str, field_name: str) -> int:
        # Relationships among a neighborhood's nodes: up to `hops` per node is the estimate.
        if (type_name, field_name) == ("Subgraph", "edges"):
            return self.size * self.hops
        return self.size


def _int(args: dict[str, Any], name: str, field: GraphQLField) -> int | None:
    if name not in field.args:
        return None
    value = args.get(name)
    if value is None:  # explicit null means the default (see the schema's arguments)
        value = field.args[name].default_value
    return max(0, value) if isinstance(value, int) else None


def _page(args: dict[str, Any], field: GraphQLField) -> _Page | None:
    first = _int(args, "first", field)
    if first is not None:
        return _Page(first)
    limit = _int(args, "limit", field)
    if limit is not None:
        return _Page(limit, max(1, _int(args, "hops", field) or 1))
    max_hops = _int(args, "maxHops", field)
    if max_hops is not None:
        return _Page(2 * max_hops + 1)  # researchers and papers alternate along a path
    return None


def _unwrap(type_: Any) -> tuple[Any, bool]:
    listed = False
    while isinstance(type_, (GraphQLNonNull, GraphQLList)):
        listed = listed or isinstance(type_, GraphQLList)
        type_ = type_.of_type
    return type_, listed


class _Estimate:
    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: dict[str, FragmentDefinitionNode],
        variables: Any,  # graphql-core's coerced variables, passed back to it as they are
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables

    def _field(self, parent: GraphQLNamedType, name: str) -> GraphQLField | None:
        if parent is self.schema.query_type and name == "__schema":
            return SchemaMetaFieldDef
        if parent is self.schema.query_type and name == "__type":
            return TypeMetaFieldDef
        if isinstance(parent, (GraphQLObjectType, GraphQLInterfaceType)):
            return parent.fields.get(name)
        return None

    def _fields(
        self, selections: SelectionSetNode, parent: GraphQLNamedType
    ) -> Iterator[tuple[FieldNode, GraphQLNamedType]]:
        # Every field of every fragment counts, whichever type the object turns out to be:
        # an over-estimate, never an under-estimate.
        for selection in selections.selections:
            if isinstance(selection, FieldNode):
                yield selection, parent
                continue
            condition: NamedTypeNode | None
            if isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments.get(selection.name.value)
                if fragment is None:
                    continue
                condition, inner = fragment.type_condition, fragment.selection_set
            elif isinstance(selection, InlineFragmentNode):
                condition, inner = selection.type_condition, selection.selection_set
            else:
                continue
            named = self.schema.get_type(condition.name.value) if condition else parent
            yield from self._fields(inner, named or parent)

    def cost(
        self, selections: SelectionSetNode, parent: GraphQLNamedType, times: int, page: _Page | None
    ) -> int:
        total = 0
        for node, owner in self._fields(selections, parent):
            field = self._field(owner, node.name.value)
            if field is None:
                continue
            named, listed = _unwrap(field.type)
            if not is_composite_type(named):
                continue  # scalars and lists of them are values, not nodes
            try:
                args = get_argument_values(field, node, self.variables)
            except GraphQLError:
                args = {}  # execution reports it; the estimate treats it as defaults
            items = times
            total += times * FIELD_COSTS.get((owner.name, node.name.value), 0)
            if listed:
                first = _int(args, "first", field)
                ids = args.get("ids") if "ids" in field.args else None
                if first is not None:
                    per_parent = first
                elif isinstance(ids, list):
                    per_parent = len(ids)  # a batch lookup returns one item per id asked
                elif page is not None:
                    per_parent = page.of(owner.name, node.name.value)
                else:
                    key = (owner.name, node.name.value)
                    per_parent = LIST_ESTIMATES.get(key, LIST_ESTIMATE)
                items = times * per_parent
                total += items
            if node.selection_set is not None:
                # A paged field's size reaches the lists of the one object it returns (a
                # connection's edges); a list sized by its own `first` has spent it.
                inner_page = None if listed else _page(args, field)
                total += self.cost(node.selection_set, get_named_type(named), items, inner_page)
        return total


def estimate(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: dict[str, Any] | None,
) -> int:
    """The most nodes the operation can return (at least 1), or 0 when it cannot run."""
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return 0
    coerced = get_variable_values(
        schema, operation.variable_definitions or (), variables or {}, max_errors=1
    )
    if isinstance(coerced, list):
        return 0  # the variables do not coerce: execution refuses them
    root = schema.get_root_type(operation.operation)
    if root is None:
        return 0
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    nodes = _Estimate(schema, fragments, coerced).cost(operation.selection_set, root, 1, None)
    return max(1, nodes)


def client_of(context: Any) -> str | None:
    """Whom a request's points are charged to: its account, else its IP address."""
    extra = getattr(context, "extra", {})
    account = getattr(context, "account", None)
    if account is not None and not extra.get("auth_error"):
        return f"account:{account.id}"
    address = extra.get("client_address")
    return None if address is None else f"ip:{address}"


class QueryCost(SchemaExtension):
    """Refuses costly requests, charges the rest, and reports the cost of each."""

    def __init__(self, *, max_cost: int) -> None:
        self.max_cost = max_cost
        self.requested = 0
        self.spend: Spend | None = None

    def _budget(self) -> tuple[Budget | None, str | None]:
        context = self.execution_context.context
        budget = getattr(context, "extra", {}).get("cost_budget")
        return budget, client_of(context)

    async def on_execute(self) -> Any:
        context = self.execution_context
        if context.result is None and context.graphql_document is not None:
            await self._charge()
        yield

    async def _charge(self) -> None:
        context = self.execution_context
        requested = estimate(
            context.schema._schema,
            context.graphql_document,  # type: ignore[arg-type]
            context.operation_name,
            context.variables,
        )
        self.requested = requested
        budget, client = self._budget()
        limit = self.max_cost if budget is None else min(self.max_cost, budget.limit)
        if requested > limit:
            context.result = GraphQLExecutionResult(data=None, errors=[QueryTooCostly(
                f"this request could return up to {requested:,} nodes; the limit is {limit:,} "
                "per request: ask for fewer items (`first`, `limit`, `hops`) or fewer nested "
                "lists (docs/cost.md explains the count)",
                cost=requested, limit=limit,
            )])  # fmt: skip
            return
        if budget is None or client is None:
            return
        self.spend = await budget.spend(client, requested)
        if not self.spend.allowed:
            context.result = GraphQLExecutionResult(
                data=None, errors=[over_budget(requested, self.spend)]
            )

    async def get_results(self) -> dict[str, Any]:
        budget, client = self._budget()
        spend = self.spend
        if spend is None and budget is not None and client is not None:
            spend = await budget.peek(client)
        return {"cost": report(self.requested, spend)}


def over_budget(requested: int, spend: Spend) -> RateLimited:
    wait = round(spend.retry_after, 1)
    return RateLimited(
        f"this request costs {requested:,} points and this client has "
        f"{spend.remaining:,} of its {spend.limit:,} per minute left; retry in {wait:.0f} s",
        retryAfterSeconds=wait, cost=requested, remaining=spend.remaining,
    )  # fmt: skip


def report(requested: int, spend: Spend | None) -> dict[str, Any]:
    """What `extensions.cost` says: the request's cost, and the client's budget after it."""
    reported: dict[str, Any] = {"requested": requested}
    if spend is not None:
        reported.update(
            limit=spend.limit,
            remaining=spend.remaining,
            resetAt=spend.reset_at.isoformat().replace("+00:00", "Z"),
        )
    return reported


__all__ = [
    "FACETS_READ",
    "FIELD_COSTS",
    "LIST_ESTIMATE",
    "LIST_ESTIMATES",
    "QueryCost",
    "QueryTooCostly",
    "client_of",
    "estimate",
    "over_budget",
    "report",
]
