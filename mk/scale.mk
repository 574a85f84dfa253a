# Scaled mode: several Rasa workers and action-server workers sharing PostgreSQL (conversations,
# needs log) and Redis (conversation locks), and the tests of message order across workers.
WORKERS ?= 2
REDIS_PORT ?= 6380
PG_PORT ?= 5433
.PHONY: serve-scaled test-scale bench-profile

serve-scaled: $(MODEL) $(VENV)/.installed ## Rasa and action server with WORKERS workers each (default 2) on PostgreSQL + Redis started under var/scaled/
	@WORKERS=$(WORKERS) REDIS_PORT=$(REDIS_PORT) PG_PORT=$(PG_PORT) scripts/serve_scaled.sh

test-scale: $(VENV)/.installed $(RASA_VENV)/.installed $(MODEL) ## conversation locks and message order across 2 Rasa workers, real Redis and PostgreSQL (REST and Telegram)
	PYTHONPATH=$(CURDIR) SQLALCHEMY_SILENCE_UBER_WARNING=1 $(RASA_VENV)/bin/pytest -q -s -p no:cacheprovider tests/locks
	PYTHONPATH=$(CURDIR) $(VENV)/bin/pytest -q -s -p no:cacheprovider tests/scale

bench-profile: $(MODEL) $(VENV)/.installed ## where one turn's milliseconds go: Rasa (NLU, policy, conversation store), action server, needs log
	PYTHONPATH=$(CURDIR) $(RASA_VENV)/bin/python bench/profile_turn.py

TEST_TARGETS += test-scale
