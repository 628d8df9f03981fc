"""The specs of the two build stages, as plain JSON-able data.

The host writes a spec, the pipeline reads it, inside the build image or on the
host, so both sides agree on one contract. Paths are as the pipeline sees them.

- :class:`DepsSpec`: install the dependencies, slim, strip, compile every module,
  verify and measure them. Its output is what the host caches.
- :class:`AssembleSpec`: put a finished dependency tree and the function's own
  sources together into the asset, choose the bytecode that fits, measure.

"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from typing import Any, TypeVar

from ..options import UNZIPPED_LIMIT_BYTES

__all__ = ["TREE_FINAL", "AssembleSpec", "DepsSpec", "load_spec"]

TREE_FINAL = "tree-final"
"""Created in the deps stage's work directory once the tree's files are final (later steps
only read them and set their modes): the host may start measuring them."""

T = TypeVar("T")


def _from_dict(cls: type[T], data: dict[str, Any]) -> T:
    known = {f.name: f for f in fields(cls)}  # type: ignore[arg-type]
    kwargs: dict[str, Any] = {}
    for key, value in data.items():
        if key in known:
            kwargs[key] = tuple(value) if isinstance(value, list) else value
    return cls(**kwargs)


@dataclass(frozen=True, kw_only=True)
class _Spec:
    runtime: str
    architecture: str
    output_dir: str
    work_dir: str
    image: str = ""
    labels: dict[str, str] = field(default_factory=dict)
    can_compile: bool = True
    """The running Python is the runtime's minor version (bytecode is valid)."""
    can_import: bool = True
    """The running interpreter can load the target's native code (verify, probe)."""

    @property
    def python_version(self) -> str:
        """``python3.11`` → ``3.11``."""
        return self.runtime.removeprefix("python")

    def to_json(self) -> str:
        data = asdict(self)
        data["stage"] = self.stage
        return json.dumps(data, indent=2, sort_keys=True)

    @property
    def stage(self) -> str:
        raise NotImplementedError


@dataclass(frozen=True, kw_only=True)
class DepsSpec(_Spec):
    requirements_file: str | None = None
    """A pip requirements file, as the pipeline sees it; None: nothing to install."""
    require_hashes: bool = False
    no_deps: bool = False
    project_dir: str | None = None
    """The function's own project, installed as a package after the requirements."""
    installer: str = "pip"
    """``pip`` (the image's own) or ``uv`` (local mode: wheels for another platform)."""
    uv: str = ""
    """The uv executable (local mode)."""
    python_platform: str = ""
    """uv ``--python-platform``, e.g. ``x86_64-manylinux_2_26`` (local mode)."""
    index_url: str | None = None
    extra_index_urls: tuple[str, ...] = ()
    find_links: tuple[str, ...] = ()
    no_index: bool = False
    slim: bool = True
    patterns: tuple[str, ...] = ()
    replace_defaults: bool = False
    disable_rules: tuple[str, ...] = ()
    keep: tuple[str, ...] = ()
    trim_dist_info: bool = True
    strip: bool = True
    can_strip: bool = True
    """The ``strip`` here handles the target architecture."""
    strip_exclude: tuple[str, ...] = ("*.libs/",)
    bytecode: bool = True
    verify: bool = True
    verify_skip: tuple[str, ...] = ()
    exclude_distributions: dict[str, str] = field(default_factory=dict)
    """Distributions a layer already provides (name → version): removed after install."""
    layer_paths: tuple[str, ...] = ()
    """Directories put on ``sys.path`` after the bundle when importing (layers' ``python/``)."""
    handler_imports: tuple[str, ...] = ()
    """Third-party modules the handler imports: probed once, timed, recorded."""
    zip_sizes: bool = True
    """Estimate each file's zip share with this Python's zlib; off when the host measures
    them with the CDK CLI's own zlib (node) anyway."""

    @property
    def stage(self) -> str:
        return "deps"

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DepsSpec:
        return _from_dict(cls, data)


@dataclass(frozen=True, kw_only=True)
class AssembleSpec(_Spec):
    deps_dir: str = ""
    """A finished dependency tree (read only); its ``slim-lambda-deps.json`` beside it."""
    deps_meta: str = ""
    source_dir: str = ""
    """The function's sources (read only); empty for a dependencies-only layer."""
    exclude: tuple[str, ...] = ()
    slim_user_code: bool = False
    patterns: tuple[str, ...] = ()
    replace_defaults: bool = False
    disable_rules: tuple[str, ...] = ()
    keep: tuple[str, ...] = ()
    prefix: str = ""
    """Where everything goes inside the asset: ``python/`` for a layer."""
    bytecode: str = "auto"
    unzipped_budget: int = UNZIPPED_LIMIT_BYTES
    """Bytes this asset may use: the limit minus the layers' share."""
    handler_imports: tuple[str, ...] = ()
    layer_paths: tuple[str, ...] = ()

    @property
    def stage(self) -> str:
        return "assemble"

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AssembleSpec:
        return _from_dict(cls, data)


def load_spec(text: str) -> DepsSpec | AssembleSpec:
    data = json.loads(text)
    stage = data.pop("stage", None)
    if stage == "deps":
        return DepsSpec.from_dict(data)
    if stage == "assemble":
        return AssembleSpec.from_dict(data)
    raise ValueError(f"unknown build stage {stage!r}")
