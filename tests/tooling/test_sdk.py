"""The SDK (scfchain.sdk.ScfClient) drives the whole lifecycle on a Ganache, without Brownie."""

import json
from datetime import date, timedelta

import pytest
from scf_testnet import party_signer, start_testnet
from web3 import Web3
from web3.middleware import ExtraDataToPOAMiddleware

from scfchain.chain import Chain, FeePolicy, TransactionError
from scfchain.records import Party, ReceivableRecord, fingerprint
from scfchain.sdk import (
    ChainMismatch,
    FinancingTerms,
    ManifestError,
    ScfClient,
    Terms,
    format_amount,
    major_units,
    make_web3,
)
from scfchain.suite import Deployment

SUPPLIER = Party("VAT:DE111111111", "Supplier GmbH")
DEBTOR = Party("VAT:DE222222222", "Debtor AG")
SUB = Party("VAT:DE333333333", "Sub-supplier KG")
BANK = Party("LEI:BANK0000000000000001", "Bank")
FACE = 1_000_000  # 10,000.00 EUR


@pytest.fixture(scope="module")
def net(tmp_path_factory):
    testnet = start_testnet(tmp_path_factory.mktemp("sdk"))
    yield testnet
    testnet.node.stop()


@pytest.fixture(scope="module")
def client(net):
    return net.client()


@pytest.fixture(scope="module")
def accounts(net, client):
    op = net.operator
    signers = {p.key: party_signer(p) for p in (SUPPLIER, DEBTOR, SUB, BANK)}
    roles = {
        SUPPLIER.key: ["SUPPLIER"],
        DEBTOR.key: ["DEBTOR"],
        SUB.key: ["SUPPLIER"],
        BANK.key: ["FINANCIER"],
    }
    for key, signer in signers.items():
        client.admit(op, signer.address, key, roles[key])
        client.chain.wait(client.chain.send_value(op.account, signer.address, 10**19))
    debtor, bank = signers[DEBTOR.key], signers[BANK.key]
    client.set_credit_line(op, debtor.address, 100 * FACE)
    client.set_exposure_limit(bank, debtor.address, 100 * FACE)
    eur = client.suite.token("EUR")
    for holder in (debtor, bank):
        client.transact(op, eur.functions.mint(holder.address, 100 * FACE))
        client.approve_settlement(holder, "EUR")
    return signers


_counter = iter(range(1, 10_000))


def new_terms(client, accounts, face=FACE):
    number = f"SDK-{next(_counter)}"
    return Terms(
        fingerprint(SUPPLIER.key, number),
        accounts[DEBTOR.key].address,
        face,
        "EUR",
        client.now() + 90 * 86_400,
        Web3.keccak(text=number),
    )


def test_connecting_to_a_node_of_another_chain_is_refused(net, tmp_path):
    other = Deployment.read(net.manifest)
    other.chain_id = 4242
    path = other.write(tmp_path)
    with pytest.raises(ChainMismatch):
        ScfClient.connect(net.node.url, path)


def test_register_and_confirm_mints_the_face_value_to_the_supplier(client, accounts):
    supplier, debtor = accounts[SUPPLIER.key], accounts[DEBTOR.key]
    rid = client.register_and_confirm(supplier, new_terms(client, accounts), debtor=debtor)
    state = client.status(rid, holders=[supplier.address])
    assert (state.status, state.balances) == ("Confirmed", {supplier.address: FACE})


def test_a_registered_receivable_is_confirmed_on_chain_by_its_debtor(client, accounts):
    rid = client.register(accounts[SUPPLIER.key], new_terms(client, accounts))
    client.confirm(accounts[DEBTOR.key], rid)
    assert client.status(rid).status == "Confirmed"


def test_a_member_relays_the_debtors_signed_confirmation(client, accounts):
    rid = client.register(accounts[SUPPLIER.key], new_terms(client, accounts))
    signed = client.sign_registered(accounts[DEBTOR.key], rid)
    client.confirm_by_sig(accounts[SUPPLIER.key], rid, signed)
    assert client.status(rid).status == "Confirmed"


