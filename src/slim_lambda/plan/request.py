"""What one build is asked to do, resolved and validated: pure data.

:class:`BuildRequest` comes from :func:`slim_lambda.plan.resolve.resolve_request`;
:class:`Target` is where the build runs, resolved at synth (mode, image ID, what the
host can do); :class:`LayerShare` is what a layer contributes to a function.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..manifests import InstallPlan
from ..options import BundlingOptions, SizeLimits, SlimOptions
from ..platform import ARCHITECTURES
from .build_image import DockerfileBuild
from .extra_sources import ExtraSource

__all__ = ["LAYER_PREFIX", "BuildRequest", "LayerShare", "Target"]

LAYER_PREFIX = "python/"
"""Where a layer's files go: Lambda puts ``/opt/python`` on ``sys.path``."""


@dataclass(frozen=True)
class LayerShare:
    """What a layer contributes to a function: its size, its packages, its tree."""

    label: str
    unzipped_bytes: int
    zipped_bytes: int | None = None
    packages: Mapping[str, str] = field(default_factory=dict)
    """Normalized distribution name → version."""
    python_dir: str | None = None
    """The built layer's ``python/`` directory (host path), put on sys.path when checking."""
    fingerprint: str = ""
    declared: bool = False
    """True for a layer that is not slim-lambda's, whose size the user declared."""
    report: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class Target:
    """Where a build runs: the mode, the image ID (Docker) or ``local:<platform>``, and
    what it can do right for the runtime."""

    mode: str
    image_id: str
    can_strip: bool
    can_compile: bool
    can_import: bool
    python_platform: str = ""


@dataclass(frozen=True, kw_only=True)
class BuildRequest:
    """Everything one build needs, resolved and validated."""

    entry: str
    runtime: str
    architecture: str
    image: str
    plan: InstallPlan
    bundling: BundlingOptions = field(default_factory=BundlingOptions)
    slim: SlimOptions = field(default_factory=SlimOptions)
    limits: SizeLimits = field(default_factory=SizeLimits)
    label: str = ""
    prefix: str = ""
    """:data:`LAYER_PREFIX` for a layer."""
    copy_sources: bool = True
    extra_sources: tuple[ExtraSource, ...] = ()
    """``bundling.extra_sources``, checked, absolute, by name."""
    layers: tuple[LayerShare, ...] = ()
    strict_layer_versions: bool = False
    """A distribution bundled at another version than a layer provides is an error, not a
    warning (the function's copy wins on Lambda)."""
    handler_module: str = ""
    """The handler's module (``index``, ``app.main``): each function of a shared entry is
    its own asset, checked and reported on its own. Empty for a layer."""
    pinned: Target | None = None
    """Where the asset hash says the build runs, resolved cheaply at construct time
    (:func:`slim_lambda.run.target.pin_target`); None until pinned (the CLI)."""
    git_pins: Mapping[str, str] = field(default_factory=dict)
    """Each git requirement as written → naming the commit it resolved to at synth
    (:func:`slim_lambda.run.gitpins.pin_git`): in both hashes, and what the stage installs."""
    resolution: Mapping[str, str] = field(default_factory=dict)
    """The build environment's resolution-changing settings, as identities
    (:func:`slim_lambda.plan.resolution_env.resolution_settings`): in both hashes."""
    image_build: DockerfileBuild | None = None
    """``bundling.dockerfile``'s build, by content; then :attr:`image` is its tag."""
    base_image: str = ""
    """The Lambda base image an image function's bundle is copied onto (its Dockerfile's
    ``FROM``); "" for a zip function or a layer. Not in either hash: the image function
    hashes its Dockerfile beside the bundle's fingerprint."""

    @property
    def platform(self) -> str:
        return ARCHITECTURES[self.architecture].docker_platform

    @property
    def kind(self) -> str:
        """What the bundle becomes: ``image``, ``layer`` or ``zip`` (a function's)."""
        return "image" if self.base_image else "layer" if self.prefix else "zip"

    @property
    def layer_bytes(self) -> int:
        return sum(layer.unzipped_bytes for layer in self.layers)
