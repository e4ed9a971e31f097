"""Typed errors of the prompt registry, in the project's one error tree (stable `code`s)."""

from __future__ import annotations

from common.errors import InvalidInput, NotFound


class PromptNotFound(NotFound):
    """No such prompt name, version, or label on that prompt."""

    code = "prompt_not_found"
    title = "Prompt not found"


class InvalidPromptName(InvalidInput):
    code = "invalid_prompt_name"
    title = "Invalid prompt name"


class InvalidPromptLabel(InvalidInput):
    """A label that breaks the pattern, or one the registry moves itself (`latest`)."""

    code = "invalid_prompt_label"
    title = "Invalid prompt label"


class InvalidPromptTemplate(InvalidInput):
    """A template that does not parse, or whose includes cannot be expanded safely."""

    code = "invalid_prompt_template"
    title = "Invalid prompt template"


class PromptRenderFailed(InvalidInput):
    """Rendering failed: a missing variable (StrictUndefined) or an operation the sandbox refused."""

    code = "prompt_render_failed"
    title = "Prompt could not be rendered"
