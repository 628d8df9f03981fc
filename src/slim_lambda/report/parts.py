"""The parts a build report (:mod:`.model`) and a dependency meta (:mod:`.meta`) are made of.

Declarations only, one docstring per key; :mod:`.load` reads them, fills defaults
(:data:`.model.DEFAULTS`, else the zero of the type) and checks the types.
"""

from __future__ import annotations

from typing import TypedDict

__all__ = ["BytecodeChoice", "CacheInfo", "ElfFile", "ImageLayer", "LayerEntry", "LimitsInfo",
           "ManifestInfo",
           "NameVersion", "PackageSize", "RuleBytes", "RuleInfo", "SkippedRelease", "Step",
           "StripInfo", "StripSkip", "Tool", "TreeNode", "VerifyInfo"]


class Tool(TypedDict):
    name: str
    """``slim-lambda``."""
    version: str
    """The version that wrote it."""


class NameVersion(TypedDict):
    name: str
    """A distribution's name as its metadata spells it."""
    version: str
    """Its version; "" when unknown."""


class ProvidedDist(TypedDict):
    """A distribution left out because the runtime or a foreign layer provides it."""

    name: str
    """The distribution's name as its metadata spells it."""
    version: str
    """The version pip or uv resolved (and verify imported where no runtime copy was)."""
    runtime_version: str | None
    """What the build image's ``/var/runtime`` holds; None when unknown or absent."""
    bytes: int
    """Unzipped bytes not bundled."""
    files: int
    """Its files, dist-info included."""
    top_level: list[str]
    """Its import names: not counted as the handler's import failures."""


class LayerOverride(TypedDict):
    """A distribution the function bundles at another version than a layer provides. On
    Lambda the function's copy wins: ``/var/task`` comes before ``/opt/python``."""

    name: str
    """The distribution's name as its metadata spells it."""
    bundled: str
    """The version the function bundles (and imports)."""
    layer: str
    """The version the layer provides (shadowed)."""


class SkippedRelease(TypedDict):
    """A package whose newest release has no wheel for the target, so pip installed an older
    one rather than build it from source (``--prefer-binary``)."""

    name: str
    """The distribution's name, normalized (``scikit-learn``)."""
    version: str
    """The version installed: the newest with a wheel that fits the requirements."""
    skipped: str
    """The newest release pip saw, not installed."""
    reason: str
    """Why, e.g. ``1.9.1 has no wheel for Amazon Linux 2 / glibc 2.26 (x86_64)``."""


class PackageSize(TypedDict):
    name: str
    """The distribution's name."""
    version: str
    """Its version."""
    bytes: int
    """Its files in the bundle: RECORD entries, their bytecode, its dist-info."""
    files: int
    """How many files that is."""


class RuleBytes(TypedDict):
    rule: str
    """A slim rule's name (``tests``, ``docs``...) or ``strip``."""
    files: int
    """Files it removed (or stripped)."""
    bytes: int
    """Bytes it removed from the installed tree."""


class RuleInfo(TypedDict):
    name: str
    """A default slim rule's name."""
    patterns: list[str]
    """Its gitignore-style patterns."""


class StripSkip(TypedDict):
    path: str
    """A shared object that was not stripped."""
    reason: str
    """Why (``excluded by slim.strip_exclude``, no symbols...)."""


class StripInfo(TypedDict):
    stripped: int
    """Shared objects whose symbols were stripped."""
    saved_bytes: int
    """Bytes that saved."""
    already_stripped: int
    """Shared objects that had no symbols to strip."""
    skipped: list[StripSkip]
    """Shared objects left as they were, and why."""
    machines: dict[str, int]
    """ELF machine → number of shared objects seen."""


class ElfFile(TypedDict):
    path: str
    """A binary in the bundle, relative to its root."""
    machine: str
    """``x86_64`` or ``aarch64``: checked against the function's architecture."""


class BytecodeChoice(TypedDict):
    mode: str
    """The ``slim.bytecode`` option: ``auto``, ``all``, ``imported`` or ``none``."""
    choice: str
    """What was kept: ``all``, ``imported``, ``none``, ``unavailable`` or ``skipped``;
    reports before schema 2 had only ``mode``, which is taken for it."""
    modules: int
    """Modules whose bytecode is in the bundle."""
    bytes: int
    """Bytes of that bytecode."""
    budget_bytes: int
    """Room there was under the unzipped limit for bytecode."""
    dropped_for_budget: int
    """Imported modules left uncompiled because their bytecode did not fit."""
    all_bytes: int
    """Bytes the bytecode of every module takes (``bytes`` when ``choice`` is ``all``):
    what the bundle would weigh as a container image, where everything fits."""


