"""The exact zip shares of a cached tree, measured after the synth, in the background.

A tree whose shares are not yet the CDK CLI's own (a new one carries a sampled estimate,
:mod:`.zipestimate`) is measured by a detached process started when the build returns:
its own session, stdio on ``/dev/null`` (the CDK CLI waits for its app's output to close,
never for this), at a lower priority, so the rest of the synth and what follows it keep
the CPUs. It deflates the immutable tree without the entry's lock and takes the lock only
to write the meta, so no synth waits on it; the next report of that tree is exact.

It starts deflating only once the process that built the tree has exited (the CDK app:
after the build, the app's template validation and assembly still take seconds, and on
two cores a deflate beside them slowed the synth by about that much), or after
:data:`HOLD_S` at most (a long-lived host such as a test runner), or when that process
calls :func:`release` (and :func:`wait` does). The hold is a pipe: the builder keeps its
write end, each child blocks on reading the other, and the kernel closes the write end
however the builder ends, even killed.

With a remote cache this build may write, the measured shares are then published beside
the remote entry (:mod:`.remote_shares`), so runners that fetch it measure nothing.

One measurement per key at a time: the parent takes ``locks/<key>.zip`` (flock) before
starting the child and hands it the open descriptor, so the lock is held from before the
child exists until it exits, and :func:`wait` can never return while one is starting.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import glob
import os
import select
import subprocess
import sys
import time

from ..plan.remote import RemoteCache
from .cache import CacheEntry, DepsCache, entry_at
from .zipshares import measure_zip_shares
from .zipsize import NodeDeflater

__all__ = ["HOLD_S", "NICE", "release", "start", "wait"]

NICE = 10
HOLD_S = 60.0
_MODULE = __name__
_hold: list[int] = []  # [read end, write end] of this process's hold pipe, once made


def _hold_read_end() -> int:
    if not _hold:
        _hold.extend(os.pipe())  # neither end is inherited by other children (PEP 446)
    return _hold[0]


def release() -> None:
    """Let this process's background measurements start now (as its exit would)."""
    while _hold:
        os.close(_hold.pop())


def _lock_path(cache_root: str, key: str) -> str:
    return os.path.join(cache_root, "locks", f"{key}.zip")


def start(cache_root: str, key: str, remote: RemoteCache | None = None) -> bool:
    """Start measuring ``key``'s exact shares in the background, then publishing them to
    ``remote`` when it may be written; False when one already runs for it (or the process
    could not start: the next synth tries again)."""
    os.makedirs(os.path.join(cache_root, "locks"), exist_ok=True)
    fd = os.open(_lock_path(cache_root, key), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        # this very package, found last: never ahead of the standard library
        package_root = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))
        bootstrap = (f"import sys; sys.path.append({package_root!r}); "
                     f"from {_MODULE} import main; sys.exit(main())")
        hold = _hold_read_end()
        publish = ["--remote", remote.url] if remote is not None and remote.write else []
        try:
            subprocess.Popen(
                [sys.executable, "-c", bootstrap, "--lock-fd", str(fd), "--hold-fd",
                 str(hold), *publish, cache_root, key],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL, pass_fds=(fd, hold), start_new_session=True)
        except OSError:
            return False
        return True
    finally:
        os.close(fd)  # the child's copy of the descriptor keeps the lock


def wait(cache_root: str, timeout: float = 300.0) -> bool:
    """Wait until no background measurement runs in this cache; False on timeout. Releases
    this process's own first."""
    release()
    deadline = time.monotonic() + timeout
    for path in glob.glob(_lock_path(cache_root, "*")):
        with contextlib.suppress(FileNotFoundError):
            fd = os.open(path, os.O_RDWR)
            try:
                while True:
                    try:
                        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
                        break
                    except BlockingIOError:
                        if time.monotonic() > deadline:
                            return False
                        time.sleep(0.05)
            finally:
                os.close(fd)
    return True


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog=f"python -m {_MODULE}")
    ap.add_argument("--lock-fd", type=int, required=True)
    ap.add_argument("--hold-fd", type=int)
    ap.add_argument("--remote")
    ap.add_argument("cache_root")
    ap.add_argument("key")
    args = ap.parse_args(argv)
    if args.hold_fd is not None:  # readable (end of file) once every write end is closed
        with contextlib.suppress(OSError):
            select.select([args.hold_fd], [], [], HOLD_S)
        os.close(args.hold_fd)
    with contextlib.suppress(OSError):
        os.nice(NICE)
    try:
        if os.path.isdir(entry_at(args.cache_root, args.key).tree):
            cache = DepsCache(args.cache_root)  # creates its directories: only if it exists
            entry = cache.entry(args.key)
            with NodeDeflater() as deflater:
                measure_zip_shares(entry, deflater, lambda: cache.lock(args.key),
                                   when="after the synth")
            if args.remote:
                _publish(args.remote, entry)
    except (OSError, ValueError, KeyError):
        return 1  # pruned or replaced meanwhile: the next synth measures again
    finally:
        os.close(args.lock_fd)
    return 0


def _publish(url: str, entry: CacheEntry) -> None:
    from ..plan.remote import remote_cache
    from .remote_shares import publish_shares

    with contextlib.suppress(ValueError, AssertionError, ImportError):
        remote = remote_cache(url)
        if remote is not None:
            publish_shares(remote, entry)


if __name__ == "__main__":
    sys.exit(main())
