# lso-sim developer entry points. Every target creates the virtual environment it needs,
# so `make demo` and `make test` work on a fresh machine with only Python installed.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
SEED ?= 7

.PHONY: demo test lint typecheck unit venv clean bench bench-quick bench-churn docs docs-check goldens fuzz

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

# A long property-test campaign over mutated scenarios and corrupted traces (make test runs a
# short, derandomised one): every input must give exit 0, 1 or 2 with a located message, never 3.
FUZZ_EXAMPLES ?= 2000
fuzz: $(VENV)/.installed-test
	LSO_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/pytest -q tests/test_fuzz.py

# lso-sim against bare simpy, and cost per order and peak memory at 1k, 10k and 100k orders
# (docs/performance.md); `make bench-quick` runs small sizes in well under 90 seconds.
bench: $(VENV)/.installed
	$(BIN)/python bench/bench.py
	$(BIN)/python bench/sweep_rate.py

bench-quick: $(VENV)/.installed
	$(BIN)/python bench/bench.py --quick

# The same with churn (each product disconnected a day after delivery, sellers forgetting what
# ended an hour on): the workload whose memory follows its live services, not its length.
bench-churn: $(VENV)/.installed
	$(BIN)/python bench/bench.py --sizes 1000 100000 --term 86400 --retention 3600

# docs need the test extra: it brings matplotlib, which draws the plot in docs/reports.md.
docs: $(VENV)/.installed-test
	$(BIN)/python -m lso_sim.cli.docs

# Re-record the golden trace of every scenario (scenarios/goldens/<name>.jsonl, and
# scenarios/faults/goldens/ but for the soak runs, too big to review) after a deliberate
# change of the simulator or a scenario; review the diff before committing it.
goldens: $(VENV)/.installed
	$(BIN)/lso-sim check --update-goldens scenarios/*.yaml $(filter-out scenarios/faults/soak-%,$(wildcard scenarios/faults/*.yaml))

docs-check: $(VENV)/.installed-test
	$(BIN)/python -m lso_sim.cli.docs --check

clean:
	rm -rf $(VENV) build *.egg-info .mypy_cache .pytest_cache .ruff_cache
