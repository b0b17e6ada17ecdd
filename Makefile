# Rota: `make run` to try it, `make test` to check it. Both set themselves up on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
# Tests and local runs never need a real secret; production must set SECRET_KEY itself.
TEST_ENV := SECRET_KEY=test-only-signing-key-0123456789abcdefghijklmnopqrstuvwxyz-ABCDEFGH

.PHONY: help install run test lint format migrate seed check-deploy bench clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "} {printf "  %-14s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

install: $(VENV)/.installed ## Create the virtual environment and install Rota with its dev tools

run: install ## Set up on embedded defaults (SQLite, filesystem broker), seed the demo, serve with a worker and beat
	DEBUG=1 $(BIN)/python -m rota.devserver --port $(PORT)

test: install ## Run lint gates and the whole test suite
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(TEST_ENV) $(BIN)/pytest $(PYTEST_ARGS)

lint: install ## Lint, format check, import contracts and types only
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

format: install ## Format the code
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check-deploy: install ## Django's deployment checks with production-like settings
	SECRET_KEY=$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))') \
	SITE_URL=https://rota.example.org DEBUG=0 $(BIN)/python manage.py check --deploy --fail-level WARNING

bench: install ## Run the benchmarks (quick sizes)
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	$(BIN)/python -m benchmarks.plan_quality --quick
	$(BIN)/python -m benchmarks.community_quality --quick

clean: ## Remove the virtual environment and local data
	rm -rf $(VENV) var
