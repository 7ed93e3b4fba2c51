# Two commands on a fresh machine: `make demo` and `make test`. Everything else is for developers.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# The locked dependency set: every extra, for CPython 3.11 on Linux, with hashes. `make lock` regenerates it.
LOCK := requirements.lock
LOCK_ARGS := --all-extras --generate-hashes --python-version 3.11 --python-platform x86_64-manylinux_2_34

.PHONY: demo test check bench lint typecheck imports format clean venv sysdeps lock upgrade lock-check docs

venv: $(STAMP)

# Installs exactly the locked versions (hash-checked), then the project itself without resolving anything.
$(STAMP): pyproject.toml $(LOCK)
	@if ! $(PYTHON) -m venv --help >/dev/null 2>&1 || ! $(PYTHON) -c "import ensurepip" >/dev/null 2>&1; then \
		echo "installing python3-venv (Debian)"; \
		if command -v apt-get >/dev/null; then \
			$$( [ "$$(id -u)" = 0 ] || echo sudo ) apt-get update -qq && \
			$$( [ "$$(id -u)" = 0 ] || echo sudo ) apt-get install -y -qq python3-venv python3-dev; \
		fi; \
	fi
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install -q --no-deps -e .
	touch $(STAMP)

# Re-resolve after editing pyproject.toml: keeps every pin that still fits, adds and drops what changed.
# Upgrade one package: `make lock ARGS="--upgrade-package babel"`; everything: `make upgrade`.
lock: $(STAMP)
	$(BIN)/uv pip compile pyproject.toml $(LOCK_ARGS) $(ARGS) -o $(LOCK)

upgrade: $(STAMP)
	$(BIN)/uv pip compile pyproject.toml $(LOCK_ARGS) --upgrade -o $(LOCK)

# Fails when pyproject.toml asks for a package or version the lock does not hold (also part of `make test`).
lock-check: $(STAMP)
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/test_lock.py

demo: $(STAMP)
	$(BIN)/python examples/demo.py --out out

# The storage contract tests start a throwaway PostgreSQL server; install its binaries when missing (Debian).
# PDF quotes: WeasyPrint wants libharfbuzz-subset0; the PDF tests read quotes back with pdftotext (poppler-utils).
# The sales-rep page tests drive the Debian Chromium (/usr/bin/chromium; `playwright install` is not used).
sysdeps:
	@missing=""; \
	ldconfig -p 2>/dev/null | grep -q libharfbuzz-subset || missing="$$missing libharfbuzz-subset0"; \
	command -v pdftotext >/dev/null 2>&1 || missing="$$missing poppler-utils"; \
	test -x /usr/bin/chromium || missing="$$missing chromium"; \
	if [ -n "$$missing" ]; then \
		if command -v apt-get >/dev/null 2>&1; then \
			echo "installing$$missing for PDF quotes and the browser tests (Debian)"; \
			SUDO=$$( [ "$$(id -u)" = 0 ] || echo "sudo -n" ); \
			( $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null ) \
				|| echo "could not install$$missing: the PDF text and browser tests will be skipped"; \
		else \
			echo "no apt-get: install$$missing yourself, or the PDF text and browser tests will be skipped"; \
		fi; \
	fi
	@if ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 && ! command -v pg_ctl >/dev/null 2>&1; then \
		if command -v apt-get >/dev/null 2>&1; then \
			echo "installing the PostgreSQL server for the storage tests (Debian)"; \
			SUDO=$$( [ "$$(id -u)" = 0 ] || echo "sudo -n" ); \
			( $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq postgresql >/dev/null ) \
				|| echo "could not install postgresql: the PostgreSQL tests will be skipped"; \
		else \
			echo "no apt-get and no pg_ctl: the PostgreSQL tests will be skipped"; \
		fi; \
	fi

# The whole suite, then the documentation site built strictly (a broken link or docstring fails the run).
test: $(STAMP) sysdeps
	$(BIN)/python -m pytest -n auto -q
	$(MAKE) --no-print-directory docs

# The documentation site (MkDocs, Material theme, API reference from the docstrings) into out/site;
# --strict turns every warning (a broken link or anchor, a docstring mkdocstrings cannot read) into a failure.
docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict -d out/site

lint: $(STAMP)
	$(BIN)/ruff format --check src tests benchmarks examples
	$(BIN)/ruff check src tests benchmarks examples

typecheck: $(STAMP)
	$(BIN)/mypy --strict src tests benchmarks examples

# The layers and adapter contracts of pyproject.toml's [tool.importlinter] (also run by the test suite).
imports: $(STAMP)
	$(BIN)/lint-imports --no-cache

check: lint typecheck imports lock-check test

# Every benchmark script; each rewrites its own section of docs/benchmarks.md. BENCH_QUICK=1 for a short run.
bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

# flamapy (GPL-3.0) as a peer for exact counts: installed into its own .bench-venv-flamapy/, never into $(VENV).
.PHONY: bench-flamapy
bench-flamapy: $(STAMP)
	$(BIN)/python benchmarks/flamapy_peer.py

format: $(STAMP)
	$(BIN)/ruff format src tests benchmarks examples
	$(BIN)/ruff check --fix src tests benchmarks examples

clean:
	rm -rf $(VENV) out .pytest_cache .mypy_cache .ruff_cache .hypothesis
