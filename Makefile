# Pactum. `make run` serves the demo site; `make test` runs every test on SQLite and PostgreSQL.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := wsgi
PYTEST_ARGS ?=
# Two workers: CI machines have 2 cores.
PYTEST_WORKERS ?= 2
DB ?= sqlite

.PHONY: demo-code run test test-sqlite test-postgres lint format bench bench-smoke shell migrate deps-run deps-test translations translations-update clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.run-installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.test-installed: requirements.txt requirements-test.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements-test.txt
	touch $@ $(VENV)/.run-installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	touch $@

deps-run:
	@scripts/system-deps.sh run

deps-test:
	@scripts/system-deps.sh test

translations: $(VENV)/.run-installed
	@if ls translations/*/LC_MESSAGES/messages.po >/dev/null 2>&1; then $(BIN)/pybabel -q compile -d translations; fi

## Refresh translations/messages.pot and every messages.po after adding or changing strings;
## then translate the new (empty or fuzzy) entries. --ignore-dirs: scan templates/_macros too.
translations-update: $(VENV)/.run-installed
	$(BIN)/pybabel -q extract -F babel.cfg -k lazy_gettext -k _l --ignore-dirs '.*' -o translations/messages.pot .
	$(BIN)/pybabel -q update -i translations/messages.pot -d translations

## Serve the demo site on http://127.0.0.1:5000 (`make run PORT=5001` for another port; the
## links it prints and mails then name that port too, unless PACTUM_SERVER_URL is set)
PORT ?= 5000
run: export PACTUM_SERVER_URL ?= http://127.0.0.1:$(PORT)
run: deps-run $(VENV)/.run-installed translations
	$(BIN)/flask db upgrade
	$(BIN)/flask pactum demo
	@echo "Serving Pactum on http://127.0.0.1:$(PORT)  (Ctrl-C to stop)"
	$(BIN)/flask run --host 127.0.0.1 --port $(PORT)

## Every test, on SQLite then on a PostgreSQL server started for the run
test: deps-test $(VENV)/.test-installed node_modules/.installed translations
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-postgres

test-sqlite:
	@echo "== tests on SQLite =="
	$(BIN)/pytest -n $(PYTEST_WORKERS) -p no:cacheprovider $(PYTEST_ARGS)

test-postgres:
	@echo "== tests on PostgreSQL =="
	scripts/with-postgres.sh $(BIN)/pytest -n $(PYTEST_WORKERS) -p no:cacheprovider $(PYTEST_ARGS)

## ruff's lint rules and its formatting, over the whole tree (part of `make test`)
lint: $(VENV)/.test-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.test-installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## Benchmarks: `make bench` (SQLite), `make bench DB=postgres` (SQLite and a private PostgreSQL,
## side by side), then the annual report PDF (bench/pdf.py, chunked vs one WeasyPrint pass);
## results in bench/results.md. BENCH_ARGS passes more options (python -m bench -h).
## The benchmark's PostgreSQL is durable as in production (fsync, synchronous_commit,
## full_page_writes on); PG_FAST=1 starts it with the fast, non-durable settings instead.
## GROWTH=1 adds the growth table (bench/growth.py: 1,000, 25,000, 100,000 organisations).
BENCH_ARGS ?=
PG_FAST ?=
GROWTH ?=
bench: $(VENV)/.test-installed
	@scripts/system-deps.sh bench
ifeq ($(DB),postgres)
	PACTUM_PG_DURABLE=$(if $(PG_FAST),0,1) scripts/with-postgres.sh $(BIN)/python -m bench --db sqlite,postgres $(BENCH_ARGS)
else
	$(BIN)/python -m bench --db $(DB) $(BENCH_ARGS)
endif
	$(BIN)/python -m bench.pdf --members 100,1000,5000 --results bench/results.md
	$(BIN)/python -m bench.workbook --members 25000
ifeq ($(GROWTH),1)
	$(BIN)/python -m bench.growth --orgs 1000,25000,100000 --results bench/results.md
endif

## The benchmark's CI smoke run: tiny data, every scenario for about a second
bench-smoke: $(VENV)/.test-installed
	@scripts/system-deps.sh bench
	$(BIN)/python -m bench --smoke $(BENCH_ARGS)

shell: $(VENV)/.run-installed
	$(BIN)/flask shell

## The demo secretariat's current one-time code (its key is published in the README)
demo-code: $(VENV)/.run-installed
	@$(BIN)/flask pactum demo-code

## Upgrade an existing database, then rebuild the public search index from it (the
## migrations cannot stem words: 0014 needs it, and it is harmless otherwise)
migrate: $(VENV)/.run-installed
	$(BIN)/flask db upgrade
	$(BIN)/flask pactum reindex

clean:
	rm -rf $(VENV) node_modules instance .pytest_cache
