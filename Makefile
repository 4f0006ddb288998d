# Park Indicator Warehouse. `make help` lists the targets.
.DEFAULT_GOAL := help
SHELL := /bin/bash

INBOX ?= data/inbox
WAREHOUSE ?= warehouse/parks.duckdb
REPORTS ?= reports
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export INBOX WAREHOUSE REPORTS

.PHONY: help build test docs check bench clean

help: ## show this help
	@echo "Park Indicator Warehouse: make <target> [INBOX=…] [WAREHOUSE=…] [REPORTS=…]"
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-8s %s\n", $$1, $$2}'
	@echo "Defaults: INBOX=$(INBOX) WAREHOUSE=$(WAREHOUSE) REPORTS=$(REPORTS)"

# The virtualenv is rebuilt when missing or older than the pins.
$(STAMP): requirements.txt constraints.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt -c constraints.txt
	@touch $(STAMP)

build: $(STAMP) ## ingest INBOX, run dbt, validate, publish WAREHOUSE (exit codes: see README)
	$(PY) -m ingest build --inbox "$(INBOX)" --warehouse "$(WAREHOUSE)" --reports "$(REPORTS)"

test: $(STAMP) ## run the test suite (pytest: ingest, dbt unit tests, end to end, faults)
	$(PY) -m pytest -q tests

docs: $(STAMP) ## generate and serve the dbt docs of the last build (http://localhost:8080)
	DBT_DUCKDB_PATH="$(WAREHOUSE)" $(VENV)/bin/dbt docs generate --profiles-dir . --project-dir . --target serving
	$(VENV)/bin/dbt docs serve --profiles-dir . --project-dir . --port 8080

check: $(STAMP) ## check the published WAREHOUSE against the interface of the issues (../shared/tools)
	$(PY) ../shared/tools/check_interface.py "$(WAREHOUSE)"

bench: $(STAMP) ## print ingest speed and memory figures on generated workbooks
	$(PY) -m tests.bench

clean: ## remove generated files (virtualenv kept)
	rm -rf warehouse/.build target logs dbt_packages $(REPORTS)
