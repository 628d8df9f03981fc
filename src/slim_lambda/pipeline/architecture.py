"""Every ELF file of a tree must be built for the function's architecture."""

from __future__ import annotations

import os

from ..platform import ARCHITECTURES
from .elf import read_machine
from .errors import BuildError
from .tree import iter_files

__all__ = ["check_architecture"]


def check_architecture(root: str, architecture: str, *, what: str,
                       rels: list[str] | None = None) -> list[dict[str, str]]:
    """Every ELF file's machine; an ELF for another machine fails the build."""
    expected = ARCHITECTURES[architecture].elf_machine
    found = []
    wrong = []
    for rel in rels if rels is not None else [r for r, _st in iter_files(root)]:
        path = os.path.join(root, rel)
        if os.path.islink(path) or not os.path.isfile(path):
            continue
        machine = read_machine(path)
        if machine is None:
            continue
        found.append({"path": rel, "machine": machine})
        if machine != expected:
            wrong.append(f"{rel} ({machine})")
    if wrong:
        raise BuildError(
            "architecture", f"{len(wrong)} {what} file(s) are ELF binaries for another "
            f"architecture than {architecture} ({expected}): " + ", ".join(wrong[:10]),
            details="Build for the architecture these files were made for, or replace them "
            f"with {expected} builds (a wheel for the right platform, or exclude the file).")
    return found
