"""Errors a client may see: the domain's own (with their stable code) and GraphQL's validation
errors. Anything else is masked: the client reads "Unexpected error." and the log has the rest."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from graphql import GraphQLError
from pydantic import ValidationError

from common.errors import DomainError

MASKED_MESSAGE = "Unexpected error."


@contextmanager
def domain_errors() -> Iterator[None]:
    try:
        yield
    except DomainError as exc:
        raise GraphQLError(exc.detail, extensions={"code": exc.code}) from exc
    except ValidationError as exc:  # arguments the domain models refuse (a negative price, ...)
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise GraphQLError(f"Invalid arguments: {problems}", extensions={"code": "validation_error"}) from exc


def should_mask(error: GraphQLError) -> bool:
    """Errors raised as GraphQLError on purpose (above, or by validation) carry no original error;
    anything a resolver raised by accident does."""
    original = error.original_error
    return original is not None and not isinstance(original, GraphQLError | DomainError)
