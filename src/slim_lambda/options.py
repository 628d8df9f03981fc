"""Options of SlimPythonFunction and the CLI: frozen, keyword-only, every default stated."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

__all__ = [
    "BYTECODE_MODES",
    "DEPENDENCIES",
    "FILE_ACCESS",
    "INSTALLERS",
    "MAX_LAYERS",
    "MODES",
    "STRIP_EXCLUDE",
    "UNZIPPED_LIMIT_BYTES",
    "ZIPPED_LIMIT_BYTES",
    "BundlingOptions",
    "SizeLimits",
    "SlimOptions",
]

#: Lambda's limit for the unzipped function plus all its layers (250 MiB).
UNZIPPED_LIMIT_BYTES = 262_144_000
#: Lambda's limit for a zip uploaded directly (50 MiB). CDK uploads through S3.
ZIPPED_LIMIT_BYTES = 52_428_800
#: Lambda's limit for a container image, uncompressed, all its layers (10 GB, in the binary
#: units of the 250 MiB above). The default ``unzipped_bytes`` of an image function.
IMAGE_UNZIPPED_LIMIT_BYTES = 10 * 1024**3
#: Lambda's limit on the layers of one function.
MAX_LAYERS = 5
#: ``SlimPythonFunction(dependencies=...)`` values, the default first: the dependencies in
#: the function's own asset, or in a layer shared by the functions that have the same.
DEPENDENCIES = ("bundle", "layer")
#: ``BundlingOptions.mode`` values.
MODES = ("docker", "local", "auto")
#: ``BundlingOptions.file_access`` values.
FILE_ACCESS = ("auto", "bind", "copy")
#: ``BundlingOptions.installer`` values.
INSTALLERS = ("auto", "uv", "pip")
#: ``SlimOptions.bytecode`` values.
BYTECODE_MODES = ("auto", "imported", "all", "none")
#: ``SlimOptions.strip_exclude``'s default: auditwheel-vendored libraries, which plain
#: ``strip`` breaks.
STRIP_EXCLUDE = ("*.libs/",)


@dataclass(frozen=True, kw_only=True)
class BundlingOptions:
    """How and where the bundle is built."""

    mode: str = "auto"
    """``docker`` (build in the build image), ``local`` (never Docker: wheels for the
    runtime's platform installed with uv on this host), or ``auto`` (Docker when an
    engine answers, else local). The ``SLIM_LAMBDA_MODE`` environment variable
    overrides it. Default: ``auto``."""

    file_access: str = "auto"
    """How build containers reach this host's files: ``bind`` (bind mounts), ``copy``
    (through the Docker API: for an engine that cannot see them, as in Docker-in-Docker
    CI jobs or a remote ``DOCKER_HOST``), or ``auto`` (copy for a ``tcp://`` or
    ``ssh://`` engine or one whose first container does not see the work directory, else
    bind). The
    ``SLIM_LAMBDA_FILE_ACCESS`` environment variable overrides it. Not part of the asset
    hash: the bundle is the same either way. Default: ``auto``."""

    image: str | None = None
    """Build image, a template with ``{runtime}`` and ``{arch}`` placeholders.

    Default: the ``SLIM_LAMBDA_IMAGE`` environment variable, else the CDK context
    key ``slim-lambda:image``, else ``public.ecr.aws/sam/build-{runtime}:latest-{arch}``.
    """

    dockerfile: str | None = None
    """A Dockerfile to build the build image from, instead of ``image``: its directory is
    the build context (``.dockerignore`` honoured). Built at synth, only for the stacks CDK
    bundles, once per content (the Dockerfile, the context, ``build_args``): an unchanged
    one reuses the image it built. PythonFunction's ``DockerImage.from_build(path,
    file=...)`` is ``dockerfile=f"{path}/{file}"``. Relative to the current directory, as
    ``entry`` is. Default: none (``image``)."""

    build_args: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    """``--build-arg`` values for ``dockerfile``. Treated as secrets: hidden in every log
    line, never in the asset hash, the deps key or the report (those name the image ID).
    Default: none."""
    installer: str = "auto"
    """Who installs the dependencies in Docker mode: ``uv`` (this library's own, mounted
    into the build image: faster, wheels only, its version pinned by this library's
    dependency), ``pip`` (the image's own: builds a package from source when no wheel
    fits), or ``auto`` (uv; pip when uv finds no wheel for a package, or when a ``PIP_*``
    setting uv cannot read is set). Local mode always uses uv. In the deps key.
    Default: ``auto``."""

    manifest: str | None = None
    """The dependency manifest, relative to ``entry``: a requirements file, ``uv.lock``,
    ``poetry.lock``, ``Pipfile.lock`` or ``pyproject.toml``. Default: detected, in that
    order (see the README); two that disagree are an error."""

    groups: tuple[str, ...] = ()
    """Dependency groups / extras to install besides the main ones (lock files and
    pyproject.toml). Default: none (dev groups are never installed unless named)."""

    exclude: tuple[str, ...] = ()
    """Extra gitignore-style patterns of source files not to copy (``!`` re-includes).

    Always excluded: virtualenvs, ``.git``, ``cdk.out``, ``node_modules``, caches,
    ``.env`` files, editor files and a top-level ``tests/``. Default: none extra.
    """

    extra_sources: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    """Directories outside ``entry`` shipped with the function's own code, by the import
    path they ship under: ``{"common": "../../libs/common"}`` puts that directory's files
    at ``common/`` (``{"libs.common": ...}`` at ``libs/common/``). Shared code of a
    monorepo, without a package or a layer. The ``exclude`` patterns and the default
    excludes apply; relative paths are relative to the current directory, as ``entry`` is;
    Docker mounts them read-only; their content is in the asset hash. A name that an
    entry file or an installed distribution also ships is an error naming both.
    Default: none."""

    provided: tuple[str, ...] = ()
    """Distributions not to bundle because the runtime, or a layer that is not
    slim-lambda's, provides them: ``("boto3",)``, or ``("runtime",)`` for what the Lambda
    runtime ships (the build image's ``/var/runtime``; the AWS SDK for Python where that
    cannot be read). What only they require goes too; verify imports them as the runtime
    would; the report shows the bytes saved and warns where the runtime's version differs.
    A name that is not installed is a warning. Default: none (everything is bundled)."""

    require_commit: bool = False
    """Refuse git requirements whose ref can move (a branch, a tag, none): each must name
    a full commit. Otherwise a branch or tag is resolved to its commit at synth (``git
    ls-remote``), which the build then installs and the cache is keyed on, with a notice.
    Default: False."""

    ssh: bool = False
    """Forward this host's SSH agent (``SSH_AUTH_SOCK``) into the dependency install, and
    only there, for ``git+ssh://`` dependencies; the ``SLIM_LAMBDA_SSH=1`` environment
    variable turns it on too. Host keys are checked against ``ssh_known_hosts``. The agent
    is not part of either hash. Default: False (a ``git+ssh://`` dependency is an error)."""

    ssh_known_hosts: str | None = None
    """The known_hosts file the build checks git hosts' keys against (mounted read-only).
    Default: ``~/.ssh/known_hosts``."""

    allow_outside_repository: bool = False
    """Let path dependencies, included requirement files, workspace packages and extra
    sources lie outside the entry's repository (the nearest directory above it with
    ``.git``). Default: False, such a path is refused as a likely mistake."""

    before_install: tuple[str, ...] = ()
    """Shell commands run in the deps stage before the install (in the build image, or
    this host's shell in local mode), in the dependency tree being built:
    ``SLIM_LAMBDA_TREE``, ``SLIM_LAMBDA_ENTRY`` (read only) and ``SLIM_LAMBDA_WORK`` are
    set. In the deps key; output redacted. Default: none."""

    after_install: tuple[str, ...] = ()
    """Shell commands run the same way after the install, before slimming: copy a system
    library into ``lib/``, delete a vendored test corpus. Default: none."""

    index_url: str | None = None
    """pip ``--index-url``. Credentials in it never reach cdk.out. Default: pip's own."""

    extra_index_urls: tuple[str, ...] = ()
    """pip ``--extra-index-url`` values. Default: none."""

    find_links: tuple[str, ...] = ()
    """pip ``--find-links``: URLs, or host directories (mounted read-only). Default: none."""

    no_index: bool = False
    """pip ``--no-index`` (install only from ``find_links``). Default: False."""

    ca_bundle: str | None = None
    """A PEM CA bundle on the host, mounted into the build and used by pip.

    For TLS-inspecting proxies. Default: the ``SLIM_LAMBDA_CA_BUNDLE`` environment
    variable, else none.
    """

    environment: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    """Extra environment variables for the build (``PIP_*``, ``HTTPS_PROXY``, ...).

    Never written to cdk.out. Only the settings that change what pip or uv resolves
    (index URLs as their identity, never a password; find-links, constraints, pre-release
    and binary policies: the table in :mod:`slim_lambda.plan.resolution_env`) are part of
    the asset hash and the deps key. Default: none.
    """

    pass_environment: tuple[str, ...] = (
        "PIP_*", "UV_*", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "ALL_PROXY",
        "http_proxy", "https_proxy", "no_proxy", "all_proxy")
    """Host environment variables (glob patterns) passed to the install step. Those that
    change resolution are hashed like ``environment``'s; their secrets are redacted from
    every log. Default: pip, uv and proxy settings."""

    cache: bool = True
    """Reuse finished dependency trees across synths and functions. Default: True."""

    cache_dir: str | None = None
    """Where the cache lives. Default: ``$SLIM_LAMBDA_CACHE_DIR``, else
    ``~/.cache/slim-lambda`` (``$XDG_CACHE_HOME/slim-lambda``)."""

    cache_max_bytes: int = 5 * 1024**3
    """Least recently used dependency trees are pruned above this. Default: 5 GiB."""

    remote_cache: str | None = None
    """A team cache on S3, ``s3://bucket/prefix``: a tree missing locally is fetched from
    it (checked file by file against its manifest), a tree built here is uploaded to it
    (not with ``SLIM_LAMBDA_REMOTE_CACHE_WRITE=0``). Needs ``pip install 'slim-lambda[s3]'``;
    credentials from the standard AWS chain. A remote that fails is a warning and a local
    build. Default: ``$SLIM_LAMBDA_REMOTE_CACHE``, else the CDK context key
    ``slim-lambda:remote-cache``, else none."""

    remote_cache_required: bool = False
    """A remote cache that fails (down, denied, slow) fails the build instead of a
    warning and a local build. Also ``SLIM_LAMBDA_REMOTE_CACHE_REQUIRED=1``.
    Default: False."""

    network: str = "host"
    """Docker network mode of the build container. ``host`` reaches proxies and
    indexes on the host's loopback. Default: ``host``."""

    timeout_seconds: int = 1800
    """The build container is killed after this long. Default: 1800 (30 min)."""

    memory_bytes: int | None = None
    """Memory limit of the build containers (Docker mode), swap included; a build that
    needs more is killed and reported as out of memory. Not part of the asset hash.
    Default: none (the Docker engine's)."""


@dataclass(frozen=True, kw_only=True)
class SlimOptions:
    """What is removed, stripped, compiled and checked."""

    enabled: bool = True
    """Apply the slim rules and dist-info trimming at all. Default: True."""

    patterns: tuple[str, ...] = ()
    """Extra gitignore-style patterns removed from dependencies. Default: none."""

    replace_defaults: bool = False
    """``patterns`` replace the default rules instead of adding to them. Default: False."""

    disable_rules: tuple[str, ...] = ()
    """Default rules not to apply: ``tests``, ``pycache``, ``stubs``, ``sources``,
    ``scripts``, ``dist-info``. Default: none."""

    keep: tuple[str, ...] = ()
    """Gitignore-style patterns of files never removed, whatever rule matches. Default: none."""

    slim_user_code: bool = False
    """Apply the rules to the function's own files as well. Default: False."""

    strip: bool = True
    """Strip symbols from ELF shared objects (each result is checked first). Default: True."""

    strip_exclude: tuple[str, ...] = STRIP_EXCLUDE
    """Shared objects never stripped. Default: ``*.libs/`` (auditwheel-vendored
    libraries, which plain ``strip`` breaks)."""

    bytecode: str = "auto"
    """Hash-based bytecode: ``auto`` (every module when the bundle still fits, else your
    code and what it imports at load time), ``imported`` (only those), ``all`` (every
    module; falls back like ``auto``), ``none``. Never pushes the bundle over the
    unzipped limit. Default: ``auto``."""

    verify: bool = True
    """Import every installed top-level module in the finished bundle. Default: True."""

    verify_skip: tuple[str, ...] = ()
    """Modules not imported by the check. Default: none."""

    repair: bool = True
    """When a rule removed files a module needs to import (runtime code importing from a
    ``tests/`` package), keep exactly those files and warn, instead of failing the build.
    Off: such a module fails verify, naming the rule. Default: True."""


@dataclass(frozen=True, kw_only=True)
class SizeLimits:
    """Limits checked at synth. Lower them to keep headroom for layers."""

    unzipped_bytes: int = UNZIPPED_LIMIT_BYTES
    """Above this, synth fails. Default: 262,144,000 (Lambda's 250 MiB)."""

    zipped_bytes: int = ZIPPED_LIMIT_BYTES
    """Above this, a warning (or an error with ``fail_on_zipped``). Default: 52,428,800."""

    fail_on_zipped: bool = False
    """Fail instead of warning when the zipped limit is exceeded. Default: False."""
