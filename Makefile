# scfchain: every target does its own set-up, idempotently (stamp files make a second run quick).
# Only the package registries are used: PyPI for .venv, npm for node_modules. No compiler is
# downloaded: .solc/solc-v$(SOLC_VERSION) is a native solc of that version when one is on PATH,
# else the wasm shim tools/solc/solc.js on top of npm's solc.

SHELL := /bin/bash
.DEFAULT_GOAL := setup
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
SOLC_VERSION := 0.8.24
SOLC := .solc/solc-v$(SOLC_VERSION)
SOLC_READY := .solc/.ready-$(SOLC_VERSION)
INPUT ?= examples
OUT ?= out/demo
NETWORK ?= scf-ganache

export SOLCX_BINARY_PATH := $(CURDIR)/.solc
export PATH := $(CURDIR)/node_modules/.bin:$(CURDIR)/$(VENV)/bin:$(PATH)
BROWNIE := $(VENV)/bin/brownie

CONTRACT_SOURCES := $(wildcard contracts/*.sol contracts/*/*.sol interfaces/*.sol)

.PHONY: setup build demo test test-python test-contracts lint format clean lock test-anvil interfaces

## setup: Python venv, npm packages, offline compiler, Brownie networks
setup: $(VENV)/.installed node_modules/.installed $(SOLC_READY) $(VENV)/.networks

$(VENV)/.installed: requirements.lock pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# A stamp, not the link itself: make would judge the link by its target's (old) time.
$(SOLC_READY): tools/solc/solc.js node_modules/.installed
	mkdir -p .solc
	if command -v solc >/dev/null && solc --version | grep -q "Version: $(SOLC_VERSION)+"; then \
	  ln -sf "$$(command -v solc)" $(SOLC); echo "using native solc $(SOLC_VERSION)"; \
	else ln -sf ../tools/solc/solc.js $(SOLC); echo "using the solc $(SOLC_VERSION) wasm shim"; fi
	$(SOLC) --version | grep -q "$(SOLC_VERSION)"
	touch $@

$(VENV)/.networks: $(VENV)/.installed scfchain/devnet.py
	$(PY) -c "from scfchain.devnet import register_brownie_networks as r; r()" >/dev/null
	touch $@

## build: compile the contracts (Brownie, offline compiler)
build: setup build/.compiled

build/.compiled: $(CONTRACT_SOURCES) brownie-config.yaml $(SOLC_READY)
	$(BROWNIE) compile
	touch $@

## demo: the main job on a Ganache it starts and stops (INPUT=folder of invoices/CSVs)
demo: build
	$(PY) -m scfchain.cli demo $(INPUT) --out $(OUT)

# Further targets, one file per concern (coverage, static analysis, fuzzing, drills, ...).
# A mk/*.mk file adds a check to `make test` with EXTRA_TEST_TARGETS += <target>: included
# before the test rule, whose prerequisites make expands as it reads them.
EXTRA_TEST_TARGETS :=
include $(wildcard mk/*.mk)

## test: lint, Python tests, contract tests on Ganache, then the mk/ checks (static analysis)
test: build lint test-python test-contracts $(EXTRA_TEST_TARGETS)

test-python: build
	$(PY) -m pytest -p no:pytest-brownie -q -n 2 tests/tooling

test-contracts: build
	$(BROWNIE) test tests/contracts --network $(NETWORK)

## test-anvil: the contract tests, then the SDK/bulk/CLI tests, on Anvil instead of Ganache.
## Anvil refuses Brownie's non-BIP-39 mnemonic "brownie", so scf-anvil gets the dev mnemonic.
ANVIL_MNEMONIC := test test test test test test test test test test test junk
TOOLING_CHAIN_TESTS := tests/tooling/test_sdk.py tests/tooling/test_bulk.py tests/tooling/test_cli.py \
  tests/tooling/test_audit_trail.py tests/tooling/test_reconcile.py

test-anvil: build
	$(BROWNIE) networks modify scf-anvil "mnemonic=$(ANVIL_MNEMONIC)" >/dev/null
	$(BROWNIE) test tests/contracts --network scf-anvil
	SCF_TEST_NODE=anvil $(PY) -m pytest -p no:pytest-brownie -q $(TOOLING_CHAIN_TESTS)

## interfaces: export the ABI of each suite contract to interfaces/<Contract>.json (for the SDK)
interfaces: build
	$(PY) -m scfchain.abis

## lint: ruff for Python, prettier-plugin-solidity for Solidity (check only)
lint: setup
	$(VENV)/bin/ruff check scfchain scripts tests
	$(VENV)/bin/ruff format --check scfchain scripts tests
	npx --no-install prettier --check "contracts/**/*.sol" "interfaces/**/*.sol"

## format: rewrite Python and Solidity in the project's style
format: setup
	$(VENV)/bin/ruff check --fix scfchain scripts tests
	$(VENV)/bin/ruff format scfchain scripts tests
	npx --no-install prettier --write "contracts/**/*.sol" "interfaces/**/*.sol"

## lock: re-pin the Python dependencies from the current venv
lock:
	{ echo "# Pinned Python dependencies of scfchain (pip freeze of a working environment, Python 3.11)."; \
	  echo "# Regenerate with: make lock"; $(PY) -m pip freeze --exclude-editable | grep -v '^scfchain'; } > requirements.lock

clean:
	rm -rf build out .solc $(VENV)/.installed $(VENV)/.networks

## bench: gas against floors and baselines, issuance throughput on Ganache and Anvil
## (writes build/bench.json and docs/benchmarks.md)
.PHONY: bench
bench: build
	$(PY) -m scfchain.bench
