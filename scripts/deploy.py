"""Deploy the scfchain suite and write deployments/<chain-id>.json.

    python scripts/deploy.py --rpc http://127.0.0.1:8545 --currencies EUR,USD   # key from $SCF_DEPLOYER_KEY
    python scripts/deploy.py --rpc http://127.0.0.1:8545 --dev-key             # local dev chain

Thin wrapper around `scf deploy` (scfchain.cli).
"""

import sys

from scfchain.cli import main as scf

if __name__ == "__main__":
    sys.exit(scf(["deploy", *sys.argv[1:]]))
