# Contract coverage (Brownie): statement and branch coverage per suite contract, figures written
# to docs/coverage.md; fails below 95% branch coverage of a suite contract's own code.
# Runs on its own network, a berlin Ganache (scfchain/coverage_run.py says why, and works around
# two defects of Brownie 1.22's coverage). Slow: every transaction is traced (35-41 minutes
# for tests/contracts on 2 cores). COVERAGE_TESTS=tests/contracts/test_x.py for one module.

COVERAGE_NETWORK ?= scf-coverage
COVERAGE_PORT ?= 8557
COVERAGE_TESTS ?= tests/contracts
COVERAGE_NETWORK_READY := $(VENV)/.network-$(COVERAGE_NETWORK)-$(COVERAGE_PORT)

.PHONY: coverage coverage-report

$(COVERAGE_NETWORK_READY): $(VENV)/.installed scfchain/coverage_run.py
	$(PY) -m scfchain.coverage_run --register-network $(COVERAGE_NETWORK) $(COVERAGE_PORT) >/dev/null
	touch $@

## coverage: contract tests under Brownie's coverage, then the per-contract table (docs/coverage.md)
coverage: build $(COVERAGE_NETWORK_READY)
	$(PY) -m scfchain.coverage_run test $(COVERAGE_TESTS) --coverage --network $(COVERAGE_NETWORK)
	$(PY) -m scfchain.coverage_report

## coverage-report: the table again from the last run's reports/coverage.json
coverage-report: $(VENV)/.installed
	$(PY) -m scfchain.coverage_report
