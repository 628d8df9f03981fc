"""A local-mode stage dies with the synth: SIGKILL the process that runs it, and the
installer it started is gone too (no watchdog in a container does it here)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import slim_lambda

SRC = os.path.dirname(os.path.dirname(slim_lambda.__file__))

SCRIPT = textwrap.dedent("""
    import dataclasses, os, sys
    from pathlib import Path
    from tests.requests import make_request
    from slim_lambda.run.environment import BuildEnvironment
    from slim_lambda.run.runners import Mounts, SubprocessRunner
    from slim_lambda.run.specs import deps_spec, requirements_file
    from slim_lambda.plan.installer import InstallerChoice
    from slim_lambda.run.target import local_target
    entry, work, out, uv = (Path(a) for a in sys.argv[1:5])
    request = make_request.__wrapped__(entry)()
    target = local_target(request)
    runner = SubprocessRunner(env=BuildEnvironment(variables={}, ca_bundle=None, secrets=()),
                              timeout_seconds=300, pip_cache=str(work / "pip"),
                              uv_cache=str(work / "uv"), log=lambda line: None)
    mounts = Mounts(entry=str(entry), work=str(work), output=str(out))
    spec = deps_spec(request, target, runner.view(mounts), requirements_file(request, str(work)),
                     [], installer=InstallerChoice("uv"))
    spec = dataclasses.replace(spec, install=dataclasses.replace(
        spec.install, installer="uv", uv=str(uv)))
    runner.run(spec, mounts)
""")


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_killing_the_synth_ends_the_installer(entry: Path, tmp_path: Path) -> None:
    work, out = tmp_path / "work", tmp_path / "out"
    work.mkdir()
    out.mkdir()
    pidfile = tmp_path / "uv.pid"
    uv = tmp_path / "uv"
    uv.write_text(f"#!/bin/sh\necho $$ > {pidfile}.tmp\nmv {pidfile}.tmp {pidfile}\n"
                  "exec sleep 300\n")
    uv.chmod(0o755)
    root = Path(__file__).resolve().parents[2]
    parent = subprocess.Popen([sys.executable, "-c", SCRIPT, str(entry), str(work), str(out),
                               str(uv)], cwd=root,
                              env={**os.environ, "PYTHONPATH": f"{root}:{SRC}"})
    try:
        deadline = time.monotonic() + 60
        while not pidfile.exists():
            assert parent.poll() is None, "the stage ended before the installer started"
            assert time.monotonic() < deadline, "the installer never started"
            time.sleep(0.1)
        installer = int(pidfile.read_text())
        parent.send_signal(signal.SIGKILL)
        parent.wait()
        deadline = time.monotonic() + 10
        while _alive(installer) and time.monotonic() < deadline:
            time.sleep(0.1)
        alive = _alive(installer)
        if alive:
            os.kill(installer, signal.SIGKILL)
        assert not alive, "the installer outlived the killed synth"
    finally:
        if parent.poll() is None:
            parent.kill()
