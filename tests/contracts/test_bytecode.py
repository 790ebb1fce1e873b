"""Operations: what is deployed runs on the configured EVM, the pause switch, the admin hand-over.

The consortium chain runs the EVM version set in brownie-config.yaml (`compiler.evm_version`,
paris). A contract compiled for a later fork may contain opcodes such a chain does not know
(PUSH0 since shanghai; TLOAD, TSTORE, MCOPY, BLOBHASH, BLOBBASEFEE since cancun) and would fail
there, although it passes on a newer local node. So the runtime bytecode of every deployed
contract is disassembled here and checked opcode by opcode.
"""

from pathlib import Path

import pytest
import yaml
from brownie import DocumentAnchor, chain, web3
from helpers import ADMIN_DELAY, receivable_id, reverts_with, single_event, terms_of

CONFIG = Path(__file__).resolve().parents[2] / "brownie-config.yaml"

# Opcodes introduced by each hard fork after the first, in fork order (values: opcode -> name).
FORKS = {
    "homestead": {0xF4: "DELEGATECALL"},
    "tangerineWhistle": {},
    "spuriousDragon": {},
    "byzantium": {
        0x3D: "RETURNDATASIZE",
        0x3E: "RETURNDATACOPY",
        0xFA: "STATICCALL",
        0xFD: "REVERT",
    },
    "constantinople": {
        0x1B: "SHL",
        0x1C: "SHR",
        0x1D: "SAR",
        0x3F: "EXTCODEHASH",
        0xF5: "CREATE2",
    },
    "petersburg": {},
    "istanbul": {0x46: "CHAINID", 0x47: "SELFBALANCE"},
    "berlin": {},
    "london": {0x48: "BASEFEE"},
    "paris": {},  # PREVRANDAO reuses DIFFICULTY's 0x44
    "shanghai": {0x5F: "PUSH0"},
    "cancun": {
        0x49: "BLOBHASH",
        0x4A: "BLOBBASEFEE",
        0x5C: "TLOAD",
        0x5D: "TSTORE",
        0x5E: "MCOPY",
    },
}
PUSH1, PUSH32 = 0x60, 0x7F
SOLC_0_8_24_METADATA = bytes.fromhex("64736f6c6343000818")  # CBOR "solc": 0x000818


# --- a small EVM disassembler -------------------------------------------------------------------


def evm_target() -> str:
    """`compiler.evm_version` of brownie-config.yaml."""
    return yaml.safe_load(CONFIG.read_text())["compiler"]["evm_version"]


def forbidden_opcodes(target: str) -> dict[int, str]:
    """Every opcode introduced by a fork later than `target`."""
    forks = list(FORKS)
    if target not in forks:
        raise ValueError(f"unknown EVM version {target!r}")
    later = forks[forks.index(target) + 1 :]
    return {op: name for fork in later for op, name in FORKS[fork].items()}


def split_metadata(code: bytes) -> tuple[bytes, bytes]:
    """(code, metadata): solc appends a CBOR map followed by its length in two bytes.

    Returns the whole input as code when its end is not such a map (first byte a CBOR map
    header, 0xa0..0xb7, and a length that fits).
    """
    if len(code) < 2:
        return code, b""
    length = int.from_bytes(code[-2:], "big")
    start = len(code) - 2 - length
    if length == 0 or start < 0 or not 0xA0 <= code[start] <= 0xB7:
        return code, b""
    return code[:start], code[start:-2]


def disassemble(code: bytes) -> list[tuple[int, int]]:
    """(offset, opcode) of every instruction; PUSH1..PUSH32 immediates are skipped, not read as
    opcodes. A PUSH truncated by the end of the code is still one instruction."""
    instructions = []
    pc = 0
    while pc < len(code):
        op = code[pc]
        instructions.append((pc, op))
        pc += 1 + (op - PUSH1 + 1 if PUSH1 <= op <= PUSH32 else 0)
    return instructions


def newer_opcodes(runtime: bytes, target: str) -> list[str]:
    """'NAME@offset' of every instruction of `runtime` (metadata stripped) newer than `target`."""
    forbidden = forbidden_opcodes(target)
    code, _ = split_metadata(runtime)
    return [f"{forbidden[op]}@{pc}" for pc, op in disassemble(code) if op in forbidden]


# --- the scanner itself -----------------------------------------------------------------------


def test_the_scanner_finds_push0_in_a_known_snippet():
    # PUSH0 PUSH0 RETURN: what solc >= 0.8.20 emits for `return` on shanghai.
    assert newer_opcodes(bytes.fromhex("5f5ff3"), "paris") == ["PUSH0@0", "PUSH0@1"]


def test_the_scanner_finds_every_cancun_opcode_in_a_known_snippet():
    snippet = bytes.fromhex("5c5d5e494a00")
    assert newer_opcodes(snippet, "shanghai") == [
        "TLOAD@0",
        "TSTORE@1",
        "MCOPY@2",
        "BLOBHASH@3",
        "BLOBBASEFEE@4",
    ]


