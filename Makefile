# One task file for people and CI. `make serve` and `make test` are the README's two commands.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HELPDESK := $(VENV)/bin/helpdesk
HOST ?= 127.0.0.1
PORT ?= 8000
FEEDBACK_PORT ?= 8001

.PHONY: setup setup-run system-deps build serve site agent test check lint-kb pytest snapshots bench clean catalogs

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed-run

# Only what building and serving the site need (no test toolchain): `make serve` on a
# fresh clone shows its first page in seconds, not after installing Playwright and mypy.
# Through uv when it can be had: the system's pip puts uv in a venv made without pip
# (0.2 s instead of 6), and uv installs the ~60 packages, pip among them, in about 4 s
# where pip takes 30. Else pip's way (uv reads no pip.conf: a machine with only a mirror).
$(VENV)/.installed-run: pyproject.toml
	$(PYTHON) -m venv --without-pip $(VENV)
	if $(PYTHON) -m pip --python $(PY) install --quiet --disable-pip-version-check uv 2>/dev/null \
	    && $(VENV)/bin/uv pip install --quiet --python $(PY) -e . pip; then :; \
	else $(PYTHON) -m venv $(VENV) && $(PY) -m pip install --quiet --disable-pip-version-check -e .; fi
	touch $@

## setup: create .venv and install helpdesk with its test tools
setup: $(VENV)/.installed

## setup-run: create .venv with helpdesk only (what build and serve need)
setup-run: $(VENV)/.installed-run

## system-deps: Debian packages the browser and terminal tests drive (chromium, tmux)
system-deps:
	bash scripts/system-deps.sh

## build: lint the KB, render it and build the static site (every language) into site/
build: setup-run
	$(HELPDESK) build

## serve: check the KB and serve every language on http://$(HOST):$(PORT) with live reload
## (the preview's site_url is its own address, so links, feeds and hreflang work in it),
## and the feedback service its "Was this helpful?" reports to on $(FEEDBACK_PORT)
serve: export HELPDESK_FEEDBACK_URL ?= http://$(HOST):$(FEEDBACK_PORT)/v1/feedback
serve: setup-run
	$(HELPDESK) feedback serve --host $(HOST) --port $(FEEDBACK_PORT) & feedback=$$!; \
	trap 'kill $$feedback 2>/dev/null' EXIT INT TERM; \
	HELPDESK_SITE_URL=http://$(HOST):$(PORT)/ $(HELPDESK) serve --host $(HOST) --port $(PORT)

## catalogs: extract the site's UI strings into kb/templates/locale and update each language's
## catalog (then translate the new entries: empty or fuzzy ones fail the catalog test)
catalogs: setup-run
	$(VENV)/bin/pybabel -q extract -F kb/templates/locale/babel.cfg -k N_ --no-location \
	  --sort-output --project helpdesk -o kb/templates/locale/messages.pot \
	  kb/templates src/helpdesk/publish
	for po in kb/templates/locale/*/LC_MESSAGES/messages.po; do \
	  $(VENV)/bin/pybabel -q update -i kb/templates/locale/messages.pot -o $$po \
	    -l $$(basename $$(dirname $$(dirname $$po))); \
	done

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
