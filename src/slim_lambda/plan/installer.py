"""Which installer the deps stage runs, decided once: uv or pip, and whether pip may take
over when uv finds no wheel.

uv resolves and installs the seed workload several times faster than pip, but it only
installs wheels here (``--only-binary :all:``: the image may lack a compiler, and uv
cannot prefer an older wheel to the newest sdist the way ``pip --prefer-binary`` does) and
reads no ``PIP_*`` variable but those :mod:`slim_lambda.pipeline.uvenv` translates. So
``auto`` runs uv with pip as the fallback for a package that has no wheel (pip then builds
it from source, as the README promises), and runs pip from the start when a pip setting
uv cannot honour is set. Pure: the caller says whether a uv binary is at hand.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from importlib import metadata

from ..errors import ConfigurationError
from ..pipeline.uvenv import untranslated

__all__ = ["InstallerChoice", "choose_installer", "uv_version"]


@dataclass(frozen=True)
class InstallerChoice:
    installer: str
    """``uv`` or ``pip``."""
    pip_fallback: bool = False
    """uv first; pip installs instead when uv finds no wheel for a package."""
    notice: str = ""
    """Why ``auto`` chose pip, for the report's notices."""


def uv_version() -> str | None:
    """The version of the ``uv`` distribution installed with this library, or None."""
    try:
        return metadata.version("uv")
    except metadata.PackageNotFoundError:
        return None


def choose_installer(requested: str, mode: str, *, uv_available: bool,
                     resolution: Mapping[str, str], builds: str = "") -> InstallerChoice:
    """``bundling.installer`` resolved for ``mode``. ``resolution``: the build
    environment's resolution settings (:mod:`slim_lambda.plan.resolution_env`); ``builds``:
    what the requirements name that is always built from source (git requirements, project
    directories), which uv (wheels only here) cannot install. Raises ConfigurationError for
    a combination that cannot be honoured."""
    if mode == "local":
        if requested == "pip":
            raise ConfigurationError("bundling.installer", [
                "'pip' needs Docker mode: local mode installs wheels for the runtime's "
                "platform with uv; use installer='auto' or 'uv', or mode='docker'"])
        return InstallerChoice("uv")
    if requested == "pip":
        return InstallerChoice("pip")
    unread = untranslated(set(resolution))
    if requested == "uv":
        problems = []
        if not uv_available:
            problems.append("'uv' but no uv binary for the target architecture is at hand: "
                            "pip install uv (a dependency of slim-lambda), or use "
                            "installer='auto' or 'pip'")
        if unread:
            problems.append(f"'uv' but {', '.join(unread)} is set, which uv does not read: "
                            "set uv's own variable instead (UV_*), or use installer='pip'")
        if builds:
            problems.append(f"'uv' but the requirements name {builds}, which must be built "
                            "from source, and uv installs wheels only here: use "
                            "installer='auto' or 'pip'")
        if problems:
            raise ConfigurationError("bundling.installer", problems)
        return InstallerChoice("uv")
    if not uv_available:
        return InstallerChoice("pip", notice="installer auto: pip installed the dependencies, "
                               "since no uv binary for the target architecture is at hand")
    if unread:
        return InstallerChoice("pip", notice=f"installer auto: pip installed the dependencies, "
                               f"since {', '.join(unread)} is set, which uv does not read")
    if builds:
        return InstallerChoice("pip", notice=f"installer auto: pip installed the dependencies, "
                               f"since the requirements name {builds}, which pip builds "
                               "(uv installs wheels only here)")
    return InstallerChoice("uv", pip_fallback=True)
