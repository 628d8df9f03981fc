"""A write boundary: removals and replacements only ever happen inside one root.

Every destructive file operation of the pipeline goes through :class:`Root`, which
refuses paths that resolve outside the root (``..``, absolute paths, symlinked
parents) and never follows a symlink while deleting. Files move between two roots
(the tree and the holding directory verify restores from) only through both guards.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil

from .errors import BuildError

__all__ = ["Root"]


class Root:
    """A directory that the pipeline may modify, and nothing outside it."""

    def __init__(self, path: str) -> None:
        self.path = os.path.realpath(path)

    def resolve(self, rel: str) -> str:
        """Absolute path of ``rel`` inside the root; raise if it would leave it.

        The parent directory is resolved through symlinks, the final component is
        not (so a symlink inside the root can be removed, never followed).
        """
        if os.path.isabs(rel) or not rel or rel == "." or "\0" in rel:
            raise BuildError("guard", f"refusing to touch {rel!r}: not a path inside {self.path}")
        joined = os.path.normpath(os.path.join(self.path, rel))
        try:
            parent = os.path.realpath(os.path.dirname(joined))
        except ValueError as e:  # embedded NUL, unencodable surrogates
            raise BuildError("guard", f"refusing to touch {rel!r}: not a valid path ({e})") from e
        if parent != self.path and not parent.startswith(self.path + os.sep):
            raise BuildError("guard", f"refusing to touch {rel!r}: it resolves outside {self.path}")
        return os.path.join(parent, os.path.basename(joined))

    def remove(self, rel: str) -> None:
        """Delete a file, a symlink or a whole directory tree inside the root."""
        target = self.resolve(rel)
        if os.path.islink(target) or not os.path.isdir(target):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(target)
            return
        shutil.rmtree(target)

    def replace(self, rel: str, new_file: str) -> None:
        """Atomically replace ``rel`` with ``new_file`` (which must be inside the root)."""
        target = self.resolve(rel)
        source = os.path.realpath(new_file)
        if not source.startswith(self.path + os.sep):
            raise BuildError("guard", f"refusing to move {new_file!r} from outside {self.path}")
        os.replace(source, target)

    def move_to(self, rel: str, dest: Root) -> None:
        """Move the file or symlink ``rel`` to the same path inside ``dest``, never over an
        existing one. Copies, then deletes, across file systems (a container's mounts)."""
        source = self.resolve(rel)
        target = dest.resolve(rel)
        if os.path.lexists(target):
            raise BuildError("guard", f"refusing to overwrite {rel!r} in {dest.path}")
        os.makedirs(os.path.dirname(target), exist_ok=True)
        try:
            os.rename(source, target)
        except OSError as e:
            if e.errno != errno.EXDEV:
                raise
            if os.path.islink(source):
                os.symlink(os.readlink(source), target)
            else:
                shutil.copy2(source, target)
            os.unlink(source)

    def remove_empty_dirs(self, rels: set[str]) -> None:
        """Remove the given directories, deepest first, when they have become empty."""
        for rel in sorted(rels, key=lambda r: r.count("/"), reverse=True):
            target = self.resolve(rel)
            try:
                if os.path.isdir(target) and not os.path.islink(target) and not os.listdir(target):
                    os.rmdir(target)
            except OSError:
                pass
