"""How uv runs in the deps stage: pip's resolution settings as uv reads them (as data),
uv's target, and the message that says uv found no wheel (so pip may take over).

uv reads no ``PIP_*`` variable: a ``PIP_INDEX_URL`` the user set would silently be ignored
and another index used. Each row says which uv variable means the same (and how the value
is written for it); the deps stage sets the uv variable before uv runs, unless the build
already sets it. A ``PIP_*`` resolution setting without a row here makes ``installer="auto"``
install with pip instead (:mod:`slim_lambda.plan.installer`), and ``installer="uv"`` an error.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from .spec import DepsSpec

__all__ = ["PIP_TO_UV", "Translation", "untranslated", "uv_environment", "uv_target",
           "wheel_gap"]


@dataclass(frozen=True)
class Translation:
    pip: str
    uv: str
    value: Callable[[str], str | None]
    """pip's value → uv's (None: drop it)."""
    reason: str


def _same(value: str) -> str:
    return value


def _existing_links(value: str) -> str | None:
    """pip warns about a find-links directory that does not exist and goes on; uv stops."""
    kept = [link for link in value.split() if "://" in link or os.path.isdir(link)]
    return " ".join(kept) or None


def _true_as_allow(value: str) -> str | None:
    return "allow" if value.strip().lower() in ("1", "true", "yes", "on") else None


PIP_TO_UV: tuple[Translation, ...] = (
    Translation("PIP_INDEX_URL", "UV_INDEX_URL", _same, "the index, replacing the default"),
    Translation("PIP_EXTRA_INDEX_URL", "UV_EXTRA_INDEX_URL", _same,
                "more indexes (every index's versions compete, as in pip: "
                "--index-strategy unsafe-best-match)"),
    Translation("PIP_FIND_LINKS", "UV_FIND_LINKS", _existing_links,
                "more candidates; missing directories dropped, as pip warns and goes on"),
    Translation("PIP_NO_INDEX", "UV_NO_INDEX", _same, "only find-links candidates"),
    Translation("PIP_PRE", "UV_PRERELEASE", _true_as_allow, "pre-releases are candidates"),
    Translation("PIP_CONSTRAINT", "UV_CONSTRAINT", _same, "constraints files"),
)


def untranslated(names: set[str] | frozenset[str]) -> list[str]:
    """The ``PIP_*`` names among ``names`` that have no uv counterpart here."""
    known = {t.pip for t in PIP_TO_UV}
    return sorted(n for n in names if n.startswith("PIP_") and n not in known)


def uv_environment(environ: Mapping[str, str]) -> dict[str, str]:
    """``environ`` with each translatable ``PIP_*`` setting also set as uv's variable
    (a uv variable already set wins)."""
    env = dict(environ)
    for t in PIP_TO_UV:
        if t.pip in environ and t.uv not in environ:
            value = t.value(environ[t.pip])
            if value is not None:
                env[t.uv] = value
    return env


def uv_target(spec: DepsSpec, python: str) -> list[str]:
    """uv's target: the platform always given explicitly (uv ignores the image's PEP 600
    ``_manylinux`` cap and would take wheels for the image's own, newer glibc), and in the
    image its interpreter, whose markers and version are the runtime's. In the image, every
    index's versions compete as in pip (``unsafe-best-match``), the image's trust store is
    used as pip's is, and files are hard-linked from the uv cache when it shares the
    output's mount (``uv_links``: 0.1 s instead of 1 s for the seed workload's 200 MB),
    else copied. Every step after the install replaces a file it changes (:mod:`.fsguard`),
    never writes it in place, so the cache's copy stays as uv unpacked it."""
    platform = ["--python-platform", spec.install.python_platform]
    if not spec.install.uv_interpreter:
        return [*platform, "--python-version", spec.python_version]
    return [*platform, "--python", python, "--index-strategy", "unsafe-best-match",
            "--system-certs", "--link-mode", "hardlink" if spec.install.uv_links else "copy"]


_WHEEL_GAP = re.compile(r"([A-Za-z0-9][A-Za-z0-9._-]*?)(?:==\S+)? has no (?:usable wheels|wheels "
                        r"with a matching)|Wheels are required for `([^`]+)`"
                        r"|Building source distributions is disabled, but attempted to build "
                        r"`([^`]+)`")


def wheel_gap(output: str) -> str | None:
    """The package uv found no wheel for (so pip, which can build it, may), or None when
    uv failed for another reason (an index, a typo, a conflict: pip would fail too)."""
    m = _WHEEL_GAP.search(output)
    return next((g for g in m.groups() if g), None) if m else None
