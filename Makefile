# kg: two commands for a fresh machine. `make run` builds the seed graph; `make test` runs the tests.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: setup setup-test run test clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

setup: $(BIN)/python
	$(BIN)/pip install --quiet -e .

setup-test: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test,ray]'

run: setup
	mkdir -p out
	$(BIN)/kg build seeds/ -o out/seed.ttl
	$(BIN)/kg validate out/seed.ttl

test: setup-test
	$(BIN)/python -m pytest -q

clean:
	rm -rf out kg-store .pytest_cache
