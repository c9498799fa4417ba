"""The GraphQL schema: root types merged from each capability, and production limits."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any

import strawberry
from graphql import GraphQLError, OperationDefinitionNode
from graphql.execution import ExecutionResult as GraphQLExecutionResult
from strawberry.extensions import (
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)
from strawberry.types import ExecutionContext

from scholargraph.errors import BadUserInput, QueryTimeoutError, StoreUnavailableError
from scholargraph.graphdb.deadline import QueryTimeout
from scholargraph.graphdb.store import StoreUnavailable
from scholargraph.schema import entities
from scholargraph.schema.community import CommunityMutation, CommunityQuery
from scholargraph.schema.cost import QueryCost
from scholargraph.schema.execution import PlainLeavesExecutor
from scholargraph.schema.explorer import ExplorerQuery
from scholargraph.schema.hygiene import InputHygiene
from scholargraph.schema.identity import IdentityMutation
from scholargraph.schema.query import ProfileQuery
from scholargraph.schema.subscriptions import Subscription, SubscriptionRefusals

log = logging.getLogger("scholargraph.errors")


@strawberry.type(
    description="Reading the graph: profiles, papers, venues, talks, awards, the explorer's "
    "neighborhoods and paths, and search. Public; no token needed."
)
class Query(ProfileQuery, ExplorerQuery, CommunityQuery):
    pass


@strawberry.type(
    description="Community actions: follow, claim, invite, edit an owned profile; admins review "
    "claims and merge records. Each needs an API token (`Authorization: Bearer <token>`)."
)
class Mutation(CommunityMutation, IdentityMutation):
    pass


# Types only reachable through the Node interface still belong in the SDL.
EXTRA_TYPES: tuple[type, ...] = (
    entities.Researcher,
    entities.Paper,
    entities.Venue,
    entities.Institution,
    entities.Topic,
    entities.Talk,
    entities.Award,
    entities.ProfileSnapshot,
)


def _is_client_error(error: GraphQLError) -> bool:
    # Our coded errors and GraphQL's own syntax/validation errors say what to fix; pass them.
    # graphql-core raises GraphQLError itself only for client mistakes (e.g. a variable that
    # does not coerce to an enum); anything else from a resolver is a bug to mask.
    original = error.original_error
    return original is None or isinstance(original, GraphQLError)


class LoggedMaskErrors(MaskErrors):
    """Masks unexpected errors for clients; logs them in full with the request id."""

    def __init__(self) -> None:
        super().__init__(
            should_mask_error=lambda e: not _is_client_error(e),
            error_message="Internal server error; quote the requestId when reporting it.",
        )

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        context = self.execution_context.context
        request_id = getattr(context, "request_id", None)
        if isinstance(error.original_error, QueryTimeout):
            log.info("query timeout (request %s): %s", request_id, error.original_error)
            timeout = QueryTimeoutError(
                "This part of the request ran past the request's deadline and was stopped: "
                "ask for fewer items or a smaller neighborhood.",
                requestId=request_id,
            )
            return GraphQLError(
                timeout.message,
                nodes=error.nodes,
                source=error.source,
                positions=error.positions,
                path=error.path,
                extensions=timeout.extensions,
            )
        if isinstance(error.original_error, StoreUnavailable):
            # Not a bug but an outage the client can wait out: say so, with a code.
            log.warning("store unavailable (request %s): %s", request_id, error.original_error)
            unavailable = StoreUnavailableError(
                "The graph store is unavailable; try again shortly.", requestId=request_id
            )
            return GraphQLError(
                unavailable.message,
                nodes=error.nodes,
                source=error.source,
                positions=error.positions,
                path=error.path,
                extensions=unavailable.extensions,
            )
        log.error(
            "unexpected error (request %s)", request_id, exc_info=error.original_error or error
        )
        return GraphQLError(
            self.error_message,
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            extensions={"code": "INTERNAL_SERVER_ERROR", "requestId": request_id},
        )


def _code_for(error: GraphQLError) -> str:
    if error.message.startswith("Syntax Error"):
        return "GRAPHQL_PARSE_FAILED"
    if error.message.startswith("Variable '$"):
        return BadUserInput.code  # variable values that do not coerce, e.g. null for ID!
    return "GRAPHQL_VALIDATION_FAILED"


class OneOperation(SchemaExtension):
    """A document of several operations needs `operationName` (GraphQL's GetOperation());
    strawberry would run the first one instead."""

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        given = getattr(context, "_provided_operation_name", context.operation_name)
        if context.result is None and document is not None and given is None:
            operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
            if len(operations) > 1:
                error = GraphQLError(
                    f"the document holds {len(operations)} operations: name the one to run "
                    "in `operationName`",
                    extensions={"code": "OPERATION_RESOLUTION_FAILURE"},
                )
                context.result = GraphQLExecutionResult(data=None, errors=[error])
        yield


class Schema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        # Client mistakes are answers, not incidents: log them briefly, without a traceback.
        # Unexpected errors were already logged in full by LoggedMaskErrors.
        for error in errors:
            if _is_client_error(error):
                log.debug("client error: %s", error.message)
            # Parse and validation errors come from graphql-core without a code; give them one
            # so that every error a client sees carries `extensions.code`.
            if not (error.extensions or {}).get("code"):
                code = _code_for(error) if error.original_error is None else BadUserInput.code
                error.extensions = {**(error.extensions or {}), "code": code}


def build_schema(
    max_depth: int = 12,
    max_cost: int = 10_000,
    extra_extensions: tuple[Callable[[], Any], ...] = (),
) -> strawberry.Schema:
    return Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=EXTRA_TYPES,
        execution_context_class=PlainLeavesExecutor,
        extensions=[
            lambda: QueryDepthLimiter(max_depth=max_depth),
            lambda: MaxTokensLimiter(max_token_count=5_000),
            lambda: MaxAliasesLimiter(max_alias_count=50),
            lambda: ParserCache(maxsize=256),
            lambda: ValidationCache(maxsize=256),
            LoggedMaskErrors,
            OneOperation,
            InputHygiene,
            lambda: QueryCost(max_cost=max_cost),
            SubscriptionRefusals,  # after every extension that may refuse a request
            *extra_extensions,
        ],
    )


__all__ = ["EXTRA_TYPES", "Mutation", "Query", "Schema", "build_schema"]
