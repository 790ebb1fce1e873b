"""Compiled contracts: ABI and bytecode from Brownie's build folder, ABI from interfaces/.

The SDK needs only ABIs (interfaces/*.json) to talk to a deployed suite; deploying needs the
bytecode that `brownie compile` writes to build/contracts/.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from eth_utils import function_abi_to_4byte_selector

from scfchain.devnet import PROJECT_ROOT
from scfchain.records import fingerprint_hex
from scfchain.states import REQUEST_STATUS_NAMES, ROLE_NAMES, STATUS_NAMES

BUILD_DIR = PROJECT_ROOT / "build" / "contracts"
SUITE = (
    "MemberRegistry",
    "ReceivableRegistry",
    "FinancingEscrow",
    "DocumentAnchor",
    "SettlementToken",
)


class ArtifactError(RuntimeError):
    """A compiled contract is missing: run `make build`."""


@dataclass(frozen=True)
class Artifact:
    """One compiled contract."""

    name: str
    abi: list[dict[str, Any]]
    bytecode: str
    compiler: dict[str, Any]


def load_artifact(name: str, build_dir: Path = BUILD_DIR) -> Artifact:
    """The compiled contract `name` from `build_dir`."""
    path = build_dir / f"{name}.json"
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError as exc:
        raise ArtifactError(f"{path} not found: run `make build` first") from exc
    return Artifact(name, data["abi"], data["bytecode"], data.get("compiler", {}))


@dataclass(frozen=True)
class ErrorDecoder:
    """Names custom errors from revert data, using the ABIs of the whole suite."""

    abis: tuple[tuple[dict[str, Any], ...], ...]

    @cached_property
    def by_selector(self) -> dict[bytes, dict[str, Any]]:
        errors: dict[bytes, dict[str, Any]] = {}
        for abi in self.abis:
            for entry in abi:
                if entry.get("type") == "error":
                    errors[function_abi_to_4byte_selector(entry)] = entry
        return errors

    def describe(self, data: str | bytes | None) -> str:
        """`ErrorName(arg=value, ...)` for known custom errors, else the raw data."""
        from eth_abi import decode

        if data is None:
            return "reverted without data"
        raw = (
            bytes.fromhex(data[2:] if data.startswith("0x") else data)
            if isinstance(data, str)
            else data
        )
        entry = self.by_selector.get(raw[:4])
        if entry is None:
            return f"reverted with data 0x{raw.hex()}"
        types = [i["type"] for i in entry["inputs"]]
        try:
            values = decode(types, raw[4:])
        except Exception:  # noqa: BLE001 - malformed revert data is reported raw
            return f"{entry['name']}(0x{raw[4:].hex()})"
        args = ", ".join(
            f"{i['name']}={_show(i, v)}" for i, v in zip(entry["inputs"], values, strict=True)
        )
        return f"{entry['name']}({args})"


RECEIVABLE_ID_NAMES = frozenset({"id", "receivableId", "tokenId"})
ENUM_NAMES = {
    "enum IReceivableRegistry.Status": STATUS_NAMES,
    "enum IFinancingEscrow.RequestStatus": REQUEST_STATUS_NAMES,
}


def _show(param: dict[str, Any], value: Any) -> str:
    """One argument of a custom error as a person reads it: receivable ids as the hex
    fingerprint that `scf` prints, enum values and roles by name, currencies as letters."""
    names = ENUM_NAMES.get(param.get("internalType", ""))
    if names is not None and isinstance(value, int) and value < len(names):
        return names[value]
    if param["name"] in RECEIVABLE_ID_NAMES and param["type"] == "uint256":
        return fingerprint_hex(value)
    if param["type"] == "bytes3" and value.isascii() and value.decode().isalpha():
        return value.decode()
    if param["type"] == "bytes32" and "role" in param["name"].lower() and value in ROLE_NAMES:
        return ROLE_NAMES[value]
    if isinstance(value, bytes):
        return "0x" + value.hex()
    return str(value)


def suite_error_decoder(build_dir: Path = BUILD_DIR) -> ErrorDecoder:
    """An ErrorDecoder that knows every custom error of the suite (and of OpenZeppelin)."""
    return ErrorDecoder(tuple(tuple(load_artifact(n, build_dir).abi) for n in SUITE))
