"""Just enough of the ELF format to strip shared objects safely.

Reads the header, the program headers (to check that every loadable segment is
aligned the way the dynamic loader demands) and the section names (to tell
whether a file still carries symbols or debug information). Standard library
only: this runs inside the build image.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

__all__ = [
    "PAGE_SIZE",
    "ElfInfo",
    "LoadSegment",
    "is_elf",
    "load_problems",
    "read_elf",
]

ELF_MAGIC = b"\x7fELF"
PT_LOAD = 1
PT_DYNAMIC = 2
# The smallest page size Lambda runs with. Segments must satisfy
# (p_vaddr - p_offset) % max(p_align, PAGE_SIZE) == 0 or glibc refuses to map
# them ("ELF load command address/offset not page-aligned").
PAGE_SIZE = 4096

E_TYPES = {0: "NONE", 1: "REL", 2: "EXEC", 3: "DYN", 4: "CORE"}
MACHINES = {
    3: "x86",
    8: "mips",
    20: "ppc",
    21: "ppc64",
    22: "s390",
    40: "arm",
    62: "x86_64",
    183: "aarch64",
    243: "riscv",
}


@dataclass(frozen=True)
class LoadSegment:
    """One PT_LOAD program header."""

    offset: int
    vaddr: int
    filesz: int
    memsz: int
    align: int


@dataclass(frozen=True)
class ElfInfo:
    """What the pipeline needs to know about one ELF file."""

    bits: int
    little_endian: bool
    e_type: str
    machine: str
    load_segments: tuple[LoadSegment, ...]
    has_dynamic: bool
    sections: tuple[str, ...]

    @property
    def has_symbols(self) -> bool:
        """True while a symbol table or any debug section is still present."""
        return any(s == ".symtab" or s.startswith((".debug_", ".zdebug_")) for s in self.sections)

    @property
    def has_debug_info(self) -> bool:
        return any(s.startswith((".debug_", ".zdebug_")) for s in self.sections)


def is_elf(path: str) -> bool:
    """True when the file starts with the ELF magic number."""
    try:
        with open(path, "rb") as f:
            return f.read(4) == ELF_MAGIC
    except OSError:
        return False


def read_machine(path: str) -> str | None:
    """The machine an ELF file is built for (``x86_64``, ``aarch64``, ...), from its header
    alone; None when the file is not ELF."""
    try:
        with open(path, "rb") as f:
            head = f.read(20)
    except OSError:
        return None
    if len(head) < 20 or head[:4] != ELF_MAGIC:
        return None
    (e_machine,) = struct.unpack("<H" if head[5] == 1 else ">H", head[18:20])
    return MACHINES.get(e_machine, f"machine-{e_machine}")


def read_elf(path: str) -> ElfInfo | None:
    """Parse ``path``; None when it is not a well-formed ELF file."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        return None
    try:
        return _parse(data)
    except (struct.error, IndexError, ValueError):
        return None


def _parse(data: bytes) -> ElfInfo | None:
    if data[:4] != ELF_MAGIC:
        return None
    ei_class, ei_data = data[4], data[5]
    if ei_class not in (1, 2) or ei_data not in (1, 2):
        return None
    bits = 32 if ei_class == 1 else 64
    end = "<" if ei_data == 1 else ">"
    if bits == 64:
        (e_type, e_machine, _v, _entry, e_phoff, e_shoff, _flags, _ehsize, e_phentsize, e_phnum,
         e_shentsize, e_shnum, e_shstrndx) = struct.unpack_from(end + "HHIQQQIHHHHHH", data, 16)
    else:
        (e_type, e_machine, _v, _entry, e_phoff, e_shoff, _flags, _ehsize, e_phentsize, e_phnum,
         e_shentsize, e_shnum, e_shstrndx) = struct.unpack_from(end + "HHIIIIIHHHHHH", data, 16)

    loads: list[LoadSegment] = []
    has_dynamic = False
    for i in range(e_phnum):
        at = e_phoff + i * e_phentsize
        if bits == 64:
            p_type, _pf, p_offset, p_vaddr, _paddr, p_filesz, p_memsz, p_align = struct.unpack_from(
                end + "IIQQQQQQ", data, at)
        else:
            p_type, p_offset, p_vaddr, _paddr, p_filesz, p_memsz, _pf, p_align = struct.unpack_from(
                end + "IIIIIIII", data, at)
        if p_type == PT_LOAD:
            loads.append(LoadSegment(p_offset, p_vaddr, p_filesz, p_memsz, p_align))
        elif p_type == PT_DYNAMIC:
            has_dynamic = True

    sections: list[str] = []
    if e_shoff and e_shnum and e_shstrndx < e_shnum:
        headers = []
        for i in range(e_shnum):
            at = e_shoff + i * e_shentsize
            if bits == 64:
                sh_name, _t, _f, _a, sh_offset, sh_size = struct.unpack_from(
                    end + "IIQQQQ", data, at)
            else:
                sh_name, _t, _f, _a, sh_offset, sh_size = struct.unpack_from(
                    end + "IIIIII", data, at)
            headers.append((sh_name, sh_offset, sh_size))
        _n, str_off, str_size = headers[e_shstrndx]
        strtab = data[str_off:str_off + str_size]
        for sh_name, _o, _s in headers[1:]:
            stop = strtab.find(b"\0", sh_name)
            sections.append(strtab[sh_name:stop if stop >= 0 else None].decode("ascii", "replace"))

    return ElfInfo(
        bits=bits,
        little_endian=end == "<",
        e_type=E_TYPES.get(e_type, str(e_type)),
        machine=MACHINES.get(e_machine, f"machine-{e_machine}"),
        load_segments=tuple(loads),
        has_dynamic=has_dynamic,
        sections=tuple(sections),
    )


def load_problems(info: ElfInfo, file_size: int) -> list[str]:
    """Why the dynamic loader would refuse to map this file; empty when it would not."""
    problems = []
    for n, seg in enumerate(info.load_segments):
        align = max(seg.align, PAGE_SIZE) if seg.align > 1 else PAGE_SIZE
        if (seg.vaddr - seg.offset) % align:
            problems.append(
                f"LOAD segment {n}: address {seg.vaddr:#x} and offset {seg.offset:#x} "
                f"are not congruent modulo {align:#x}")
        if seg.offset + seg.filesz > file_size:
            problems.append(
                f"LOAD segment {n}: ends at {seg.offset + seg.filesz:#x}, past the end of the file")
        if seg.filesz > seg.memsz:
            problems.append(f"LOAD segment {n}: file size larger than memory size")
    return problems
