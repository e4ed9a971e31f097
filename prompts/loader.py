"""Read prompt templates from disk and expand their includes into one self-contained source.

A prompt is `templates/<name>.jinja2`; shared pieces live in `templates/_partials/` and are pulled
in with `{% include "_partials/<x>.jinja2" %}`. The registry stores the *expanded* source, so a
stored version renders the same way forever, whatever later happens to the files.

Each include becomes a pair of Jinja comments around the partial's text. The comments carry the
include tag's whitespace-control markers (`-`, `+`) and sit where the tag sat, so `trim_blocks`,
`lstrip_blocks`, `{%- -%}` and `{%+ +%}` behave as they did around the tag; and the partial loses one trailing
newline, as Jinja's own loader drops it. The expanded source therefore renders exactly like the
original with its includes.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path, PurePosixPath

from prompts.errors import InvalidPromptTemplate

TEMPLATES_DIR = Path(__file__).parent / "templates"
PARTIALS = "_partials"
SUFFIX = ".jinja2"

# A literal include of one file. Anything else that would load another template at render time
# (`extends`, `import`, `from`, a computed or `ignore missing` include) is refused: the stored
# source must not depend on files.
_INCLUDE = re.compile(
    r"""\{%(?P<left>[-+]?)\s*include\s+(?P<q>["'])(?P<target>[^"'\n]+)(?P=q)\s*(?P<right>[-+]?)%\}"""
)
_LOADING_TAG = re.compile(r"\{%[-+]?\s*(?:include|extends|import|from)\b")
_TRAILING_NEWLINE = re.compile(r"(?:\r\n|\n|\r)\Z")


def content_hash(source: str) -> str:
    """sha256 (hex) of a template source: the identity of a prompt version."""
    return hashlib.sha256(source.encode("utf-8")).hexdigest()


def template_names(root: Path = TEMPLATES_DIR) -> list[str]:
    """The prompts in `root` (top-level `*.jinja2` files; partials are not prompts), sorted."""
    return sorted(p.name.removesuffix(SUFFIX) for p in root.glob(f"*{SUFFIX}") if p.is_file())


def load_template(name: str, *, root: Path = TEMPLATES_DIR) -> str:
    """The expanded source of `root/<name>.jinja2`."""
    path = root / f"{name}{SUFFIX}"
    if not path.is_file():
        raise InvalidPromptTemplate(f"No template file {path}", name=name)
    return expand_includes(path.read_text(encoding="utf-8"), root=root)


def expand_includes(source: str, *, root: Path = TEMPLATES_DIR) -> str:
    """Replace every `{% include "_partials/..." %}` in `source` (recursively) by the partial's text."""
    return _expand(source, root=root.resolve(), stack=())


def _expand(source: str, *, root: Path, stack: tuple[str, ...]) -> str:
    out: list[str] = []
    pos = 0
    for tag in _LOADING_TAG.finditer(source):
        if tag.start() < pos:  # inside an include already consumed
            continue
        match = _INCLUDE.match(source, tag.start())
        if match is None:
            snippet = source[tag.start() : tag.start() + 60].splitlines()[0]
            raise InvalidPromptTemplate(
                f"Only literal includes of {PARTIALS}/*{SUFFIX} are allowed, not {snippet!r}", tag=snippet
            )
        target = match["target"]
        if target in stack:
            raise InvalidPromptTemplate(f"Include cycle: {' -> '.join((*stack, target))}", include=target)
        body = _expand(_read_partial(target, root=root), root=root, stack=(*stack, target))
        out.append(source[pos : match.start()])
        out.append(f'{{#{match["left"]} include "{target}" #}}{body}{{# end include "{target}" {match["right"]}#}}')
        pos = match.end()
    out.append(source[pos:])
    return "".join(out)


def _read_partial(target: str, *, root: Path) -> str:
    relative = PurePosixPath(target)
    partials = (root / PARTIALS).resolve()
    path = (root / relative).resolve()
    if (
        relative.is_absolute()
        or ".." in relative.parts
        or relative.parts[:1] != (PARTIALS,)
        or relative.suffix != SUFFIX
        or not path.is_relative_to(partials)  # also catches a symlink pointing elsewhere
    ):
        raise InvalidPromptTemplate(f"Include {target!r} is outside {PARTIALS}/", include=target)
    if not path.is_file():
        raise InvalidPromptTemplate(f"Included partial {target!r} does not exist", include=target)
    return _TRAILING_NEWLINE.sub("", path.read_text(encoding="utf-8"), count=1)
