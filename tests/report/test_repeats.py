"""No block of the report package is repeated anywhere in the library."""

from __future__ import annotations

from pathlib import Path

import slim_lambda

from .repeats import normalized_lines, repeats

SRC = Path(slim_lambda.__file__).parent


def test_no_block_of_the_report_package_is_repeated() -> None:
    files = sorted(SRC.rglob("*.py"))
    assert repeats(files, sorted((SRC / "report").glob("*.py"))) == []


def test_a_renamed_copy_is_found(tmp_path: Path) -> None:
    block = ("def total(rows):\n    n = 0\n    for r in rows:\n        if r:\n"
             "            n += r\n    return n\n")
    renamed = ("def summed(items):\n    acc = 0\n    for item in items:\n        if item:\n"
               "            acc += item\n    return acc\n")
    (tmp_path / "a.py").write_text("import os\n\n" + block)
    (tmp_path / "b.py").write_text("# a copy\nfrom os import path\n" + renamed + "\nX = 1\n")
    (tmp_path / "c.py").write_text(block.replace("n += r", "n -= r"))
    found = repeats(sorted(tmp_path.glob("*.py")), [tmp_path / "a.py"])
    assert found == [f"{tmp_path / 'a.py'}:3 = {tmp_path / 'b.py'}:3"]


def test_imports_comments_and_blank_lines_do_not_count() -> None:
    source = "from a import (\n    b,\n    c,\n)\n\n# note\nx = f(1)  # why\n"
    assert normalized_lines(source) == [(7, "_ = _ ( 1 )")]
