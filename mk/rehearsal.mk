# Rehearsal coach: sales staff practise uncovering a customer's hidden need.
.PHONY: rehearse test-rehearsal

rehearse: $(VENV)/.installed db ## rehearse discovery with a simulated customer in the terminal (PERSONA=key TRAINEE=id)
	@$(VENV)/bin/jujube rehearsal play $(if $(PERSONA),--persona $(PERSONA)) $(if $(TRAINEE),--trainee $(TRAINEE))

test-rehearsal: $(VENV)/.installed ## rehearsal coach tests: personas, question classifier, customer, scoring
	$(VENV)/bin/pytest -q tests/rehearsal

TEST_TARGETS += test-rehearsal
