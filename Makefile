# Two commands for a newcomer: `make run` and `make test`. Both do all the set-up they need.
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: system install tools run test lint typecheck pytest bench load clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Debian packages the tests run (Prometheus, Alertmanager, Chromium, docker-compose, Caddy, npm):
# installed with apt when run as root, otherwise one line says what to install and the step fails.
system:
	@/bin/bash .ci/system-packages

# Reinstall when the project's dependencies change.
# torch first, pinned: pip takes the CPU wheel from this machine's disk, where an unpinned torch
# (pulled in by sentence-transformers) would download a multi-GB CUDA build.
TORCH ?= torch==2.13.0

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet "$(TORCH)"
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

# Checkers for deploy/ and .github/ (checkov, kubernetes-validate, check-jsonschema, Helm's SDK) live in
# their own venv: checkov's dependency tree must not meet the app's pins. tests/deploy finds them there.
TOOLS_VENV  ?= .venv-tools
TOOLS_STAMP := $(TOOLS_VENV)/.installed-stamp

$(TOOLS_STAMP): tests/deploy/tools-requirements.txt
	$(PYTHON) -m venv $(TOOLS_VENV)
	$(TOOLS_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(TOOLS_VENV)/bin/python -m pip install --quiet -r tests/deploy/tools-requirements.txt
	touch $(TOOLS_STAMP)

tools: $(TOOLS_STAMP)

# axe-core (npm, test-only) audits the pages' accessibility in tests/browser; `npm ci` follows the lock.
NODE_STAMP := node_modules/.installed-stamp

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

run: install
	$(BIN)/seiko serve --host $(HOST) --port $(PORT)

lint: install
	$(BIN)/ruff check .

typecheck: install
	$(BIN)/mypy --strict app api commerce db rag evals agent tools decision_log prompts alerts common jobs events telemetry mcp_server graphql_api

pytest: system install tools $(NODE_STAMP)
	$(BIN)/pytest

test: system lint typecheck pytest

bench: install
	$(BIN)/python bench/catalog_bench.py

# Locust against a fresh local `seiko serve` (embedded database in a temp folder): the smoke profile,
# then stress; prints p50/p95/p99, error rate and req/s per endpoint (load/run.py, load/profiles/).
load: install
	$(BIN)/python load/run.py --profile smoke --profile stress

clean:
	rm -rf $(VENV) $(TOOLS_VENV) node_modules .pytest_cache .mypy_cache .ruff_cache
