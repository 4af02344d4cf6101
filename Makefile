# Quartier: `make run` sets up and runs the headline experiment; `make test` runs the test suite.
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test bench lint viz calibrate clean

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

# Calibrate both presets on the current model and ship their ensembles and reports in
# calibration/ensembles/NAME. A fresh calibration needs an empty results/calibrate/NAME;
# `make calibrate RESUME=--resume` continues an interrupted one.
CALIBRATED := programme_funded self_organised
calibrate: $(STAMP)
	@for name in $(CALIBRATED); do \
		$(VENV)/bin/quartier calibrate $$name --out results/calibrate/$$name $(RESUME) || exit $$?; \
		rm -rf calibration/ensembles/$$name && mkdir -p calibration/ensembles/$$name && \
		cp results/calibrate/$$name/ensemble/* results/calibrate/$$name/report.html \
			calibration/ensembles/$$name/ || exit $$?; \
	done

viz: $(STAMP)
	$(VENV)/bin/quartier viz

clean:
	rm -rf $(VENV) results .pytest_cache
