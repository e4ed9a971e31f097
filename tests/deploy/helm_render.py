"""Run by the tools venv's python: `helm template` and `helm lint` through Helm's Go SDK
(helm-python-sdk), which needs neither a cluster nor the helm binary.

    python helm_render.py template CHART [--values FILE] --release NAME --namespace NS
    python helm_render.py lint CHART --values FILE --namespace NS --kube-version v1.32.0
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import helm_python as helm  # type: ignore[import-not-found]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=["template", "lint"])
    parser.add_argument("chart")
    parser.add_argument("--values")
    parser.add_argument("--release", default="release")
    parser.add_argument("--namespace", default="default")
    parser.add_argument("--kube-version", default=None)
    args = parser.parse_args()
    # Helm's own YAML reading, as `helm -f FILE` does it.
    values = helm.values_from_yaml(Path(args.values).read_text()) if args.values else {}
    if args.command == "lint":
        report = helm.lint(args.chart, values, strict=True, namespace=args.namespace, kube_version=args.kube_version)
        json.dump(report, sys.stdout)
        return 0
    with helm.Chart.load(args.chart) as chart:
        manifests = chart.render(values, name=args.release, namespace=args.namespace, is_install=True)
    for name in sorted(manifests):
        if name.endswith((".yaml", ".yml")) and manifests[name].strip():
            sys.stdout.write(f"---\n# Source: {name}\n{manifests[name]}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
