# LabWeb: `make run` starts a development installation, `make test` runs the whole test suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.deps-installed

.PHONY: run test install test-reliability bench-validate bench-browse clean

$(STAMP): requirements.txt requirements-test.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-test.txt
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/python manage.py runlabweb

test: $(STAMP)
	bash scripts/run-tests

bench-validate: $(STAMP)
	$(BIN)/python bench/validate.py

bench-browse: $(STAMP)
	$(BIN)/python bench/browse.py

clean:
	rm -rf var
