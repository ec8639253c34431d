# Two commands do everything on a fresh machine:  `make book`  and  `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# The genuine MNIST beside the checkout, when there is one; otherwise Keras downloads it.
CNNBOOK_DATA_DIR ?= $(if $(wildcard ../shared/data/mnist.npz),$(abspath ../shared/data))
export CNNBOOK_DATA_DIR
# Build strictly: every warning (a stderr line in a cell, a broken reference) is an error.
# --all re-reports the warnings of pages that did not change; the execution cache still
# spares unchanged notebooks.
JB_FLAGS ?= --all -W -n --keep-going

.PHONY: book test lint clean bench

$(BIN)/.installed: requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

book: $(BIN)/.installed
	$(BIN)/jupyter-book build . --builder html $(JB_FLAGS)

test: book
	$(BIN)/python -m pytest

lint: $(BIN)/.installed
	$(BIN)/ruff check code tests

clean:
	rm -rf _build

# Build-time benchmark (not a test): warm and prose-only rebuilds; see the script for more.
bench: book
	$(BIN)/python tests/benchmarks/build_times.py --repeat 3
