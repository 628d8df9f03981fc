"""The build report as a type: every key, what it means, and its default.

A report is the JSON object a build writes beside its asset (``*.slim-report.json``) or
where ``slim-lambda build --json-report`` says, and that ``slim-lambda report``, the HTML
page and a function's layers read back, often from an earlier version or a CI artefact.
:func:`slim_lambda.report.load.load_report` turns any such object into a :class:`Report`
with every key present, so readers index (``report["zipped_bytes"]``) instead of guessing.

TypedDicts rather than dataclasses: the value *is* the JSON object, written as it is and
embedded in the HTML page, so there is no second representation to keep in step. A key's
default is 0, "", False, [], {} or None by its type, unless :data:`DEFAULTS` says otherwise.
Its parts are in :mod:`.parts`; the dependency tree's meta is :mod:`.meta`.
"""

from __future__ import annotations

from typing import TypedDict

from ..options import UNZIPPED_LIMIT_BYTES, ZIPPED_LIMIT_BYTES
from .parts import (
    BytecodeChoice,
    CacheInfo,
    ElfFile,
    ImageLayer,
    LayerEntry,
    LayerOverride,
    LimitsInfo,
    ManifestInfo,
    NameVersion,
    PackageSize,
    ProvidedDist,
    RuleBytes,
    RuleInfo,
    Step,
    StripInfo,
    Tool,
    TreeNode,
    VerifyInfo,
)

__all__ = ["DEFAULTS", "Report"]


class Report(TypedDict):
    """One function, layer or analysed bundle. Keys in the order a build writes them."""

    schema: int
    """2 since the two-stage build; 1 before; 0 for a bundle analysed after the fact."""
    tool: Tool
    """What wrote the report."""
    runtime: str
    """``python3.11``...; "" for an analysed bundle."""
    architecture: str
    """``x86_64`` or ``arm64``; "" for an analysed bundle."""
    python: str | None
    """The Python version that compiled the bytecode; None when none was compiled."""
    image: str
    """The build image (Docker mode) or ``local:<platform>``."""
    installer: str
    """``pip`` (in the image) or ``uv`` (local mode)."""
    labels: dict[str, str]
    """``{"function": construct path}`` as the stages saw it; see ``label``."""
    prefix: str
    """``python/`` for a layer, "" for a function."""
    files: int | None
    """Files in the bundle; None when unknown."""
    unzipped_bytes: int
    """The bundle's own unzipped size. The one key a report must have."""
    zipped_bytes: int | None
    """The zip's size as the CDK CLI writes it; None when unknown."""
    installed_bytes: int
    """The dependency tree as installed plus your sources; 0 when unknown (no flow)."""
    removed_bytes: int
    """What slimming removed from the installed tree, all rules together."""
    removed_by_rule: list[RuleBytes]
    """What each rule removed, largest first."""
    packages: list[PackageSize]
    """The distributions in the bundle, largest first."""
    deduplicated: list[NameVersion]
    """Distributions a layer provides at the same version, so not bundled."""
    layer_overrides: list[LayerOverride]
    """Distributions bundled at another version than a layer provides: the function's wins."""
    provided: list[ProvidedDist]
    """Distributions left out because the runtime or a foreign layer provides them."""
    user_code_bytes: int
    """Your own files (the entry's sources and their bytecode)."""
    other_bytes: int
    """Files that belong to no package and are not your code."""
    by_kind: dict[str, int]
    """Bytes per kind of file (``.py``, ``.so``, ``.pyc``...)."""
    strip: StripInfo | None
    """What stripping did; None when it did not run."""
    elf: list[ElfFile]
    """Every binary in the bundle and its machine."""
    bytecode: BytecodeChoice
    """The bytecode kept in the bundle."""
    verify: VerifyInfo
    """The import check after slimming."""
    handler_imports: list[str]
    """The third-party modules the handler imports."""
    import_seconds: float | None
    """How long importing them took in the bundle; None when not measured."""
    import_failures: list[str]
    """Of those, the modules that did not import (the runtime may provide them)."""
    link: str
    """How the dependency files got into the asset: ``hardlink`` or ``copy``."""
    rules: list[RuleInfo]
    """The default slim rules of this version."""
    steps: list[Step]
    """Every step of both stages, in order, with its time."""
    seconds: float
    """The steps' total; a step run beside another is part of that one's time."""
    warnings: list[str]
    """Problems worth a look; a limit exceeded without failing the build is one."""
    notices: list[str]
    """Steps skipped on this host, and why."""
    tree: TreeNode | None
    """The bundle's size tree; None in reports that have none (the page then derives one
    from ``packages``)."""
    assembled_on: str
    """``host`` or ``image``: where the asset stage ran."""
    zipped_measured_with: str
    """The zlib that measured ``zipped_bytes`` (node's is the CDK CLI's)."""
    zipped_estimated: bool
    """True when the dependencies' zip shares came from a sample (their tree was new to the
    cache): the exact ones are measured after the build, for the next report."""
    mode: str
    """``docker`` or ``local``."""
    image_id: str
    """The build image's ID (Docker mode) or ``local:<platform>``."""
    cache: CacheInfo
    """The dependency cache this build used."""
    label: str
    """The construct path; taken from ``labels`` in reports that have no label."""
    manifest: ManifestInfo
    """What was installed, from which manifest."""
    layers: list[LayerEntry]
    """The function's layers, checked with it against the unzipped limit."""
    limits: LimitsInfo
    """The limits the report was checked against, and the outcome."""
    combined_unzipped_bytes: int
    """The function plus the layers whose size is known: what Lambda checks. Without
    layers, ``unzipped_bytes``."""
    path: str
    """The analysed bundle directory or zip; "" for a build."""
    kind: str
    """What the bundle became: ``zip`` (a function's asset), ``layer`` or ``image`` (an
    image function's, see ``image_layers``); derived from ``prefix`` in older reports."""
    base_image: str
    """An image function's base image (its Dockerfile's ``FROM``); "" otherwise."""
    image_layers: list[ImageLayer]
    """The layers an image function adds to its base image; [] otherwise."""


DEFAULTS: dict[type, dict[str, object]] = {
    LimitsInfo: {"unzipped_bytes": UNZIPPED_LIMIT_BYTES, "zipped_bytes": ZIPPED_LIMIT_BYTES,
                 "ok": True},
    LayerEntry: {"size_known": True},
}
"""Defaults that are not the zero of their type. Defaults that follow from other keys
(``label``, ``combined_unzipped_bytes``, ``bytecode.choice``, ``size_known`` of a layer
without a size) are filled by :mod:`.load`."""
