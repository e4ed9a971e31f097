"""The one Jinja2 environment prompts are rendered with.

Sandboxed (a template cannot reach Python internals), StrictUndefined (a missing variable is an
error, never an empty string), no autoescape (prompts are plain text, not HTML) and no loader (a
stored version is self-contained; see `loader`). `trim_blocks`/`lstrip_blocks` let templates put
`{% if %}` on their own lines without leaving blank ones. These settings are part of how a stored
version renders: change them and old versions render differently.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from jinja2 import StrictUndefined, Template, TemplateSyntaxError
from jinja2.exceptions import SecurityError, UndefinedError
from jinja2.sandbox import SandboxedEnvironment

from prompts.errors import InvalidPromptTemplate, PromptRenderFailed

ENVIRONMENT_OPTIONS: dict[str, Any] = {
    "undefined": StrictUndefined,
    "autoescape": False,
    "trim_blocks": True,
    "lstrip_blocks": True,
    "keep_trailing_newline": False,
}
_ENV = SandboxedEnvironment(**ENVIRONMENT_OPTIONS)


@lru_cache(maxsize=256)
def compile_template(source: str) -> Template:
    """Parse once per distinct source (versions are immutable, so the cache never goes stale)."""
    try:
        return _ENV.from_string(source)
    except TemplateSyntaxError as exc:
        raise InvalidPromptTemplate(f"Template syntax error on line {exc.lineno}: {exc.message}",
                                    line=exc.lineno) from exc


def render_source(source: str, variables: Mapping[str, Any]) -> str:
    try:
        return compile_template(source).render(**variables)
    except UndefinedError as exc:
        raise PromptRenderFailed(f"Missing or undefined template variable: {exc.message}") from exc
    except SecurityError as exc:
        raise PromptRenderFailed(f"The template sandbox refused an operation: {exc}") from exc
