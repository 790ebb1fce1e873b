"""`make bench`: the floor arithmetic, the trace accounting, the generated inputs, and the shape
of bench.json from a tiny run. No timing is asserted here: performance is measured by
`make bench`, never by tests."""

from __future__ import annotations

from typing import Any

import pytest
from paths import REPO

from scfchain.bench_floor import (
    CONFIRMED_RECEIVABLE,
    FLOORS,
    NEAREST_BASELINE,
    TRANSFER_SINGLE,
    BaselineRef,
    StepFloor,
    calldata_gas,
    intrinsic_gas,
    log_gas,
)
from scfchain.bench_gas import step_costs
from scfchain.bench_throughput import Clock, generate_inputs
from scfchain.inputs import load_inputs

REQUIRED_STEPS = {
    "register", "confirm", "register_confirm_signed", "register_confirm_batch10",
    "register_confirm_batch100", "split", "transfer", "finance_approve", "repay", "redeem",
    "baseline_erc721_mint", "baseline_erc1155_mint", "baseline_erc20_transfer",
    "baseline_erc3525_mint", "baseline_erc3525_split",
}  # fmt: skip


# --- floor arithmetic -------------------------------------------------------------------


def test_calldata_costs_4_per_zero_byte_and_16_per_other_byte():
    assert calldata_gas(b"") == 0
    assert calldata_gas(b"\x00") == 4
    assert calldata_gas(b"\x01") == 16
    assert calldata_gas(bytes.fromhex("a9059cbb") + bytes(32)) == 4 * 16 + 32 * 4
    assert intrinsic_gas(b"\x00\xff") == 21_000 + 4 + 16


def test_a_log_costs_375_plus_375_per_topic_plus_8_per_data_byte():
    assert log_gas(0, 0) == 375
    assert log_gas(1, 0) == 750
    assert log_gas(3, 32) == 375 + 3 * 375 + 256  # ERC-20 Transfer
    assert TRANSFER_SINGLE.gas == 375 + 4 * 375 + 64 * 8 == 2_387


def test_the_floor_of_a_confirmed_receivable_is_four_new_slots_and_one_log():
    data = bytes(10) + b"\x01" * 10
    expected = 21_000 + 10 * 4 + 10 * 16 + 4 * 22_100 + 2_387
    assert CONFIRMED_RECEIVABLE.floor(data) == expected
    assert FLOORS["register_confirm_signed"].floor(data) == expected


def test_a_batch_shares_base_fee_and_calldata_among_its_receivables():
    spec = StepFloor(("a",), (), receivables=100)
    data = b"\x01" * 1000  # 16,000 gas of calldata
    assert spec.floor(data) == (21_000 + 16_000) // 100 + 22_100
    assert FLOORS["register_confirm_batch100"].receivables == 100
    assert FLOORS["register_confirm_batch10"].receivables == 10


def test_every_step_of_the_issue_has_a_floor_and_every_comparison_a_measured_baseline():
    assert set(FLOORS) >= REQUIRED_STEPS
    for ref in NEAREST_BASELINE.values():
        assert all(step in FLOORS for step in ref.steps)


def test_a_composite_baseline_pays_the_base_fee_once():
    ref = BaselineRef(("a", "b"), "a + b")
    assert ref.gas({"a": 30_000, "b": 40_000}) == 49_000
    assert ref.gas({"a": 30_000}) is None


# --- trace accounting -------------------------------------------------------------------


def _op(op: str, gas: int, cost: int, depth: int) -> dict[str, Any]:
    return {"op": op, "gas": gas, "gasCost": cost, "depth": depth}


def test_step_costs_charge_a_call_its_own_cost_and_the_callee_its_ops_geth_style():
    logs = [
        _op("PUSH1", 10_000, 3, 1),
        _op("STATICCALL", 9_997, 9_000, 1),  # Geth: gasCost includes the gas handed over
        _op("SLOAD", 7_000, 2_100, 2),
        _op("RETURN", 4_900, 0, 2),
        _op("ISZERO", 5_297, 3, 1),  # 9,997 - 2,600 (cold account) - 2,100 (callee)
        _op("STOP", 5_294, 0, 1),
    ]
    assert step_costs(logs) == [3, 2_600, 2_100, 0, 3, 0]


def test_step_costs_agree_on_ganache_style_call_accounting():
    logs = [
        _op("STATICCALL", 10_000, 8_231, 1),  # Ganache: gasCost is not the gas handed over
        _op("SLOAD", 7_400, 2_100, 2),
        _op("RETURN", 5_300, -5_631, 2),  # and a frame's last op may be negative
        _op("ISZERO", 5_300, 3, 1),
        _op("STOP", 5_297, 0, 1),
    ]
    assert step_costs(logs) == [2_600, 2_100, 0, 3, 0]


def test_exclusive_clock_counts_nested_time_once():
    clock = Clock()
    with clock.track("outer"), clock.track("inner"):
        pass
    assert set(clock.seconds) == {"outer", "inner"}
    assert all(v >= 0 for v in clock.seconds.values())


# --- generated inputs -------------------------------------------------------------------


def test_generated_inputs_are_unique_valid_invoices_from_the_examples(tmp_path):
    generate_inputs(REPO / "examples", tmp_path, 25, "T")
    loaded = load_inputs([tmp_path])
    assert loaded.rejections == []
    assert len(loaded.records) == 25
    assert len({r.fingerprint for r in loaded.records}) == 25
    assert {r.syntax for r in loaded.records} >= {"CSV", "UBL", "CII"}


# --- bench.json from a tiny run ---------------------------------------------------------


@pytest.fixture(scope="module")
def tiny_run() -> dict[str, Any]:
    from scfchain.bench import run_bench

    counts = {"single": 2, "single_pipelined": 2, "batch": 3}
    return run_bench(["anvil"], counts, gas_node="anvil", log=lambda _line: None)


def test_bench_json_has_every_step_with_measured_and_floor(tiny_run):
    gas = tiny_run["gas"]
    assert set(gas) >= REQUIRED_STEPS
    for step in REQUIRED_STEPS:
        assert isinstance(gas[step]["measured"], int) and gas[step]["measured"] > 21_000
        assert isinstance(gas[step]["floor"], int) and gas[step]["floor"] >= 21_000


def test_bench_json_has_throughput_per_node(tiny_run):
    node = tiny_run["throughput"]["anvil"]
    for key in ("single_per_s", "batch_per_s", "python_share"):
        assert isinstance(node[key], float)
    assert 0.0 <= node["python_share"] <= 1.0
    assert node["modes"]["batch"]["records"] == 3


def test_benchmarks_markdown_renders_from_a_run(tiny_run):
    from scfchain.bench_report import render_markdown

    text = render_markdown(tiny_run)
    assert text.startswith("# Benchmarks")
    assert "## Targets" in text and "register_confirm_signed" in text
