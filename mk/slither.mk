# Static analysis: Slither in its own virtualenv (.venv-slither; its pins clash with Brownie's),
# installed from tools/slither/requirements.lock, compiling through the project's offline
# compiler $(SOLC) by solc's standard JSON (crytic-compile's --solc-standard-json route; the
# settings are in tools/slither/slither.config.json). Fails on any high or medium finding that
# no `// slither-disable-next-line <detector>` comment justifies (docs/static-analysis.md).
# Only contracts/ is analysed; bench/, test/ (test doubles) and node_modules are filtered out.

SLITHER_VENV := .venv-slither
SLITHER_READY := $(SLITHER_VENV)/.installed
SLITHER_CONFIG := tools/slither/slither.config.json
SLITHER_JSON := build/slither.json

.PHONY: slither slither-lock
EXTRA_TEST_TARGETS += slither

$(SLITHER_READY): tools/slither/requirements.lock
	test -x $(SLITHER_VENV)/bin/python || $(PYTHON) -m venv $(SLITHER_VENV)
	$(SLITHER_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r tools/slither/requirements.lock
	touch $@

## slither: static analysis of contracts/ with the offline compiler; fails on high/medium findings
# SOLC_VERSION: solc-select (a dependency of Slither) must never pick or fetch a compiler; the
# explicit --solc binary is the only one run.
slither: build $(SLITHER_READY)
	rm -f $(SLITHER_JSON)
	SOLC_VERSION=$(SOLC_VERSION) $(SLITHER_VENV)/bin/slither contracts \
	  --config-file $(SLITHER_CONFIG) --solc $(CURDIR)/$(SOLC) \
	  --json $(SLITHER_JSON) --fail-medium

## slither-lock: re-pin Slither's virtualenv from the current install
slither-lock: $(SLITHER_READY)
	{ echo "# Pinned dependencies of Slither's own virtualenv .venv-slither (its pins clash with Brownie's)."; \
	  echo "# pip freeze of a working install (Python 3.11); regenerate with: make slither-lock"; \
	  $(SLITHER_VENV)/bin/python -m pip freeze --exclude-editable; } > tools/slither/requirements.lock
