"""`scf verify`: is this document anchored on chain, to which receivable, by whom and when?

A document is hashed the way the project hashes documents: sha256 of the file's raw bytes
(an e-invoice's `document_hash`, scfchain.einvoice) and, for CSV exports, sha256 of each
record's text encoded UTF-8 (a CSV receivable's `document_hash`, scfchain.csvinput). DocumentAnchor
accepts sha256 or keccak256 hashes, so keccak256 of the bytes is looked up too. A hash is found
either in DocumentAnchor (verify(hash): receivable, anchoredBy, anchoredAt, kind) or as the
document hash in a receivable's registered terms (ReceivableRegistered). Chain only.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eth_utils import keccak

from scfchain.audit import fetch_events
from scfchain.audit_describe import utc_text
from scfchain.chain import Chain
from scfchain.csvinput import decode_csv, record_texts
from scfchain.records import fingerprint_hex


@dataclass(frozen=True)
class Digest:
    """One hash of a document (or of one row of a CSV file)."""

    algorithm: str  # "sha256" or "keccak256"
    value: bytes
    part: str = ""  # "" for the whole file, "row N" for a CSV row

    @property
    def hex(self) -> str:
        return "0x" + self.value.hex()


@dataclass(frozen=True)
class Match:
    """Where a hash of the document was found on chain."""

    how: str  # "anchored document" or "registered invoice document"
    digest: Digest
    receivable_id: int
    by: str
    at: int  # unix seconds
    block: int | None
    transaction: str | None
    kind: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "how": self.how,
            "hash": self.digest.hex,
            "algorithm": self.digest.algorithm,
            "part": self.digest.part or "whole file",
            "receivable_id": fingerprint_hex(self.receivable_id),
            "by": self.by,
            "at": self.at,
            "at_utc": utc_text(self.at),
            "block": self.block,
            "transaction": self.transaction,
            "kind": self.kind,
        }


@dataclass
class Verdict:
    """What the chain says about one file."""

    file: str
    sha256: str
    matches: list[Match] = field(default_factory=list)

    @property
    def anchored(self) -> bool:
        return bool(self.matches)

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "sha256": self.sha256,
            "anchored": self.anchored,
            "matches": [m.to_json() for m in self.matches],
        }

    def text(self) -> str:
        if not self.matches:
            return f"{self.file}: NOT anchored (sha256 {self.sha256})"
        lines = [f"{self.file}: anchored (sha256 {self.sha256})"]
        for m in self.matches:
            part = f"{m.digest.part}, " if m.digest.part else ""
            kind = f" as {m.kind!r}" if m.kind else ""
            lines.append(
                f"  {part}{m.how}{kind} of receivable {fingerprint_hex(m.receivable_id)}, by {m.by}, "
                f"at {utc_text(m.at)} (block {m.block}, tx {m.transaction})"
            )
        return "\n".join(lines)


def document_digests(path: Path) -> list[Digest]:
    """sha256 and keccak256 of the file's bytes; for a .csv file also sha256 of each record
    (a record with a quoted line break spans several rows)."""
    data = path.read_bytes()
    digests = [Digest("sha256", hashlib.sha256(data).digest()), Digest("keccak256", keccak(data))]
    if path.suffix.lower() == ".csv":
        decoded = decode_csv(data)  # the lines as scfchain.csvinput reads them
        if isinstance(decoded, str):  # not decodable: only the whole file's hashes
            return digests
        for number, text in record_texts(decoded):
            digest = hashlib.sha256(text.encode("utf-8")).digest()
            digests.append(Digest("sha256", digest, f"row {number}"))
    return digests


class DocumentIndex:
    """Every document hash the chain knows: DocumentAnchor anchors and registered terms."""

    def __init__(self, chain: Chain, suite: Any, from_block: int = 0) -> None:
        self.chain = chain
        self.anchor = suite.anchor
        to_block = int(chain.w3.eth.block_number)
        self.anchored = {
            bytes(e["args"]["documentHash"]): e
            for e in fetch_events(chain, suite.anchor, ["DocumentAnchored"], from_block, to_block)
        }
        self.registered: dict[bytes, list[Any]] = {}
        for e in fetch_events(
            chain, suite.registry, ["ReceivableRegistered"], from_block, to_block
        ):
            self.registered.setdefault(bytes(e["args"]["documentHash"]), []).append(e)

    def _time(self, block: int) -> int:
        return int(self.chain.w3.eth.get_block(block)["timestamp"])

    def lookup(self, digest: Digest) -> list[Match]:
        matches = []
        receivable_id, by, at, kind = self.anchor.functions.verify(digest.value).call()
        if int(by, 16) != 0:
            event = self.anchored.get(digest.value)
            matches.append(
                Match(
                    "anchored document",
                    digest,
                    int(receivable_id),
                    by,
                    int(at),
                    int(event["blockNumber"]) if event else None,
                    "0x" + bytes(event["transactionHash"]).hex() if event else None,
                    bytes(kind).rstrip(b"\0").decode("utf-8", "replace"),
                )  # fmt: skip
            )
        for event in self.registered.get(digest.value, []):
            block = int(event["blockNumber"])
            matches.append(
                Match(
                    "registered invoice document",
                    digest,
                    int(event["args"]["id"]),
                    event["args"]["supplier"],
                    self._time(block),
                    block,
                    "0x" + bytes(event["transactionHash"]).hex(),
                )  # fmt: skip
            )
        return matches

    def verify(self, path: Path) -> Verdict:
        digests = document_digests(path)
        verdict = Verdict(str(path), digests[0].hex)
        for digest in digests:
            verdict.matches += self.lookup(digest)
        return verdict
