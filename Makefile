# Quartier: `make run` sets up and runs the headline experiment; `make test` runs the test suite.
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test bench lint viz clean

$(STAMP): pyproject.toml
	@test -x $(PY) || { interpreter=$$(sh tools/find-python.sh) && \
		echo "Creating $(VENV) with $$interpreter" && "$$interpreter" -m venv $(VENV); }
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/quartier experiment compare

test: $(STAMP)
	$(PY) -m pytest

bench: $(STAMP)
	$(PY) -m benchmarks

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

viz: $(STAMP)
	$(VENV)/bin/quartier viz

clean:
	rm -rf $(VENV) results .pytest_cache
