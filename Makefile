PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Stamps are named after pyproject.toml's checksum, so editing it reinstalls. Running needs only
# Haven itself; tests, lint and benchmarks also need the `dev` extra, a superset of it.
SUM := $(shell cksum < pyproject.toml | cut -d' ' -f1)
RUN_STAMP := $(VENV)/.installed-run-$(SUM)
DEV_STAMP := $(VENV)/.installed-dev-$(SUM)

.PHONY: run test lint bench schema check-schema

define install
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '$(1)'
	find $(VENV) -maxdepth 1 -name '.installed-*' ! -name '*-$(SUM)' -delete
endef

$(RUN_STAMP): pyproject.toml
	$(call install,.)
	touch $@

# Also stands for a run install: `make run` after `make test` installs nothing more.
$(DEV_STAMP): pyproject.toml
	$(call install,.[dev])
	touch $@ $(RUN_STAMP)

run: $(RUN_STAMP)  ## migrate, seed the demo tenant and serve on http://127.0.0.1:8000
	$(BIN)/haven serve --demo

test: $(DEV_STAMP) lint  ## lint, type-check and run the test suite
	$(BIN)/pytest -q

lint: $(DEV_STAMP)
	$(BIN)/ruff check app tests bench migrations
	$(BIN)/ruff format --check app tests bench migrations
	$(BIN)/mypy app tests bench
	$(BIN)/lint-imports --no-cache --no-logo

bench: $(DEV_STAMP)  ## print latency and throughput figures (never pass/fail)
	$(BIN)/python -m bench

schema: $(DEV_STAMP)  ## regenerate schema.graphql from the code
	$(BIN)/python -m app.graphql.export
