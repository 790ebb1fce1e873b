"""A fault-injecting JSON-RPC proxy for tests: put it between a client and a node, then make
chosen calls fail the way flaky networks and overloaded nodes do.

    with FaultyRpc(node.url) as proxy:
        proxy.inject(Fault("drop"), methods={"eth_call"}, fraction=0.2)
        client = ScfClient.connect(proxy.url, manifest, timeout=1)

Kinds of fault (each applies to one call):
- "drop":    the connection is closed before anything is forwarded (connection reset);
- "lost":    the call is forwarded, then the connection is closed (the node acted, the answer
             is lost: a sent transaction is in the pool although the client saw an error);
- "delay":   nothing is answered for `delay_s`, then the call is forwarded (past the client's
             timeout, the client has given up by then);
- "late":    forwarded at once, answered only after `delay_s`;
- "error":   a JSON-RPC error (`code`, `message`) instead of forwarding;
- "http":    an HTTP error status (`status`, e.g. 503) instead of forwarding;
- "swallow": eth_sendRawTransaction only: the node never sees the bytes, yet the client gets
             their hash, as when a node accepts a transaction and then drops it from its pool;
- "hook":    `hook(proxy, request)` runs instead; it returns the response (it may forward).
Which calls: `methods` (None: any), then the `calls`-th matching calls (1-based), or a seeded
random `fraction` of them, at most `limit` times.
"""

from __future__ import annotations

import json
import random
import threading
import time
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from eth_utils import keccak

Request = dict[str, Any] | list[dict[str, Any]]


@dataclass
class Fault:
    kind: str
    delay_s: float = 0.0
    code: int = -32603
    message: str = "internal error (injected fault)"
    status: int = 503
    hook: Callable[[FaultyRpc, dict[str, Any]], Any] | None = None


@dataclass
class Rule:
    fault: Fault
    methods: frozenset[str] | None
    calls: frozenset[int] | None
    fraction: float
    limit: int | None
    rng: random.Random
    seen: int = 0
    fired: int = 0

    def fires(self, method: str) -> bool:
        if self.methods is not None and method not in self.methods:
            return False
        self.seen += 1
        if self.limit is not None and self.fired >= self.limit:
            return False
        if self.calls is not None:
            hit = self.seen in self.calls
        else:
            hit = self.rng.random() < self.fraction
        self.fired += hit
        return hit


@dataclass
class FaultyRpc:
    """The proxy: `url` to give the client, `upstream` the node's URL."""

    upstream: str
    rules: list[Rule] = field(default_factory=list)
    methods_seen: Counter[str] = field(default_factory=Counter)
    faults_fired: Counter[str] = field(default_factory=Counter)
    _server: ThreadingHTTPServer | None = field(default=None, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    @property
    def url(self) -> str:
        assert self._server is not None, "start() the proxy first"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def inject(
        self,
        fault: Fault,
        *,
        methods: Iterable[str] | None = None,
        calls: Iterable[int] | None = None,
        fraction: float = 1.0,
        limit: int | None = None,
        seed: int = 0,
    ) -> Rule:
        """Adds a rule; the first rule that fires on a call decides its fault."""
        rule = Rule(
            fault,
            frozenset(methods) if methods is not None else None,
            frozenset(calls) if calls is not None else None,
            fraction,
            limit,
            random.Random(seed),
        )
        with self._lock:
            self.rules.append(rule)
        return rule

    def clear(self) -> None:
        with self._lock:
            self.rules.clear()

    def forward(self, request: Request, timeout: float = 120) -> Any:
        """Sends `request` to the node and returns its decoded answer."""
        http = urllib.request.Request(
            self.upstream,
            data=json.dumps(request).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(http, timeout=timeout) as response:
            return json.loads(response.read())

    def _fault_for(self, request: Request) -> Fault | None:
        method = request["method"] if isinstance(request, dict) else "batch"
        with self._lock:
            self.methods_seen[method] += 1
            for rule in self.rules:
                if rule.fires(method):
                    self.faults_fired[f"{rule.fault.kind}:{method}"] += 1
                    return rule.fault
        return None

    def start(self) -> FaultyRpc:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def do_POST(self) -> None:  # noqa: N802 - the http.server API
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                request = json.loads(body)
                fault = proxy._fault_for(request)
                answer = proxy._answer(request, fault)
                if answer is None:  # drop the connection without an answer
                    self.close_connection = True
                    return
                status, payload = answer
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting (a timeout it was meant to have)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def _answer(self, request: Request, fault: Fault | None) -> tuple[int, Any] | None:
        if fault is None:
            return 200, self.forward(request)
        kind = fault.kind
        if kind == "drop":
            return None
        if kind == "lost":
            self.forward(request)
            return None
        if kind == "delay":
            time.sleep(fault.delay_s)
            return 200, self.forward(request)
        if kind == "late":
            answer = self.forward(request)
            time.sleep(fault.delay_s)
            return 200, answer
        if kind == "error":
            return 200, _error(request, fault.code, fault.message)
        if kind == "http":
            return fault.status, {"error": f"HTTP {fault.status} (injected fault)"}
        if kind == "swallow":
            assert isinstance(request, dict) and request["method"] == "eth_sendRawTransaction"
            raw = bytes.fromhex(request["params"][0].removeprefix("0x"))
            return 200, {"jsonrpc": "2.0", "id": request["id"], "result": "0x" + keccak(raw).hex()}
        if kind == "hook":
            assert fault.hook is not None and isinstance(request, dict)
            return 200, fault.hook(self, request)
        raise ValueError(f"unknown fault kind {kind!r}")

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FaultyRpc:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _error(request: Request, code: int, message: str) -> Any:
    def one(r: dict[str, Any]) -> dict[str, Any]:
        return {"jsonrpc": "2.0", "id": r.get("id"), "error": {"code": code, "message": message}}

    return [one(r) for r in request] if isinstance(request, list) else one(request)
