# The audit trail against the demo chain (scfchain.audit, docs/audit-trail.md).

DEMO_PORT ?= 8545

.PHONY: demo-keep

## demo-keep: the main job, then its Ganache stays up on 127.0.0.1:$(DEMO_PORT) so that
## `scf audit` / `scf verify` can read it (commands printed; Ctrl-C stops it)
demo-keep: build
	$(PY) -m scfchain.cli demo $(INPUT) --out $(OUT) --keep-node --port $(DEMO_PORT)
