# Bulk issuance at scale: the kill-and-rerun drill (scfchain.bulkdrill, scripts/issue_drill.py).
# ISSUE_ROWS=2000 for a shorter one. Not part of `make test` (10,000 rows take ~10 minutes);
# tests/tooling/test_bulk_kill_rerun.py runs the same drill with 300 rows.

ISSUE_ROWS ?= 10000

.PHONY: issue-10k

## issue-10k: ISSUE_ROWS generated receivables issued on Ganache, the run SIGKILLed half-way
## and started again; fails unless each receivable is on chain exactly once (out/issue-drill-N/)
issue-10k: build
	$(PY) scripts/issue_drill.py --rows $(ISSUE_ROWS) --out out/issue-drill-$(ISSUE_ROWS)
