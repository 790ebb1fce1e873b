"""`make bench`: gas of every lifecycle step against its floor and against baselines deployed in
the same run, and issuance throughput from files to receipts on Ganache and Anvil.

Writes build/bench.json (the shape documented in docs/benchmarks.md, comparable across runs)
and regenerates docs/benchmarks.md from the measured run. Needs compiled artifacts
(`make build`), never Brownie.

    python -m scfchain.bench [--single 300] [--pipelined 300] [--batch 1000]
                             [--nodes ganache,anvil] [--gas-node ganache] [--no-docs]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from web3 import HTTPProvider, Web3

from scfchain.artifacts import load_artifact, suite_error_decoder
from scfchain.bench_gas import run_gas
from scfchain.bench_report import (
    gas_json,
    machine,
    now_utc,
    render_markdown,
    targets,
    throughput_json,
    versions,
)
from scfchain.bench_throughput import run_node
from scfchain.chain import Chain
from scfchain.devnet import PROJECT_ROOT, LocalNode

EXAMPLES = PROJECT_ROOT / "examples"
JSON_PATH = PROJECT_ROOT / "build" / "bench.json"
DOCS_PATH = PROJECT_ROOT / "docs" / "benchmarks.md"


def measure_gas(kind: str, log: Callable[[str], None]) -> dict[str, Any]:
    """Suite and baselines on one fresh node: gas per step and the traced breakdowns."""
    with LocalNode(kind=kind) as node:
        w3 = Web3(HTTPProvider(node.url, request_kwargs={"timeout": 300}))
        results, breakdowns = run_gas(Chain(w3, suite_error_decoder()))
    log(f"gas: {len(results)} steps and baselines measured on {kind}")
    return {"gas": gas_json(results), "gas_breakdown": breakdowns, "gas_node": kind}


def measure_throughput(
    nodes: list[str], counts: dict[str, int], log: Callable[[str], None]
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="scf-bench-") as tmp:
        for kind in nodes:
            modes = run_node(kind, EXAMPLES, Path(tmp), counts, log)
            out[kind] = throughput_json(modes)
    return out


def run_bench(
    nodes: list[str],
    counts: dict[str, int],
    gas_node: str = "ganache",
    log: Callable[[str], None] = print,
) -> dict[str, Any]:
    """The whole benchmark; returns what bench.json holds."""
    data: dict[str, Any] = {
        "generated_at": now_utc(),
        "machine": machine(),
        "versions": versions(load_artifact("ReceivableRegistry").compiler),
        "settings": {"receivables": counts, "nodes": nodes},
    }
    data |= measure_gas(gas_node, log)
    data["throughput"] = measure_throughput(nodes, counts, log)
    data["targets"] = targets(data["gas"], data["throughput"])
    data["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    return data


def print_summary(data: dict[str, Any], log: Callable[[str], None] = print) -> None:
    log(f"\n{'step':46} {'gas':>9} {'floor':>9} {'x floor':>8}  nearest baseline")
    for step, g in data["gas"].items():
        floor = f"{g['floor']:>9,}" if "floor" in g else f"{'-':>9}"
        ratio = f"{g['ratio_to_floor']:>7.2f}x" if "ratio_to_floor" in g else f"{'-':>8}"
        base = f"{g['ratio_to_baseline']:.2f}x {g['baseline']} ({g['baseline_gas']:,})" if "baseline" in g else ""  # fmt: skip
        log(f"{step:46} {g['measured']:>9,} {floor} {ratio}  {base}")
    log(f"\n{'node':8} {'single/s':>9} {'pipelined/s':>12} {'batch/s':>9} {'batch/single':>13} {'project Python':>15}")  # fmt: skip
    for node, t in data["throughput"].items():
        log(
            f"{node:8} {t['single_per_s']:>9.1f} {t.get('single_pipelined_per_s', 0):>12.1f} "
            f"{t['batch_per_s']:>9.1f} {t['batch_over_single']:>12.1f}x {t['python_share']:>15.0%}"
        )
    log("\ntargets:")
    for t in data["targets"]:
        log(f"  {'met   ' if t['met'] else 'MISSED'} {t['target']}: {t['measured']} (limit {t['limit']})")  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scfchain.bench", description=__doc__)
    parser.add_argument("--single", type=int, default=300, help="receivables, one tx each")
    parser.add_argument("--pipelined", type=int, default=300, help="receivables, one tx each, pipelined (0: skip)")  # fmt: skip
    parser.add_argument("--batch", type=int, default=1000, help="receivables in batches of 100")
    parser.add_argument("--nodes", default="ganache,anvil")
    parser.add_argument("--gas-node", default="ganache")
    parser.add_argument("--json", type=Path, default=JSON_PATH)
    parser.add_argument("--docs", type=Path, default=DOCS_PATH)
    parser.add_argument("--no-docs", action="store_true", help="do not rewrite docs/benchmarks.md")
    parser.add_argument("--render-only", action="store_true", help="rewrite the docs from --json, measure nothing")  # fmt: skip
    args = parser.parse_args(argv)
    if args.render_only:
        args.docs.write_text(render_markdown(json.loads(args.json.read_text())))
        print(f"wrote {args.docs} from {args.json}")
        return 0
    counts = {"single": args.single, "batch": args.batch}
    if args.pipelined:
        counts = {"single": args.single, "single_pipelined": args.pipelined, "batch": args.batch}
    data = run_bench(args.nodes.split(","), counts, args.gas_node)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(data, indent=2) + "\n")
    print_summary(data)
    print(f"\nwrote {args.json}")
    if not args.no_docs:
        args.docs.write_text(render_markdown(data))
        print(f"wrote {args.docs}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
