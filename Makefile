# Park Indicator Warehouse. `make help` lists the targets.
# Schedulers call `.venv/bin/parks build` directly: make turns every failing exit code into its own 2.
.DEFAULT_GOAL := help
SHELL := /bin/bash

INBOX ?= data/inbox
WAREHOUSE ?= warehouse/parks.duckdb
REPORTS ?= reports
EXPORTS ?= exports
SCALE ?= 0.1
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PARKS := $(VENV)/bin/parks
STAMP := $(VENV)/.installed
export INBOX WAREHOUSE REPORTS EXPORTS

.PHONY: help build test test-fast lint dbt docs check export bench clean

help: ## show this help
	@echo "Park Indicator Warehouse: make <target> [INBOX=…] [WAREHOUSE=…] [REPORTS=…] [EXPORTS=…]"
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-8s %s\n", $$1, $$2}'
	@echo "Defaults: INBOX=$(INBOX) WAREHOUSE=$(WAREHOUSE) REPORTS=$(REPORTS) EXPORTS=$(EXPORTS)"
	@echo "Schedulers: $(PARKS) build (exact exit codes, see README)"

# The virtualenv is rebuilt when missing or older than the pins; `parks` is installed into it.
$(STAMP): requirements.txt constraints.txt pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt -c constraints.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@rm -rf *.egg-info
	@touch $(STAMP)

build: $(STAMP) ## ingest INBOX, run dbt, validate, publish WAREHOUSE; prints the exit code (README)
	@$(PARKS) build; code=$$?; echo "exit code $$code"; exit $$code

test: $(STAMP) ## run the whole test suite (unit, integration, end to end, real clients; ~20 minutes)
	$(PY) -m pytest -q tests

test-fast: $(STAMP) ## unit and integration tests only (under a minute): the lane to run while developing
	$(PY) -m pytest -q tests/unit tests/integration

lint: $(STAMP) ## ruff (check and format) on the Python code, sqlfluff on the dbt SQL
	$(VENV)/bin/ruff check ingest expectations tests tools
	$(VENV)/bin/ruff format --check ingest expectations tests tools
	$(VENV)/bin/sqlfluff lint models macros analyses

dbt: $(STAMP) ## run dbt by hand on a scratch copy of the history store: make dbt ARGS="build -s plan_progress"
	@$(PY) -m ingest.warehouse.devcopy "$(WAREHOUSE)" warehouse/dev.duckdb
	DBT_DUCKDB_PATH=warehouse/dev.duckdb $(VENV)/bin/dbt $(or $(ARGS),build) --profiles-dir . --project-dir .

docs: $(STAMP) ## generate and serve the dbt docs of the published file (http://localhost:8080)
	DBT_DUCKDB_PATH="$(WAREHOUSE)" $(VENV)/bin/dbt docs generate --profiles-dir . --project-dir . --target serving
	$(VENV)/bin/dbt docs serve --profiles-dir . --project-dir . --port 8080 --no-browser

check: $(STAMP) ## check the published WAREHOUSE against the published interface (tools/check_interface.py)
	$(PY) tools/check_interface.py "$(WAREHOUSE)"

export: $(STAMP) ## write the assessment workbooks, overview page and Parquet of the marts into EXPORTS
	$(PARKS) export

bench: $(STAMP) ## national-scale benchmark: make bench SCALE=1.0 (0.1 for a quick look)
	$(PY) -m tests.bench --scale $(SCALE)

clean: ## remove generated files (virtualenv kept; the history store is kept unless WAREHOUSE's folder is removed)
	rm -rf target logs dbt_packages $(REPORTS) $(EXPORTS)
