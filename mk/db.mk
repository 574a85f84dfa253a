# Database servers and the tests that need them: PostgreSQL (needs log and conversations on
# PostgreSQL, fault tests) and Redis (for running several servers side by side). Debian's
# packages, installed only when missing; tests start their own servers in temporary folders.
.PHONY: db-servers test-faults outbox

db-servers: ## Debian's PostgreSQL and Redis packages (installed only when missing; no service is started)
	@if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || ! command -v redis-server >/dev/null 2>&1; then \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y --no-install-recommends postgresql redis-server; \
	  for svc in postgresql redis-server; do $$SUDO service $$svc stop >/dev/null 2>&1 || true; done; fi

test-faults: $(VENV)/.installed $(RASA_VENV)/.installed $(MODEL) ## forgetting and fault tests with real servers (Rasa, actions, SQLite, PostgreSQL)
	PYTHONPATH=$(CURDIR) SQLALCHEMY_SILENCE_UBER_WARNING=1 $(RASA_VENV)/bin/pytest -q -p no:cacheprovider tests/tracker
	$(VENV)/bin/pytest -q -s tests/faults

outbox: $(VENV)/.installed ## needs waiting for the database and records it rejected (RETRY=1 writes them now)
	$(VENV)/bin/jujube needs outbox $(if $(RETRY),--retry)

INSTALL_TARGETS += db-servers
TEST_TARGETS += test-faults
