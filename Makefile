# Two commands on a fresh machine with Python 3.11: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
DEV_ENV := env -u DATABASE_URL -u REDIS_URL DEBUG=1

.PHONY: run test bench lint messages worker

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

## Serve the app on http://127.0.0.1:8000 (SQLite, tasks run in-process, demo data).
run: $(STAMP)
	$(DEV_ENV) $(PY) manage.py migrate --noinput
	$(DEV_ENV) $(PY) manage.py seed_demo --if-empty
	$(DEV_ENV) $(PY) manage.py runserver 127.0.0.1:8000

## The whole suite (on PostgreSQL and Redis when DATABASE_URL / REDIS_URL are set).
test: $(STAMP)
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest $(PYTEST_ARGS)

bench: $(STAMP)
	$(PY) -m bench

lint: $(STAMP)
	$(PY) -m ruff check .

## Refresh the translation catalogues (needs Debian's gettext).
messages: $(STAMP)
	$(PY) manage.py makemessages -l fr -l en --no-location --ignore '.venv/*' --ignore 'staticfiles/*'
	$(PY) manage.py compilemessages --ignore '.venv/*'
