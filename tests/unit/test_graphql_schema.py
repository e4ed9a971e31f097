"""schema.graphql is the schema the code serves: a change to the types without a new export fails."""

from __future__ import annotations

from graphql_api.export import SCHEMA_FILE, schema_text


def test_the_checked_in_schema_matches_the_code() -> None:
    assert SCHEMA_FILE.read_text() == schema_text(), "run `python -m graphql_api.export` and commit schema.graphql"


def test_watch_is_a_federation_entity_keyed_on_its_reference() -> None:
    text = schema_text()
    assert 'type Watch @key(fields: "reference")' in text
    assert "union _Entity = Watch" in text
