"""Writes the schema to schema.graphql at the repository root: `python -m graphql_api.export`.
The test suite fails when the file and the code disagree."""

from __future__ import annotations

from pathlib import Path

from graphql_api.schema import SCHEMA

SCHEMA_FILE = Path(__file__).resolve().parents[1] / "schema.graphql"


def schema_text() -> str:
    return SCHEMA.as_str().rstrip("\n") + "\n"


def main() -> None:
    SCHEMA_FILE.write_text(schema_text())
    print(f"wrote {SCHEMA_FILE}")


if __name__ == "__main__":
    main()
