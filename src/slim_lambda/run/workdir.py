"""A stage's work directory: private to this user, and gone however the build ends.

The work directory holds the stage's spec and, for the deps stage, the index logins
(``netrc``) and the private variables, until the stage has read them. So it is made
``0700`` (the container runs as this user and writes it all the same), its files
``0600``, and it is removed when the stage ends: on an error, on Ctrl-C, and on SIGTERM,
which :func:`sigterm_raises` turns into :class:`Terminated` while a stage runs. A SIGKILL
leaves it behind; the next build's :func:`remove_leftovers` removes it.

Each directory is named ``slim-lambda-<pid>-…`` and holds ``.owner``, locked (``flock``)
by the build that made it for as long as it lives: a directory whose lock is free belongs
to no running build, whatever pid namespace that build ran in.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import shutil
import signal
import stat
import tempfile
import threading
from collections.abc import Iterator
from types import FrameType

__all__ = ["Terminated", "pid_alive", "remove_leftovers", "sigterm_raises", "work_dir",
           "write_private"]

PREFIX = "slim-lambda-"
OWNER = ".owner"
_NAME = re.compile(rf"{re.escape(PREFIX)}(\d+)-")


class Terminated(SystemExit):
    """SIGTERM arrived while a stage ran. A ``SystemExit`` (exit status 143): it unwinds
    through every ``finally`` (and past jsii, which catches ``Exception`` only) and ends
    the process the way SIGTERM would have, after the clean-up."""


def pid_alive(pid: int) -> bool:
    """Whether a process ``pid`` exists (another user's counts)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextlib.contextmanager
def sigterm_raises() -> Iterator[None]:
    """While the block runs, SIGTERM raises :class:`Terminated` instead of ending the
    process at once. Only in the main thread, and only where SIGTERM has its default
    action: a handler someone else installed (the CDK app's, jsii's) is left alone."""
    if (threading.current_thread() is not threading.main_thread()
            or signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL):
        yield
        return

    def handler(signum: int, _frame: FrameType | None) -> None:
        raise Terminated(128 + signum)

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def write_private(path: str, text: str) -> None:
    """A new file only this user can read (``0600``); refuses to follow or reuse a path."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC,
                 0o600)
    with open(fd, "w", encoding="utf-8") as f:
        f.write(text)


def _lock_owner(path: str) -> int:
    """Create ``path/.owner`` already locked (made under another name, locked, renamed):
    a janitor never sees it unlocked while this build lives."""
    tmp = os.path.join(path, f"{OWNER}.{os.getpid()}")
    fd = os.open(tmp, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
    os.write(fd, str(os.getpid()).encode("ascii"))
    os.rename(tmp, os.path.join(path, OWNER))
    return fd


@contextlib.contextmanager
def work_dir(root: str | None = None) -> Iterator[str]:
    """A fresh ``0700`` work directory under ``root`` (the temporary directory), removed
    on the way out; SIGTERM meanwhile unwinds (:func:`sigterm_raises`). Leftovers of dead
    builds are removed first."""
    root = root or tempfile.gettempdir()
    remove_leftovers(root)
    with sigterm_raises():
        path = tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-", dir=root)
        fd = -1
        try:
            fd = _lock_owner(path)
            yield path
        finally:
            shutil.rmtree(path, ignore_errors=True)
            if fd >= 0:
                os.close(fd)


def _abandoned(path: str, pid: int) -> bool:
    """No running build owns ``path``: its ``.owner`` lock is free, or (made before it had
    one) the pid in its name is gone."""
    try:
        fd = os.open(os.path.join(path, OWNER), os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except FileNotFoundError:
        return not pid_alive(pid)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)
    return True


def remove_leftovers(root: str | None = None) -> list[str]:
    """Remove this user's work directories under ``root`` that no running build owns
    (a SIGKILLed synth's); returns their paths. One ``listdir``: cheap enough for every
    stage."""
    root = root or tempfile.gettempdir()
    removed: list[str] = []
    try:
        names = os.listdir(root)
    except OSError:
        return removed
    uid = os.getuid()
    for name in names:
        match = _NAME.match(name)
        if match is None:
            continue
        path = os.path.join(root, name)
        try:
            st = os.lstat(path)
        except OSError:
            continue
        if not (stat.S_ISDIR(st.st_mode) and st.st_uid == uid):
            continue
        if _abandoned(path, int(match.group(1))):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed
