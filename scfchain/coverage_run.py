"""Runs `brownie test --coverage` around two defects of Brownie 1.22's coverage.

1. Brownie ships `brownie.test.coverage` and `brownie.test.output` compiled by mypyc. The
   compiled merge of per-transaction coverage enforces the annotation `dict[int, set]` on a value
   that is really a list of three sets, so every run that traces more than one transaction ends
   in ``TypeError: dict object expected; got list`` instead of a report. The same package ships
   the source of both modules; this launcher imports them from that source (same code, no mypyc
   type checks).
2. Brownie traces a deployed contract only when its code equals the compiled runtime code, and
   compares the two byte for byte. A contract with `immutable` variables never matches (the
   compiler leaves 32 zero bytes where the constructor writes each value), so Brownie drops its
   program-counter map and every such contract (here all but MemberRegistry) shows no coverage.
   The launcher makes the comparison ignore exactly those placeholders: the operand of each
   `PUSH32 0` of the compiled code.

Then it hands over to Brownie's command line unchanged.

Coverage needs its own network, a Ganache on the berlin hardfork: Brownie's coverage turns every
read-only call into a transaction with gas price 0 (to trace it), and a chain with a base fee
(london and later, so also `scf-ganache` on merge) never mines it; the test hangs "Awaiting
transaction in the mempool". The contracts are compiled for paris and use neither BASEFEE nor
PREVRANDAO, so berlin runs the same code paths.

Usage:
  python -m scfchain.coverage_run --register-network NAME PORT   (idempotent)
  python -m scfchain.coverage_run test tests/contracts --coverage --network NAME
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

PURE_MODULES = ("brownie.test.coverage", "brownie.test.output")


class PureSourceFinder(importlib.abc.MetaPathFinder):
    """Finds the listed modules as their .py source even where a compiled .so sits beside it."""

    def __init__(self, names: Sequence[str]) -> None:
        self.names = frozenset(names)

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None,
        target: ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in self.names or not path:
            return None
        source = Path(path[0]) / (fullname.rpartition(".")[2] + ".py")
        if not source.is_file():
            raise ImportError(f"{fullname}: no Python source at {source}")
        return importlib.util.spec_from_file_location(fullname, source)


def install(names: Sequence[str] = PURE_MODULES) -> None:
    """Makes later imports of `names` load their Python source (call before importing brownie)."""
    loaded = [name for name in names if name in sys.modules]
    if loaded:
        raise RuntimeError(f"already imported, too late to load from source: {loaded}")
    if not any(isinstance(finder, PureSourceFinder) for finder in sys.meta_path):
        sys.meta_path.insert(0, PureSourceFinder(names))


PUSH32 = 0x7F
WORD = 32


def immutable_slots(code: bytes) -> list[int]:
    """Offsets of the 32-byte operands of every `PUSH32 0` in `code` (immutable placeholders)."""
    slots: list[int] = []
    pc = 0
    while pc < len(code):
        op = code[pc]
        if op == PUSH32 and code[pc + 1 : pc + 1 + WORD] == bytes(WORD):
            slots.append(pc + 1)
        pc += 1 + (op - 0x5F if 0x60 <= op <= PUSH32 else 0)
    return slots


def same_code_but_immutables(actual_hex: str, expected_hex: str) -> bool:
    """True when two runtime codes differ only in the immutable placeholders of `expected_hex`.

    Both are compared without their CBOR metadata (whose length is the code's last two bytes),
    as Brownie does.
    """
    actual = _strip_metadata(bytes.fromhex(actual_hex.removeprefix("0x")))
    expected = _strip_metadata(bytes.fromhex(expected_hex.removeprefix("0x")))
    if len(actual) != len(expected):
        return False
    masked_actual, masked_expected = bytearray(actual), bytearray(expected)
    for offset in immutable_slots(expected):
        masked_actual[offset : offset + WORD] = bytes(WORD)
    return masked_actual == masked_expected


def _strip_metadata(code: bytes) -> bytes:
    if len(code) < 2:
        return code
    return code[: -(int.from_bytes(code[-2:], "big") + 2)]


def tolerate_immutables() -> None:
    """Lets Brownie trace deployed contracts whose only difference is their immutable values."""
    from brownie import web3
    from brownie.network import contract

    original = contract._verify_deployed_code
    if getattr(original, "tolerates_immutables", False):
        return

    def verify(address: str, expected_bytecode: str, language: str) -> bool:
        if original(address, expected_bytecode, language):
            return True
        if language != "Solidity" or "_" in expected_bytecode:
            return False
        return same_code_but_immutables(web3.eth.get_code(address).hex(), expected_bytecode)

    verify.tolerates_immutables = True  # type: ignore[attr-defined]
    contract._verify_deployed_code = verify


COVERAGE_HARDFORK = "berlin"


def register_network(name: str, port: int) -> None:
    """Adds (or updates) Brownie's development network `name`: a berlin Ganache on `port`."""
    from brownie._cli.networks import _add, _modify  # type: ignore[attr-defined]
    from brownie._config import CONFIG

    from scfchain.devnet import DEV_ACCOUNTS, GAS_LIMIT

    settings = {
        "cmd": "ganache",
        "host": "http://127.0.0.1",
        "port": str(port),
        "accounts": str(DEV_ACCOUNTS),
        "mnemonic": "brownie",
        "gas_limit": str(GAS_LIMIT),
        "evm_version": COVERAGE_HARDFORK,
    }
    args = [f"{key}={value}" for key, value in settings.items()]
    if name in CONFIG.networks:
        _modify(name, *args)
    else:
        _add("Development", name, *args)


def main(argv: Sequence[str] | None = None) -> None:
    """Registers the coverage network, or runs Brownie's command line with `argv`."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["--register-network"]:
        if len(args) != 3 or not args[2].isdigit():
            sys.exit("usage: python -m scfchain.coverage_run --register-network NAME PORT")
        register_network(args[1], int(args[2]))
        return
    install()
    tolerate_immutables()
    from brownie._cli.__main__ import main as brownie_main

    sys.argv = ["brownie", *args]
    brownie_main()


if __name__ == "__main__":
    main()
