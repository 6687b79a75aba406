# The two commands a new machine needs (README): `make demo` and `make test`. Both set everything up first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup demo test test-suite lint fmt unit integration bench bench-smoke clean

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
	$(BIN)/ruff format --check .
	$(BIN)/mypy source_skoot_athena local_athena integration_tests unit_tests bench image

# Rewrite what lint would refuse and can fix (imports, formatting).
fmt: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The whole suite (CI runs exactly this): lint and types; unit, integration and stand-in tests with the connector's
# line coverage (its command-line subprocesses measured too; the benchmarks only as a small smoke run); then the
# Docker image built and run for real (test-image, needs root).
test: lint test-suite test-image

test-suite: setup
	rm -rf build/coverage && mkdir -p build/coverage
	$(BIN)/pytest -m "not image_tests" -p no:cacheprovider -n 2 --dist loadfile --cov --cov-report=term --durations=15

unit: setup
	$(BIN)/pytest unit_tests -q -p no:cacheprovider

integration: setup
	$(BIN)/pytest integration_tests -m "not image_tests" -q -p no:cacheprovider

bench-smoke: setup
	$(BIN)/pytest bench/test_bench_smoke.py -q -p no:cacheprovider

bench: setup
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache

# PyAirbyte as an outside client only (its own venv .venv-pyairbyte/, built once; also part of `make test`).
.PHONY: test-pyairbyte
test-pyairbyte: setup
	$(BIN)/pytest integration_tests/test_pyairbyte.py -p no:cacheprovider -q

# The connector's Docker image (README "Build the image"). `make image` builds it with your docker, on the real
# Airbyte base pinned in the Dockerfile (override: BASE_IMAGE=...; IMAGE=... for another name).
IMAGE ?= $(shell sed -n "s/^  dockerRepository: *//p" metadata.yaml):$(shell sed -n 's/^  dockerImageTag: *//p' metadata.yaml)
.PHONY: image image-tools test-image
image:
	docker build $(if $(BASE_IMAGE),--build-arg BASE_IMAGE=$(BASE_IMAGE)) --tag $(IMAGE) .

# dockerd and debootstrap from Debian (docker.io, debootstrap) when missing; needs root (or sudo).
image-tools:
	image/install-tools.sh

# The image built and run for real (needs root): the tests start their own loopback-only dockerd, build the
# Dockerfile on a local stand-in for the base image (cached in ~/.cache/source-skoot-athena/), run every verb in it.
test-image: setup image-tools
	$(BIN)/pytest -m image_tests integration_tests/test_image.py integration_tests/test_standard_suite.py \
		-p no:cacheprovider --timeout=1800
