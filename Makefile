# Casework: `make run` starts the demo, `make test` runs the tests.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test lint typecheck check bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

## run: set up, migrate the SQLite database, seed the demo once, and serve it
run: $(STAMP)
	CASEWORK_DEMO=1 $(BIN)/casework db upgrade
	CASEWORK_DEMO=1 $(BIN)/casework demo --if-empty
	@echo ""
	@echo "  Casework demo: http://$(HOST):$(PORT)"
	@echo "  Demo users: socialworker, police, prosecutor, ngo, coordinator, auditor, admin"
	@echo "  Demo password for all of them: casework-demo"
	@echo ""
	CASEWORK_DEMO=1 $(BIN)/casework run --host $(HOST) --port $(PORT)

## test: the whole suite (set CASEWORK_TEST_DATABASE_URL for PostgreSQL)
test: $(STAMP)
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

check: lint typecheck test

## bench: encryption benchmarks, not part of `make test` (BENCH_ARGS="--backend both")
bench: $(STAMP)
	$(BIN)/python -m benchmarks.run $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
