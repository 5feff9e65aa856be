# Hawiya: `make run` serves the API on 127.0.0.1:8000; `make test` runs every test.
SHELL := /bin/bash
UV_VERSION := 0.13.9
UV := .tools/bin/uv
PY := .venv/bin/python
PG_PORT ?= 55432
export HAWIYA_DATA_DIR ?= ./var

.PHONY: run install install-test migrate test test-fast lint browser eval-fingers eval-faces \
	eval-identification bench-search bench-person-search bench-enroll bench-fingers clean

$(UV):
	python3 -m venv .tools
	.tools/bin/pip install -q --disable-pip-version-check uv==$(UV_VERSION)

install: $(UV)
	$(UV) sync --frozen --no-dev -q

install-test: $(UV)
	$(UV) sync --frozen --no-dev --extra test -q

migrate: install
	$(PY) -m api.cli migrate

run: migrate
	$(PY) -m api.cli serve --host 127.0.0.1 --port 8000

# Headless Chromium for the workbench's browser tests (Debian's package; no browser download).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  [ "$$(id -u)" = 0 ] && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } \
	  || echo "chromium not installed: browser tests will skip" >&2

lint: install-test
	.venv/bin/ruff check .
	.venv/bin/mypy

# Starts a throwaway PostgreSQL server, runs the whole suite against SQLite and PostgreSQL,
# stops the server whatever the outcome.
test: install-test browser
	@set -euo pipefail; pgdir=$$(mktemp -d)/pg; \
	url=$$(scripts/postgres.sh start "$$pgdir" $(PG_PORT)); \
	trap 'scripts/postgres.sh stop "$$pgdir"' EXIT; \
	.venv/bin/ruff check . && .venv/bin/mypy; \
	HAWIYA_TEST_POSTGRES_URL="$$url" HAWIYA_ENVIRONMENT=test $(PY) -m pytest -q -p no:cacheprovider

test-fast: install-test
	HAWIYA_ENVIRONMENT=test $(PY) -m pytest -q -x -m "not postgres and not browser and not slow"

# Evaluations and benchmarks (by hand; never part of `make test`). Results land in bench/out/.
eval-fingers: install-test
	for db in ../shared/data/fingerprints/*_B; do \
	  $(PY) -m api.cli eval fingers --db $$db --out bench/out/fingers_$$(basename $$db).json; done

eval-faces: install-test
	$(PY) -m bench.face_eval

eval-identification: install-test
	$(PY) -m api.cli eval identification --fingers-per-person 5
	$(PY) -m api.cli eval identification --fingers-per-person 1

bench-search: install-test
	$(PY) -m api.cli bench search --persons $${PERSONS:-1000000}

bench-person-search: install-test
	$(PY) -m api.cli bench search --fingers --persons $${PERSONS:-1000000} --probes 2000

bench-enroll: install-test
	$(PY) -m bench.enrollment_bench

bench-fingers: install-test
	$(PY) -m bench.fingers_timing --db ../shared/data/fingerprints/FVC2002_DB1_B --out bench/out/fingers_timing.json
	$(PY) -m bench.fingers_search --root ../shared/data/fingerprints --out bench/out/fingers_search.json --sizes 10000,100000,1000000 --exhaustive 0
	$(PY) -m bench.fingers_search --root ../shared/data/fingerprints --out bench/out/fingers_search_exh.json --sizes 10000 --exhaustive 100

clean:
	rm -rf .venv .tools var bench/out
