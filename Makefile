# Two commands matter: `make run` and `make test`. Everything else is a step of theirs.
VENV := .venv
PY := $(VENV)/bin/python
export FLASK_APP := wsgi.py
PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
# The tests run in JOBS worker processes at once (pytest-xdist; docs/DECISIONS.md, "The test suite's speed"):
# the browser tests mostly wait (for Chromium, for a time-out), so more workers than cores pay. A test module
# stays on one worker (--dist loadgroup, tests/conftest.py), except the crawls of every page (axe, reflow), whose
# roles are spread. Each worker has its own SQLite files, PostgreSQL database (the name + _gw0, _gw1 …) and
# demo servers. JOBS=0 runs everything in one process, one test after another.
JOBS ?= 4
PARALLEL = -n $(JOBS) --dist loadgroup
# The app has no default config (it refuses to start without FLASK_CONFIG): make's own commands,
# and their prerequisites, run the development one.
db demo run: export FLASK_CONFIG := development

.PHONY: run test install assets db demo lint format test-unit test-app test-app-postgres test-browser perf clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --silent --no-audit --no-fund
	touch $@

install: $(VENV)/.installed node_modules/.installed

assets: install
	npm run --silent build

db: install
	$(VENV)/bin/flask db upgrade
	$(VENV)/bin/flask seed

demo: db
	@if [ "$$($(VENV)/bin/flask audits list | wc -l)" = "0" ]; then $(VENV)/bin/flask demo $(if $(DEMO_PASSWORD),--password "$(DEMO_PASSWORD)"); \
	else echo "The database already has data: demo not loaded again."; \
	     echo "Demo logins: admin, coordinator, auditor, auditor.eh, auditor.school, auditor.camhs, panel, editor, viewer @demo.example"; \
	     echo "Forgotten the password? FLASK_CONFIG=development $(VENV)/bin/flask users set-password --email auditor@demo.example"; fi

run: assets demo
	AUDIT_MFA_ENFORCED=false $(VENV)/bin/flask run --host 127.0.0.1 --port 5000

# Lint, format, types and import rules: configured in pyproject.toml. `make format` fixes what it can.
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

test-unit: install
	$(PY) -m pytest tests/unit -q $(PARALLEL)

test-app: assets
	$(PY) -m pytest tests/app -q $(PARALLEL)

test-app-postgres: assets
	TEST_DATABASE_URL=$(PG_URL) EXPECT_DATABASE=postgresql $(PY) -m pytest tests/app -q $(PARALLEL)

test-browser: assets
	$(PY) -m pytest tests/browser -q $(PARALLEL)

test: assets lint
	$(PY) -m pytest tests/browser tests/unit tests/app -q $(PARALLEL)

perf: assets
	$(PY) -m pytest tests/perf -q -s
	$(PY) tests/perf/bench_sampling.py
	$(PY) tests/perf/bench_analysis.py
	$(PY) tests/perf/bench_briefing.py
	$(PY) tests/perf/bench_growth.py
	$(PY) tests/perf/bench_frame_files.py
	$(PY) tests/perf/bench_exports.py
	$(PY) tests/perf/crawl_pages.py
	$(PY) -m scripts.measure_names

clean:
	rm -rf $(VENV) node_modules audit_app/static/dist artifacts

# Known vulnerabilities in the pinned runtime dependencies (--strict: a package that could not be
# checked fails the run, so "could not check" never reads as "clean"), then high-severity findings
# of the static analyser in our own code.
.PHONY: security
security: $(VENV)/.installed
	$(VENV)/bin/pip-audit -r requirements.txt --strict --progress-spinner off
	$(VENV)/bin/bandit -r audit_app audit_tools reports -lll
