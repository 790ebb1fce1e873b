"""`make coverage`: the per-contract figures (scfchain.coverage_report) and the Brownie launcher's
bytecode comparison (scfchain.coverage_run), on small hand-made reports and codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scfchain import coverage_report as cr
from scfchain.coverage_run import immutable_slots, same_code_but_immutables

SOURCE = """pragma solidity 0.8.24;
contract A {
    function f(uint256 x) external pure returns (uint256) {
        if (x == 0) revert();
        if (x > 9) return 9;
        return x;
    }
}
"""
OWN, LIBRARY = "0", "1"


def offset_of(text: str) -> tuple[int, int]:
    start = SOURCE.index(text)
    return start, start + len(text)


def make_project(tmp_path: Path, contracts: dict[str, dict]) -> tuple[Path, Path]:
    """A project with contracts/A.sol and one build artifact per contract; returns (root, build)."""
    (tmp_path / "contracts").mkdir()
    (tmp_path / "contracts" / "A.sol").write_text(SOURCE)
    build = tmp_path / "build"
    build.mkdir()
    for name in contracts:
        paths = {OWN: "contracts/A.sol", LIBRARY: "node_modules/lib/L.sol"}
        (build / f"{name}.json").write_text(json.dumps({"allSourcePaths": paths}))
    return tmp_path, build


def highlights(statements: dict, branches: dict) -> dict:
    return {"highlights": {"statements": statements, "branches": branches}}


def branch(text: str, colour: str) -> list:
    return [*offset_of(text), colour, ""]


def stmt(text: str, colour: str) -> list:
    return [*offset_of(text), colour, ""]


ALL_GREEN = highlights(
    {"A": {OWN: [stmt("revert()", "green"), stmt("return x", "green")], LIBRARY: []}},
    {"A": {OWN: [branch("x == 0", "green"), branch("x > 9", "green")], LIBRARY: []}},
)


def test_a_branch_counts_two_outcomes_and_one_seen_outcome_is_half_of_it(tmp_path):
    root, build = make_project(tmp_path, {"A": {}})
    report = highlights(
        {"A": {OWN: [stmt("revert()", "green"), stmt("return x", "red")]}},
        {"A": {OWN: [branch("x == 0", "green"), branch("x > 9", "yellow")]}},
    )

    (figures,), missing = cr.collect(report, ["A"], build, root)

    assert missing == []
    assert (figures.statements_run, figures.statements) == (1, 2)
    assert (figures.outcomes_seen, figures.branches) == (3, 2)
    assert figures.branch_pct == pytest.approx(75.0)


def test_library_code_compiled_into_a_contract_is_not_counted(tmp_path):
    root, build = make_project(tmp_path, {"A": {}})
    report = highlights(
        {"A": {OWN: [stmt("return x", "green")], LIBRARY: [[0, 1, "red", ""]] * 5}},
        {"A": {OWN: [branch("x == 0", "green")], LIBRARY: [[0, 1, "red", ""]] * 5}},
    )

    (figures,), _ = cr.collect(report, ["A"], build, root)

    assert figures.statement_pct == 100.0
    assert figures.branch_pct == 100.0


def test_an_uncovered_branch_is_named_by_file_line_condition_and_source_line(tmp_path):
    root, build = make_project(tmp_path, {"A": {}})
    report = highlights({"A": {}}, {"A": {OWN: [branch("x > 9", "red")]}})

    (figures,), _ = cr.collect(report, ["A"], build, root)

    (uncovered,) = figures.uncovered
    assert (uncovered.path, uncovered.line, uncovered.condition) == ("contracts/A.sol", 5, "x > 9")
    assert uncovered.source_line == "if (x > 9) return 9;"
    assert uncovered.missing == "never evaluated"


def test_a_suite_contract_absent_from_the_report_fails_the_run(tmp_path):
    root, build = make_project(tmp_path, {"A": {}})

    figures, missing = cr.collect(ALL_GREEN, ["A", "B"], build, root)

    assert missing == ["B"]
    assert cr.failures(figures, missing) == ["B: not exercised by any test"]


def test_branch_coverage_below_the_threshold_fails_and_at_the_threshold_passes(tmp_path):
    root, build = make_project(tmp_path, {"A": {}})
    (figures,), _ = cr.collect(
        highlights({}, {"A": {OWN: [branch("x == 0", "green"), branch("x > 9", "orange")]}}),
        ["A"],
        build,
        root,
    )

    assert cr.failures([figures], [], threshold=75.0) == []
    assert cr.failures([figures], [], threshold=95.0) == ["A: branch coverage 75.0% is below 95%"]


def test_the_doc_gets_new_figures_between_its_markers_and_keeps_the_rest(tmp_path):
    doc = tmp_path / "coverage.md"
    doc.write_text(f"# Coverage\n\nwritten by hand\n\n{cr.BEGIN}\nold figures\n{cr.END}\n\nafter\n")
    root, build = make_project(tmp_path, {"A": {}})
    figures, missing = cr.collect(ALL_GREEN, ["A"], build, root)

    cr.write_doc(doc, cr.figures_block(figures, missing))

    text = doc.read_text()
    assert "old figures" not in text
    assert "| A | 2/2 | 100.0% | 4/4 | 100.0% |" in text
    assert text.startswith("# Coverage\n\nwritten by hand\n") and text.endswith("\nafter\n")


def test_the_command_exits_2_naming_the_file_when_there_is_no_report(tmp_path, capsys):
    missing_report = tmp_path / "reports" / "coverage.json"

    code = cr.main(["--report", str(missing_report), "--no-doc"])

    assert code == 2
    assert f"{missing_report}: no coverage report" in capsys.readouterr().err


# --- the launcher's comparison of deployed and compiled code -----------------------------------

METADATA = bytes.fromhex("a1") + bytes(3) + (4).to_bytes(2, "big")  # 4 bytes + their length
PUSH32_ZERO = bytes([0x7F]) + bytes(32)


def code(*parts: bytes) -> str:
    return (b"".join(parts) + METADATA).hex()


def test_codes_that_differ_only_in_an_immutable_placeholder_are_the_same_contract():
    compiled = code(bytes.fromhex("6001"), PUSH32_ZERO, bytes.fromhex("00"))
    deployed = code(bytes.fromhex("6001"), bytes([0x7F]) + bytes(31) + b"\x2a", b"\x00")

    assert same_code_but_immutables(deployed, compiled)


def test_codes_that_differ_outside_immutable_placeholders_are_not_the_same_contract():
    compiled = code(bytes.fromhex("6001"), PUSH32_ZERO)
    deployed = code(bytes.fromhex("6002"), PUSH32_ZERO)

    assert not same_code_but_immutables(deployed, compiled)


def test_a_0x7f_byte_inside_push_data_is_not_taken_for_a_push32():
    # PUSH1 0x7f, then 32 zero bytes of other opcodes (STOP): no PUSH32 operand here.
    assert immutable_slots(bytes.fromhex("607f") + bytes(32)) == []
    assert immutable_slots(bytes.fromhex("6001") + PUSH32_ZERO) == [3]
