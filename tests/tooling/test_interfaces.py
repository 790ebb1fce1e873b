"""interfaces/: the ABI JSON files the SDK reads are the compiled contracts' ABIs."""

import json

import pytest

from scfchain.abis import INTERFACES_DIR, abi_text, load_abi
from scfchain.artifacts import BUILD_DIR, SUITE, load_artifact

SOLIDITY_INTERFACES = {
    "IMemberRegistry": "MemberRegistry",
    "IReceivableRegistry": "ReceivableRegistry",
    "IFinancingEscrow": "FinancingEscrow",
    "IDocumentAnchor": "DocumentAnchor",
}


def _signatures(abi, kind):
    return {
        (e["name"], tuple(i["type"] for i in e.get("inputs", [])))
        for e in abi
        if e.get("type") == kind
    }


@pytest.mark.parametrize("name", SUITE)
def test_the_exported_abi_equals_the_compiled_abi(name):
    assert load_abi(name) == load_artifact(name).abi


@pytest.mark.parametrize("name", SUITE)
def test_the_exported_abi_file_is_written_in_canonical_form(name):
    path = INTERFACES_DIR / f"{name}.json"
    assert path.read_text() == abi_text(json.loads(path.read_text()))


@pytest.mark.parametrize(("interface", "contract"), SOLIDITY_INTERFACES.items())
def test_the_contract_implements_every_function_of_its_solidity_interface(interface, contract):
    compiled = json.loads((BUILD_DIR.parent / "interfaces" / f"{interface}.json").read_text())
    missing = _signatures(compiled["abi"], "function") - _signatures(load_abi(contract), "function")
    assert missing == set()


@pytest.mark.parametrize(("interface", "contract"), SOLIDITY_INTERFACES.items())
def test_the_contract_emits_every_event_of_its_solidity_interface(interface, contract):
    compiled = json.loads((BUILD_DIR.parent / "interfaces" / f"{interface}.json").read_text())
    missing = _signatures(compiled["abi"], "event") - _signatures(load_abi(contract), "event")
    assert missing == set()
