# make run: set up .venv if needed and serve the dashboard on 127.0.0.1.
# make test: the same set-up, then ruff, mypy and pytest (what .ci/run calls).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
PORT ?= 8501

.PHONY: run test fuzz bench bench-load browser lint clean serve-cds

$(STAMP): requirements.lock
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	@touch $(STAMP)

run: $(STAMP)
	$(PY) -m streamlit run app.py --server.address 127.0.0.1 --server.port $(PORT)

# Debian's chromium drives the end-to-end tests; install it where we may (root with apt-get).
browser:
	@if [ ! -x /usr/bin/chromium ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing Debian chromium for the browser tests"; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
		|| echo "chromium could not be installed; browser tests will say so"; \
	fi

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy
	$(VENV)/bin/lint-imports --no-cache

test: $(STAMP) browser lint
	$(PY) -m pytest -n 2

# make fuzz: the hostile-input fuzz tests at full budget (FUZZ_EXAMPLES per entry point; make
# test runs them at 50). Prints the examples run per entry point at the end.
FUZZ_EXAMPLES ?= 10000
fuzz: $(STAMP)
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(PY) -m pytest -n 2 tests/fuzz

bench: $(STAMP)
	$(PY) bench/evaluate_bench.py
	$(PY) bench/resolve_bench.py
	$(PY) bench/diary_bench.py
	$(PY) bench/cohort_bench.py
	$(PY) bench/cds_bench.py

# 20 concurrent websocket sessions (Streamlit's own protocol) of the consult flow for 60 s against
# a server it starts; bench/load_bench.py --help for --think, --browser, --url.
bench-load: $(STAMP)
	$(PY) bench/load_bench.py

# The CDS Hooks 2.0 service on 127.0.0.1:8765 (CDS_PORT=..., CORS_ORIGINS="https://ehr.example.org").
CDS_PORT ?= 8765
CORS_ORIGINS ?=
serve-cds: $(STAMP)
	$(PY) -m core serve-cds --host 127.0.0.1 --port $(CDS_PORT) $(foreach o,$(CORS_ORIGINS),--cors-origin $(o))

clean:
	rm -rf $(VENV)
