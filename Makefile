# servicedesk — the two commands of the README's Quick start, and a few more.
#   make run    set up everything and serve http://127.0.0.1:8000/ with demo data
#   make test   the whole test suite against real PostgreSQL
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test check-all serve stop migrate demo lint messages bench backup restore clean-db

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

# A developer's .env: DEBUG on, a random secret key. Never used in production.
.env:
	@printf 'DEBUG=true\nSECRET_KEY=%s\n' "$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))')" > .env
	@echo "wrote .env (DEBUG=true, random SECRET_KEY)"

migrate: $(STAMP) .env
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py load_demo

run: demo
	@$(PY) manage.py demo_logins
	@trap '$(PY) -m servicedesk.devdb stop' EXIT; \
	$(PY) manage.py runserver 127.0.0.1:8000

# Extra pytest arguments: make test PYTEST_ARGS="tests/browser -x". pytest's exit status is
# make's: a failure, or "no tests ran" (5), fails the build.
PYTEST_ARGS ?=
test: $(STAMP) .env
	$(PY) -m pytest -q $(PYTEST_ARGS)

# Everything `make test` runs, plus the reliability checks through gunicorn (20 clerks at
# once, a worker killed mid-write, the database restarted under load: tests/reliability/)
# and 25 hypothesis examples per form instead of 5. See README, "Reliability".
check-all: $(STAMP) .env
	RUN_RELIABILITY=1 HYPOTHESIS_PROFILE=check-all $(PY) -m pytest -q $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(PY) manage.py makemigrations --check --dry-run

# Production-style serving (see README: set SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL).
serve: $(STAMP)
	$(PY) manage.py collectstatic --noinput
	$(VENV)/bin/gunicorn servicedesk.wsgi --bind $${BIND:-127.0.0.1:8000} --workers $${WORKERS:-3} --access-logfile -

stop: $(STAMP)
	$(PY) -m servicedesk.devdb stop

# Needs GNU gettext (apt-get install gettext); the compiled .mo files are committed.
messages: $(STAMP)
	$(PY) manage.py makemessages -l zh_Hans --ignore=.venv --ignore=var --no-obsolete
	$(PY) manage.py compilemessages --ignore=.venv

# Page benchmark at N subscribers: make bench N=10000 (default) or N=1000000; see
# bench/README.md. Runs against DEV_DATABASE_NAME (servicedesk_bench if unset, never the
# demo database) and generates the scale data there first unless it already holds N.
bench: $(STAMP) .env
	DEV_DATABASE_NAME=$${DEV_DATABASE_NAME:-servicedesk_bench} $(PY) bench/run.py --subscribers $(or $(N),10000)

# Backups (pg_dump -Fc / pg_restore; the embedded server's own tools when DATABASE_URL is
# unset). make backup [FILE=path]  -> var/backups/<db>-<time>.dump by default;
# make restore FILE=path replaces the database's contents in one transaction.
backup: $(STAMP) .env
	$(PY) -m servicedesk.backup backup $(FILE)

restore: $(STAMP) .env
	@test -n "$(FILE)" || { echo "usage: make restore FILE=var/backups/<file>.dump"; exit 2; }
	$(PY) -m servicedesk.backup restore $(FILE)

# Drop and recreate the embedded development database (DEV_DATABASE_NAME), then migrate.
# Refuses with DATABASE_URL set; asks for CONFIRM=yes because everything in it is lost.
clean-db: $(STAMP) .env
	@test "$(CONFIRM)" = yes || { echo "make clean-db CONFIRM=yes: drops database $${DEV_DATABASE_NAME:-servicedesk}"; exit 2; }
	$(PY) -m servicedesk.backup reset --yes
	$(PY) manage.py migrate --noinput
