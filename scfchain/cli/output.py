"""Standard output that a closed pipe cannot break: `scf issue ... | head` keeps issuing and
still exits with its own code, instead of dying (or reporting success) when `head` stops
reading."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any, TextIO


class PipeSafeStream:
    """Wraps a text stream; once its reader has gone, further output is dropped."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self.broken = False

    def write(self, text: str) -> int:
        if not self.broken:
            try:
                return self._stream.write(text)
            except BrokenPipeError:
                self._drop_output()
        return len(text)

    def flush(self) -> None:
        if not self.broken:
            try:
                self._stream.flush()
            except BrokenPipeError:
                self._drop_output()

    def _drop_output(self) -> None:
        """From now on nothing is written; the stream's file descriptor is pointed at the
        null device so that the interpreter's final flush cannot fail either."""
        self.broken = True
        try:
            fd = self._stream.fileno()
        except (OSError, ValueError, AttributeError):  # not a real file (a test's capture)
            return
        null = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(null, fd)
        finally:
            os.close(null)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def pipe_safe_stdout() -> Callable[[], None]:
    """Puts a PipeSafeStream in front of sys.stdout; returns what puts the old one back."""
    original = sys.stdout
    sys.stdout = PipeSafeStream(original)  # type: ignore[assignment]

    def restore() -> None:
        sys.stdout = original

    return restore
