# The fault drill (issue 7): Ganache killed (SIGKILL) and restarted from its database three times
# during a DRILL_ROWS-receivable `scf issue`; chain and journal must end identical (docs/drill.md).

DRILL_ROWS ?= 2000
DRILL_OUT ?= out/drill

.PHONY: drill
## drill: kill and restart Ganache 3 times during a 2,000-receivable issuance; chain = journal
drill: build
	$(PY) scripts/drill.py --rows $(DRILL_ROWS) --out $(DRILL_OUT)
