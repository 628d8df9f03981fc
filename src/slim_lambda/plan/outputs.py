"""Keeping the build's own output out of its sources.

``cdk synth -o DIR`` or ``slim-lambda build --out DIR`` may put the output inside the
entry; it would then be bundled into itself and change the asset hash on every synth.
The caller names its output directories; those inside the entry become anchored
``bundling.exclude`` patterns, so the fingerprint, the source listing and the copy in the
build image all leave them out alike.
"""

from __future__ import annotations

import os
import re

__all__ = ["output_excludes"]

_SPECIAL = re.compile(r"([\\*?\[\]])")


def _literal(rel: str) -> str:
    """``rel`` as a gitignore pattern matching only itself, anchored at the entry."""
    escaped = _SPECIAL.sub(r"\\\1", rel.replace(os.sep, "/"))
    escaped = re.sub(r" $", "\\ ", escaped)
    return f"/{escaped}/"


def output_excludes(entry: str, output_dirs: tuple[str, ...]) -> tuple[str, ...]:
    """Anchored patterns excluding each of ``output_dirs`` that lies inside ``entry``."""
    root = os.path.realpath(entry)
    patterns = []
    for directory in output_dirs:
        real = os.path.realpath(directory)
        if real.startswith(root + os.sep):
            patterns.append(_literal(os.path.relpath(real, root)))
    return tuple(patterns)
