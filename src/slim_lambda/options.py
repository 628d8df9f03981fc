"""Options of SlimPythonFunction and the CLI: frozen, keyword-only, every default stated."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

__all__ = [
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


@dataclass(frozen=True, kw_only=True)
class BundlingOptions:
    """How and where the bundle is built."""

    image: str | None = None
    """Build image, a template with ``{runtime}`` and ``{arch}`` placeholders.

    Default: the ``SLIM_LAMBDA_IMAGE`` environment variable, else the CDK context
    key ``slim-lambda:image``, else ``public.ecr.aws/sam/build-{runtime}:latest-{arch}``.
    """

    requirements: str | None = None
    """Requirements file, relative to ``entry``. Default: ``requirements.txt`` when present."""

    exclude: tuple[str, ...] = ()
    """Extra gitignore-style patterns of source files not to copy (``!`` re-includes).

    Always excluded: virtualenvs, ``.git``, ``cdk.out``, ``node_modules``, caches,
    ``.env`` files, editor files and a top-level ``tests/``. Default: none extra.
    """

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

    Not part of the asset hash and never written to cdk.out. Default: none.
    """

    network: str = "host"
    """Docker network mode of the build container. ``host`` reaches proxies and
    indexes on the host's loopback. Default: ``host``."""

    timeout_seconds: int = 1800
    """The build container is killed after this long. Default: 1800 (30 min)."""


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

    strip_exclude: tuple[str, ...] = ("*.libs/",)
    """Shared objects never stripped. Default: ``*.libs/`` (auditwheel-vendored
    libraries, which plain ``strip`` breaks)."""

    bytecode: str = "imported"
    """Hash-based bytecode: ``imported`` (your code and every module it imports at
    load time), ``all`` (every module), ``none``. Never pushes the bundle over the
    unzipped limit. Default: ``imported``."""

    verify: bool = True
    """Import every installed top-level module in the finished bundle. Default: True."""

    verify_skip: tuple[str, ...] = ()
    """Modules not imported by the check. Default: none."""


@dataclass(frozen=True, kw_only=True)
class SizeLimits:
    """Limits checked at synth. Lower them to keep headroom for layers."""

    unzipped_bytes: int = UNZIPPED_LIMIT_BYTES
    """Above this, synth fails. Default: 262,144,000 (Lambda's 250 MiB)."""

    zipped_bytes: int = ZIPPED_LIMIT_BYTES
    """Above this, a warning (or an error with ``fail_on_zipped``). Default: 52,428,800."""

    fail_on_zipped: bool = False
    """Fail instead of warning when the zipped limit is exceeded. Default: False."""
