# Hawiya: `make run` serves the API on 127.0.0.1:8000; `make test` runs every test.
SHELL := /bin/bash
UV_VERSION := 0.13.9
UV := .tools/bin/uv
PY := .venv/bin/python
PG_PORT ?= 55432
MILVUS_PORT ?= 19530
# The suites that decide identity, run a second time on PostgreSQL + Milvus (`make test`).
ENGINE_SUITES := tests/enrollment tests/api/test_workbench.py tests/api/test_enrollments.py \
	tests/identity/test_gallery_engines.py tests/enrollment/test_deciders.py
export HAWIYA_DATA_DIR ?= ./var

.PHONY: run install install-test migrate test test-fast lint browser eval-fingers eval-faces \
	eval-identification eval-integrity bench-search bench-person-search bench-enroll bench-fingers clean

$(UV):
	python3 -m venv .tools
	.tools/bin/pip install -q --disable-pip-version-check uv==$(UV_VERSION)

install: $(UV)
	$(UV) sync --frozen --no-dev -q

install-test: $(UV)
	$(UV) sync --frozen --no-dev --extra test --extra milvus --extra cluster -q

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

# Starts a throwaway PostgreSQL server and an embedded Milvus server (loopback, temporary
# folders), runs the whole suite against SQLite and PostgreSQL with the FAISS gallery, then the
# identity-deciding suites on PostgreSQL + Milvus (less the Milvus-marked tests: they already ran
# against this server), and stops both servers whatever the outcome. Where Milvus cannot start,
# its tests skip and say why. Two lanes run side by side (each its own databases, Milvus
# collections and temporary folder): tests/enrollment then the Milvus pass, and the rest;
# the first lane's output follows the second's. Stopped (Ctrl-C), the first lane stops its
# pytest too (a background job ignores SIGINT).
test: install-test browser
	@set -euo pipefail; tmp=$$(mktemp -d); pgdir=$$tmp/pg; mvdir=$$tmp/milvus; lane=; \
	trap '[ -z "$$lane" ] || kill $$lane 2>/dev/null || true; \
	  scripts/postgres.sh stop "$$pgdir"; scripts/milvus.sh stop "$$mvdir"; rm -rf "$$tmp"' EXIT; \
	trap 'exit 130' INT TERM; \
	url=$$(scripts/postgres.sh start "$$pgdir" $(PG_PORT)); \
	muri=$$(scripts/milvus.sh start "$$mvdir" $(MILVUS_PORT)) \
	  || { echo "Milvus did not start (see $$mvdir/logs): the Milvus tests skip" >&2; muri=; }; \
	.venv/bin/ruff check .; .venv/bin/mypy; \
	export HAWIYA_TEST_POSTGRES_URL="$$url" HAWIYA_TEST_MILVUS_URI="$$muri" HAWIYA_ENVIRONMENT=test; \
	pytest="$(PY) -m pytest -q -p no:cacheprovider"; \
	( p=; trap '[ -z "$$p" ] || kill $$p 2>/dev/null; exit 143' TERM; \
	  run() { "$$@" & p=$$!; wait $$p; }; \
	  a=0; run $$pytest --basetemp=$$tmp/lane-a tests/enrollment || a=$$?; \
	  if [ -n "$$muri" ]; then HAWIYA_TEST_GALLERY_ENGINE=milvus run $$pytest \
	    --basetemp=$$tmp/lane-m -m "postgres and not browser and not milvus" $(ENGINE_SUITES) \
	    || a=$$?; fi; \
	  exit $$a ) >$$tmp/lane-a.log 2>&1 & lane=$$!; \
	b=0; $$pytest --basetemp=$$tmp/lane-b --ignore=tests/enrollment tests || b=$$?; \
	a=0; wait $$lane || a=$$?; lane=; \
	echo "== tests/enrollment, then the Milvus pass =="; cat $$tmp/lane-a.log; \
	[ $$a = 0 ] && [ $$b = 0 ]

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

eval-integrity: install-test
	$(PY) -m api.cli eval integrity --probes $${PROBES:-2000}

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
