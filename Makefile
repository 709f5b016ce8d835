# The two commands of the README: `make run` and `make test`. Everything lives in .venv.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test venv messages lint format worker clean lock

$(STAMP): requirements.lock
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	touch $(STAMP)

venv: $(STAMP)

messages: venv
	$(PY) manage.py compiletranslations

## Serves the portal on embedded defaults (SQLite, no Redis) with a Celery worker + beat, the
## DAV server and PowerDNS (gsqlite3 on the same SQLite file) for the hosted zones.
RUN_ADDR ?= 127.0.0.1:8000
DAV_ADDR ?= 127.0.0.1:5232
DNS_ADDR ?= 127.0.0.1:5353
GSQLITE3 := $(wildcard /usr/lib/*/pdns/libgsqlite3backend.so)

run: messages
	mkdir -p var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py load_guides
	@echo "Portal: http://$(RUN_ADDR)  (Ctrl-C stops the server, the worker, DAV and DNS)"
	@trap 'kill $$worker $$dav $$dns 2>/dev/null' EXIT INT TERM; \
	  export PORTAL_BASE_URL="$${PORTAL_BASE_URL:-http://$(RUN_ADDR)}"; \
	  export PORTAL_DAV_PUBLIC_URL="$${PORTAL_DAV_PUBLIC_URL:-http://$(DAV_ADDR)/}"; \
	  if command -v pdns_server >/dev/null 2>&1 && [ -n "$(GSQLITE3)" ]; then \
	    $(PY) manage.py dnsserver_config --out "$(CURDIR)/var/pdns" --listen $(DNS_ADDR) \
	      --socket-dir "$(CURDIR)/var/pdns" >/dev/null || exit 1; \
	    pdns_server --config-dir="$(CURDIR)/var/pdns" >var/pdns.log 2>&1 & dns=$$!; \
	    export PORTAL_DNS_SERVER=$(DNS_ADDR); \
	    echo "Name server (PowerDNS, hosted zones): $(DNS_ADDR) pid $$dns, log var/pdns.log"; \
	  else \
	    echo "No PowerDNS (apt-get install pdns-server pdns-backend-sqlite3): hosted zones are not served"; \
	  fi; \
	  $(VENV)/bin/celery -A portal worker -B --pool=solo --loglevel=INFO \
	    --schedule=var/celerybeat-schedule >var/celery.log 2>&1 & worker=$$!; \
	  echo "Celery worker with embedded beat: pid $$worker, log var/celery.log"; \
	  $(PY) manage.py davserver --bind $(DAV_ADDR) >var/dav.log 2>&1 & dav=$$!; \
	  echo "Calendars/contacts (CalDAV/CardDAV): http://$(DAV_ADDR)/ pid $$dav, log var/dav.log"; \
	  $(PY) manage.py runserver $(RUN_ADDR)

## Runs the whole test suite (SQLite unless DATABASE_URL/REDIS_URL are set).
test: messages
	$(VENV)/bin/pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

worker: venv
	$(VENV)/bin/celery -A portal worker -B --pool=solo --loglevel=INFO --schedule=var/celerybeat-schedule

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: venv
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf var/celery var/celerybeat-schedule* .pytest_cache

## Re-pins requirements.lock after a change to pyproject.toml (keeps existing pins).
lock: venv
	$(PY) -m pip install --quiet uv
	$(VENV)/bin/uv pip compile pyproject.toml --group dev --python-version 3.11 -q -o requirements.lock
