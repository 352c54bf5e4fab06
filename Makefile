# Two commands set everything up on a fresh machine with Python 3.11+ and make:
#   make report   -> reports/cambridgeshire-2021/assessment.html
#   make test     -> the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CONFIG ?= config/cambridgeshire-2021.yaml
KERNEL := needs-assessment
STAMP := $(VENV)/.installed

.PHONY: report test lab prepare check-data lint benchmark clean setup

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	$(BIN)/python -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "Python ($(KERNEL))" > /dev/null
	touch $(STAMP)

setup: $(STAMP)

report: $(STAMP)
	$(BIN)/sna run --config $(CONFIG)

test: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/python -m pytest

lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=notebooks

prepare: $(STAMP)
	$(BIN)/sna prepare --config $(CONFIG)

check-data: $(STAMP)
	$(BIN)/sna check-data

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks

benchmark: $(STAMP)
	$(BIN)/python benchmarks/run_benchmarks.py

clean:
	rm -rf data/processed/*.parquet data/processed/_stamp.json reports/*/
