# Omniportal: `make run` serves the demo on http://127.0.0.1:8000, `make test` runs the whole suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format worker beat bench load messages screenshots serve-prod clean

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] < (3, 11) and "Omniportal needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.runtime $@

## run: install, migrate, load geodata and demo data into an empty database, close ended commission months
## (beat's monthly close: there is no beat here), serve on 127.0.0.1:8000
run: $(VENV)/.runtime
	$(MANAGE) migrate --no-input
	$(MANAGE) load_geodata --if-empty
	$(MANAGE) seed_demo --if-empty
	$(MANAGE) close_commission_months
	$(MANAGE) runserver $(HOST):$(PORT)

## test: the whole suite (PostgreSQL/Redis tests run when DATABASE_URL/REDIS_URL point at them)
test: $(VENV)/.dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## lint: ruff (style, bugs, imports at the top only) and the one-way layers between apps (lint-imports)
lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: $(VENV)/.dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

worker: $(VENV)/.runtime
	$(BIN)/celery -A omniportal worker --loglevel=INFO

beat: $(VENV)/.runtime
	$(BIN)/celery -A omniportal beat --loglevel=INFO

## bench: hot-path figures beside the raw SQL of the same query (needs DATABASE_URL on PostgreSQL)
bench: $(VENV)/.dev
	$(BIN)/python -m bench $(BENCH_ARGS)

## load: 200 associates and the website for 5 minutes on gunicorn + PostgreSQL + Redis + a Celery worker (loopback)
load: $(VENV)/.dev
	$(BIN)/python -m bench.load $(LOAD_ARGS)

## screenshots: every page as each demo role at 768×1024 and 1024×768 into docs/screenshots/ (Debian's chromium)
screenshots: $(VENV)/.dev
	$(MANAGE) migrate --no-input
	$(MANAGE) load_geodata --if-empty
	$(MANAGE) seed_demo --if-empty
	$(MANAGE) screenshots

## messages: recompile the Italian catalogues after editing a .po file
messages: $(VENV)/.dev
	$(MANAGE) compilemessages --ignore=.venv

## serve-prod: what production runs (set DEBUG=False, SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL, REDIS_URL)
serve-prod: $(VENV)/.runtime
	$(MANAGE) collectstatic --no-input
	$(BIN)/gunicorn omniportal.wsgi:application --bind $(HOST):$(PORT) --workers 3

clean:
	rm -rf $(VENV) staticfiles
