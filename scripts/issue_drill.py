#!/usr/bin/env python3
"""The kill-and-rerun drill of bulk issuance (scfchain.bulkdrill): `make issue-10k`.

    .venv/bin/python scripts/issue_drill.py                 # 10,000 rows in out/issue-drill-10000/
    .venv/bin/python scripts/issue_drill.py --rows 300      # a quick one

Generates the CSV, starts `scf node` for it, runs `scf issue --dev-keys`, SIGKILLs it half-way,
runs it again, then checks that each receivable is on chain exactly once and the journal shows
all confirmed. Exit 0 when so, 1 when not, 2 when the drill could not run.
"""

import sys

from scfchain.bulkdrill import main

if __name__ == "__main__":
    sys.exit(main())
