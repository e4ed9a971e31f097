"""The dependency rules of DESIGN.md section 2, enforced by reading every module's imports.

Each top-level package may import only the packages listed for it; the package graph has no cycles.
Imports inside `if TYPE_CHECKING:` count too: a type-only edge is still a coupling."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = {"common", "db", "commerce", "rag", "events", "decision_log", "prompts", "tools", "agent", "alerts",
          "evals", "jobs", "telemetry"}
# package -> the packages of ours it may import (besides itself)
ALLOWED: dict[str, set[str]] = {
    "common": set(),
    "db": {"common"},
    "web": set(),
    # OpenTelemetry: the provider, job-queue propagation, the GenAI spans; it imports nothing of ours.
    "telemetry": set(),
    "jobs": {"common", "db", "telemetry"},
    "events": {"common", "db"},
    "commerce": {"common", "db", "events"},
    "rag": {"common", "db", "commerce"},
    "decision_log": {"common", "db"},
    "prompts": {"common", "db"},
    "tools": {"common", "db", "commerce", "rag", "events"},
    "agent": {"common", "db", "commerce", "rag", "events", "tools", "prompts", "decision_log", "telemetry"},
    "alerts": {"common", "db", "commerce", "rag", "events", "tools", "prompts", "decision_log", "agent", "jobs",
               "telemetry"},
    "evals": {"common", "db", "commerce", "rag", "events", "tools", "prompts", "decision_log", "agent", "alerts",
              "telemetry"},
    # The MCP servers and the GraphQL schema adapt domain functions (and the agents' tools); the HTTP
    # layer authenticates callers and mounts them.
    "mcp_server": {"common", "db", "commerce", "rag", "tools"},
    "graphql_api": {"common", "db", "commerce", "rag"},
    "api": DOMAIN | {"web", "mcp_server", "graphql_api"},
    "app": DOMAIN | {"api", "web"},
}
OURS = set(ALLOWED)


def modules(package: str) -> Iterator[Path]:
    yield from (ROOT / package).rglob("*.py")


def imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found & OURS


def package_graph() -> dict[str, dict[str, list[str]]]:
    """package -> imported package -> the modules that import it."""
    graph: dict[str, dict[str, list[str]]] = {}
    for package in OURS:
        edges: dict[str, list[str]] = {}
        for path in modules(package):
            for target in imported_packages(path) - {package}:
                edges.setdefault(target, []).append(str(path.relative_to(ROOT)))
        graph[package] = edges
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every elementary cycle found by a depth-first walk (enough to name one per strongly connected knot)."""
    found: list[list[str]] = []
    seen: set[tuple[str, ...]] = set()

    def walk(node: str, path: list[str]) -> None:
        for nxt in sorted(graph.get(node, ())):
            if nxt in path:
                cycle = path[path.index(nxt):]
                key = tuple(sorted(cycle))
                if key not in seen:
                    seen.add(key)
                    found.append([*cycle, nxt])
            elif len(path) < len(graph):
                walk(nxt, [*path, nxt])

    for start in sorted(graph):
        walk(start, [start])
    return found


def test_every_package_imports_only_what_the_design_allows() -> None:
    violations = [f"{package} -> {target} ({', '.join(sorted(set(where))[:3])})"
                  for package, edges in sorted(package_graph().items())
                  for target, where in sorted(edges.items()) if target not in ALLOWED[package]]
    assert violations == []


def test_the_package_graph_has_no_cycles() -> None:
    graph = {package: set(edges) for package, edges in package_graph().items()}
    assert cycles(graph) == []


def test_the_checker_sees_a_forbidden_edge_and_a_cycle() -> None:
    # The checker itself: a graph with a back edge is reported, and the real graph was read at all.
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c", "a"]]
    assert "commerce" in package_graph()["api"]
