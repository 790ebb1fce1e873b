"""Reading a small text file whose failure must name the file and what it was meant to be."""

from __future__ import annotations

from pathlib import Path


def read_named_text(path: Path, what: str, error: type[Exception], encoding: str = "utf-8") -> str:
    """The text of `path`; else `error("<path>: no such <what>")` or `error("<path>: not a
    readable <what> (<cause>)")`, never a bare OSError or UnicodeDecodeError."""
    try:
        return path.read_text(encoding=encoding)
    except FileNotFoundError:
        raise error(f"{path}: no such {what}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise error(f"{path}: not a readable {what} ({type(exc).__name__})") from None
