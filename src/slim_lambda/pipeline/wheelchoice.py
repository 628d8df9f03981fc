"""Which release pip chose, and why: read from pip's own debug log (``--log``).

With ``--prefer-binary`` pip takes the newest release that has a wheel for the image's
platform; this reads the links pip saw, so the report can name each package whose newest
release was skipped because it has no wheel for the runtime's glibc, and each package built
from source. No second resolution, no network: only the log of the install that ran.
"""

from __future__ import annotations

import os
import re
import urllib.parse
from typing import NamedTuple

from ..platform import ARCHITECTURES, RUNTIMES
from .distinfo import normalized_name
from .spec import DepsSpec

__all__ = ["NEWEST_PLATFORM", "PIP_LOG", "WheelChoices", "read_wheel_choices", "uncapped_choices",
           "wheel_choices"]

PIP_LOG = "pip.log"
"""In the work directory: pip's debug log (``--log``), read for :func:`wheel_choices`, then
deleted (index URLs in it may carry credentials)."""


NEWEST_PLATFORM = "manylinux_2_40"
"""The newest glibc uv's ``--python-platform`` knows: uv resolves the requirements once more
for it (:func:`uncapped_choices`) to name what the runtime's glibc cap made it skip."""


class WheelChoices(NamedTuple):
    """What pip's log says about the releases it chose (see :func:`wheel_choices`)."""

    skipped: list[dict[str, str]]
    """Packages whose newest release has no wheel for the target, so an older one was
    installed: ``name``, ``version`` (installed), ``skipped`` (the newest), ``reason``."""
    from_source: list[dict[str, str]]
    """Packages built from source (``name``, ``version``): that version has no wheel."""


_FOUND = re.compile(r"Found link (\S+).*, version: (\S+)\s*$")
_NO_TAGS = re.compile(r"Skipping link: none of the wheel's tags \((.*?)\) are compatible.*: (\S+)")
_VERSION = re.compile(r"^(\d+(?:\.\d+)*)(?:(a|b|rc)(\d+))?(?:\.post(\d+))?(?:\.dev(\d+))?$")
_PRE = {"a": 0, "b": 1, "rc": 2}


def _version_key(version: str) -> tuple[tuple[int, ...], tuple[int, int], int, float] | None:
    """A sort key for the canonical PEP 440 versions in file names; None for others."""
    m = _VERSION.match(version)
    if not m:
        return None
    release = tuple(int(p) for p in m.group(1).split("."))
    while len(release) > 1 and release[-1] == 0:
        release = release[:-1]
    pre = (_PRE[m.group(2)], int(m.group(3))) if m.group(2) else \
        (-1, 0) if m.group(5) and not m.group(4) else (3, 0)
    return (release, pre, int(m.group(4) or -1),
            float(m.group(5)) if m.group(5) else float("inf"))


def _file_name(url: str) -> str:
    return urllib.parse.unquote(url.split("#", 1)[0].rsplit("/", 1)[-1])


def _fits_but_for_glibc(tags: str, runtime: str, machine: str) -> bool:
    """A skipped wheel that would install but for its manylinux glibc (not one for another
    Python or machine)."""
    minor = int(runtime.removeprefix("python3."))
    for tag in tags.split(", "):
        interpreter, abi, plat = [*tag.split("-"), "", ""][:3]
        if not (plat.startswith("manylinux") and plat.endswith(machine)):
            continue
        if interpreter in ("py3", f"cp3{minor}", f"py3{minor}") or (
                abi == "abi3" and re.fullmatch(r"cp3(\d+)", interpreter)
                and int(interpreter[3:]) <= minor):
            return True
    return False


def wheel_choices(log: str, installed: dict[str, str], *, runtime: str,
                  architecture: str) -> WheelChoices:
    """Which installed packages pip took an older release of for want of a wheel, and which
    it built from source, read from its debug log (``--log``). Pure: the log holds every
    link pip saw; nothing is fetched again. ``installed``: name → version."""
    machine = ARCHITECTURES[architecture].wheel_machine
    wheels: dict[str, set[str]] = {}
    others: dict[str, set[str]] = {}  # sdists, and wheels only a newer glibc could install
    for line in log.splitlines():
        if m := _FOUND.search(line):
            name = _file_name(m.group(1))
            if name.endswith(".whl"):
                wheels.setdefault(normalized_name(name.split("-")[0]), set()).add(m.group(2))
            else:
                project = name.rsplit(f"-{m.group(2)}", 1)[0]
                others.setdefault(normalized_name(project), set()).add(m.group(2))
        elif (m := _NO_TAGS.search(line)) and _fits_but_for_glibc(m.group(1), runtime, machine):
            parts = _file_name(m.group(2)).split("-")
            others.setdefault(normalized_name(parts[0]), set()).add(parts[1])
    info = RUNTIMES[runtime]
    target = f"{info.os} / glibc {info.glibc[0]}.{info.glibc[1]} ({machine})"
    skipped, from_source = [], []
    for dist, version in sorted(installed.items(), key=lambda kv: normalized_name(kv[0])):
        name = normalized_name(dist)
        have, seen = wheels.get(name, set()), wheels.get(name, set()) | others.get(name, set())
        chosen = _version_key(version)
        if not seen or chosen is None:
            continue
        if version not in have:
            from_source.append({"name": name, "version": version})
        keyed = [(k, v) for v in seen if (k := _version_key(v)) is not None
                 and (k[1][0] == 3 or chosen[1][0] != 3)]  # pre-releases only for one
        newest_key, newest = max(keyed)
        if newest_key > chosen and newest not in have:
            skipped.append({"name": name, "version": version, "skipped": newest,
                            "reason": f"{newest} has no wheel for {target}"})
    return WheelChoices(skipped, from_source)


def read_wheel_choices(spec: DepsSpec, installed: dict[str, str]) -> WheelChoices:
    """:func:`wheel_choices` from the log the last pip install wrote; the log is deleted."""
    path = os.path.join(spec.work_dir, PIP_LOG)
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            log = f.read()
    except FileNotFoundError:
        return WheelChoices([], [])
    os.remove(path)
    return wheel_choices(log, installed, runtime=spec.runtime, architecture=spec.architecture)


def uncapped_choices(compiled: str, installed: dict[str, str], *, runtime: str,
                     architecture: str) -> WheelChoices:
    """uv's counterpart of :func:`wheel_choices`: ``compiled`` is ``uv pip compile``'s
    output for :data:`NEWEST_PLATFORM` (wheels only); a package it resolves to a newer
    version than the one installed has that newer release only for a newer glibc. (uv
    never builds here, so nothing was built from source.)"""
    newest = {}
    for line in compiled.splitlines():
        name, sep, version = line.split("#", 1)[0].strip().partition("==")
        if sep and name:
            newest[normalized_name(name.split("[", 1)[0])] = version.split(";", 1)[0].strip()
    machine = ARCHITECTURES[architecture].wheel_machine
    info = RUNTIMES[runtime]
    target = f"{info.os} / glibc {info.glibc[0]}.{info.glibc[1]} ({machine})"
    skipped = []
    for dist, version in sorted(installed.items(), key=lambda kv: normalized_name(kv[0])):
        name = normalized_name(dist)
        newer = newest.get(name)
        chosen, other = _version_key(version), _version_key(newer or "")
        if newer and chosen is not None and other is not None and other > chosen:
            skipped.append({"name": name, "version": version, "skipped": newer,
                            "reason": f"{newer} has no wheel for {target}"})
    return WheelChoices(skipped, [])
