# 济时办 — the two commands: `make run` (set up and serve the demo) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
TEST_WORKERS ?= 2
export JISHIBAN_DEMO_PASSWORD ?= jishiban-demo

.PHONY: run setup messages test lint bench demo-reset clean

$(BIN)/.installed: pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

setup: $(BIN)/.installed node_modules/.installed messages

# Compiled translations are committed; refresh them when gettext is available.
messages:
	@if command -v msgfmt >/dev/null 2>&1; then cd jishiban && ../$(BIN)/python ../manage.py compilemessages -v0 --settings=jishiban.test_settings; fi

# Set up everything, migrate the SQLite database, load the demo once, and serve it.
run: setup
	JISHIBAN_DEMO=1 $(BIN)/jishiban migrate --no-input
	JISHIBAN_DEMO=1 $(BIN)/jishiban demo load --if-empty
	JISHIBAN_DEMO=1 $(BIN)/jishiban stats fill
	JISHIBAN_DEMO=1 $(BIN)/jishiban demo ranking
	JISHIBAN_DEMO=1 $(BIN)/jishiban cockpit refresh
	JISHIBAN_DEMO=1 $(BIN)/jishiban warnings scan
	@echo ""
	@echo "济时办 demo: http://127.0.0.1:$(PORT)/   password for every account: $(JISHIBAN_DEMO_PASSWORD)"
	@echo "accounts: admin operator dispatcher supervisor analyst leader county_rencheng dept_water dept_power grid_worker town_guhuai citizen"
	@echo ""
	JISHIBAN_DEMO=1 $(BIN)/jishiban serve --port $(PORT)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/python manage.py check --settings=jishiban.test_settings
	$(BIN)/python manage.py makemigrations --check --dry-run --settings=jishiban.test_settings

# The whole suite: lint, Django checks, migrations up to date, then every test.
test: lint
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) $(PYTEST_ARGS)

bench: setup
	@for script in bench/[!_]*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

demo-reset:
	rm -f var/jishiban.sqlite3 var/jishiban.sqlite3-wal var/jishiban.sqlite3-shm

clean:
	rm -rf $(VENV) node_modules var
