"""The specs of the two build stages, as plain JSON-able data.

The host writes a spec, the pipeline reads it, inside the build image or on the
host, so both sides agree on one contract. Paths are as the pipeline sees them.

- :class:`DepsSpec`: install the dependencies, slim, strip, compile every module,
  verify and measure them. Its output is what the host caches.
- :class:`AssembleSpec`: put a finished dependency tree and the function's own
  sources together into the asset, choose the bytecode that fits, measure.

Both carry the user's :class:`~slim_lambda.options.SlimOptions` as is (``slim``): an option
reaches the pipeline in the shape the user wrote it, translated nowhere on the way.

"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from typing import Any, ClassVar, TypeVar

from ..options import UNZIPPED_LIMIT_BYTES, SlimOptions

__all__ = ["HELD", "NETRC_FILE", "PRIVATE_ENV_FILE", "AssembleSpec", "DepsSpec",
           "InstallSettings", "load_spec"]

HELD = "slim-held"
"""Where the deps stage holds removed files until verify has passed (see :mod:`.repair`):
beside the output tree (``held_dir``), else in the work directory."""
NETRC_FILE = "netrc"
"""In a stage's work directory (``0600``): the index logins, which pip and uv read through
``NETRC``. The spec's URLs carry no credentials."""
PRIVATE_ENV_FILE = "private-env.json"
"""In a stage's work directory (``0600``): variables the installer needs but no command line
or container configuration may show (secrets, ``bundling.environment``); the pipeline loads
them into its own environment at start and removes the file."""

T = TypeVar("T")
S = TypeVar("S", bound="_Spec")


def _from_dict(cls: type[T], data: dict[str, Any]) -> T:
    """Rebuild a spec dataclass from JSON: lists become tuples, nested settings objects
    are rebuilt by their field's type; unknown keys are ignored."""
    known = {f.name: f for f in fields(cls)}  # type: ignore[arg-type]
    kwargs: dict[str, Any] = {}
    for key, value in data.items():
        if key not in known:
            continue
        nested = _NESTED.get(key)
        if nested is not None and isinstance(value, dict):
            kwargs[key] = _from_dict(nested, value)
        else:
            kwargs[key] = tuple(value) if isinstance(value, list) else value
    return cls(**kwargs)


@dataclass(frozen=True, kw_only=True)
class InstallSettings:
    """How the deps stage installs: the manifest as the pipeline sees it, the installer, and
    where packages come from. Translated once from the request and the target."""

    requirements_file: str | None = None
    """A pip requirements file, as the pipeline sees it; None: nothing to install."""
    require_hashes: bool = False
    no_deps: bool = False
    project_dir: str | None = None
    """The function's own project, installed as a package after the requirements."""
    before_install: tuple[str, ...] = ()
    """``bundling.before_install``: shell commands run in the tree before the install."""
    after_install: tuple[str, ...] = ()
    """``bundling.after_install``: shell commands run in the tree after it."""
    entry_dir: str = ""
    """The function's sources as the stage sees them (read only), for the hooks."""
    packages: tuple[str, ...] = ()
    """A lock's path and workspace packages (mounted, read only; each in ``source_trees``),
    installed as packages after the requirements, without dependencies."""
    git: tuple[str, ...] = ()
    """A lock's git packages, each naming its locked commit (``name @ git+URL@<commit>``),
    installed as packages after the requirements, without dependencies."""
    source_trees: tuple[tuple[str, str], ...] = ()
    """Path dependencies: (mounted read only, where the flattened requirements expect a
    writable copy); copied before the install, since build backends write next to their
    sources."""
    installer: str = "pip"
    """``pip`` (the image's own) or ``uv`` (:mod:`slim_lambda.plan.installer`)."""
    pip_fallback: bool = False
    """uv first; when it finds no wheel for a package, pip installs the requirements
    instead (and builds that package from source)."""
    uv: str = ""
    """The uv executable, as the stage sees it."""
    uv_interpreter: bool = False
    """uv installs for the running interpreter (the image's Python: its markers, its
    version) instead of ``--python-version``; the platform stays ``python_platform``."""
    uv_links: bool = False
    """uv hard-links the files from its cache, which shares the output's mount; else it
    copies them (another mount, or a volume of the engine's)."""
    python_platform: str = ""
    """uv ``--python-platform``, e.g. ``x86_64-manylinux_2_17``: the runtime's glibc cap,
    which uv reads nowhere else (it ignores the image's PEP 600 ``_manylinux`` module)."""
    index_url: str | None = None
    """Without credentials, as all the URLs here: the logins are in :data:`NETRC_FILE`."""
    extra_index_urls: tuple[str, ...] = ()
    find_links: tuple[str, ...] = ()
    no_index: bool = False


