"""The offline compiler: tools/solc/solc.js answers solc's --version and --standard-json."""

import json
import subprocess

from paths import REPO

SHIM = REPO / "tools" / "solc" / "solc.js"


def solc(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(SHIM), *args], input=stdin, capture_output=True, text=True, cwd=REPO, check=False
    )


def standard_json(source: str) -> dict:
    request = {
        "language": "Solidity",
        "sources": {"A.sol": {"content": source}},
        "settings": {
            "evmVersion": "paris",
            "outputSelection": {"*": {"*": ["evm.bytecode.object"]}},
        },
    }
    result = solc(
        "--standard-json", "--allow-paths", str(REPO / "node_modules"), stdin=json.dumps(request)
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_the_shim_reports_the_pinned_version_in_solcs_format():
    result = solc("--version")
    assert result.returncode == 0
    assert "Version: 0.8.24+commit." in result.stdout


def test_the_shim_compiles_a_contract_that_imports_openzeppelin_from_disk():
    out = standard_json(
        'pragma solidity 0.8.24; import "@openzeppelin/contracts/token/ERC20/ERC20.sol";'
        'contract A is ERC20 { constructor() ERC20("a", "a") {} }'
    )
    assert not [e for e in out.get("errors", []) if e["severity"] == "error"]
    assert out["contracts"]["A.sol"]["A"]["evm"]["bytecode"]["object"]


def test_the_shim_reports_a_missing_import_as_a_compiler_error():
    out = standard_json('pragma solidity 0.8.24; import "./missing/Nothing.sol"; contract A {}')
    messages = [e["message"] for e in out["errors"] if e["severity"] == "error"]
    assert any("missing/Nothing.sol" in m for m in messages)


def test_the_shim_refuses_options_it_does_not_implement():
    result = solc("--bin", "A.sol")
    assert result.returncode == 2
    assert "unsupported option --bin" in result.stderr


def test_the_shim_reads_sources_given_by_url_as_slither_sends_them():
    # crytic-compile's --solc-standard-json route (make slither) names each file by URL only,
    # maps imports by remapping, and asks for the AST; the shim reads them all from disk.
    request = {
        "language": "Solidity",
        "sources": {"contracts/DocumentAnchor.sol": {"urls": ["contracts/DocumentAnchor.sol"]}},
        "settings": {
            "remappings": ["@openzeppelin=node_modules/@openzeppelin"],
            "outputSelection": {"*": {"*": ["abi"], "": ["ast"]}},
        },
    }
    result = solc("--standard-json", "--allow-paths", str(REPO), stdin=json.dumps(request))

    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert not [e for e in out.get("errors", []) if e["severity"] == "error"]
    assert out["sources"]["contracts/DocumentAnchor.sol"]["ast"]["nodeType"] == "SourceUnit"
    assert "interfaces/IReceivableRegistry.sol" in out["sources"]
    assert out["contracts"]["contracts/DocumentAnchor.sol"]["DocumentAnchor"]["abi"]
