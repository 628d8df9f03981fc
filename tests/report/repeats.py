"""Blocks of code that repeat, whatever their names: the copy-paste finder.

Each source line is reduced to its tokens with every identifier replaced by ``_`` (so a
copy with renamed variables still matches); strings and numbers stay, blank lines,
comments and imports go. Any run of :data:`LINES` such lines that occurs twice is a
repeat.
"""

from __future__ import annotations

import io
import keyword
import tokenize
from collections import defaultdict
from pathlib import Path

LINES = 6
SKIP = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT,
        tokenize.ENDMARKER}


def normalized_lines(source: str) -> list[tuple[int, str]]:
    """``(line number, its tokens with identifiers as _)`` for each line with code."""
    rows: dict[int, list[str]] = defaultdict(list)
    in_import = False
    first_of_statement = True
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type in (tokenize.NEWLINE, tokenize.ENDMARKER):
            in_import, first_of_statement = False, True
            continue
        if tok.type in SKIP:
            continue
        if first_of_statement:
            in_import = tok.string in ("import", "from")
            first_of_statement = False
        if in_import:
            continue
        text = "_" if tok.type == tokenize.NAME and not keyword.iskeyword(tok.string) \
            else tok.string
        rows[tok.start[0]].append(text)
    return [(row, " ".join(parts)) for row, parts in sorted(rows.items())]


def repeats(files: list[Path], focus: list[Path]) -> list[str]:
    """``path:line = path:line`` for each block of ``focus`` found again in ``files``."""
    seen: dict[tuple[str, ...], list[str]] = defaultdict(list)
    for path in files:
        lines = normalized_lines(path.read_text(encoding="utf-8"))
        for i in range(len(lines) - LINES + 1):
            window = tuple(text for _row, text in lines[i:i + LINES])
            seen[window].append(f"{path}:{lines[i][0]}")
    found = []
    focused = tuple(str(p) for p in focus)
    for places in seen.values():
        if len(places) > 1 and any(p.startswith(focused) for p in places):
            found.append(" = ".join(places))
    return sorted(found)
