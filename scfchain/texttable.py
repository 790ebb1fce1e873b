"""Plain-text tables for a terminal: columns aligned by display width, so that names in
Chinese, Japanese or Korean (two columns per character) line up with Latin ones."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

WIDE = frozenset({"W", "F"})  # East Asian Wide and Fullwidth: two terminal columns
ELLIPSIS = "…"


def display_width(text: str) -> int:
    """The number of terminal columns `text` takes (combining marks and invisible format
    characters such as a zero-width space or a soft hyphen take none)."""
    return sum(_char_width(c) for c in text)


def clip(text: str, width: int) -> str:
    """`text` cut to at most `width` columns, ending in an ellipsis when it was cut."""
    if display_width(text) <= width:
        return text
    kept, used = [], display_width(ELLIPSIS)
    for char in text:
        used += _char_width(char)
        if used > width:
            break
        kept.append(char)
    return "".join(kept) + ELLIPSIS


def pad(text: str, width: int) -> str:
    """`text` followed by spaces up to `width` columns."""
    return text + " " * max(0, width - display_width(text))


def render(header: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    """The table as lines: the header, a rule of dashes, then one line per row; the last
    column is not padded (no trailing spaces)."""
    cells = [[_printable(c) for c in header]] + [[_printable(c) for c in row] for row in rows]
    widths = [max(display_width(row[i]) for row in cells) for i in range(len(header))]
    lines = [_line(row, widths) for row in cells]
    lines.insert(1, _line(["-" * w for w in widths], widths))
    return lines


def _line(cells: Sequence[str], widths: Sequence[int]) -> str:
    padded = [pad(c, w) for c, w in zip(cells[:-1], widths[:-1], strict=True)]
    return "  ".join([*padded, cells[-1]])


def _printable(cell: object) -> str:
    """The cell as one line: control characters (tabs, line breaks) become spaces."""
    return "".join(" " if unicodedata.category(c) == "Cc" else c for c in str(cell))


def _char_width(char: str) -> int:
    if unicodedata.combining(char) or unicodedata.category(char) == "Cf":
        return 0  # combining marks; format characters (zero-width space, soft hyphen)
    return 2 if unicodedata.east_asian_width(char) in WIDE else 1
