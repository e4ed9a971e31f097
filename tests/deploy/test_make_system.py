"""`make test` does all the set-up, system packages included: the `system` step installs the Debian
packages the tests need with apt as root, and otherwise fails with one line saying what to install.

Each test runs the project's Makefile and script from a copy in a temporary folder, on a PATH made for
it, so nothing is installed on this machine and the shared venv is never touched."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ["prometheus", "prometheus-alertmanager", "chromium", "docker-compose", "caddy", "npm"]
COMMANDS = ["prometheus", "promtool", "prometheus-alertmanager", "amtool", "chromium", "docker-compose",
            "caddy", "npm"]


def _checkout(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    (project / ".ci").mkdir(parents=True)
    shutil.copy2(ROOT / "Makefile", project / "Makefile")
    shutil.copy2(ROOT / ".ci" / "system-packages", project / ".ci" / "system-packages")
    return project


def _bin(tmp_path: Path, commands: list[str], apt_log: Path | None = None) -> Path:
    """A PATH folder with stand-ins for `commands` (and a recording apt-get when `apt_log` is given)."""
    folder = tmp_path / "bin"
    folder.mkdir()
    for name in commands:
        (folder / name).write_text("#!/bin/sh\nexit 0\n")
        (folder / name).chmod(0o755)
    if apt_log is not None:
        (folder / "apt-get").write_text(f'#!/bin/sh\necho "$*" >> {apt_log}\n')
        (folder / "apt-get").chmod(0o755)
    return folder


def _make(project: Path, path: Path, *targets: str) -> subprocess.CompletedProcess[str]:
    make = shutil.which("make") or "/usr/bin/make"
    env = {"PATH": str(path), "HOME": str(project)}
    return subprocess.run([make, "-s", *targets], cwd=project, env=env, capture_output=True, text=True,
                          timeout=60, check=False)


def test_make_test_without_the_packages_or_apt_stops_first_with_one_line_naming_them(tmp_path: Path) -> None:
    project = _checkout(tmp_path)
    done = _make(project, _bin(tmp_path, []), "test")
    assert done.returncode != 0
    ours = [line for line in done.stderr.splitlines() if not line.startswith("make:")]
    assert len(ours) == 1, done.stderr
    assert ours[0].startswith("make test needs the Debian packages")
    assert f"apt-get install -y {' '.join(PACKAGES)}" in ours[0]
    # Nothing after the system step ran: no venv was created.
    assert not (project / ".venv").exists()


def test_system_installs_only_what_is_missing_with_apt_as_root(tmp_path: Path) -> None:
    project = _checkout(tmp_path)
    log = tmp_path / "apt.log"
    path = _bin(tmp_path, ["prometheus", "promtool", "caddy"], apt_log=log)
    done = _make(project, path, "system")
    missing = ["prometheus-alertmanager", "chromium", "docker-compose", "npm"]
    if os.geteuid() == 0:
        assert done.returncode == 0, done.stderr
        assert log.read_text().splitlines() == ["update -q", f"install -y -q {' '.join(missing)}"]
    else:  # without root, apt is never tried: the one line says what to install
        assert done.returncode != 0
        assert not log.exists()
        assert f"apt-get install -y {' '.join(missing)}" in done.stderr


def test_system_is_quiet_and_succeeds_when_everything_is_there(tmp_path: Path) -> None:
    project = _checkout(tmp_path)
    log = tmp_path / "apt.log"
    done = _make(project, _bin(tmp_path, COMMANDS, apt_log=log), "system")
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    assert not log.exists()


def test_ci_runs_make_test_and_leaves_the_packages_to_the_makefile() -> None:
    script = (ROOT / ".ci" / "run").read_text()
    assert script.rstrip().endswith("make test")
    assert not any(f"need+=({package})" in script for package in PACKAGES)
