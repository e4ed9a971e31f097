"""No deploy file holds a secret: compose.yml, the Containerfile and its ignore file, everything under
deploy/ and load/. Values that look like keys, tokens or inline passwords fail; placeholders
(`change-me`, empty, `${VARIABLE}` interpolation, file references) pass. The scanner is tested on planted
secrets too, so a silent scanner cannot pass."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.deploy.stack_tools import ROOT

SCANNED_FILES = ("compose.yml", "Containerfile", ".containerignore", "Makefile")
SCANNED_DIRS = ("deploy", "load")
SKIPPED_SUFFIXES = {".png", ".svg", ".ico", ".lock"}
# Files a developer keeps locally and git ignores; never part of the repository.
LOCAL = {".env", "terraform.tfstate", "terraform.tfstate.backup"}

KNOWN_FORMATS = {
    "private key": re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    "AWS access key": re.compile(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b"),
    "Anthropic key": re.compile(r"\bsk-ant-[A-Za-z0-9_-]{16,}"),
    "OpenAI key": re.compile(r"\bsk-(proj-)?[A-Za-z0-9]{32,}"),
    "Stripe key": re.compile(r"\b(sk|rk|pk)_(live|test)_[A-Za-z0-9]{10,}"),
    "Stripe webhook secret": re.compile(r"\bwhsec_[A-Za-z0-9]{10,}"),
    "Langfuse key": re.compile(r"\b(sk|pk)-lf-[0-9a-f]{8}-[0-9a-f-]{20,}"),
    "GitHub token": re.compile(r"\b(gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,})"),
    "Slack token": re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}"),
    "Google API key": re.compile(r"\bAIza[0-9A-Za-z_-]{35}"),
    "JSON web token": re.compile(r"\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}"),
}
# key: value / key=value / "key": "value", where the key ends in a secret-sounding word (so `tlsSecretName`,
# `secretStoreRef` and `${SOME_PASSWORD}` itself are not assignments of a secret).
ASSIGNMENT = re.compile(
    r"""(?<![\w${])(?P<key>[A-Za-z0-9_.-]*(password|passwd|secret|token|api[_-]?key|apikey|access[_-]?key|
    private[_-]?key|salt|encryption[_-]?key|credentials))(?![A-Za-z0-9_])["']?\s*[:=]\s*(?P<value>[^\s#,}]+)""",
    re.IGNORECASE | re.VERBOSE)
URL_CREDENTIALS = re.compile(r"[a-z][a-z0-9+.-]*://(?P<user>[^/\s:@]+):(?P<password>[^@\s/]+)@", re.IGNORECASE)
PLACEHOLDER = re.compile(
    r"""^["']?(
        change-?me.*|[a-z]+-lf-change-me|
        \$\{?[A-Za-z_][A-Za-z0-9_]*(:?[-?][^}]*)?\}?|\$\$[A-Za-z_]+|\{\$[A-Z_]+(:[^}]*)?\}|   # ${VAR}, $$VAR, {$VAR}
        (true|false|none|null|yes|no|bearer|basic|required|optional)|
        (/|\./|\.\./)\S*|                                                              # a file path
        [a-z_]+\.[a-z_]+(\.[a-z_]+)*|                                                  # a reference: settings.x
        \d+|                                                                           # a number (ttl, length)
        (var|local|data|module|each|random_password|kubernetes_secret)\.\S+|           # terraform references
        \{\{.*|                                                                        # templating
        (?-i:[A-Z][A-Z0-9_]*)|                                                         # the name of a variable
        (?-i:[a-z_]{1,3})|                                                             # a loop variable (HCL)
        [{\[]|\.\.\.|<[^>]*>|%[sd]|                                                    # JSON/HCL structure, elisions
        (string|number|bool|any|(list|map|set|object|optional)\(.*)                     # HCL type constraints
    )["']?$""", re.IGNORECASE | re.VERBOSE)


def scanned() -> list[Path]:
    files = [ROOT / name for name in SCANNED_FILES if (ROOT / name).exists()]
    for folder in SCANNED_DIRS:
        files += [p for p in sorted((ROOT / folder).rglob("*")) if p.is_file() and p.suffix not in SKIPPED_SUFFIXES
                  and p.name not in LOCAL and "__pycache__" not in p.parts and ".terraform" not in p.parts]
    return files


def findings(text: str, *, code: bool = False) -> list[str]:
    """What looks like a secret in `text`. In code and prose (`code`), where `password` is mostly a
    variable or a word, only known key formats and passwords inside URLs count."""
    found = [f"{kind}: {m.group(0)[:24]}..." for kind, rx in KNOWN_FORMATS.items() for m in rx.finditer(text)]
    for line in text.splitlines():
        for m in ASSIGNMENT.finditer("" if code else line):
            value = m.group("value").strip("\\\"'`;")
            if value and not PLACEHOLDER.match(value):
                found.append(f"inline {m.group('key')}: {line.strip()[:100]}")
        for m in URL_CREDENTIALS.finditer(line):
            if not PLACEHOLDER.match(m.group("password")):
                found.append(f"password in a URL: {line.strip()[:100]}")
    return found


def test_the_scan_covers_the_deploy_files() -> None:
    names = {str(p.relative_to(ROOT)) for p in scanned()}
    assert {"compose.yml", "Containerfile", "deploy/env.example", "deploy/compose/caddy/Caddyfile",
            "deploy/compose/alertmanager/alertmanager.yml", "load/locustfile.py"} <= names


@pytest.mark.parametrize("planted", [
    "ANTHROPIC_API_KEY=sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWx",
    "STRIPE_SECRET_KEY=sk_live_51HbCdEfGhIjKlMnOp",
    "POSTGRES_PASSWORD=hunter2hunter2",
    '      GF_SECURITY_ADMIN_PASSWORD: "s3cr3t-Pa55"',
    "DATABASE_URL=postgresql://seiko:correcthorse@postgres:5432/seiko",
    "-----BEGIN OPENSSH PRIVATE KEY-----",
    "token: eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
    "LANGFUSE_SECRET_KEY=sk-lf-1c2f3a4b-5d6e-7f80-91a2-b3c4d5e6f708",
])
def test_the_scanner_finds_planted_secrets(planted: str) -> None:
    assert findings(planted), planted


@pytest.mark.parametrize("harmless", [
    "POSTGRES_PASSWORD=change-me",
    "      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD in the env file}",
    "LANGFUSE_PUBLIC_KEY=pk-lf-change-me",
    "            credentials_file: /run/alertmanager/webhook-token",
    "      DATABASE_URL: postgresql://langfuse:${LANGFUSE_DB_PASSWORD:-}@postgres:5432/langfuse",
    '        printf \'%s\' "$$ALERTMANAGER_WEBHOOK_TOKEN" > /run/alertmanager/webhook-token',
    "ANTHROPIC_API_KEY=",
])
def test_the_scanner_lets_placeholders_pass(harmless: str) -> None:
    assert not findings(harmless), findings(harmless)


def test_no_deploy_file_holds_a_secret() -> None:
    problems = [f"{path.relative_to(ROOT)}: {finding}" for path in scanned()
                for finding in findings(path.read_text(errors="replace"), code=path.suffix in (".py", ".md"))]
    assert not problems, "\n".join(problems)