class RepairedFile(TypedDict):
    path: str
    """A file a slim rule removed and verify put back."""
    rule: str
    """The rule that had removed it."""
    needed_by: str
    """The module whose import needed it."""


class FailedBefore(TypedDict):
    module: str
    """A module that does not import even with nothing removed (a warning, not a failure)."""
    error: str
    """Its import error."""


class VerifyInfo(TypedDict):
    enabled: bool
    """Every module was imported after slimming (only where the target's code can run)."""
    modules: list[str]
    """The top-level modules imported, each in a fresh interpreter."""
    skipped: list[str]
    """Modules ``slim.verify_skip`` left out."""
    repaired: list[RepairedFile]
    """Removed files put back because an import needed them (``slim.repair``)."""
    failed_before: list[FailedBefore]
    """Modules that never imported: an optional dependency missing, or broken upstream."""


class _TimedStep(TypedDict):
    name: str
    """A step of a stage (``install (pip)``, ``slim``, ``strip``...)."""
    seconds: float
    """How long it took."""


class Step(_TimedStep, total=False):
    beside: str
    """The step it ran beside, on a CPU of its own (the handler-import probe beside verify);
    its time is part of that one's, not added to the total."""


class TreeNode(TypedDict):
    """A node of the bundle's size tree (see :mod:`slim_lambda.pipeline.treemap`)."""

    name: str
    """A file or directory name, or a path of directories with nothing else in them."""
    kind: str
    """``dir``, ``file``, ``other`` (small files folded together) or ``package``."""
    bytes: int
    """Bytes of everything below."""
    files: int
    """Files below."""
    package: str
    """The distribution every file below belongs to; "" when several or none."""
    children: list[TreeNode]
    """Largest first; [] for a file, or a directory that was not opened."""


class CacheInfo(TypedDict):
    key: str
    """The first 16 hex digits of the dependency tree's key."""
    path: str
    """The cache's directory."""
    enabled: bool
    """``bundling.cache``; a disabled cache is a temporary one."""
    hit: bool | None
    """True when the dependency tree came from the cache; None when unknown."""
    remote: str
    """What the remote cache did: ``hit`` (the tree came from it), ``miss``, ``uploaded``,
    ``present`` (another build uploaded it first), ``read-only``, ``bad`` (its entry
    failed a check), ``failed`` (it could not be used); "" without a remote cache."""
    remote_bytes: int
    """Bytes this build moved to or from the remote cache (the compressed entry)."""
    remote_seconds: float
    """How long that transfer took."""


class ManifestInfo(TypedDict):
    kind: str
    """``requirements.txt``, ``uv.lock``, ``poetry.lock``, ``Pipfile.lock``,
    ``pyproject.toml`` or ``none``."""
    path: str | None
    """The manifest, relative to the entry; None when there is none."""
    groups: list[str]
    """Dependency groups and extras installed besides the main dependencies."""
    locked: bool
    """Installed with ``--no-deps``: the lock is the complete closure."""
    hashes: bool
    """Installed with ``--require-hashes``."""
    project: str | None
    """The project directory installed as a package, if any."""
    notes: list[str]
    """What the manifest reader wants you to know."""


class LayerEntry(TypedDict):
    label: str
    """The layer's construct path, or its ARN for a layer that is not slim-lambda's."""
    unzipped_bytes: int
    """0 when the size is unknown (see ``size_known``)."""
    zipped_bytes: int | None
    """None when unknown."""
    declared: bool
    """The user declared the size (``layer_sizes``): not a slim-lambda layer."""
    size_known: bool
    """False: the size is unknown and not counted against the unzipped limit."""
    packages: list[NameVersion]
    """The distributions the layer provides (not bundled again in the function)."""


class ImageLayer(TypedDict):
    """A layer slim-lambda adds to an image function's base image."""

    instruction: str
    """The Dockerfile instruction that makes it (``COPY task/ ${LAMBDA_TASK_ROOT}/``)."""
    files: int
    """Files it adds."""
    bytes: int
    """Bytes it adds, uncompressed."""


class LimitsInfo(TypedDict):
    unzipped_bytes: int
    """The unzipped limit the build was checked against (default: Lambda's)."""
    zipped_bytes: int
    """The zipped (direct-upload) limit (default: Lambda's)."""
    ok: bool
    """Within the limits when it was checked."""
