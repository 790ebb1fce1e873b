"""The main job (same as `make demo`): python scripts/demo.py [INVOICE_FOLDER ...] [--out DIR].

Thin wrapper around `scf demo` (scfchain.cli).
"""

import sys

from scfchain.cli import main as scf

if __name__ == "__main__":
    sys.exit(scf(["demo", *sys.argv[1:]]))
