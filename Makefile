# Jujube: customer-needs discovery assistant. `make help` lists every target.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# A working Python 3.10: on PATH, else under pyenv.
PY310 ?= $(shell scripts/find_python310.sh)
VENV := .venv
RASA_VENV := .venv-rasa
PY := $(VENV)/bin/python
RASA := $(RASA_VENV)/bin/rasa
RASA_PORT ?= 5005
ACTIONS_PORT ?= 5055
export RASA_PORT ACTIONS_PORT
MODEL_INPUTS := config.yml domain.yml knowledge/catalog.yml knowledge/lexicon.yml knowledge/needs_training.yml \
  $(shell find data jujube/nlu knowledge/zh -name '*.yml' -o -name '*.py' 2>/dev/null | sort)
MODEL := models/jujube.tar.gz
EVAL_DIR ?= ../shared/eval

# Feature modules (mk/*.mk) add their own targets and append to these.
# `make test` runs every TEST_TARGETS suite, even after a failure, then prints which failed.
INSTALL_TARGETS :=
TEST_TARGETS := test-unit test-rasa
include $(wildcard mk/*.mk)

.PHONY: help install test run serve eval bench train actions shell clean python310 db

help: ## list every target
	@grep -hE '^[a-zA-Z0-9_.-]+:.*## ' $(MAKEFILE_LIST) | sort | awk 'BEGIN{FS=":.*## "}{printf "  make %-16s %s\n", $$1, $$2}'

python310:
	@if [ -z "$(PY310)" ]; then \
	  echo "Jujube needs Python 3.10 (Rasa 3.6 runs on 3.8-3.10). Install it, e.g. 'pyenv install 3.10.13', or put python3.10 on PATH." >&2; exit 1; fi

$(VENV)/.installed: requirements/app.txt pyproject.toml | python310
	@test -x $(PY) || $(PY310) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -r requirements/app.txt
	$(VENV)/bin/pip install -q --no-deps -e .
	@touch $@

$(RASA_VENV)/.installed: requirements/rasa.txt pyproject.toml | python310
	@test -x $(RASA_VENV)/bin/python || $(PY310) -m venv $(RASA_VENV)
	$(RASA_VENV)/bin/pip install -q --upgrade pip
	$(RASA_VENV)/bin/pip install -q -r requirements/rasa.txt
	$(RASA_VENV)/bin/pip install -q --no-deps -e .
	@touch $@

db: $(VENV)/.installed ## apply database migrations (DATABASE_URL, default SQLite in var/)
	$(VENV)/bin/jujube db upgrade

install: $(VENV)/.installed $(RASA_VENV)/.installed db $(INSTALL_TARGETS) ## build both environments and the database schema
	@echo "Jujube is installed. Next: 'make test' or 'make run'."

$(MODEL): $(MODEL_INPUTS) | $(RASA_VENV)/.installed
	PYTHONWARNINGS=ignore::DeprecationWarning $(RASA) train --fixed-model-name jujube --out models --quiet
	$(RASA_VENV)/bin/python -m jujube.nlu.needs
	@touch $@

train: $(MODEL) ## train the Rasa model if it is missing or older than its inputs

actions: $(VENV)/.installed ## start the action server alone (port ACTIONS_PORT)
	$(VENV)/bin/python -m rasa_sdk --actions actions --port $(ACTIONS_PORT)

run: $(MODEL) db ## chat in the terminal (trains if needed, starts the action server)
	@scripts/run_shell.sh

serve: $(MODEL) db ## Rasa server (REST + HTTP API) and action server in the foreground
	@scripts/serve.sh

eval: $(MODEL) db ## play the shopper scenarios against a server it starts
	@SELFPLAY=1 scripts/eval.sh $(EVAL_DIR)

bench: $(MODEL) db ## benchmark against stock Rasa (N=1 20 50)
	@$(PY) bench/run.py --concurrency $${N:-1 20 50}

test: $(VENV)/.installed $(RASA_VENV)/.installed ## every test suite (TEST_TARGETS), then a summary; fails if any failed
	@MAKE="$(MAKE)" scripts/run_tests.sh $(TEST_TARGETS)

.PHONY: test-unit test-rasa
test-unit: ## unit tests of the core (light environment)
	$(VENV)/bin/pytest -q tests/unit

test-rasa: $(MODEL) db ## data validation, NLU held-out evaluation, story tests, scenarios
	@scripts/test_rasa.sh

clean: ## remove trained models, results and the local database
	rm -rf models results var
