"""Statement and branch coverage of each suite contract, from Brownie's coverage report.

`brownie test --coverage` writes reports/coverage.json. Per contract it holds a highlight for
every statement (green: run, red: not) and every branch (green: both outcomes seen, yellow or
orange: one outcome only, red: never evaluated) of every source file compiled into it, keyed by
Brownie's source id; build/contracts/<Contract>.json maps those ids to files. (Which outcome a
yellow or orange branch lacks is not reported: for a negated condition such as `!x` Brownie marks
the span of `x` but judges the outcome of `!x`, so the listing shows the whole source line.)

The figures count only the project's own code (files under contracts/): the OpenZeppelin code
compiled into a contract is the library's to test. A branch has two outcomes, so branch coverage
is outcomes seen / (2 x branches). The run fails (exit 1) when a suite contract is missing from
the report or its branch coverage is below the threshold (95%).

Usage: python -m scfchain.coverage_report [--report reports/coverage.json] [--doc docs/coverage.md]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scfchain.artifacts import BUILD_DIR, SUITE
from scfchain.devnet import PROJECT_ROOT

REPORT = PROJECT_ROOT / "reports" / "coverage.json"
DOC = PROJECT_ROOT / "docs" / "coverage.md"
THRESHOLD = 95.0
OWN_CODE = "contracts/"
BEGIN = "<!-- coverage-figures:begin (written by scfchain.coverage_report) -->"
END = "<!-- coverage-figures:end -->"
MISSING_OUTCOME = {
    "yellow": "one outcome not seen",
    "orange": "one outcome not seen",
    "red": "never evaluated",
}


class CoverageReportError(RuntimeError):
    """The coverage report or a build artifact is missing or not what Brownie writes."""


@dataclass(frozen=True)
class UncoveredBranch:
    """A branch of the project's code with an outcome no test produced."""

    contract: str
    path: str
    line: int
    condition: str
    source_line: str
    missing: str


@dataclass(frozen=True)
class Figures:
    """Coverage of one contract's own code."""

    contract: str
    statements_run: int
    statements: int
    outcomes_seen: int
    branches: int
    uncovered: tuple[UncoveredBranch, ...]

    @property
    def statement_pct(self) -> float:
        return 100.0 * self.statements_run / self.statements if self.statements else 100.0

    @property
    def branch_pct(self) -> float:
        return 100.0 * self.outcomes_seen / (2 * self.branches) if self.branches else 100.0


def load_json(path: Path, what: str) -> dict[str, Any]:
    try:
        return json.loads(path.read_text())
    except FileNotFoundError as exc:
        raise CoverageReportError(f"{path}: no {what}; run `make coverage` first") from exc
    except json.JSONDecodeError as exc:
        raise CoverageReportError(f"{path}: {what} is not JSON ({exc})") from exc


def source_paths(contract: str, build_dir: Path) -> dict[str, str]:
    """Brownie's source ids of `contract` and the files they name."""
    artifact = load_json(build_dir / f"{contract}.json", f"build artifact of {contract}")
    try:
        return dict(artifact["allSourcePaths"])
    except KeyError as exc:
        raise CoverageReportError(f"{build_dir / contract}.json: no field allSourcePaths") from exc


def line_of(source: bytes, offset: int) -> int:
    """The 1-based line of byte `offset` in `source` (solc's offsets count bytes)."""
    return source.count(b"\n", 0, offset) + 1


def _text(span: bytes) -> str:
    return " ".join(span.decode("utf-8", "replace").split())


def figures_for(
    contract: str,
    highlights: dict[str, dict[str, Any]],
    paths: dict[str, str],
    root: Path = PROJECT_ROOT,
) -> Figures:
    """Coverage of the files under contracts/ compiled into `contract`."""
    statements = highlights["statements"].get(contract, {})
    branches = highlights["branches"].get(contract, {})
    run = total = seen = count = 0
    uncovered: list[UncoveredBranch] = []
    for source_id, path in sorted(paths.items(), key=lambda item: item[1]):
        if not path.startswith(OWN_CODE):
            continue
        for _start, _stop, colour, *_ in statements.get(source_id, []):
            total += 1
            run += colour == "green"
        marks = branches.get(source_id, [])
        if not marks:
            continue
        source = (root / path).read_bytes()
        for start, stop, colour, *_ in marks:
            count += 1
            seen += {"green": 2, "yellow": 1, "orange": 1}.get(colour, 0)
            if colour != "green":
                line = line_of(source, start)
                uncovered.append(
                    UncoveredBranch(
                        contract,
                        path,
                        line,
                        _text(source[start:stop]),
                        _text(source.splitlines()[line - 1]),
                        MISSING_OUTCOME[colour],
                    )
                )
    uncovered.sort(key=lambda b: (b.path, b.line, b.condition))
    return Figures(contract, run, total, seen, count, tuple(uncovered))