def test_the_scanner_does_not_read_push_data_as_opcodes():
    # PUSH1 0x5f, PUSH2 0x5c5d, PUSH32 of 0x5f bytes, STOP.
    snippet = bytes.fromhex("605f" + "615c5d" + "7f" + "5f" * 32 + "00")
    assert [op for _, op in disassemble(snippet)] == [0x60, 0x61, 0x7F, 0x00]
    assert newer_opcodes(snippet, "paris") == []


def test_the_scanner_ignores_the_cbor_metadata_after_the_code():
    metadata = bytes.fromhex("a1" + "64" + b"solc".hex() + "43" + "5f5e5d")
    runtime = bytes.fromhex("6001" + "00" + "fe") + metadata + len(metadata).to_bytes(2, "big")
    assert split_metadata(runtime) == (bytes.fromhex("600100fe"), metadata)
    assert newer_opcodes(runtime, "paris") == []


def test_the_scanner_allows_on_a_fork_what_that_fork_introduced():
    assert newer_opcodes(bytes.fromhex("5f00"), "shanghai") == []
    assert newer_opcodes(bytes.fromhex("5c00"), "cancun") == []


def test_the_configured_evm_target_is_paris():
    assert evm_target() == "paris"
    assert set(forbidden_opcodes("paris").values()) == {
        "PUSH0",
        "BLOBHASH",
        "BLOBBASEFEE",
        "TLOAD",
        "TSTORE",
        "MCOPY",
    }


# --- the deployed suite -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def suite(members, registry, escrow, eur, operator):
    """Every contract of the suite, deployed; by name."""
    anchors = DocumentAnchor.deploy(members, registry, {"from": operator})
    return {
        "MemberRegistry": members,
        "ReceivableRegistry": registry,
        "FinancingEscrow": escrow,
        "DocumentAnchor": anchors,
        "SettlementToken": eur,
    }


SUITE = [
    "MemberRegistry",
    "ReceivableRegistry",
    "FinancingEscrow",
    "DocumentAnchor",
    "SettlementToken",
]


@pytest.mark.parametrize("name", SUITE)
def test_the_deployed_runtime_bytecode_uses_no_opcode_newer_than_the_evm_target(suite, name):
    runtime = bytes(web3.eth.get_code(suite[name].address))
    code, metadata = split_metadata(runtime)

    assert len(code) > 100, "no code to scan"
    assert SOLC_0_8_24_METADATA in metadata, "the metadata was not found: the scan is unsound"
    assert newer_opcodes(runtime, evm_target()) == []


@pytest.mark.parametrize("name", SUITE)
def test_every_contract_of_the_suite_is_compiled_for_the_evm_target(suite, name):
    assert suite[name]._build["compiler"]["evm_version"] == evm_target()


# --- pause --------------------------------------------------------------------------------------


def test_a_pause_by_the_operator_stops_registration(
    members, registry, operator, supplier, debtor, due_date
):
    members.pause({"from": operator})

    with reverts_with("PlatformPaused"):
        registry.register(terms_of("INV-P", debtor, due_date), {"from": supplier})


def test_unpausing_restores_registration(members, registry, operator, supplier, debtor, due_date):
    members.pause({"from": operator})
    members.unpause({"from": operator})

    terms = terms_of("INV-P", debtor, due_date)
    registry.register(terms, {"from": supplier})

    assert registry.receivable(receivable_id(terms))["supplier"] == supplier


# --- default-admin hand-over --------------------------------------------------------------------

DEFAULT_ADMIN_ROLE = b"\0" * 32


def test_the_default_admin_hand_over_is_scheduled_after_the_delay(members, operator, newcomer):
    tx = members.beginDefaultAdminTransfer(newcomer, {"from": operator})

    scheduled = single_event(tx, "DefaultAdminTransferScheduled")
    assert scheduled == {"newAdmin": newcomer, "acceptSchedule": tx.timestamp + ADMIN_DELAY}
    new_admin, schedule = members.pendingDefaultAdmin()
    assert (new_admin, schedule) == (newcomer.address, tx.timestamp + ADMIN_DELAY)
    assert members.defaultAdmin() == operator


def test_the_new_default_admin_accepts_the_hand_over_after_the_delay(members, operator, newcomer):
    members.beginDefaultAdminTransfer(newcomer, {"from": operator})
    chain.sleep(ADMIN_DELAY + 1)

    members.acceptDefaultAdminTransfer({"from": newcomer})

    assert members.defaultAdmin() == newcomer
    assert members.hasRole(DEFAULT_ADMIN_ROLE, newcomer)
    assert not members.hasRole(DEFAULT_ADMIN_ROLE, operator)


def test_the_new_default_admin_cannot_accept_before_the_delay(members, operator, newcomer):
    tx = members.beginDefaultAdminTransfer(newcomer, {"from": operator})

    with reverts_with("AccessControlEnforcedDefaultAdminDelay", tx.timestamp + ADMIN_DELAY):
        members.acceptDefaultAdminTransfer({"from": newcomer})


def test_only_the_pending_default_admin_may_accept_the_hand_over(
    members, operator, newcomer, outsider
):
    members.beginDefaultAdminTransfer(newcomer, {"from": operator})
    chain.sleep(ADMIN_DELAY + 1)

    with reverts_with("AccessControlInvalidDefaultAdmin", outsider):
        members.acceptDefaultAdminTransfer({"from": outsider})
