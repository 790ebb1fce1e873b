"""`python -m scfchain.cli`: the `scf` command."""

import sys

from scfchain.cli import main

sys.exit(main())
