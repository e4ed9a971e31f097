"""Depth and cost limits, checked before anything runs.

Cost: every field the server resolves counts 1, and a list field counts its children once per row it
may return: its `limit` argument when written in the query, the largest allowed when it comes in a
variable (validation does not see variables), and a fixed allowance for a watch's reviews. Aliases
repeat the work, so they repeat the cost: fifty aliased full pages are refused, one is not."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationRule,
)
from strawberry.extensions import AddValidationRules, QueryDepthLimiter, SchemaExtension

MAX_DEPTH = 6
MAX_COST = 10_000
MAX_LIMIT = 100  # the largest `limit` any list takes
REVIEWS_PER_WATCH = 10  # the cost allowance for a watch's reviews (most watches have a handful)


def _rows(field: FieldNode) -> int:
    if field.name.value == "reviews":
        return REVIEWS_PER_WATCH
    for argument in field.arguments or ():
        if argument.name.value == "limit":
            return int(argument.value.value) if isinstance(argument.value, IntValueNode) else MAX_LIMIT
    return 1


class CostLimit(ValidationRule):
    def _cost(self, selections: SelectionSetNode | None, seen: frozenset[str]) -> int:
        total = 0
        for node in selections.selections if selections else ():
            if isinstance(node, FieldNode):
                total += 1 + _rows(node) * self._cost(node.selection_set, seen)
            elif isinstance(node, InlineFragmentNode):
                total += self._cost(node.selection_set, seen)
            elif isinstance(node, FragmentSpreadNode) and node.name.value not in seen:  # cycles: another rule
                fragment = self.context.get_fragment(node.name.value)
                if fragment is not None:
                    total += self._cost(fragment.selection_set, seen | {node.name.value})
        return total

    def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
        cost = self._cost(node.selection_set, frozenset())
        if cost > MAX_COST:
            self.report_error(GraphQLError(
                f"The query is too expensive: cost {cost}, the limit is {MAX_COST}. Ask for fewer rows or fields.",
                node, extensions={"code": "query_too_expensive"}))


def limits() -> list[Callable[[], SchemaExtension]]:
    return [lambda: QueryDepthLimiter(max_depth=MAX_DEPTH), lambda: AddValidationRules([CostLimit])]
