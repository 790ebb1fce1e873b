"""ABI JSON files in interfaces/: exported from the compiled contracts, read by the SDK.

`make interfaces` (or `python -m scfchain.abis`) writes interfaces/<Contract>.json, a plain ABI
list, for each contract of the deployed suite. The SDK reads only these files, so an integrator
needs neither Brownie nor a compiler; a test checks that they equal the compiled ABIs.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from scfchain.artifacts import BUILD_DIR, SUITE, ErrorDecoder, load_artifact
from scfchain.devnet import PROJECT_ROOT

INTERFACES_DIR = PROJECT_ROOT / "interfaces"


def abi_text(abi: list[dict[str, Any]]) -> str:
    """The canonical file content of an ABI: sorted keys, two-space indent, final newline."""
    return json.dumps(abi, indent=2, sort_keys=True) + "\n"


def export_interfaces(build_dir: Path = BUILD_DIR, out_dir: Path = INTERFACES_DIR) -> list[Path]:
    """Writes interfaces/<name>.json for every contract of the suite; returns the paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name in SUITE:
        path = out_dir / f"{name}.json"
        path.write_text(abi_text(load_artifact(name, build_dir).abi))
        written.append(path)
    return written


def load_abi(name: str, interfaces_dir: Path = INTERFACES_DIR) -> list[dict[str, Any]]:
    """The ABI of contract `name` from interfaces/<name>.json."""
    path = interfaces_dir / f"{name}.json"
    try:
        return json.loads(path.read_text())
    except FileNotFoundError as exc:
        raise FileNotFoundError(f"{path} not found: run `make interfaces`") from exc


def interface_error_decoder(interfaces_dir: Path = INTERFACES_DIR) -> ErrorDecoder:
    """An ErrorDecoder built from the exported ABIs only."""
    return ErrorDecoder(tuple(tuple(load_abi(n, interfaces_dir)) for n in SUITE))


if __name__ == "__main__":
    for written in export_interfaces():
        print(written.relative_to(PROJECT_ROOT))
    sys.exit(0)
