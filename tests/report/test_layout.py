from __future__ import annotations

from slim_lambda.report.layout import WIDTH, clip, mb, share, short, signed, table, wrap


def test_units() -> None:
    assert mb(262_144_000) == "250.0 MiB"
    assert mb(2048) == "2.0 KiB"
    assert signed(-2048) == "-2.0 KiB" and signed(0) == "+0.0 KiB"
    assert share(1, 3) == "33%" and share(5, 0) == "500%"


def test_table_aligns_columns_and_clips() -> None:
    rows = table([("name", "bytes"), ("a", "1"), ("longer", "100")], indent="")
    assert rows == ["name    bytes", "a           1", "longer    100"]
    (wide,) = table([("x" * (WIDTH + 20), "1")])
    assert len(wide) == WIDTH and wide.endswith("...")
    assert clip("y" * WIDTH) == "y" * WIDTH


def test_short_keeps_both_ends() -> None:
    arn = "arn:aws:lambda:us-east-1:123456789012:layer:my-layer:7"
    assert short(arn, 20) == "arn:aws:l...-layer:7" and len(short(arn, 20)) == 20
    assert short("abc", 20) == "abc"


def test_wrap_indents_continuation_lines() -> None:
    lines = wrap("  warning: ", "word " * 40)
    assert len(lines) > 1 and all(len(line) <= WIDTH for line in lines)
    assert lines[1].startswith(" " * len("  warning: ")) and lines[1].strip()
    assert wrap("  1. ", "x " * 60, indent="     ")[1].startswith("     x")
    assert wrap("  note: ", "") == ["  note: "]
