"""What the prompt registry hands out: stored versions, rendered prompts, and the overview."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class PromptVersion:
    """One immutable version: `template` is the expanded, self-contained Jinja2 source."""

    name: str
    version: int
    content_hash: str
    template: str
    created_at: datetime
    source: str = "file"  # 'file' (synced from prompts/templates) or 'api' (create_version)


@dataclass(frozen=True)
class RenderedPrompt:
    name: str
    version: int
    content_hash: str
    text: str


@dataclass(frozen=True)
class VersionInfo:
    version: int
    content_hash: str
    source: str
    created_at: datetime


@dataclass(frozen=True)
class PromptSummary:
    """A prompt's versions (oldest first) and where each label points (label -> version)."""

    name: str
    versions: list[VersionInfo] = field(default_factory=list)
    labels: dict[str, int] = field(default_factory=dict)
