PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install test demo clean

install: $(STAMP)

# pkuseg 0.0.25 is a source package whose build needs numpy and Cython already present,
# so it is built without isolation before the package itself is installed.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip wheel setuptools
	$(PY) -m pip install --quiet numpy cython
	$(PY) -m pip install --quiet --no-build-isolation pkuseg==0.0.25
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

test: $(STAMP)
	$(PY) -m pytest -q

demo: $(STAMP)
	$(VENV)/bin/misconduct-tagger demo examples/reports.jsonl

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
