# Two commands set everything up on a fresh machine with Python 3.11 and make:
#   make demo   creates .venv, installs josekit, runs the end-to-end demo
#   make test   creates .venv, installs with test extras, provisions PostgreSQL, Redis and
#               SoftHSM2 (the tests start throwaway instances), runs lint, type check and the tests
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test lint typecheck pytest docs bench clean services

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed-demo: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e ".[remote,server,cli,fastapi]"
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e ".[test]"
	touch $@

$(VENV)/.installed-bench: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e ".[bench,remote,server,cli]"
	touch $@

demo: $(VENV)/.installed-demo
	$(BIN)/python examples/quickstart_demo.py
	$(BIN)/python examples/demo.py
	$(BIN)/python examples/jwks_demo.py
	$(BIN)/python examples/replicas_demo.py
	$(BIN)/python examples/sdjwt_demo.py
	$(BIN)/python examples/web_demo.py
	$(BIN)/python examples/quickstart_demo.py --next-steps

lint: $(VENV)/.installed-test
	$(BIN)/ruff check src tests benchmarks examples
	$(BIN)/ruff format --check src tests benchmarks examples

typecheck: $(VENV)/.installed-test
	$(BIN)/mypy --strict src tests/typing

services:
	bash scripts/provision-services

pytest: $(VENV)/.installed-test services
	$(BIN)/python -m pytest

docs: $(VENV)/.installed-test
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet --site-dir build/site

test: lint typecheck pytest docs

bench: $(VENV)/.installed-bench
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) build dist .mypy_cache .pytest_cache .ruff_cache
