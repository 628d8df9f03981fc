"""Small helpers shared by the build tests: binutils' view of ELF files, and running Python."""

from __future__ import annotations

import os
import platform
import re
import struct
import subprocess
import sys
from pathlib import Path

MACHINE = {"x86_64": "x86_64", "aarch64": "aarch64", "arm64": "aarch64"}[platform.machine()]
PT_LOAD = 1


def speedup_so(tree: Path) -> Path:
    """The fixture C extension inside an installed tree."""
    (found,) = (tree / "slimfix_cext").glob("_speedup*.so")
    return found


def helper_lib(tree: Path) -> Path:
    return tree / "slimfix_cext.libs" / "libslimfixhelper.so"


def readelf_sections(path: Path) -> list[str]:
    """Section names as ``readelf -SW`` lists them, without the NULL section."""
    out = subprocess.run(["readelf", "-SW", str(path)], capture_output=True, text=True,
                         check=True).stdout
    names = re.findall(r"^\s*\[\s*(\d+)\]\s+(\S+)", out, re.MULTILINE)
    return [name for index, name in names if index != "0"]


def readelf_loads(path: Path) -> list[tuple[int, int, int, int, int]]:
    """``(offset, vaddr, filesz, memsz, align)`` of every LOAD row of ``readelf -lW``."""
    out = subprocess.run(["readelf", "-lW", str(path)], capture_output=True, text=True,
                         check=True).stdout
    rows = []
    for line in out.splitlines():
        fields = line.split()
        if fields[:1] == ["LOAD"]:
            offset, vaddr, _paddr, filesz, memsz = (int(f, 16) for f in fields[1:6])
            rows.append((offset, vaddr, filesz, memsz, int(fields[-1], 16)))
    return rows


def break_load_alignment(path: Path) -> None:
    """Shift the last PT_LOAD's file offset by 8 bytes, in place.

    The result is what a careless strip makes of an auditwheel-repaired library:
    the loader refuses it because ``p_vaddr - p_offset`` is no longer page-aligned.
    """
    data = bytearray(path.read_bytes())
    assert data[:4] == b"\x7fELF" and data[4] == 2 and data[5] == 1, "64-bit little-endian only"
    (phoff,) = struct.unpack_from("<Q", data, 32)
    phentsize, phnum = struct.unpack_from("<HH", data, 54)
    loads = [phoff + i * phentsize for i in range(phnum)
             if struct.unpack_from("<I", data, phoff + i * phentsize)[0] == PT_LOAD]
    at = loads[-1] + 8  # p_type, p_flags, then p_offset
    (offset,) = struct.unpack_from("<Q", data, at)
    struct.pack_into("<Q", data, at, offset + 8)
    path.write_bytes(bytes(data))


def run_python(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None
               ) -> subprocess.CompletedProcess[str]:
    """Run the host interpreter in isolated mode, without writing bytecode."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    base["PYTHONDONTWRITEBYTECODE"] = "1"
    base.update(env or {})
    return subprocess.run([sys.executable, "-I", "-B", *args], capture_output=True, text=True,
                          cwd=cwd or "/", env=base)


def snapshot(root: Path) -> dict[str, bytes]:
    """Every regular file under ``root`` with its content (symlinks as their target text)."""
    out: dict[str, bytes] = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_symlink():
            out[rel] = os.readlink(path).encode()
        elif path.is_file():
            out[rel] = path.read_bytes()
    return out