_NESTED: dict[str, type[Any]] = {"slim": SlimOptions, "install": InstallSettings}


@dataclass(frozen=True, kw_only=True)
class _Spec:
    runtime: str
    architecture: str
    output_dir: str
    work_dir: str
    image: str = ""
    labels: dict[str, str] = field(default_factory=dict)
    slim: SlimOptions = field(default_factory=SlimOptions)
    """The user's slim options, as given: both stages read them, neither rebuilds them."""
    can_compile: bool = True
    """The running Python is the runtime's minor version (bytecode is valid)."""
    can_import: bool = True
    """The running interpreter can load the target's native code (verify, probe)."""
    layer_paths: tuple[str, ...] = ()
    """Directories put on ``sys.path`` after the bundle when importing (layers' ``python/``)."""
    handler_imports: tuple[str, ...] = ()
    """Third-party modules the handler imports: probed once, timed, recorded."""

    @property
    def python_version(self) -> str:
        """``python3.11`` → ``3.11``."""
        return self.runtime.removeprefix("python")

    stage: ClassVar[str]
    """``deps`` or ``assemble``: written into the JSON, read back by :func:`load_spec`."""

    def to_json(self) -> str:
        data = asdict(self)
        data["stage"] = self.stage
        return json.dumps(data, indent=2, sort_keys=True)

    @classmethod
    def from_dict(cls: type[S], data: dict[str, Any]) -> S:
        return _from_dict(cls, data)


@dataclass(frozen=True, kw_only=True)
class DepsSpec(_Spec):
    install: InstallSettings = field(default_factory=InstallSettings)
    can_strip: bool = True
    """The ``strip`` here handles the target architecture."""
    exclude_distributions: dict[str, str] = field(default_factory=dict)
    """Distributions a layer already provides (name → version): removed after install."""
    provided: tuple[str, ...] = ()
    """``bundling.provided``: distributions the runtime or a foreign layer provides
    (``runtime`` for the runtime's own); removed with what only they require."""
    held_dir: str = ""
    """Where removed files wait until verify has passed: beside the output, on its file
    system (in a container, in the same mount), so holding a file is a rename, not a copy;
    empty: in the work directory."""
    zip_sizes: bool = True
    """Measure each file's zip share with this Python's zlib (the pipeline run on its own);
    off from the host, which estimates them and has node measure them exactly later."""

    stage: ClassVar[str] = "deps"


@dataclass(frozen=True, kw_only=True)
class AssembleSpec(_Spec):
    deps_dir: str = ""
    """A finished dependency tree (read only); its ``slim-lambda-deps.json`` beside it."""
    deps_meta: str = ""
    source_dir: str = ""
    """The function's sources (read only); empty for a dependencies-only layer."""
    exclude: tuple[str, ...] = ()
    extra_sources: tuple[tuple[str, str], ...] = ()
    """Shared code from outside the entry: (where it ships, e.g. ``libs/common``; the
    directory, read only)."""
    prefix: str = ""
    """Where everything goes inside the asset: ``python/`` for a layer."""
    unzipped_budget: int = UNZIPPED_LIMIT_BYTES
    """Bytes this asset may use: the limit minus the layers' share."""

    stage: ClassVar[str] = "assemble"


def load_spec(text: str) -> DepsSpec | AssembleSpec:
    data = json.loads(text)
    stage = data.pop("stage", None)
    if stage == "deps":
        return DepsSpec.from_dict(data)
    if stage == "assemble":
        return AssembleSpec.from_dict(data)
    raise ValueError(f"unknown build stage {stage!r}")
