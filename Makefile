# Casework: `make run` starts the demo, `make test` runs the tests.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 5000

# The lock files pin every package with its hashes, for CPython 3.11 on Linux:
# requirements/main.txt what production runs (with PostgreSQL's and Redis's drivers),
# requirements/dev.txt  that plus the tools, constrained by main.txt.
# `make lock` regenerates them from pyproject.toml; LOCK_ARGS=--upgrade moves every pin
# to the newest release, LOCK_ARGS="-P NAME" one package.
MAIN_LOCK := requirements/main.txt
DEV_LOCK := requirements/dev.txt
PIP_COMPILE := CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/pip-compile --quiet \
	--generate-hashes --allow-unsafe --strip-extras \
	--no-emit-index-url --no-emit-find-links $(LOCK_ARGS)

.PHONY: run test coverage coverage-both lint typecheck check bench lock clean translations

# The compiled catalogues (.mo), built from the .po files in the repository at install.
CATALOGUES := $(wildcard translations/*/LC_MESSAGES/messages.po)
COMPILED := $(CATALOGUES:.po=.mo)

# Everything comes from the lock, hashes checked (pip and setuptools too); Casework
# itself is installed last, editable, with the locked setuptools and nothing else.
$(STAMP): pyproject.toml $(MAIN_LOCK) $(DEV_LOCK)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r $(DEV_LOCK)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

# One run of `casework translations compile` (the command the test session and an
# installation run too) writes each .mo older than its .po; then every .mo is current,
# so make runs it again only when a .po changes.
$(COMPILED) &: $(CATALOGUES) | $(STAMP)
	$(BIN)/casework translations compile
	@touch $(COMPILED)

## translations: extract the messages, add new ones to every catalogue (untranslated),
## then check them (docs/translating.md)
translations: $(STAMP)
	$(BIN)/casework translations update
	-$(BIN)/casework translations check

## run: set up, migrate the SQLite database, seed the demo once, and serve it
run: $(STAMP) $(COMPILED)
	CASEWORK_DEMO=1 $(BIN)/casework db upgrade
	CASEWORK_DEMO=1 $(BIN)/casework demo --if-empty
	@echo ""
	@echo "  Casework demo: http://$(HOST):$(PORT)"
	@echo "  Demo users: socialworker, police, prosecutor, ngo, coordinator, auditor, admin, analyst"
	@echo "  Demo password for all of them: casework-demo"
	@echo ""
	CASEWORK_DEMO=1 $(BIN)/casework run --host $(HOST) --port $(PORT)

## test: the whole suite (set CASEWORK_TEST_DATABASE_URL for PostgreSQL)
test: $(STAMP) $(COMPILED)
	$(BIN)/pytest $(PYTEST_ARGS)

## coverage: the suite with line and branch coverage; fails below the floor in
## pyproject.toml ([tool.coverage.report] fail_under)
coverage: $(STAMP) $(COMPILED)
	$(BIN)/pytest --cov --cov-report=term-missing:skip-covered $(PYTEST_ARGS)

## coverage-both: the suite on SQLite, then on PostgreSQL (PG_URL) through `make test`,
## with the coverage of both runs together failing below the floor: code written for one
## database (PostgreSQL roles and grants, pg_dump, the audit's server-side append) runs
## only in that database's run
PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
coverage-both: $(STAMP) $(COMPILED)
	rm -f .coverage .coverage.sqlite .coverage.postgresql
	env -u CASEWORK_TEST_DATABASE_URL COVERAGE_FILE=.coverage.sqlite \
		$(BIN)/pytest --cov --cov-report= --cov-fail-under=0 $(PYTEST_ARGS)
	CASEWORK_TEST_DATABASE_URL="$(PG_URL)" COVERAGE_FILE=.coverage.postgresql \
		$(MAKE) test PYTEST_ARGS="--cov --cov-report= --cov-fail-under=0 $(PYTEST_ARGS)"
	$(BIN)/coverage combine .coverage.sqlite .coverage.postgresql
	$(BIN)/coverage report --skip-covered --show-missing

## lint: ruff, and import-linter for the layering (contracts in .importlinter; a
## positional argument, since import-linter 2.17 deprecates --config)
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-logo .importlinter

typecheck: $(STAMP)
	$(BIN)/mypy

## check: what CI runs on SQLite
check: lint typecheck coverage

## bench: encryption benchmarks, not part of `make test` (BENCH_ARGS="--backend both")
bench: $(STAMP)
	$(BIN)/python -m benchmarks.run $(BENCH_ARGS)

## lock: regenerate requirements/*.txt from pyproject.toml (needs PyPI)
lock:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	test -x $(BIN)/pip-compile || $(BIN)/python -m pip install --quiet pip-tools
	$(PIP_COMPILE) --extra postgresql --extra redis --build-deps-for wheel \
		-o $(MAIN_LOCK) pyproject.toml
	$(PIP_COMPILE) --extra dev --build-deps-for editable -c $(MAIN_LOCK) \
		-o $(DEV_LOCK) pyproject.toml

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .grimp_cache .coverage htmlcov
