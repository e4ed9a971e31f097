"""Helpers for the compose stack's tests: the real checkers (Debian's docker-compose, promtool, amtool,
caddy; hadolint from the dev extra), and compose.yml rendered as docker-compose itself reads it.

`make test` installs the Debian packages (as root, with apt); a missing binary fails saying how to install it."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "compose.yml"
ENV_EXAMPLE = ROOT / "deploy" / "env.example"
COMPOSE_DIR = ROOT / "deploy" / "compose"

_DEBIAN_PACKAGE = {"docker-compose": "docker-compose", "promtool": "prometheus", "prometheus": "prometheus",
                   "amtool": "prometheus-alertmanager", "prometheus-alertmanager": "prometheus-alertmanager",
                   "caddy": "caddy"}


def binary(name: str) -> str:
    """A checker: from the venv (hadolint), else PATH, else /usr/bin."""
    beside_python = Path(sys.executable).parent / name
    if beside_python.exists():
        return str(beside_python)
    path = shutil.which(name) or (f"/usr/bin/{name}" if Path(f"/usr/bin/{name}").exists() else None)
    if path is None:
        package = _DEBIAN_PACKAGE.get(name)
        how = (f"apt-get install -y {package} (`make test` does this as root)" if package
               else 'pip install -e ".[dev]" (make install does this)')
        pytest.fail(f"`{name}` not found: {how}")
    return path


def run(*args: str, cwd: Path = ROOT, env: dict[str, str] | None = None, timeout: float = 120,
        ok: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    if ok:
        assert done.returncode == 0, f"{' '.join(args)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    return done


def compose_env(env_file: Path) -> dict[str, str]:
    """The environment docker-compose runs in: the example env file for the stores' env_file, nothing
    of the developer's own deploy/.env."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COMPOSE_", "DOCKER_", "SEIKO_"))}
    env["SEIKO_ENV_FILE"] = str(env_file)
    return env


def compose(tmp_path: Path, *args: str, profiles: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
    """`docker-compose --env-file <copy of deploy/env.example> -f compose.yml [--profile P] ARGS`."""
    env_file = tmp_path / "compose.env"
    shutil.copyfile(ENV_EXAMPLE, env_file)
    profile_args = [a for p in profiles for a in ("--profile", p)]
    return run(binary("docker-compose"), "--env-file", str(env_file), "--project-directory", str(ROOT),
               "-f", str(COMPOSE_FILE), *profile_args, *args, env=compose_env(env_file))


def rendered(tmp_path: Path, *, profiles: tuple[str, ...] = ("langfuse",)) -> dict[str, Any]:
    """compose.yml after docker-compose's own interpolation, merging and path resolution."""
    loaded: dict[str, Any] = yaml.safe_load(compose(tmp_path, "config", profiles=profiles).stdout)
    return loaded


def mounts(service: dict[str, Any]) -> dict[str, Path]:
    """Bind mounts of a rendered service: container path -> host path."""
    found: dict[str, Path] = {}
    for volume in service.get("volumes", []):
        if isinstance(volume, dict):
            if volume.get("type") == "bind":
                found[volume["target"]] = Path(volume["source"])
            continue
        source, _, rest = str(volume).partition(":")
        if source.startswith("/"):
            found[rest.split(":")[0]] = Path(source)
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
