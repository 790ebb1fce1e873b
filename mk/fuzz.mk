# Fuzzing: the stateful property tests of tests/contracts/test_properties.py, far longer than the
# short, fixed-seed run that `make test` does. FUZZ_EXAMPLES random histories of up to FUZZ_STEPS
# steps each, from a fresh seed; the seed and what was exercised (steps, outcome of each action)
# go to build/property-tests/last-run.json, and a failure prints the seed and the minimal failing
# history step by step. Replay it with: make fuzz FUZZ_SEED=<seed> (same FUZZ_EXAMPLES/STEPS).
FUZZ_EXAMPLES ?= 500
FUZZ_STEPS ?= 50
FUZZ_SEED ?= random

.PHONY: fuzz

## fuzz: random histories of the contracts against a model and docs/invariants.md (long; FUZZ_SEED=<n> replays)
fuzz: build
	SCF_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) SCF_FUZZ_STEPS=$(FUZZ_STEPS) SCF_FUZZ_SEED=$(FUZZ_SEED) \
	  $(BROWNIE) test tests/contracts/test_properties.py --network $(NETWORK) -k random_histories
	@cat build/property-tests/last-run.json
