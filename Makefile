# One task file for people and CI. `make serve` and `make test` are the README's two commands.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HELPDESK := $(VENV)/bin/helpdesk
HOST ?= 127.0.0.1
PORT ?= 8000
FEEDBACK_PORT ?= 8001

.PHONY: setup system-deps build serve site agent test check lint-kb pytest snapshots bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

## setup: create .venv and install helpdesk with its test tools
setup: $(VENV)/.installed

## system-deps: Debian packages the browser and terminal tests drive (chromium, tmux)
system-deps:
	bash scripts/system-deps.sh

## build: lint the KB, render it and build the static site into site/
build: setup
	$(HELPDESK) build

## serve: build the help site, then serve it on http://$(HOST):$(PORT) with live reload
##        (and the feedback service its "Was this helpful?" reports to, on $(FEEDBACK_PORT))
serve: export HELPDESK_FEEDBACK_URL ?= http://$(HOST):$(FEEDBACK_PORT)/v1/feedback
serve: build
	$(HELPDESK) feedback serve --host $(HOST) --port $(FEEDBACK_PORT) & feedback=$$!; \
	trap 'kill $$feedback 2>/dev/null' EXIT INT TERM; \
	$(HELPDESK) serve --host $(HOST) --port $(PORT)

## agent: the support agent's terminal app against the embedded demo workspace
agent: setup
	$(HELPDESK) agent

## check: ruff and mypy over the code
check: setup
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/ruff format --check src tests bench
	$(VENV)/bin/mypy

## lint-kb: check every file in kb/
lint-kb: setup
	$(HELPDESK) lint

## test: everything CI runs — system packages, setup, static checks, the KB lint, the test suite
test: system-deps setup check lint-kb pytest

pytest: setup
	$(PY) -m pytest

## snapshots: re-record the terminal app's snapshot images after an intended UI change
snapshots: setup
	$(PY) -m pytest tests/tui --snapshot-update

## bench: the benchmarks (print figures; slow)
bench: setup
	bash scripts/system-deps.sh bench
	$(PY) -m pip install --quiet -e '.[bench]'
	$(PY) bench/build.py --sizes 1000
	$(PY) bench/search.py
	$(PY) bench/access_api.py
	$(PY) bench/tui_startup.py

clean:
	rm -rf site build kb/.cache .pytest_cache .mypy_cache .ruff_cache
