"""Zipped sizes exactly as the CDK CLI will produce them.

The CLI zips an asset with yazl: raw deflate at level 6 by Node's own zlib (a
Chromium fork), whose matches differ from the zlib Python links against — about
1 % on a scientific bundle. So the exact figure comes from the same engine: a
``node`` process deflates the files and reports the lengths. Node is always
present where CDK runs (the CLI and jsii both run on it); without it, the
figure is Python's estimate and the report says so.

A build starts one :class:`NodeDeflater` as soon as it begins, so node's
start-up (a tenth of a second) runs on another core while the asset is being
assembled; the process answers any number of jobs and deflates the files of a
job concurrently on libuv's thread pool (every core, a bounded number of files
in memory at once).
"""

from __future__ import annotations

import contextlib
import json
import shutil
import subprocess
import threading
from typing import IO

__all__ = ["NodeDeflater", "deflated_sizes", "engine"]

_SCRIPT = r"""
const fs = require('fs'), zlib = require('zlib'), path = require('path'), rl = require('readline');
const engine = process.version + ' zlib ' + process.versions.zlib;
process.stdout.write(JSON.stringify({ engine }) + '\n');
const deflate = (data) => new Promise((ok, fail) =>
  zlib.deflateRaw(data, { level: 6 }, (err, out) => err ? fail(err) : ok(out.length)));
async function run(job) {
  const out = {};
  let next = 0;
  async function worker() {
    while (next < job.files.length) {
      const rel = job.files[next++];
      out[rel] = await deflate(await fs.promises.readFile(path.join(job.root, rel)));
    }
  }
  await Promise.all(Array.from({ length: job.parallel }, worker));
  return out;
}
let queue = Promise.resolve();
rl.createInterface({ input: process.stdin }).on('line', (line) => {
  queue = queue.then(async () => {
    let reply;
    try { reply = { sizes: await run(JSON.parse(line)) }; }
    catch (e) { reply = { error: String(e && e.message || e) }; }
    process.stdout.write(JSON.stringify(reply) + '\n');
  });
});
"""
# files in flight at once: enough to keep libuv's 4 threads busy, little memory
_PARALLEL = 8
_START_TIMEOUT_S = 60


class NodeDeflater:
    """A node process that deflates files as the CDK CLI's zip does.

    Starts at once (``node`` found on ``PATH``, or the executable given); the first
    call to :meth:`engine` or :meth:`sizes` waits for it. Every failure (no node, a
    crash, a file it cannot read) makes the answers None, never an exception: the
    caller then falls back to Python's zlib. Use it as a context manager, or call
    :meth:`close`.
    """

    def __init__(self, node: str | None = None) -> None:
        self._lock = threading.Lock()
        self._engine: str | None = None
        self._started = False
        self._proc: subprocess.Popen[str] | None = None
        node = node or shutil.which("node")
        if node is None:
            return
        try:
            self._proc = subprocess.Popen(
                [node, "-e", _SCRIPT], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL, text=True, encoding="utf-8")
        except OSError:
            self._proc = None

    def __enter__(self) -> NodeDeflater:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def _read(self, timeout: float | None) -> dict[str, object] | None:
        proc = self._proc
        if proc is None or proc.stdout is None:
            return None
        line = _readline(proc.stdout, timeout)
        if not line:
            self.close()
            return None
        try:
            data: dict[str, object] = json.loads(line)
        except ValueError:
            self.close()
            return None
        return data

    def engine(self) -> str | None:
        """``node v20.20.2 zlib 1.3.1-...``, or None when node is not usable."""
        if self._started:  # never waits for a job another thread is running
            return self._engine
        with self._lock:
            if not self._started:
                hello = self._read(_START_TIMEOUT_S)
                engine = hello.get("engine") if hello else None
                self._engine = f"node {engine}" if isinstance(engine, str) else None
                self._started = True
            return self._engine

    def sizes(self, root: str, rels: list[str]) -> dict[str, int] | None:
        """Raw-deflate length of each file (relative to ``root``) at level 6, as yazl
        writes it; None when node is not available or failed."""
        if not rels:
            return {}
        if self.engine() is None:
            return None
        with self._lock:
            proc = self._proc
            if proc is None or proc.stdin is None:
                return None
            job = json.dumps({"root": root, "files": rels, "parallel": _PARALLEL})
            try:
                proc.stdin.write(job + "\n")
                proc.stdin.flush()
            except OSError:
                self.close()
                return None
            reply = self._read(None)
        sizes = reply.get("sizes") if reply else None
        if not isinstance(sizes, dict):
            return None
        return {str(k): int(v) for k, v in sizes.items()}

    def close(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        with contextlib.suppress(OSError):
            if proc.stdin:
                proc.stdin.close()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stdout:
            proc.stdout.close()


def _readline(stream: IO[str], timeout: float | None) -> str:
    """One line, or "" when the stream ends or ``timeout`` seconds pass."""
    if timeout is None:
        return stream.readline()
    got: list[str] = []
    reader = threading.Thread(target=lambda: got.append(stream.readline()), daemon=True)
    reader.start()
    reader.join(timeout)
    return got[0] if got else ""


def engine() -> str | None:
    """The engine string of this machine's node, or None (starts a short-lived process)."""
    with NodeDeflater() as d:
        return d.engine()


def deflated_sizes(root: str, rels: list[str]) -> dict[str, int] | None:
    """Raw-deflate lengths of ``rels`` under ``root`` by Node's zlib at level 6, in one
    short-lived node process; None when node is not available."""
    with NodeDeflater() as d:
        return d.sizes(root, rels)

