# Two-command set-up: `make test` and `make demo` create .venv, install snnc
# with the pinned versions of constraints.txt, then do their job.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: test test-fast fuzz demo venv clean

$(STAMP): pyproject.toml setup.py constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test]'
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -c constraints.txt spikingjelly
	touch $(STAMP)

venv: $(STAMP)

test: $(STAMP)
	$(PY) -m pytest -q tests

test-fast: $(STAMP)
	$(PY) -m pytest -q -m "not slow" tests

# The fuzz tests at 20x their CI size (tests/fuzz, SNNC_FUZZ scales every case count); the counts
# are printed at the end and written to fuzz-report.json.
fuzz: $(STAMP)
	SNNC_FUZZ=$${SNNC_FUZZ:-20} SNNC_FUZZ_REPORT=fuzz-report.json $(PY) -m pytest -q -p no:cacheprovider tests/fuzz

demo: $(STAMP)
	$(PY) examples/demo.py

clean:
	rm -rf $(VENV) build dist *.egg-info out
