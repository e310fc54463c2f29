# Kehu: two commands do everything on a fresh machine.
#   make run    install into .venv, migrate the embedded SQLite database, demo tenant, serve the portal
#   make test   install the test extras, start PostgreSQL/Redis if stopped, run the suite on both databases

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test test-postgres test-sqlite bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: setup.cfg setup.py $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: setup.cfg setup.py $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(VENV)/.installed $@

run: $(VENV)/.installed
	$(BIN)/kehu up --host $(HOST) --port $(PORT)

test: $(VENV)/.installed-test
	bash scripts/ensure-services.sh
	bash scripts/ensure-browser.sh
	$(MAKE) --no-print-directory test-postgres test-sqlite

test-postgres:
	KEHU_TEST_DB=postgres $(BIN)/python -m pytest $(PYTEST_ARGS)

test-sqlite:
	KEHU_TEST_DB=sqlite $(BIN)/python -m pytest -m "not postgres_only" $(PYTEST_ARGS)

bench: $(VENV)/.installed-test
	bash scripts/ensure-services.sh
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) instance test-artifacts .pytest_cache
