PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum < pyproject.toml | cut -d' ' -f1)

.PHONY: run test lint bench schema check-schema

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

run: $(STAMP)  ## migrate, seed the demo tenant and serve on http://127.0.0.1:8000
	$(BIN)/haven serve --demo

test: $(STAMP) lint  ## lint, type-check and run the test suite
	$(BIN)/pytest -q

lint: $(STAMP)
	$(BIN)/ruff check app tests bench migrations
	$(BIN)/ruff format --check app tests bench migrations
	$(BIN)/mypy app

bench: $(STAMP)  ## print latency and throughput figures (never pass/fail)
	$(BIN)/python -m bench

schema: $(STAMP)  ## regenerate schema.graphql from the code
	$(BIN)/python -m app.graphql.export
