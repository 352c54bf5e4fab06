# Two commands set everything up on a fresh machine with Python 3.11+ and make:
#   make report   -> reports/cambridgeshire-2021/assessment.html
#   make test     -> lint, then the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CONFIG ?= config/cambridgeshire-2021.yaml
KERNEL := needs-assessment
STAMP := $(VENV)/.installed
# JupyterLab refuses to start as root (as in a container) unless told it may.
LAB_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: report test lab prepare check-data lint benchmark lock clean setup

# Installs the exact versions in requirements.lock (pyproject.toml keeps the ranges).
$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "Python ($(KERNEL))" > /dev/null
	touch $(STAMP)

setup: $(STAMP)

report: $(STAMP)
	$(BIN)/sna run --config $(CONFIG)

test: lint
	$(BIN)/python -m pytest

lab: $(STAMP)
	$(BIN)/jupyter lab $(LAB_ROOT) --notebook-dir=notebooks

prepare: $(STAMP)
	$(BIN)/sna prepare --config $(CONFIG)

check-data: $(STAMP)
	$(BIN)/sna check-data --config $(CONFIG)

# Code style (ruff check and format, notebooks included) and the commit guard.
lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks notebooks
	$(BIN)/ruff format --check src tests benchmarks notebooks
	$(BIN)/python .ci/guard_files.py

# Jupyter Book 1.x, the tool to beat, lives in a venv of its own so its pins never touch ours.
JB_VENV := .venv-jupyter-book
$(JB_VENV)/bin/jupyter-book:
	$(PYTHON) -m venv $(JB_VENV)
	$(JB_VENV)/bin/python -m pip install --quiet 'jupyter-book<2'

# BATCH=43 adds the all-forces batch (about ten minutes on 2 cores): minutes and s per force.
BATCH ?= 0
benchmark: $(STAMP) $(JB_VENV)/bin/jupyter-book
	$(BIN)/python benchmarks/run_benchmarks.py --jupyter-book $(JB_VENV)/bin/jupyter-book --batch $(BATCH)

# Re-pin requirements.lock after changing pyproject.toml's ranges (needs uv).
lock:
	uv pip compile pyproject.toml --extra test --python $(BIN)/python -o requirements.lock --no-header

clean:
	rm -rf data/processed/*.parquet data/processed/_stamp.json reports/*/
