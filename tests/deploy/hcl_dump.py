"""Run by the tools venv's python: parse every .tf file under a folder with checkov's HCL2 parser
(bc-python-hcl2, the `hcl2` module) and print {relative path: parsed} as JSON.

    python hcl_dump.py deploy/terraform
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import hcl2  # type: ignore[import-not-found]


def main() -> int:
    root = Path(sys.argv[1])
    parsed = {}
    for path in sorted(root.rglob("*.tf")):
        if ".terraform" in path.parts:
            continue
        with path.open() as f:
            parsed[str(path.relative_to(root))] = hcl2.load(f)
    json.dump(parsed, sys.stdout, default=str)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
