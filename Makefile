# Invoicing Console: everyday commands. `make help` lists them.
#
#   make run    install (once), migrate, load the demo data, start web + Celery worker + beat on http://127.0.0.1:8000
#   make test   ruff, makemigrations --check and the whole pytest suite on PostgreSQL and Redis
#               (pytest arguments pass through ARGS: make test ARGS="-k cancel tests/invoices")
#
# Nothing but Python 3.11 and make is needed for `make run`: without DATABASE_URL the app uses SQLite under var/,
# without REDIS_URL Celery uses a filesystem queue under var/celery.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3 2>/dev/null || echo python3.11)
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check
MANAGE := $(PY) manage.py

# Stamp files: reinstall only when a requirements file changed since the last install.
VENV_READY := $(VENV)/.venv-created
RUNTIME_STAMP := $(VENV)/.installed-requirements
DEV_STAMP := $(VENV)/.installed-requirements-dev

TEST_DATABASE_URL := postgres://postgres@127.0.0.1:5432/invoicing
TEST_REDIS_URL := redis://127.0.0.1:6379/15

.PHONY: help install install-dev run migrate seed messages test lint format check-services bench bench-quick clean

help: ## Show this list
	@echo "Invoicing Console: make <target>"
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  \033[36m%-15s\033[0m %s\n", $$1, $$2}'

# --- installing ---------------------------------------------------------------------------------------------------

$(VENV_READY):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "Python 3.11 is needed, found " + sys.version.split()[0] + " at " + sys.executable + "; run make PYTHON=/path/to/python3.11")'
	@if [ ! -x "$(PY)" ]; then echo "Creating $(VENV) with $(PYTHON)"; $(PYTHON) -m venv $(VENV); fi
	@touch $@

$(RUNTIME_STAMP): requirements.txt | $(VENV_READY)
	@echo "Installing requirements.txt into $(VENV)"
	$(PIP) install -r requirements.txt
	@touch $@

$(DEV_STAMP): requirements.txt requirements-dev.txt | $(VENV_READY)
	@echo "Installing requirements-dev.txt into $(VENV)"
	$(PIP) install -r requirements-dev.txt
	@touch $@ $(RUNTIME_STAMP)

install: $(RUNTIME_STAMP) ## Create .venv and install requirements.txt (skipped when unchanged)

install-dev: $(DEV_STAMP) ## Create .venv and install requirements-dev.txt (skipped when unchanged)

# --- running ------------------------------------------------------------------------------------------------------

# Development defaults; anything already set in the environment wins.
run migrate seed messages: export DEBUG ?= 1
run: export WEB_ADDR ?= 127.0.0.1:8000
run: export PYTHONUNBUFFERED := 1

run: $(RUNTIME_STAMP) ## Install, migrate, load demo data, then run web + Celery worker + beat (Ctrl-C stops all)
	$(MANAGE) migrate --noinput
	$(MANAGE) seed_demo
	@echo "make run: web on http://$$WEB_ADDR/, Celery worker and beat (Procfile, run by honcho). Ctrl-C stops all three."
	@PATH="$(abspath $(VENV))/bin:$$PATH" exec $(VENV)/bin/honcho start -f Procfile

migrate: $(RUNTIME_STAMP) ## Apply database migrations
	$(MANAGE) migrate --noinput

seed: $(RUNTIME_STAMP) ## Load the demo accounts and data (idempotent; password demo12345)
	$(MANAGE) seed_demo

messages: $(RUNTIME_STAMP) ## Update the zh_Hans and en catalogs and compile them (needs GNU gettext)
	@command -v msgfmt >/dev/null || { echo "GNU gettext is needed: apt-get install gettext" >&2; exit 1; }
	$(MANAGE) makemessages -l zh_Hans -l en --ignore '.venv/*' --ignore 'var/*' --ignore 'staticfiles/*' --ignore 'tests/*' --ignore 'bench/*'
	$(MANAGE) compilemessages -l zh_Hans -l en --ignore '.venv/*'

# --- checking -----------------------------------------------------------------------------------------------------

test check-services: export DATABASE_URL ?= $(TEST_DATABASE_URL)
test check-services: export REDIS_URL ?= $(TEST_REDIS_URL)
# The benchmark uses DATABASE_URL's server only: its data goes to the database BENCH_DATABASE (and <it>_jobs).
bench bench-quick: export DATABASE_URL ?= $(TEST_DATABASE_URL)
bench bench-quick: export REDIS_URL ?= redis://127.0.0.1:6379/14
BENCH_DATABASE ?= invoicing_bench
BENCH_ARGS ?=

check-services: $(DEV_STAMP) ## Fail unless PostgreSQL (DATABASE_URL) and Redis (REDIS_URL) answer
	$(PY) bin/check-services

# Extra pytest arguments, e.g. make test ARGS="-k cancel" or ARGS="tests/invoices -x".
ARGS ?=

test: $(DEV_STAMP) ## PostgreSQL + Redis check, ruff, makemigrations --check, then pytest (ARGS="-k cancel" passes on)
	$(PY) bin/check-services
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DEBUG=1 $(PY) -W ignore::RuntimeWarning manage.py makemigrations --check --dry-run
	$(VENV)/bin/pytest $(ARGS)

bench: $(DEV_STAMP) ## Every endpoint under wrk vs. a bare-Django floor + job timings, scale 1.0 (about 10 minutes)
	$(PY) bin/check-services
	$(PY) bench/run.py --scale 1.0 --duration 10 --profile --database $(BENCH_DATABASE) $(BENCH_ARGS)

bench-quick: $(DEV_STAMP) ## The same at scale 0.05, 2 s per endpoint (under a minute and a half)
	$(PY) bin/check-services
	$(PY) bench/run.py --scale 0.05 --duration 2 --profile --jobs-timeout 300 --database $(BENCH_DATABASE)_quick $(BENCH_ARGS)

lint: $(DEV_STAMP) ## ruff check and ruff format --check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(DEV_STAMP) ## Fix what ruff can fix and format the code
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean: ## Remove caches, collected static files and local data under var/ (keeps .venv)
	rm -rf var staticfiles test-artifacts .pytest_cache .ruff_cache control
	find . -path ./$(VENV) -prune -o -type d -name __pycache__ -exec rm -rf {} +
