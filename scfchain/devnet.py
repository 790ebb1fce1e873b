"""Local development chains: Ganache 7.9.2 (default) and Anvil, from the project's node_modules.

`LocalNode` starts a node on a free loopback port, waits until it answers JSON-RPC, and stops
it again; use it as a context manager. `register_brownie_networks` adds the same nodes to
Brownie's network list (`scf-ganache`, `scf-anvil`) so that `brownie test` uses them.
"""

from __future__ import annotations

import ctypes
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import IO

PROJECT_ROOT = Path(__file__).resolve().parent.parent
NODE_BIN = PROJECT_ROOT / "node_modules" / ".bin"
DEV_MNEMONIC = "test test test test test test test test test test test junk"
DEV_ACCOUNTS = 10
GAS_LIMIT = 30_000_000
GANACHE_HARDFORK = "merge"  # Ganache's name for paris: no PUSH0, no MCOPY, no blobs
ANVIL_HARDFORK = "paris"
STARTUP_TIMEOUT_S = 60.0


class NodeError(RuntimeError):
    """The local node could not be started or did not answer."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def executable(name: str) -> str:
    """The node's executable: the project's node_modules first, then PATH."""
    local = NODE_BIN / name
    if local.exists():
        return str(local)
    found = shutil.which(name)
    if not found:
        raise NodeError(f"{name} not found in {NODE_BIN} or on PATH: run `make setup`")
    return found


@dataclass
class LocalNode:
    """A Ganache or Anvil process on 127.0.0.1.

    `start_time` sets the timestamp of the genesis block (both nodes support it), so that a
    job can replay invoices issued in the past. `db_path` (Ganache only) keeps the chain on
    disk so that a node can be killed and started again with the same state.
    """

    kind: str = "ganache"
    port: int = 0
    start_time: datetime | None = None
    db_path: Path | None = None
    chain_id: int = 1337
    log_path: Path | None = None
    _process: subprocess.Popen[bytes] | None = field(default=None, init=False, repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        """The command line that starts this node."""
        if self.kind == "ganache":
            cmd = [
                executable("ganache"),
                "--server.host", "127.0.0.1",
                "--server.port", str(self.port),
                "--chain.chainId", str(self.chain_id),
                "--chain.hardfork", GANACHE_HARDFORK,
                "--wallet.mnemonic", DEV_MNEMONIC,
                "--wallet.totalAccounts", str(DEV_ACCOUNTS),
                "--wallet.defaultBalance", "1000000",
                "--miner.blockGasLimit", str(GAS_LIMIT),
                "--chain.vmErrorsOnRPCResponse", "true",
                "--logging.quiet", "true",
            ]  # fmt: skip
            if self.start_time is not None:
                cmd += ["--chain.time", self.start_time.astimezone(UTC).isoformat()]
            if self.db_path is not None:
                cmd += ["--database.dbPath", str(self.db_path)]
            return cmd
        if self.kind == "anvil":
            cmd = [
                executable("anvil"),
                "--host", "127.0.0.1",
                "--port", str(self.port),
                "--chain-id", str(self.chain_id),
                "--hardfork", ANVIL_HARDFORK,
                "--mnemonic", DEV_MNEMONIC,
                "--accounts", str(DEV_ACCOUNTS),
                "--balance", "1000000",
                "--gas-limit", str(GAS_LIMIT),
                "--silent",
            ]  # fmt: skip
            if self.start_time is not None:
                cmd += ["--timestamp", str(int(self.start_time.timestamp()))]
            return cmd
        raise NodeError(f"unknown node kind {self.kind!r}: use 'ganache' or 'anvil'")

    def start(self) -> LocalNode:
        """Starts the node and waits until it answers eth_chainId."""
        if self.port == 0:
            self.port = free_port()
        if self.db_path is not None:
            self.db_path.mkdir(parents=True, exist_ok=True)
        self._process = subprocess.Popen(
            self.command(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE if self.log_path else subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
            preexec_fn=_die_with_parent(),
        )
        if self.log_path is not None:
            copy = threading.Thread(
                target=_copy_redacted, args=(self._process.stdout, self.log_path), daemon=True
            )
            copy.start()
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise NodeError(f"{self.kind} exited with code {self._process.returncode}")
            if self._answers():
                return self
            time.sleep(0.1)
        self.stop()
        raise NodeError(f"{self.kind} did not answer on {self.url} within {STARTUP_TIMEOUT_S}s")

    def stop(self) -> None:
        """Stops the node (gracefully, then by force)."""
        if self._process is None:
            return
        self._process.terminate()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._process = None

    def kill(self) -> None:
        """Kills the node at once, as a crash would."""
        if self._process is not None:
            self._process.kill()
            self._process.wait()
            self._process = None

    def _answers(self) -> bool:
        body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []})
        request = urllib.request.Request(
            self.url, data=body.encode(), headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=1) as response:
                return "result" in json.loads(response.read())
        except (OSError, ValueError):  # not up yet, or not answering JSON yet
            return False

    def __enter__(self) -> LocalNode:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _die_with_parent() -> Callable[[], None] | None:
    """On Linux, a pre-exec step after which the node gets SIGTERM when the process that
    started it dies, even by SIGKILL, so that no node outlives its job. Only from the main
    thread: the kernel ties the signal to the thread that forked, and a worker thread may end
    while its node is still in use. Elsewhere, None (stop() and kill() remain the way out)."""
    if (
        not sys.platform.startswith("linux")
        or threading.current_thread() is not threading.main_thread()
    ):
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    parent = os.getpid()

    def step() -> None:  # runs in the child between fork and exec: nothing but system calls
        prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != parent:  # the parent died before the signal was asked for
            os._exit(1)

    return step


SECRET_LINE = re.compile(rb"0x[0-9a-fA-F]{64}\b|^\s*Mnemonic:", re.MULTILINE)


def _copy_redacted(stream: IO[bytes], path: Path) -> None:
    """Copies the node's output to `path`, without the private keys and mnemonic that Ganache
    prints at start-up (even with --logging.quiet)."""
    with open(path, "ab") as log:
        for line in stream:
            log.write(b"[secret withheld]\n" if SECRET_LINE.search(line) else line)
            log.flush()


def dev_private_keys(count: int = DEV_ACCOUNTS) -> list[str]:
    """The private keys of the funded development accounts (never use them off a dev chain)."""
    from eth_account import Account

    Account.enable_unaudited_hdwallet_features()
    return [
        Account.from_mnemonic(DEV_MNEMONIC, account_path=f"m/44'/60'/0'/0/{i}").key.hex()
        for i in range(count)
    ]


BROWNIE_NETWORKS = {
    "scf-ganache": ("ganache", 8555, {"evm_version": GANACHE_HARDFORK}),
    "scf-anvil": ("anvil", 8556, {"evm_version": ANVIL_HARDFORK}),
}


def register_brownie_networks() -> None:
    """Adds (or updates) the `scf-ganache` and `scf-anvil` development networks in Brownie.

    Brownie keeps networks in ~/.brownie/network-config.yaml. Brownie picks its backend from the
    start of the command, so the command is the bare name: the Makefile puts this clone's
    node_modules/.bin first on PATH, so the pinned node is the one that runs.
    """
    from brownie._cli.networks import _add, _modify  # type: ignore[attr-defined]
    from brownie._config import CONFIG

    for network_id, (kind, port, extra) in BROWNIE_NETWORKS.items():
        settings = {
            "cmd": kind,
            "host": "http://127.0.0.1",
            "port": str(port),
            "accounts": str(DEV_ACCOUNTS),
            "mnemonic": "brownie",
            "gas_limit": str(GAS_LIMIT),
            **extra,
        }
        args = [f"{key}={value}" for key, value in settings.items()]
        if network_id in CONFIG.networks:
            _modify(network_id, *args)
        else:
            _add("Development", network_id, *args)
