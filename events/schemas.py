"""The JSON Schema of every event type's data (events/schemas/<type>.v<version>.json) and of the
CloudEvents envelope; a new version of a shape is a new file beside the old one."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

SCHEMA_DIR = Path(__file__).parent / "schemas"


@cache
def _validator(name: str) -> Draft202012Validator:
    schema = json.loads((SCHEMA_DIR / f"{name}.json").read_text())
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def known_types() -> dict[str, list[int]]:
    """Event type -> the schema versions kept for it."""
    found: dict[str, list[int]] = {}
    for path in SCHEMA_DIR.glob("*.v*.json"):
        event_type, version = path.name.removesuffix(".json").rsplit(".v", 1)
        found.setdefault(event_type, []).append(int(version))
    return {t: sorted(v) for t, v in sorted(found.items())}


def errors(envelope: dict[str, Any]) -> list[str]:
    """What is wrong with a CloudEvent and its data against their schemas (empty when valid)."""
    found = [f"envelope: {e.message}" for e in _validator("cloudevent").iter_errors(envelope)]
    if found:
        return found
    name = f"{envelope['type']}.v{envelope['schemaversion']}"
    if not (SCHEMA_DIR / f"{name}.json").exists():
        return [f"no schema {name}"]
    return [f"data: {e.message} at {list(e.absolute_path)}" for e in _validator(name).iter_errors(envelope["data"])]
