# `make demo` and `make test` each set up .venv on a fresh machine first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test clean

$(STAMP): pyproject.toml Makefile
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	# the CPU build of torch first, so no resolver ever pulls a CUDA build
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e ".[test]"
	touch $(STAMP)

demo: $(STAMP)
	$(PY) -m dacapo.demo

test: $(STAMP)
	$(VENV)/bin/ruff check dacapo tests bench
	$(VENV)/bin/mypy
	$(PY) -m pytest -q

clean:
	rm -rf $(VENV) .pytest_cache