def collect(
    report: dict[str, Any],
    contracts: Sequence[str] = SUITE,
    build_dir: Path = BUILD_DIR,
    root: Path = PROJECT_ROOT,
) -> tuple[list[Figures], list[str]]:
    """Figures of each contract the report covers, and the contracts it does not."""
    try:
        highlights = report["highlights"]
        covered = set(highlights["branches"]) | set(highlights["statements"])
    except (KeyError, TypeError) as exc:
        raise CoverageReportError("coverage report has no highlights.branches/statements") from exc
    figures, missing = [], []
    for contract in contracts:
        if contract not in covered:
            missing.append(contract)
            continue
        figures.append(figures_for(contract, highlights, source_paths(contract, build_dir), root))
    return figures, missing


def table(figures: Iterable[Figures], missing: Iterable[str] = ()) -> list[str]:
    """A Markdown table: statements and branches per contract."""
    rows = [
        "| contract | statements run | statement coverage | branch outcomes seen | branch coverage |",
        "|---|---:|---:|---:|---:|",
    ]
    for f in figures:
        rows.append(
            f"| {f.contract} | {f.statements_run}/{f.statements} | {f.statement_pct:.1f}% "
            f"| {f.outcomes_seen}/{2 * f.branches} | {f.branch_pct:.1f}% |"
        )
    rows.extend(f"| {name} | not exercised | 0.0% | - | 0.0% |" for name in missing)
    return rows


def uncovered_list(figures: Iterable[Figures]) -> list[str]:
    """One Markdown bullet per branch outcome not seen, with file, line and condition."""
    lines = []
    for f in figures:
        for b in f.uncovered:
            lines.append(
                f"- {b.contract}: `{b.path}:{b.line}` condition `{b.condition}` in "
                f"`{b.source_line}` ({b.missing})"
            )
    return lines or ["- none"]


def failures(
    figures: Iterable[Figures], missing: Iterable[str], threshold: float = THRESHOLD
) -> list[str]:
    """Why the run fails: each contract below `threshold` branch coverage, or not exercised."""
    problems = [f"{name}: not exercised by any test" for name in missing]
    problems.extend(
        f"{f.contract}: branch coverage {f.branch_pct:.1f}% is below {threshold:.0f}%"
        for f in figures
        if f.branch_pct < threshold
    )
    return problems


def figures_block(figures: Sequence[Figures], missing: Sequence[str]) -> str:
    """The generated part of docs/coverage.md."""
    return "\n".join(
        [
            BEGIN,
            *table(figures, missing),
            "",
            "Branches with an outcome no test produced (file:line, condition, line):",
            "",
            *uncovered_list(figures),
            END,
        ]
    )


def write_doc(doc: Path, block: str) -> None:
    """Replaces the generated block of `doc` (between its markers) with `block`."""
    try:
        text = doc.read_text()
    except FileNotFoundError:
        text = f"# Coverage\n\n{BEGIN}\n{END}\n"
    start, end = text.find(BEGIN), text.find(END)
    if start < 0 or end < start:
        raise CoverageReportError(f"{doc}: markers {BEGIN!r} and {END!r} not found in order")
    doc.write_text(text[:start] + block + text[end + len(END) :])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--report", type=Path, default=REPORT, help="Brownie's coverage.json")
    parser.add_argument("--build", type=Path, default=BUILD_DIR, help="build/contracts folder")
    parser.add_argument("--doc", type=Path, default=DOC, help="doc whose figures to rewrite")
    parser.add_argument("--no-doc", action="store_true", help="print only, write no doc")
    parser.add_argument("--threshold", type=float, default=THRESHOLD, help="branch %% floor")
    args = parser.parse_args(argv)
    try:
        report = load_json(args.report, "coverage report")
        figures, missing = collect(report, SUITE, args.build)
        if not args.no_doc:
            write_doc(args.doc, figures_block(figures, missing))
    except CoverageReportError as exc:
        print(f"coverage: {exc}", file=sys.stderr)
        return 2
    print("\n".join(table(figures, missing)))
    print("\nBranch outcomes not seen:")
    print("\n".join(uncovered_list(figures)))
    problems = failures(figures, missing, args.threshold)
    for problem in problems:
        print(f"coverage: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
