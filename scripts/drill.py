#!/usr/bin/env python3
"""The fault drill: kill and restart Ganache three times during a bulk issuance (scfchain.drill).

.venv/bin/python scripts/drill.py --rows 2000 --out out/drill
"""

import sys

from scfchain.drill import main

if __name__ == "__main__":
    sys.exit(main())
