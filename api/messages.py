"""Validation errors in words a person uses ("Use at least 10 characters"), from pydantic's error
types and their context; the `type` stays machine-readable beside it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any


def _choices(ctx: Mapping[str, Any]) -> str:
    expected = str(ctx.get("expected", ""))
    return f"Choose one of {expected}" if expected else "Choose one of the listed values"


_WORDS: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "missing": lambda ctx: "This is required",
    "string_too_short": lambda ctx: ("This cannot be empty" if ctx.get("min_length") == 1
                                     else f"Use at least {ctx.get('min_length')} characters"),
    "string_too_long": lambda ctx: f"Use at most {ctx.get('max_length')} characters",
    "string_pattern_mismatch": lambda ctx: "This is not in the expected format",
    "string_type": lambda ctx: "Enter text",
    "int_parsing": lambda ctx: "Enter a whole number",
    "int_type": lambda ctx: "Enter a whole number",
    "int_from_float": lambda ctx: "Enter a whole number",
    "decimal_parsing": lambda ctx: "Enter a number, such as 250 or 249.99",
    "decimal_type": lambda ctx: "Enter a number, such as 250 or 249.99",
    "decimal_max_places": lambda ctx: f"Use at most {ctx.get('decimal_places')} digits after the point",
    "decimal_max_digits": lambda ctx: f"Use at most {ctx.get('max_digits')} digits",
    "bool_parsing": lambda ctx: "Choose yes or no (true or false)",
    "greater_than": lambda ctx: f"Use a number above {ctx.get('gt')}",
    "greater_than_equal": lambda ctx: f"Use a number of at least {ctx.get('ge')}",
    "less_than": lambda ctx: f"Use a number below {ctx.get('lt')}",
    "less_than_equal": lambda ctx: f"Use a number of at most {ctx.get('le')}",
    "enum": _choices,
    "literal_error": _choices,
    "too_short": lambda ctx: f"Add at least {ctx.get('min_length')}",
    "too_long": lambda ctx: f"Use at most {ctx.get('max_length')}",
    "extra_forbidden": lambda ctx: "This field is not accepted here",
    "uuid_parsing": lambda ctx: "This is not a valid id",
}


def human(error: Mapping[str, Any]) -> str:
    """One error of `RequestValidationError.errors()` as a sentence; pydantic's own text otherwise."""
    kind = str(error.get("type", ""))
    ctx: Mapping[str, Any] = error.get("ctx") or {}
    if kind == "value_error" and "email" in str(error.get("msg", "")).lower():
        return "Enter an email address such as ana@example.com"
    words = _WORDS.get(kind)
    if words is not None:
        return words(ctx)
    message = str(error.get("msg", "This value is not valid"))
    return message.removeprefix("Value error, ")


def field_name(error: Mapping[str, Any]) -> str:
    """The field an error is about, as a person reads it ("max price")."""
    loc = [str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path", "header")]
    return (loc[-1] if loc else "request").replace("_", " ")
