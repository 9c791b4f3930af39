# Two commands matter: `make run` (the local demo) and `make test` (everything CI checks).
# GNU make; Python 3.11 on the PATH (python3.11 or python3).

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:
MAKEFLAGS += --no-builtin-rules

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
VENV_PYTHON := $(VENV)/bin/python
MANAGE := $(VENV_PYTHON) manage.py
INSTALLED := $(VENV)/.installed

HOST ?= 127.0.0.1
PORT ?= 8000
# Links in the demo's emails point at the address `make run` serves (production sets SITE_URL).
DEMO_SITE_URL := $(or $(SITE_URL),http://$(if $(filter 0.0.0.0,$(HOST)),127.0.0.1,$(HOST)):$(PORT))

# Tests run on PostgreSQL and Redis; override either from the environment.
TEST_DATABASE_URL := $(or $(DATABASE_URL),postgres://postgres@127.0.0.1:5432/cnpe)
TEST_REDIS_URL := $(or $(REDIS_URL),redis://127.0.0.1:6379/15)
TEST_ENV := DJANGO_ENV=test DATABASE_URL='$(TEST_DATABASE_URL)' REDIS_URL='$(TEST_REDIS_URL)'
PYTEST_WORKERS ?= 2
PYTEST_ARGS ?=

# Translation catalogues (none outside the project's own folders).
PO_FILES := $(shell find . -path ./$(VENV) -prune -o -path ./.git -prune -o \
	-name '*.po' -path '*/LC_MESSAGES/*' -print 2>/dev/null)
MESSAGES := $(VENV)/.messages

.PHONY: help run test test-fast lint format messages messages-fr clean distclean

help:
	@echo "make run    installe si besoin, prépare la base de démonstration et sert http://$(HOST):$(PORT)"
	@echo "make test   vérifications (ruff, migrations) puis toute la suite de tests sur PostgreSQL et Redis"
	@echo "make test-fast  la même suite sans navigateur, charge, worker Celery ni sous-processus"
	@echo "make lint   ruff check, ruff format --check, lint-imports (couches), makemigrations --check,"
	@echo "            catalogue français à jour des pluriels du code"
	@echo "make format ruff format et ruff check --fix"
	@echo "make messages-fr  refait le catalogue français (les pluriels du code, règle française) et le compile"
	@echo "make clean  supprime caches et fichiers générés ; make distclean supprime aussi .venv et db.sqlite3"

$(VENV_PYTHON):
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] < (3, 11))' || { \
		echo "Python 3.11 ou plus récent est requis (trouvé : $$($(PYTHON) --version))." >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)

# Reinstalled only when pyproject.toml changes: the second `make run` skips it.
$(INSTALLED): pyproject.toml | $(VENV_PYTHON)
	$(VENV_PYTHON) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(VENV_PYTHON) -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	@touch $@

# Compiled catalogues; without gettext's msgfmt the French source strings are shown.
$(MESSAGES): $(PO_FILES) | $(INSTALLED)
	@if [ -z "$(PO_FILES)" ]; then touch $@; \
	elif command -v msgfmt >/dev/null; then \
		echo "$(MANAGE) compilemessages"; \
		$(MANAGE) compilemessages --ignore='$(VENV)' --ignore=node_modules -v 0 && touch $@; \
	else \
		echo "msgfmt absent (paquet gettext) : traductions non compilées." >&2; \
	fi

messages: $(MESSAGES)

# French is the source language: its catalogue holds the code's plural messages, each its
# own translation, for the French plural rule (0 and 1 take the singular); without it
# ngettext falls back to the English rule ("0 notifications non lues"). Rebuilt from the
# code whenever a plural message changes (`make lint` says so), then compiled.
FR_CATALOGUE := locale/fr/LC_MESSAGES/django.po
messages-fr: $(INSTALLED)
	$(VENV_PYTHON) scripts/french_catalogue.py
	msgfmt --check-format -o $(FR_CATALOGUE:.po=.mo) $(FR_CATALOGUE)

# `make run` repeats a preparation step only when its inputs changed since it last ran on
# this same database (same DATABASE_URL, or the same db.sqlite3 file). The stamp
# .make-<step> holds the database's identity on its first line, then what the step printed;
# for seed_demo that is shown again when the step is skipped (it lists the demo accounts).
DB_IDENTITY = if [ -n "$${DATABASE_URL:-}" ]; then \
		printf '%s' "$$DATABASE_URL" | sha256sum | cut -c 1-16; \
	else stat -c 'sqlite-%d-%i-%W' db.sqlite3 2>/dev/null || echo none; fi

# $(call prepare,step,inputs,command[,replay])
define prepare
	@stamp=.make-$(1); \
	if [ -f $$stamp ] && [ "$$(head -n 1 $$stamp)" = "$$($(DB_IDENTITY))" ] \
		&& [ -z "$$(find $(2) -newer $$stamp -print -quit 2>/dev/null)" ]; then \
		echo "$(1) : déjà fait pour cette base."; $(if $(4),tail -n +2 $$stamp;) \
	else \
		rm -f $$stamp; echo "$(3)"; \
		output=$$($(3)) || { printf '%s\n' "$$output"; exit 1; }; \
		[ -z "$$output" ] || printf '%s\n' "$$output"; \
		{ $(DB_IDENTITY); printf '%s\n' "$$output"; } > $$stamp; \
	fi
endef

MIGRATIONS := $(wildcard */migrations/*.py)

run: export SITE_URL = $(DEMO_SITE_URL)
run: $(INSTALLED) $(MESSAGES)
	$(call prepare,migrate,$(INSTALLED) $(MIGRATIONS),$(MANAGE) migrate --no-input -v 0)
	$(call prepare,territories,$(INSTALLED) referentials/data referentials/services.py,$(MANAGE) load_territories -v 0)
	$(call prepare,reference,$(INSTALLED) $(MIGRATIONS) referentials/data committee/reference_data.py,$(MANAGE) load_reference_data -v 0)
	$(call prepare,seed,$(INSTALLED) $(MIGRATIONS) committee/demo committee/management/commands/seed_demo.py,$(MANAGE) seed_demo,replay)
	@echo
	@echo "Portail de démonstration : http://$(HOST):$(PORT)/  (Ctrl+C pour arrêter)"
	@echo "Courriels envoyés par la démonstration : $(DEMO_SITE_URL)/dev/courriels/"
	@echo
	$(MANAGE) runserver $(HOST):$(PORT)

lint: $(INSTALLED)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache
	DJANGO_ENV=test DATABASE_URL=sqlite://:memory: $(MANAGE) makemigrations --check --dry-run
	$(VENV_PYTHON) scripts/french_catalogue.py --check

format: $(INSTALLED)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Each run creates its own databases (named after the run) and drops them when it ends.
test: lint $(MESSAGES)
	$(TEST_ENV) $(VENV)/bin/pytest -p no:cacheprovider -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

# The fast lane, while working: no browser, load, real-worker, subprocess or URL-walk tests.
FAST_MARKERS := not browser and not load and not celery_worker and not subprocess and not walk
test-fast: $(INSTALLED) $(MESSAGES)
	$(TEST_ENV) $(VENV)/bin/pytest -p no:cacheprovider -n $(PYTEST_WORKERS) -m "$(FAST_MARKERS)" \
		$(PYTEST_ARGS)

# Performance at SIZE initiatives (100,000 by default), not part of `make test` (benchmarks/):
# builds the dataset once in its own database (never DATABASE_URL: it adds SIZE rows), then
# prints the table and writes $(BENCH_OUT). Options: make bench SIZE=1000000 BENCH_ARGS="--only catalogue".
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/cnpe_bench
BENCH_REDIS_URL ?= redis://127.0.0.1:6379/14
BENCH_OUT ?= bench-results.json
BENCH_ARGS ?=
SIZE ?= 100000

.PHONY: bench
bench: $(INSTALLED)
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null \
		&& apt-get install -y -qq wrk >/dev/null 2>&1; } \
		|| echo "wrk absent (paquet Debian wrk) : débit mesuré avec le client Python."
	@url='$(BENCH_DATABASE_URL)'; name="$${url##*/}"; name="$${name%%\?*}"; \
	server="$${url%/*}/postgres"; \
	psql "$$server" -tAc "SELECT 1 FROM pg_database WHERE datname = '$$name'" | grep -q 1 \
		|| psql "$$server" -qc "CREATE DATABASE \"$$name\""
	DJANGO_ENV=development DEBUG=false DATABASE_URL='$(BENCH_DATABASE_URL)' \
		REDIS_URL='$(BENCH_REDIS_URL)' CACHE_KEY_PREFIX=cnpe-bench BENCH_OUT='$(BENCH_OUT)' \
		$(VENV_PYTHON) -m benchmarks bench --initiatives $(SIZE) $(BENCH_ARGS)

clean:
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -print0 | xargs -0 rm -rf
	rm -rf .pytest_cache .ruff_cache staticfiles test-artifacts bench-results.json *.egg-info .make-*
	rm -f $(MESSAGES)

distclean: clean
	rm -rf $(VENV) db.sqlite3 db.sqlite3-journal db.sqlite3-wal db.sqlite3-shm media tmp
