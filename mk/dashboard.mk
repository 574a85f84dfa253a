# Managers' review of the needs log: `jujube needs ...`, the web dashboard, synthetic data, benchmark.
DASHBOARD_PORT ?= 8050
DASHBOARD_HOST ?= 127.0.0.1

.PHONY: dashboard seed bench-dashboard test-review chromium

dashboard: $(VENV)/.installed db ## managers' web dashboard on DASHBOARD_PORT (default 8050); needs JUJUBE_DASHBOARD_PASSWORD
	@if [ -z "$$JUJUBE_DASHBOARD_PASSWORD$$JUJUBE_DASHBOARD_TOKEN" ] && \
	  ! grep -qsE '^[[:space:]]*JUJUBE_DASHBOARD_(PASSWORD|TOKEN)[[:space:]]*=[[:space:]]*[^[:space:]]' .env; then \
	  echo "The dashboard shows customer data only to signed-in managers. Choose a password:" >&2; \
	  echo "  JUJUBE_DASHBOARD_PASSWORD='something-long' make dashboard" >&2; \
	  echo "or put JUJUBE_DASHBOARD_PASSWORD=... in .env (see docs/dashboard.md)." >&2; exit 2; fi
	DASHBOARD_PORT=$(DASHBOARD_PORT) DASHBOARD_HOST=$(DASHBOARD_HOST) $(PY) -m jujube.dashboard

seed: $(VENV)/.installed db ## add N synthetic needs to the needs log (make seed N=100000; default 1000)
	$(VENV)/bin/jujube needs seed --count $(or $(N),1000)

bench-dashboard: $(VENV)/.installed ## time the dashboard's overview and first table page on N (default 100000) needs
	$(PY) bench/dashboard_bench.py --count $(or $(N),100000)

test-review: $(VENV)/.installed ## needs review tests: query layer, CLI, dashboard (HTTP and headless Chromium)
	$(VENV)/bin/pytest -q tests/review

chromium: ## Debian's chromium for the dashboard's browser tests (installed only when missing)
	@if [ ! -x /usr/bin/chromium ]; then \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update && $$SUDO apt-get install -y chromium; fi

INSTALL_TARGETS += chromium
TEST_TARGETS += test-review
