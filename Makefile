PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
# --no-compile: pip would byte-compile every installed module (half the install's time); Python
# compiles the ones a command imports on first use instead.
PIP_INSTALL := $(BIN)/python -m pip install --quiet --no-compile --disable-pip-version-check

.PHONY: demo test lint pytest bench clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed: install it or run 'make PYTHON=/path/to/python3.11 ...'"; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The project alone, for the demo: the test tools (ruff, mypy, pytest...) are not needed to run it.
$(STAMP): pyproject.toml | $(BIN)/python
	$(PIP_INSTALL) -e .
	@touch $(STAMP)

# The project with the test extras; it satisfies the demo's stamp too.
$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(PIP_INSTALL) -e '.[test]'
	@touch $(STAMP) $(TEST_STAMP)

demo: $(STAMP)
	$(BIN)/kpibot demo

# A run starts a dozen Python processes (workers, their fork servers, CLI children): they keep compiled
# bytecode in __pycache__ (ignored by git) rather than compile every module again, whatever
# PYTHONDONTWRITEBYTECODE the shell sets.
test lint pytest: export PYTHONDONTWRITEBYTECODE :=

# The linters and the tests side by side: the tests leave part of a core idle while they wait on real
# processes and sockets, which ruff and mypy fill. Their lines do not mix.
test: $(TEST_STAMP)
	@$(MAKE) --no-print-directory -j 2 --output-sync=line lint pytest

lint: $(TEST_STAMP)
	$(BIN)/ruff check --no-cache bot connectors kpi schedules tests benchmarks
	$(BIN)/mypy bot connectors kpi schedules
	$(BIN)/mypy --strict kpi bot/render

# Three workers on two cores: some tests wait on real processes, sockets and timeouts, and a third
# worker keeps the cores busy meanwhile (2 min 20 s against 3 min with two, on the 2-core VM).
pytest: $(TEST_STAMP)
	$(BIN)/python -m pytest -n 3

bench: $(TEST_STAMP)
	for b in benchmarks/bench_*.py; do $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) demo-out .pytest_cache .mypy_cache .ruff_cache
