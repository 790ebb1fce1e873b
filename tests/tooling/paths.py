"""Where the tooling tests find the repository, its examples and the shared public samples."""

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
SHARED_DATA = REPO.parent / "shared" / "data"
SHARED_EINVOICES = SHARED_DATA / "einvoices"
