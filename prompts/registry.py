"""Versioned prompts: template files become immutable numbered versions; labels point at them.

- `sync_from_files` stores each template's expanded source once per distinct content (sha256):
  a new content becomes version max+1 and moves `latest`; `production` is set only for a prompt
  that has none, so editing a file never changes what production renders until someone moves it.
- `create_version` does the same for a source that is not a file (an engineer's candidate for an
  A/B eval), recorded with source 'api'. No label but `latest` (and a first `production`) moves.
- Writers of one prompt take a transaction-scoped advisory lock on its name, so processes syncing
  at the same time neither fail nor number two versions alike; the UNIQUE (name, content_hash)
  constraint and ON CONFLICT DO NOTHING are the backstop.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from db.pool import Conn
from prompts import repo
from prompts.errors import (
    InvalidPromptLabel,
    InvalidPromptName,
    InvalidPromptTemplate,
    PromptNotFound,
    PromptRenderFailed,
)
from prompts.loader import TEMPLATES_DIR, content_hash, expand_includes, load_template, template_names
from prompts.models import PromptSummary, PromptVersion, RenderedPrompt, VersionInfo
from prompts.rendering import compile_template, render_source

LATEST = "latest"
PRODUCTION = "production"
CANDIDATE = "candidate"
MANAGED_LABELS = frozenset({LATEST})  # moved by the registry only
LABEL_PATTERN = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")  # the same CHECK as prompt_labels.label
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,79}$")


class PromptRegistry:
    def __init__(self, templates_dir: Path = TEMPLATES_DIR) -> None:
        self.templates_dir = templates_dir

    async def sync_from_files(self, conn: Conn) -> list[PromptVersion]:
        """Store every template whose content is new; returns the versions created (by name)."""
        # Read and check every file before writing anything: one broken template stops the sync.
        sources = {name: _checked(name, load_template(name, root=self.templates_dir))
                   for name in template_names(self.templates_dir)}
        created: list[PromptVersion] = []
        async with conn.transaction():
            for name, source in sources.items():  # sorted names: a stable lock order
                version, is_new = await _register(conn, name=name, source=source, origin="file")
                if is_new:
                    created.append(version)
        return created

    async def create_version(self, conn: Conn, name: str, template_source: str) -> PromptVersion:
        """Register a source that is not a file (its `_partials` includes are expanded from the
        templates directory). Returns the existing version when the same content is stored already."""
        source = _checked(name, expand_includes(template_source, root=self.templates_dir))
        async with conn.transaction():
            version, _ = await _register(conn, name=name, source=source, origin="api")
        return version

    async def get(self, conn: Conn, name: str, *, label: str = PRODUCTION, version: int | None = None) -> PromptVersion:
        """The version `version` when given, else the one `label` points at."""
        if version is not None:
            row = await repo.get_version(conn, name=name, version=version)
        else:
            row = await repo.get_by_label(conn, name=name, label=label)
        if row is None:
            raise await _not_found(conn, name=name, label=label, version=version)
        return _version(row)

    async def render(
        self, conn: Conn, name: str, /, *, label: str = PRODUCTION, version: int | None = None, **variables: Any
    ) -> RenderedPrompt:
        """Render a stored version (`conn` and `name` are positional so `name` may be a variable)."""
        prompt = await self.get(conn, name, label=label, version=version)
        try:
            text = render_source(prompt.template, variables)
        except PromptRenderFailed as exc:
            raise PromptRenderFailed(f"Prompt {name} v{prompt.version}: {exc.detail}",
                                     name=name, version=prompt.version) from exc
        return RenderedPrompt(name=name, version=prompt.version, content_hash=prompt.content_hash, text=text)

    async def set_label(self, conn: Conn, name: str, label: str, version: int) -> None:
        """Point `label` of `name` at an existing `version` (creating the label if needed)."""
        if not LABEL_PATTERN.fullmatch(label):
            raise InvalidPromptLabel(f"Label {label!r} must match {LABEL_PATTERN.pattern}", label=label)
        if label in MANAGED_LABELS:
            raise InvalidPromptLabel(f"Label {label!r} is moved by the registry only", label=label)
        if await repo.get_version(conn, name=name, version=version) is None:
            raise await _not_found(conn, name=name, label=label, version=version)
        await repo.move_label(conn, name=name, label=label, version=version)

    async def list_prompts(self, conn: Conn) -> list[PromptSummary]:
        """Every stored prompt with its versions and where each label points, by name."""
        summaries: dict[str, PromptSummary] = {}
        for row in await repo.all_versions(conn):
            summary = summaries.setdefault(row["name"], PromptSummary(name=row["name"]))
            summary.versions.append(VersionInfo(version=row["version"], content_hash=row["content_hash"],
                                                source=row["source"], created_at=row["created_at"]))
        for row in await repo.all_labels(conn):
            summaries[row["name"]].labels[row["label"]] = row["version"]
        return list(summaries.values())


def _checked(name: str, source: str) -> str:
    if not NAME_PATTERN.fullmatch(name):
        raise InvalidPromptName(f"Prompt name {name!r} must match {NAME_PATTERN.pattern}", name=name)
    try:
        compile_template(source)
    except InvalidPromptTemplate as exc:
        raise InvalidPromptTemplate(f"Prompt {name}: {exc.detail}", name=name, **exc.extra) from exc
    return source


async def _register(conn: Conn, *, name: str, source: str, origin: str) -> tuple[PromptVersion, bool]:
    """Inside the caller's transaction: the version holding `source`, and whether it is new."""
    await repo.lock_name(conn, name=name)
    digest = content_hash(source)
    row = await repo.find_by_hash(conn, name=name, content_hash=digest)
    if row is not None:
        return _version(row), False
    row = await repo.insert_next(conn, name=name, content_hash=digest, template=source, source=origin)
    if row is None:  # only a writer that skipped the lock can get here; its row is as good as ours
        row = await repo.find_by_hash(conn, name=name, content_hash=digest)
        assert row is not None, f"prompt {name}: version number taken by a writer without the lock"
        return _version(row), False
    await repo.move_label(conn, name=name, label=LATEST, version=row["version"])
    await repo.add_label_if_absent(conn, name=name, label=PRODUCTION, version=row["version"])
    return _version(row), True


async def _not_found(conn: Conn, *, name: str, label: str, version: int | None) -> PromptNotFound:
    if not await repo.name_exists(conn, name=name):
        return PromptNotFound(f"No prompt named {name!r}", name=name)
    if version is not None:
        return PromptNotFound(f"Prompt {name!r} has no version {version}", name=name, version=version)
    return PromptNotFound(f"Prompt {name!r} has no label {label!r}", name=name, label=label)


def _version(row: dict[str, Any]) -> PromptVersion:
    return PromptVersion(name=row["name"], version=row["version"], content_hash=row["content_hash"],
                         template=row["template"], created_at=row["created_at"], source=row["source"])
