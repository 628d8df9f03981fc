"""Copying the function's own sources into the bundle.

Default excludes keep virtualenvs (any directory holding a ``pyvenv.cfg``, whatever
its name), VCS data, caches, ``cdk.out``, ``node_modules``, credential files
(``secretfiles.CREDENTIAL_FILES``) and editor junk out of the asset; user patterns
(gitignore syntax, ``!`` re-includes) extend them. Dependency manifests are copied with
their URL credentials redacted.
Symlinks are copied as their content when they point inside the entry and refused
when they point outside it; so are names that are not UTF-8 (they cannot be hashed).
"""

from __future__ import annotations

import os
import shutil
import stat
from collections.abc import Collection, Sequence

import pathspec

from .errors import BuildError
from .secretfiles import CREDENTIAL_EXCLUDES, is_manifest, redact_manifest
from .slim import compile_patterns

__all__ = ["DEFAULT_EXCLUDES", "copy_extra_sources", "copy_sources", "list_sources"]

DEFAULT_EXCLUDES: tuple[str, ...] = (
    ".git/", ".hg/", ".svn/",
    ".venv/", "venv/", ".virtualenv/", "env/", ".tox/", ".nox/", "pyvenv.cfg",
    "cdk.out/", "node_modules/",
    "__pycache__/", "*.pyc", "*.pyo",
    ".pytest_cache/", ".mypy_cache/", ".ruff_cache/", ".hypothesis/", "*.egg-info/",
    ".coverage", "htmlcov/",
    *CREDENTIAL_EXCLUDES,
    ".idea/", ".vscode/", "*.swp", "*~", ".DS_Store", "Thumbs.db",
    "/tests/",
)


def _utf8(name: str) -> bool:
    try:
        name.encode()
    except UnicodeEncodeError:
        return False
    return True


def exclude_spec(user_excludes: tuple[str, ...]) -> pathspec.GitIgnoreSpec:
    return compile_patterns((*DEFAULT_EXCLUDES, *user_excludes), "bundling.exclude")


def list_sources(entry: str, user_excludes: tuple[str, ...] = ()) -> list[str]:
    """Relative paths of the files that :func:`copy_sources` copies, sorted.

    Raises when a symlink points outside the entry or a file cannot be read.
    """
    spec = exclude_spec(user_excludes)
    entry_real = os.path.realpath(entry)
    found: list[str] = []

    def walk(abs_dir: str, rel_dir: str, seen: frozenset[str]) -> None:
        for e in sorted(os.scandir(abs_dir), key=lambda d: d.name):
            rel = rel_dir + e.name
            is_dir = e.is_dir(follow_symlinks=True)
            if spec.match_file(rel + "/" if is_dir else rel):
                continue
            if is_dir and os.path.isfile(os.path.join(e.path, "pyvenv.cfg")):
                continue  # a virtualenv, whatever its name
            if not _utf8(rel):
                raise BuildError(
                    "sources", f"{os.fsencode(os.path.join(entry, rel))!r}: the name is not "
                    "valid UTF-8, so it cannot be hashed or zipped portably",
                    details="Rename it, or add it to bundling.exclude.")
            if e.is_symlink():
                target = os.path.realpath(e.path)
                if target != entry_real and not target.startswith(entry_real + os.sep):
                    raise BuildError(
                        "sources", f"{os.path.join(entry, rel)} is a symlink to {target}, "
                        "outside the entry directory",
                        details="Copy the file into the entry, or add it to bundling.exclude.")
            if is_dir:
                real = os.path.realpath(e.path)
                if real in seen:
                    raise BuildError(
                        "sources", f"{os.path.join(entry, rel)} is a symlink to {real}, "
                        "which contains it: copying it would never end",
                        details="Remove the symlink, or add it to bundling.exclude.")
                walk(e.path, rel + "/", seen | {real})
            elif e.is_file():
                if not os.access(e.path, os.R_OK):
                    raise BuildError("sources", f"cannot read {os.path.join(entry, rel)}",
                                     details="Make it readable (chmod a+r) or add it to "
                                             "bundling.exclude.")
                found.append(rel)

    walk(entry, "", frozenset({entry_real}))
    return found


def copy_sources(entry: str, dest: str, user_excludes: tuple[str, ...] = ()) -> list[str]:
    """Copy the function's sources into ``dest``; returns the copied relative paths."""
    files = list_sources(entry, user_excludes)
    for rel in files:
        target = os.path.join(dest, rel)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        if os.path.lexists(target):
            os.unlink(target)
        if is_manifest(rel):
            with open(os.path.join(entry, rel), "rb") as f:
                data = redact_manifest(f.read())
            with open(target, "wb") as f:
                f.write(data)
        else:
            shutil.copyfile(os.path.join(entry, rel), target)
        mode = os.stat(os.path.join(entry, rel)).st_mode
        os.chmod(target, 0o755 if mode & (stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH) else 0o644)
    return files


def copy_extra_sources(extra: Sequence[Sequence[str]], root: str, user_excludes: tuple[str, ...],
                       dep_files: Collection[str]) -> list[str]:
    """``bundling.extra_sources`` ((where it ships, directory) pairs) copied under ``root``;
    returns the copied paths relative to ``root``. A name a dependency already ships
    (``dep_files``) is an error: one of the two would silently win."""
    copied: list[str] = []
    for dest, source in extra:
        top = dest.split("/")[0]
        taken = sorted(rel for rel in dep_files
                       if rel.split("/")[0] in (top, f"{top}.py") or rel.startswith(f"{top}."))
        if taken:
            raise BuildError(
                "sources", f"bundling.extra_sources[{dest.replace('/', '.')!r}] and an "
                f"installed distribution both ship {top}: {', '.join(taken[:3])}",
                details="Rename the shared package, or drop the dependency that ships the "
                "same top-level name.")
        copied += [f"{dest}/{rel}" for rel in
                   copy_sources(source, os.path.join(root, dest), user_excludes)]
    return copied
