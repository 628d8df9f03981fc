"""The dependency tree's meta as a type: what stage 1 knows about the tree it built.

The deps stage (:func:`slim_lambda.pipeline.deps.run_deps`) returns it; the host adds
``label`` and the zip shares and keeps it beside the cached tree
(``tree.slim-lambda-deps.json``). The asset stage and every later build of the same
tree read it instead of the tree: per-file sizes, the bytecode files, the import probes.
A cache may hold metas of earlier versions: read them with
:func:`slim_lambda.report.load.load_deps_meta`, which fills every key.
"""

from __future__ import annotations

from typing import TypedDict

from .parts import (
    ElfFile,
    LayerOverride,
    NameVersion,
    ProvidedDist,
    SkippedRelease,
    Step,
    StripInfo,
    Tool,
    VerifyInfo,
)

__all__ = ["BytecodeBuilt", "DepsMeta", "Probe", "RemovedBytes"]


class RemovedBytes(TypedDict):
    files: int
    """Files a rule removed (or stripped)."""
    bytes: int
    """Bytes it removed."""


class BytecodeBuilt(TypedDict):
    compiled: bool
    """Every module of the tree was compiled (the asset stage picks the pycs that fit)."""
    modules: int
    """Modules compiled."""
    failed: int
    """Modules that did not compile (left as source)."""


class Probe(TypedDict):
    """One import of the handler's modules in a fresh interpreter."""

    modules: list[str]
    """The modules imported, sorted."""
    ok: bool
    """All of them imported."""
    failed: list[str]
    """Those that did not."""
    seconds: float
    """The second, warm-disk run."""
    files: list[str]
    """The tree's files that were loaded: the bytecode worth keeping first."""


class DepsMeta(TypedDict):
    schema: int
    """2 since the two-stage build (metas are not older)."""
    tool: Tool
    """What built the tree."""
    runtime: str
    """``python3.11``..."""
    architecture: str
    """``x86_64`` or ``arm64``."""
    python: str | None
    """The Python version that compiled the bytecode; None when none was compiled."""
    installer: str
    """``pip`` or ``uv``."""
    image: str
    """The build image, or ``local:<platform>``."""
    installed_bytes: int
    """The tree as installed, before slimming."""
    removed_by_rule: dict[str, RemovedBytes]
    """Rule name (or ``strip``) → what it removed."""
    deduplicated: list[NameVersion]
    """Distributions removed because a layer provides them at the same version."""
    layer_overrides: list[LayerOverride]
    """Distributions bundled at another version than a layer provides: the function's wins."""
    provided: list[ProvidedDist]
    """Distributions left out because the runtime or a foreign layer provides them."""
    skipped_newest: list[SkippedRelease]
    """Packages installed at an older release because the newest has no wheel for the
    target (Docker mode's pip; [] for lock files, local mode and older metas)."""
    strip: StripInfo | None
    """What stripping did; None when it did not run."""
    elf: list[ElfFile]
    """Every binary in the tree and its machine."""
    bytecode: BytecodeBuilt
    """The tree's bytecode, compiled for every module."""
    pycs: dict[str, str]
    """Source file → its bytecode file, both relative to the tree."""
    verify: VerifyInfo
    """The import check after slimming."""
    probes: dict[str, Probe]
    """Probe key (the sorted module names, comma-separated) → its result."""
    files: dict[str, list[int]]
    """Every file of the tree → ``[unzipped bytes, bytes in the zip]``."""
    zip_engine: str | None
    """The zlib that measured the zip shares; None when they were not measured."""
    steps: list[Step]
    """The deps stage's steps, then the host's zip-size step."""
    warnings: list[str]
    """Problems worth a look, carried into every report built on the tree."""
    notices: list[str]
    """Steps skipped on this host, and why."""
    label: str
    """The construct path of the build that made the tree (added by the host)."""