def test_a_split_passes_part_of_the_balance_to_another_member(client, accounts):
    supplier, sub = accounts[SUPPLIER.key], accounts[SUB.key]
    rid = client.register_and_confirm(
        supplier, new_terms(client, accounts), debtor=accounts[DEBTOR.key]
    )
    client.split(supplier, sub.address, rid, FACE // 4)
    balances = client.status(rid, holders=[supplier.address, sub.address]).balances
    assert balances == {supplier.address: FACE - FACE // 4, sub.address: FACE // 4}


def test_financing_pays_the_supplier_less_than_the_amount_financed(client, accounts):
    supplier, bank = accounts[SUPPLIER.key], accounts[BANK.key]
    rid = client.register_and_confirm(
        supplier, new_terms(client, accounts), debtor=accounts[DEBTOR.key]
    )
    result = client.finance(supplier, bank, rid, FACE // 2, FinancingTerms(rate_bps=500))
    assert 0 < result.proceeds < FACE // 2


def test_repaying_in_full_and_redeeming_every_share_retires_the_receivable(client, accounts):
    supplier, bank, debtor = accounts[SUPPLIER.key], accounts[BANK.key], accounts[DEBTOR.key]
    rid = client.register_and_confirm(supplier, new_terms(client, accounts), debtor=debtor)
    client.finance(supplier, bank, rid, FACE // 2)
    client.repay(debtor, rid)
    paid = client.redeem(supplier, rid) + client.redeem(bank, rid)
    assert (paid, client.status(rid).status) == (FACE, "Retired")


def test_the_history_lists_the_receivables_events_in_chain_order(client, accounts):
    supplier, debtor = accounts[SUPPLIER.key], accounts[DEBTOR.key]
    rid = client.register(supplier, new_terms(client, accounts))
    client.confirm(debtor, rid)
    events = [e.event for e in client.history(rid)]
    assert events[:2] == ["ReceivableRegistered", "ReceivableConfirmed"]


def test_an_unknown_receivable_has_the_status_none(client):
    assert client.status(12345).status == "None"


def test_a_refused_transaction_names_the_contracts_custom_error(client, accounts):
    terms = new_terms(client, accounts)
    client.register(accounts[SUPPLIER.key], terms)
    with pytest.raises(TransactionError, match="FingerprintUsed"):
        client.register(accounts[SUPPLIER.key], terms)


def test_terms_from_a_record_fall_due_at_the_end_of_the_due_date(accounts):
    record = ReceivableRecord(
        "x.csv:2", "CSV", "INV-1", "380", SUPPLIER, DEBTOR, date(2027, 1, 1),
        date(2027, 1, 31), "EUR", 100, b"\1" * 32,
    )  # fmt: skip
    terms = Terms.from_record(record, accounts[DEBTOR.key].address)
    assert terms.due_date == int((date(2027, 2, 1) - date(1970, 1, 1)) / timedelta(seconds=1)) - 1


def test_poa_chains_get_the_extra_data_middleware():
    w3 = make_web3("http://127.0.0.1:1", poa=True)
    assert ExtraDataToPOAMiddleware in w3.middleware_onion


def test_a_zero_gas_price_policy_sends_legacy_transactions_at_price_zero(net):
    chain = Chain(make_web3(net.node.url), None, FeePolicy(gas_price=0, legacy=True))  # type: ignore[arg-type]
    assert chain.fee_fields() == {"gasPrice": 0}


def test_a_key_given_to_connect_signs_for_its_address(net, accounts):
    supplier = accounts[SUPPLIER.key]
    keyed = ScfClient.connect(net.node.url, net.manifest, supplier)
    rid = keyed.register(supplier.address, new_terms(keyed, accounts))
    assert keyed.status(rid).supplier == supplier.address


def test_an_rpc_url_without_a_scheme_is_refused_with_the_url_to_write():
    with pytest.raises(ValueError, match="did you mean http://127.0.0.1:8545"):
        make_web3("127.0.0.1:8545")


@pytest.mark.parametrize(
    ("minor", "currency", "shown"),
    [(125_000, "EUR", "1,250.00 EUR"), (1_250, "JPY", "1,250 JPY"), (1_250, "BHD", "1.250 BHD")],
)
def test_amounts_are_shown_in_major_units_with_the_decimals_of_their_currency(
    minor, currency, shown
):
    assert format_amount(minor, currency) == shown


def test_the_major_unit_string_of_an_amount_is_exact_and_ungrouped():
    assert major_units(123_456_789, "EUR") == "1234567.89"


def test_a_manifest_that_is_not_json_is_an_error_that_names_the_file(tmp_path):
    path = tmp_path / "1337.json"
    path.write_text('{"chain_id": 1337,')
    with pytest.raises(ManifestError, match="invalid JSON") as info:
        ScfClient.connect("http://127.0.0.1:1", path)
    assert str(path) in str(info.value)


def test_a_manifest_missing_a_field_is_an_error_that_names_the_file_and_the_field(net, tmp_path):
    data = json.loads(net.manifest.read_text())
    del data["contracts"]["FinancingEscrow"]
    path = tmp_path / "1337.json"
    path.write_text(json.dumps(data))
    with pytest.raises(ManifestError, match="contracts.FinancingEscrow.address") as info:
        Deployment.read(path)
    assert str(path) in str(info.value)


def test_the_state_of_a_receivable_in_json_keeps_minor_units_and_adds_major_units(net, accounts):
    fresh = net.client()  # its own nonce view: another client sent from this account before
    rid = fresh.register(accounts[SUPPLIER.key], new_terms(fresh, accounts, face=125_000))
    state = fresh.status(rid).to_json()
    assert (state["found"], state["face_value"], state["face_value_major"]) == (
        True,
        125_000,
        "1250.00",
    )


def test_a_revert_reported_by_ganache_with_its_data_in_a_dict_is_decoded_to_the_custom_error():
    from eth_utils import keccak
    from web3.exceptions import ContractLogicError

    from scfchain.abis import interface_error_decoder

    selector = "0x" + keccak(text="PlatformPaused()")[:4].hex()
    ganache_style = ContractLogicError(
        "execution reverted: VM Exception while processing transaction: revert",
        data={"hash": "0x00", "programCounter": 1, "result": selector, "message": "revert"},
    )
    chain = Chain(Web3(), interface_error_decoder(), FeePolicy())
    assert chain._explain(ganache_style).startswith("PlatformPaused")


def _revert_data(signature: str, types: list[str], values: list) -> bytes:
    from eth_abi import encode
    from eth_utils import keccak

    return keccak(text=signature)[:4] + encode(types, values)


def test_a_decoded_revert_names_the_receivable_by_its_hex_id_and_its_status_by_name():
    from scfchain.abis import interface_error_decoder

    data = _revert_data("InvalidStatus(uint256,uint8)", ["uint256", "uint8"], [0x1234, 9])
    assert interface_error_decoder().describe(data) == (
        f"InvalidStatus(id=0x{0x1234:064x}, status=Retired)"
    )


def test_a_decoded_revert_names_a_financing_request_status_by_name():
    from scfchain.abis import interface_error_decoder

    data = _revert_data("InvalidRequestStatus(uint256,uint8)", ["uint256", "uint8"], [7, 2])
    assert interface_error_decoder().describe(data) == (
        "InvalidRequestStatus(requestId=7, status=Approved)"
    )


def test_a_decoded_revert_shows_a_currency_code_as_letters():
    from scfchain.abis import interface_error_decoder

    data = _revert_data("NoSettlementToken(bytes3)", ["bytes3"], [b"CHF"])
    assert interface_error_decoder().describe(data) == "NoSettlementToken(currency=CHF)"


def test_a_decoded_revert_names_a_role_by_name():
    from eth_utils import keccak

    from scfchain.abis import interface_error_decoder

    account = "0x" + "ab" * 20
    data = _revert_data(
        "MissingRole(address,bytes32)",
        ["address", "bytes32"],
        [account, keccak(text="DEBTOR_ROLE")],
    )
    assert (
        interface_error_decoder().describe(data)
        == f"MissingRole(account={account}, role=DEBTOR_ROLE)"
    )
