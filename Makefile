# The two commands a new machine needs (README): `make demo` and `make test`. Both set everything up first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup demo test lint unit integration bench bench-smoke clean

setup: $(STAMP)

$(STAMP): setup.py
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[tests]'
	touch $(STAMP)

# spec -> check -> discover -> read against the local Athena demo data, with a readable summary.
demo: setup
	$(BIN)/python -m integration_tests.demo

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check source_skoot_athena
	$(BIN)/mypy source_skoot_athena local_athena integration_tests unit_tests bench

# The whole default suite: lint, types, unit and integration tests (benchmarks only as a small smoke run).
test: lint
	$(BIN)/pytest -m "not image_tests" -p no:cacheprovider

unit: setup
	$(BIN)/pytest unit_tests -q

bench: setup
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache

# PyAirbyte as an outside client only (its own venv .venv-pyairbyte/, built once; also part of `make test`).
.PHONY: test-pyairbyte
test-pyairbyte: setup
	$(BIN)/pytest integration_tests/test_pyairbyte.py -p no:cacheprovider -q
