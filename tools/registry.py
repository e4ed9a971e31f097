"""Tools as plain typed async functions. The JSON schema comes from the signature and docstring
(never written by hand); one registry serves Claude's and Ollama's tool formats.

A tool's first parameter is the run's context (the pool it borrows connections from, the caller...),
which the model never sees. Expected failures are returned as values (`ToolResult`), not raised.
Tools that write are marked; their guardrails live in the domain function they call (one gate,
enforced in the database, whoever calls it)."""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal, get_type_hints

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model

from common.llm import ToolSpec

Status = Literal["ok", "error", "no_data", "needs_approval"]


@dataclass(frozen=True)
class ToolResult:
    status: Status
    data: Any = None
    message: str | None = None

    def to_model_text(self) -> str:
        """What goes back to the model: compact JSON, wrapped as data."""
        payload: dict[str, Any] = {"status": self.status}
        if self.message:
            payload["message"] = self.message
        if self.data is not None:
            payload["data"] = self.data
        return json.dumps(payload, default=str)

    @property
    def is_error(self) -> bool:
        return self.status == "error"


ToolFn = Callable[..., Awaitable[ToolResult]]


@dataclass(frozen=True)
class Tool:
    name: str
    description: str
    fn: ToolFn
    arguments: type[BaseModel]
    writes: bool

    @property
    def spec(self) -> ToolSpec:
        schema = self.arguments.model_json_schema()
        schema.pop("title", None)
        return ToolSpec(name=self.name, description=self.description, input_schema=schema)


def _docstring_parts(doc: str) -> tuple[str, dict[str, str]]:
    """The summary, and `Args:` descriptions per parameter (Google style)."""
    summary_lines, args, current = [], {}, None
    in_args = False
    for line in inspect.cleandoc(doc or "").splitlines():
        if line.strip() in ("Args:", "Arguments:", "Parameters:"):
            in_args = True
            continue
        if in_args:
            match = re.match(r"^\s*(\w+)\s*(?:\([^)]*\))?:\s*(.*)$", line)
            if match:
                current = match.group(1)
                args[current] = match.group(2).strip()
            elif current and line.strip():
                args[current] += " " + line.strip()
            elif not line.strip():
                in_args = False
        else:
            summary_lines.append(line)
    return " ".join(s.strip() for s in summary_lines if s.strip()), args


def _arguments_model(fn: ToolFn) -> type[BaseModel]:
    hints = get_type_hints(fn)
    _, arg_docs = _docstring_parts(fn.__doc__ or "")
    fields: dict[str, Any] = {}
    params = list(inspect.signature(fn).parameters.values())[1:]  # the first is the run context
    for p in params:
        default = ... if p.default is inspect.Parameter.empty else p.default
        fields[p.name] = (hints[p.name], Field(default, description=arg_docs.get(p.name)))
    model: type[BaseModel] = create_model(
        f"{fn.__name__}_arguments", __config__=ConfigDict(extra="forbid"), **fields
    )
    return model


@dataclass
class ToolRegistry:
    tools: dict[str, Tool] = field(default_factory=dict)

    def tool(self, *, writes: bool = False) -> Callable[[ToolFn], ToolFn]:
        def register(fn: ToolFn) -> ToolFn:
            summary, _ = _docstring_parts(fn.__doc__ or "")
            if not summary:
                raise ValueError(f"tool {fn.__name__} needs a docstring: it is the model's description")
            self.tools[fn.__name__] = Tool(fn.__name__, summary, fn, _arguments_model(fn), writes)
            return fn

        return register

    def subset(self, names: list[str]) -> ToolRegistry:
        return ToolRegistry({n: self.tools[n] for n in names})

    @property
    def specs(self) -> tuple[ToolSpec, ...]:
        return tuple(t.spec for t in self.tools.values())

    def anthropic_format(self) -> list[dict[str, Any]]:
        return [{"name": s.name, "description": s.description, "input_schema": s.input_schema} for s in self.specs]

    def ollama_format(self) -> list[dict[str, Any]]:
        return [{"type": "function", "function": {"name": s.name, "description": s.description,
                                                  "parameters": s.input_schema}} for s in self.specs]

    async def call(self, name: str, arguments: dict[str, Any], context: Any) -> ToolResult:
        """Validate and run one tool call. Unknown tools and invalid arguments come back as tool errors
        the model can read and correct, never as exceptions."""
        tool = self.tools.get(name)
        if tool is None:
            return ToolResult("error", message=f"unknown tool {name!r}; available: {', '.join(self.tools)}")
        try:
            parsed = tool.arguments.model_validate(arguments)
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
            return ToolResult("error", message=f"invalid arguments for {name}: {problems}")
        return await tool.fn(context, **parsed.model_dump())
