"""elf.py reads what binutils reads, and knows what the dynamic loader refuses."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from slim_lambda.pipeline import elf
from tests.pipeline.helpers import (
    MACHINE,
    break_load_alignment,
    helper_lib,
    readelf_loads,
    readelf_sections,
    speedup_so,
)


def test_reads_a_real_extension_like_readelf(installed_tree: Path) -> None:
    so = speedup_so(installed_tree)
    info = elf.read_elf(str(so))
    assert info is not None
    assert info.bits == 64
    assert info.little_endian is (sys.byteorder == "little")
    assert info.e_type == "DYN"
    assert info.machine == MACHINE
    assert info.has_dynamic
    assert list(info.sections) == readelf_sections(so)
    assert [(s.offset, s.vaddr, s.filesz, s.memsz, s.align)
            for s in info.load_segments] == readelf_loads(so)
    assert info.has_debug_info and info.has_symbols
    assert elf.load_problems(info, so.stat().st_size) == []


def test_debug_info_and_symbols_are_told_apart(installed_tree: Path, tmp_path: Path) -> None:
    lib = helper_lib(installed_tree)
    debug_only = tmp_path / "debug-stripped.so"
    subprocess.run(["strip", "--strip-debug", "-o", str(debug_only), str(lib)], check=True)
    info = elf.read_elf(str(debug_only))
    assert info is not None
    assert not any(s.startswith(".debug_") for s in readelf_sections(debug_only))
    assert not info.has_debug_info
    assert ".symtab" in readelf_sections(debug_only) and info.has_symbols

    stripped = tmp_path / "all-stripped.so"
    subprocess.run(["strip", "--strip-all", "-o", str(stripped), str(lib)], check=True)
    info = elf.read_elf(str(stripped))
    assert info is not None
    assert ".symtab" not in readelf_sections(stripped)
    assert not info.has_symbols and not info.has_debug_info
    assert info.has_dynamic


def test_non_elf_and_damaged_files(installed_tree: Path, tmp_path: Path) -> None:
    text = tmp_path / "module.py"
    text.write_text("print('hi')\n")
    empty = tmp_path / "empty.so"
    empty.write_bytes(b"")
    truncated = tmp_path / "truncated.so"
    truncated.write_bytes(speedup_so(installed_tree).read_bytes()[:100])
    bad_class = tmp_path / "bad-class.so"
    bad_class.write_bytes(b"\x7fELF\x07\x01" + b"\0" * 200)

    assert not elf.is_elf(str(text)) and elf.read_elf(str(text)) is None
    assert not elf.is_elf(str(empty)) and elf.read_elf(str(empty)) is None
    assert not elf.is_elf(str(tmp_path / "missing.so"))
    assert elf.read_elf(str(tmp_path / "missing.so")) is None
    assert elf.is_elf(str(truncated)) and elf.read_elf(str(truncated)) is None
    assert elf.is_elf(str(bad_class)) and elf.read_elf(str(bad_class)) is None


def test_misaligned_load_segment_is_a_load_problem(installed_tree: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.so"
    shutil.copyfile(speedup_so(installed_tree), broken)
    break_load_alignment(broken)
    info = elf.read_elf(str(broken))
    assert info is not None
    problems = elf.load_problems(info, broken.stat().st_size)
    assert len(problems) == 1
    assert "not congruent modulo 0x1000" in problems[0]
    # readelf agrees that the offset moved and the address did not
    last = readelf_loads(broken)[-1]
    assert (last[1] - last[0]) % elf.PAGE_SIZE != 0


def test_segment_past_end_of_file_and_filesz_over_memsz() -> None:
    info = elf.ElfInfo(
        bits=64, little_endian=True, e_type="DYN", machine="x86_64", has_dynamic=True,
        sections=(),
        load_segments=(elf.LoadSegment(offset=0x1000, vaddr=0x1000, filesz=0x800, memsz=0x400,
                                       align=0x1000),))
    problems = elf.load_problems(info, file_size=0x1400)
    assert any("past the end of the file" in p for p in problems)
    assert any("file size larger than memory size" in p for p in problems)
    assert elf.load_problems(info, file_size=0x1800) == [
        "LOAD segment 0: file size larger than memory size"]
