"""Plain-text layout for terminals and CI logs: byte units, aligned columns, wrapping.

Every line the text report prints goes through :func:`table`, :func:`wrap` or
:func:`clip`, so none is longer than :data:`WIDTH`. Pure functions.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

__all__ = ["WIDTH", "clip", "mb", "share", "short", "signed", "table", "wrap"]

WIDTH = 100
"""No rendered line is longer than this."""


def mb(n: int | float) -> str:
    """Bytes in binary units (Lambda's 250 MiB limit reads as 250.0 MiB)."""
    if abs(n) < 1 << 20:
        return f"{n / 1024:,.1f} KiB"
    return f"{n / (1 << 20):,.1f} MiB"


def signed(n: int) -> str:
    """``mb`` with its sign: ``+1.0 MiB``, ``-2.0 KiB``."""
    return ("+" if n >= 0 else "-") + mb(abs(n))


def share(part: int, whole: int) -> str:
    """``part`` as a whole percentage of ``whole`` (at least 1 byte)."""
    return f"{100 * part / max(whole, 1):.0f}%"


def table(rows: Sequence[Sequence[str]], indent: str = "    ",
          left: frozenset[int] = frozenset({0})) -> list[str]:
    """Rows of cells, columns ``left`` left-aligned and the others right-aligned; a row may
    have fewer cells than the widest."""
    n = max(len(r) for r in rows)
    widths = [max((len(r[i]) for r in rows if i < len(r)), default=0) for i in range(n)]
    out = []
    for row in rows:
        cells = [c.ljust(widths[i]) if i in left else c.rjust(widths[i])
                 for i, c in enumerate(row)]
        out.append(clip(indent + "  ".join(cells).rstrip()))
    return out


def clip(line: str) -> str:
    """``line`` cut to :data:`WIDTH`, ending in ``...`` when cut."""
    return line if len(line) <= WIDTH else line[:WIDTH - 3] + "..."


def short(text: str, width: int) -> str:
    """``text`` in at most ``width`` characters, the middle elided (ARNs end with the name)."""
    if len(text) <= width:
        return text
    tail = (width - 3) // 2
    return text[:width - 3 - tail] + "..." + text[len(text) - tail:]


def wrap(prefix: str, text: str, indent: str = "") -> list[str]:
    """``text`` wrapped to :data:`WIDTH` after ``prefix``, continued under ``indent`` (by
    default, as far in as the prefix)."""
    return textwrap.wrap(text, WIDTH, initial_indent=prefix,
                         subsequent_indent=indent or " " * len(prefix),
                         break_on_hyphens=False) or [prefix]
