"""``bundling.before_install`` / ``after_install``: the user's shell commands in the deps
stage, where PythonFunction offers ``commandHooks`` and serverless-python-requirements a
``dockerFile``.

Typical uses: copy a system library into ``lib/``, generate a file, delete a vendored
test corpus, ``pip download`` something private. Each command runs with ``sh -c`` in the
build image (or this host's shell in local mode), in the dependency tree being built,
with ``SLIM_LAMBDA_TREE`` (that tree), ``SLIM_LAMBDA_ENTRY`` (the function's sources,
read only) and ``SLIM_LAMBDA_WORK`` (scratch space) set, and the stage's own environment
(index credentials come through its netrc, never the command line). The commands are in
the deps key, so changing one rebuilds. A failing command names itself, its exit code and
its last lines, credentials redacted.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Sequence

from .errors import BuildError
from .redact import redact
from .spec import DepsSpec

__all__ = ["run_hooks"]

TAIL_LINES = 20


def run_hooks(which: str, commands: Sequence[str], spec: DepsSpec, log: Callable[[str], None],
              timeout: float = 1800.0) -> None:
    """Run ``commands`` (``which`` names the option) one after another in the stage's
    tree; raise :class:`BuildError` on the first that fails."""
    tree = spec.output_dir
    env = dict(os.environ, SLIM_LAMBDA_TREE=tree, SLIM_LAMBDA_ENTRY=spec.install.entry_dir,
               SLIM_LAMBDA_WORK=spec.work_dir)
    env.setdefault("HOME", spec.work_dir)
    for i, command in enumerate(commands):
        name = f"bundling.{which}[{i}] `{redact(command)}`"
        log(f"  {name}")
        try:
            proc = subprocess.run(["sh", "-c", command], cwd=tree, env=env, text=True,
                                  capture_output=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise BuildError("install", f"{name} did not finish within {timeout:.0f} s",
                             details="Make it faster, or do that work before the synth.") \
                from None
        output = redact(proc.stdout + proc.stderr)
        for line in output.splitlines()[-TAIL_LINES:]:
            log(f"    {line}")
        if proc.returncode != 0:
            tail = "\n".join(output.splitlines()[-TAIL_LINES:]) or "(no output)"
            raise BuildError("install", f"{name} failed with exit code {proc.returncode}",
                             details=f"Its last lines:\n{tail}")
