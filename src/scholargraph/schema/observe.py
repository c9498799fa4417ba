"""Schema extensions that tell observe.py and tracing.py what the operation and resolvers are."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from inspect import isawaitable
from typing import Any

from graphql import GraphQLResolveInfo, OperationDefinitionNode
from strawberry.extensions import SchemaExtension
from strawberry.extensions.utils import get_path_from_info
from strawberry.resolvers import is_default_resolver

from scholargraph import observe, tracing


class OperationObserver(SchemaExtension):
    """Reports the operation's name and type once the document is parsed."""

    def on_operation(self) -> Iterator[None]:
        yield
        context = self.execution_context
        document = context.graphql_document
        given = getattr(context, "_provided_operation_name", context.operation_name)
        if document is not None and given is None:
            operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
            if len(operations) > 1:
                return  # refused by OneOperation; strawberry would name the first one
        try:
            name = context.operation_name
            operation_type = context.operation_type.value
        except Exception:  # no document, no such operation, several unnamed: refused before
            return  # execution, and counted as `unknown`
        observe.operation_of(context.context, name, operation_type)


def _describe(info: GraphQLResolveInfo) -> Callable[[], dict[str, Any]]:
    def describe() -> dict[str, Any]:
        return {
            "graphql.field.name": info.field_name,
            "graphql.field.parent_type": info.parent_type.name,
            "graphql.field.path": ".".join(map(str, get_path_from_info(info))),
        }

    return describe


class ResolverSpans(SchemaExtension):
    """Installed only while tracing: resolvers with code of their own are awaited under a
    tracing.resolver, which makes a span only if they reach the store."""

    _traced: dict[tuple[str, str], bool] = {}

    def resolve(
        self, _next: Callable[..., Any], root: Any, info: GraphQLResolveInfo, *args: Any,
        **kwargs: Any,
    ) -> Any:  # fmt: skip
        result = _next(root, info, *args, **kwargs)
        if not isawaitable(result) or not self._has_code(info):
            return result
        name = f"{info.parent_type.name}.{info.field_name}"
        return tracing.resolver(result, name, _describe(info))

    @classmethod
    def _has_code(cls, info: GraphQLResolveInfo) -> bool:
        key = (info.parent_type.name, info.field_name)
        traced = cls._traced.get(key)
        if traced is None:
            field = info.parent_type.fields.get(info.field_name)
            resolver = None if field is None else field.resolve
            traced = resolver is not None and not is_default_resolver(resolver)
            traced = traced and not info.field_name.startswith("__")
            cls._traced[key] = traced
        return traced


__all__ = ["OperationObserver", "ResolverSpans"]
