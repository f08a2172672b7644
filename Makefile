# lso-sim developer entry points. Every target creates the virtual environment it needs,
# so `make demo` and `make test` work on a fresh machine with only Python installed.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
SEED ?= 7

.PHONY: demo test lint typecheck unit venv clean bench docs docs-check goldens

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(VENV)/.installed $@

venv: $(VENV)/.installed

demo: $(VENV)/.installed
	$(BIN)/lso-sim run --thread 10.2 --seed $(SEED)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check lso_sim tests bench

typecheck: $(VENV)/.installed-test
	$(BIN)/mypy lso_sim

unit: $(VENV)/.installed-test
	$(BIN)/pytest -q

test: lint typecheck unit docs-check

bench: $(VENV)/.installed
	$(BIN)/python bench/engine_rate.py

# docs need the test extra: it brings matplotlib, which draws the plot in docs/reports.md.
docs: $(VENV)/.installed-test
	$(BIN)/python -m lso_sim.cli.docs

# Re-record the golden trace of every scenario (scenarios/goldens/<name>.jsonl) after a
# deliberate change of the simulator or a scenario; review the diff before committing it.
goldens: $(VENV)/.installed
	$(BIN)/lso-sim check --update-goldens scenarios/*.yaml scenarios/faults/*.yaml

docs-check: $(VENV)/.installed-test
	$(BIN)/python -m lso_sim.cli.docs --check

clean:
	rm -rf $(VENV) build *.egg-info .mypy_cache .pytest_cache .ruff_cache
