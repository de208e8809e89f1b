# SalesDesk: `make run` serves the demo, `make test` runs the whole suite.
# Both go through `make setup`, which is idempotent and cheap when nothing changed.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.stamps
VENDOR := var/vendor
PG_URL ?= postgres://postgres@127.0.0.1:5432/salesdesk
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?= -n auto --dist loadfile
# Every demo user signs in with this password under `make run` (never used outside the demo).
DEMO_PASSWORD ?= salesdesk

export SALESDESK_VENDOR_DIR := $(CURDIR)/$(VENDOR)

.PHONY: setup run test test-sqlite test-postgres bench lint messages clean help

help:
	@echo "make run    - set up and serve the demo on http://$(HOST):$(PORT) (SQLite)"
	@echo "make test   - set up and run the whole suite on SQLite and PostgreSQL"
	@echo "make bench  - scale benchmarks (not part of make test)"

setup: $(STAMP)/python $(STAMP)/npm $(STAMP)/debian $(VENDOR)/.copied $(STAMP)/messages
	@mkdir -p var
	@SALESDESK_INSECURE_DEV_KEY=1 $(BIN)/salesdesk manage collectstatic --noinput -v 0
	@SALESDESK_INSECURE_DEV_KEY=1 $(BIN)/salesdesk manage migrate --noinput -v 0

$(STAMP)/python: pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	@mkdir -p $(STAMP) && touch $@

$(STAMP)/npm: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@mkdir -p $(STAMP) && touch $@

# Browser tests need Chromium; PDFs and screenshots need the CJK fonts.
$(STAMP)/debian:
	@if ! command -v chromium >/dev/null || ! fc-list 2>/dev/null | grep -qi 'Noto Sans CJK'; then \
	  SUDO=; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends chromium fonts-noto-cjk fontconfig >/dev/null; \
	fi
	@mkdir -p $(STAMP) && touch $@

# Only the files the pages use are served; whitenoise's manifest needs the .map files too.
$(VENDOR)/.copied: $(STAMP)/npm
	@rm -rf $(VENDOR) && mkdir -p $(VENDOR)/bootstrap $(VENDOR)/echarts $(VENDOR)/bootstrap-icons/fonts
	cp node_modules/bootstrap/dist/css/bootstrap.min.css node_modules/bootstrap/dist/css/bootstrap.min.css.map $(VENDOR)/bootstrap/
	cp node_modules/bootstrap/dist/js/bootstrap.bundle.min.js node_modules/bootstrap/dist/js/bootstrap.bundle.min.js.map $(VENDOR)/bootstrap/
	cp node_modules/echarts/dist/echarts.min.js $(VENDOR)/echarts/
	cp node_modules/bootstrap-icons/font/bootstrap-icons.min.css $(VENDOR)/bootstrap-icons/
	cp node_modules/bootstrap-icons/font/fonts/bootstrap-icons.woff2 node_modules/bootstrap-icons/font/fonts/bootstrap-icons.woff $(VENDOR)/bootstrap-icons/fonts/
	@touch $@

$(STAMP)/messages: $(wildcard src/salesdesk/locale/*/LC_MESSAGES/django.po) $(STAMP)/python
	cd src/salesdesk && ../../$(BIN)/django-admin compilemessages -v 0
	@touch $@

run: setup
	@SALESDESK_DEBUG=1 $(BIN)/salesdesk demo --if-empty --password $(DEMO_PASSWORD)
	SALESDESK_DEBUG=1 $(BIN)/salesdesk manage runserver $(HOST):$(PORT)

test: setup
	SALESDESK_INSECURE_DEV_KEY=1 $(BIN)/salesdesk manage makemigrations --check --dry-run -v 0
	$(MAKE) --no-print-directory test-sqlite
	@if $(BIN)/python -c "import psycopg,sys; psycopg.connect('$(PG_URL)'.rsplit('/',1)[0]+'/postgres', connect_timeout=3).close()" 2>/dev/null; then \
	  $(MAKE) --no-print-directory test-postgres; \
	elif [ "$$CI" = "true" ]; then \
	  echo "PostgreSQL at $(PG_URL) is not reachable and CI=true makes that run mandatory" >&2; exit 1; \
	else \
	  echo "PostgreSQL not reachable: skipped the PostgreSQL run"; \
	fi

test-sqlite:
	@echo "== suite on SQLite"
	DATABASE_URL= DJANGO_ALLOW_ASYNC_UNSAFE=1 $(BIN)/pytest $(PYTEST_ARGS)

test-postgres:
	@echo "== suite on PostgreSQL"
	DATABASE_URL=$(PG_URL) DJANGO_ALLOW_ASYNC_UNSAFE=1 $(BIN)/pytest $(PYTEST_ARGS)

# Scale benchmarks (docs/performance.md): BENCH_SCALE=0.01 for a quick run, 1.0 is ten years of data.
BENCH_SCALE ?= 1.0
BENCH_ENGINES ?= sqlite postgres
BENCH_PG_URL ?= postgres://postgres@127.0.0.1:5432/sd_bench
BENCH_ARGS ?=
BENCH_PG_UP = $(BIN)/python -c "import psycopg; psycopg.connect('$(BENCH_PG_URL)'.rsplit('/',1)[0]+'/postgres', connect_timeout=3).close()" 2>/dev/null

bench: setup
	@command -v wrk >/dev/null || { SUDO=; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  { $$SUDO apt-get install -y -qq --no-install-recommends wrk || { $$SUDO apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends wrk; }; } >/dev/null 2>&1 || \
	  echo "wrk could not be installed: the load run uses the Python load generator"; }
	@status=0; for engine in $(BENCH_ENGINES); do \
	  if [ "$$engine" = postgres ] && ! $(BENCH_PG_UP); then \
	    echo "== PostgreSQL not reachable at $(BENCH_PG_URL): skipped the PostgreSQL bench"; continue; fi; \
	  echo "== bench on $$engine at scale $(BENCH_SCALE)"; \
	  BENCH_PG_URL=$(BENCH_PG_URL) nice -n 10 $(BIN)/python bench/generate.py --engine $$engine --scale $(BENCH_SCALE) || exit 1; \
	  BENCH_PG_URL=$(BENCH_PG_URL) nice -n 10 $(BIN)/python bench/run.py --engine $$engine --scale $(BENCH_SCALE) $(BENCH_ARGS) || status=1; \
	done; \
	echo "== customer import"; $(BIN)/python bench/import_customers.py || status=1; \
	echo "== order entry throughput (SQLite)"; DATABASE_URL= $(BIN)/python bench/orders_throughput.py || status=1; \
	if echo "$(BENCH_ENGINES)" | grep -q postgres && $(BENCH_PG_UP); then \
	  echo "== order entry throughput (PostgreSQL)"; \
	  DATABASE_URL=$(BENCH_PG_URL)_orders $(BIN)/python bench/orders_throughput.py || status=1; fi; \
	exit $$status

lint: setup
	$(BIN)/ruff check src tests bench

messages: $(STAMP)/python
	cd src/salesdesk && ../../$(BIN)/django-admin makemessages -l zh_Hans -l en --no-location --no-obsolete -v 0

clean:
	rm -rf $(VENV) node_modules var/vendor var/static
