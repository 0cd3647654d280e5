# Holme CRM: `make run` sets everything up and serves the app; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
export PORT  # the app's links in mails follow it (config.py) unless BASE_URL is set
FLASK := $(BIN)/flask --app wsgi

.PHONY: run test lint bench load install assets translations extract-messages lock clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(BIN)/activate requirements.txt requirements-dev.txt
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.txt
	touch $@

# Resolve requirements*.in into the lock files (every transitive dependency, pinned, with the hashes of its files).
PIP_COMPILE := $(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url \
	--no-emit-find-links
lock: $(VENV)/.installed
	$(PIP_COMPILE) --output-file=requirements.txt requirements.in
	$(PIP_COMPILE) --output-file=requirements-dev.txt requirements-dev.in

static/vendor/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	rm -rf static/vendor && mkdir -p static/vendor/dkfds static/vendor/htmx
	cp -r node_modules/dkfds/dist/css node_modules/dkfds/dist/fonts node_modules/dkfds/dist/img \
	      node_modules/dkfds/dist/js static/vendor/dkfds/
	cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx/
	touch $@

install: $(VENV)/.installed assets translations

assets: static/vendor/.installed

translations: $(VENV)/.installed
	$(BIN)/pybabel compile -d crm/translations >/dev/null 2>&1

extract-messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg --ignore-dirs '.* node_modules static' -k _l -k lazy_gettext --no-location --sort-output -o crm/translations/messages.pot .
	$(BIN)/pybabel update -i crm/translations/messages.pot -d crm/translations --no-fuzzy-matching --ignore-obsolete
	$(FLASK) translations fill-danish

run: install
	@mkdir -p instance
	$(FLASK) db upgrade
	$(FLASK) demo load --if-empty
	@echo "Holme CRM: http://127.0.0.1:$(PORT)/"
	@if [ -n "$$MAIL_SERVER" ]; then \
	  echo "MAIL_SERVER er sat: mail-workeren kører ved siden af."; \
	  $(FLASK) mail worker & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(FLASK) run --host 127.0.0.1 --port $(PORT); \
	else \
	  $(FLASK) run --host 127.0.0.1 --port $(PORT); \
	fi

test: install
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(BIN)/ruff check .

bench: install
	$(BIN)/python -m bench $(BENCH_ARGS)

# The load test (bench/README.md, "Load"): PostgreSQL from LOAD_DATABASE_URL or BENCH_DATABASE_URL. Never in `make test`.
load: install
	$(BIN)/python -m bench.load $(LOAD_ARGS)

clean:
	rm -rf $(VENV) node_modules static/vendor
