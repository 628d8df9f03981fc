"""A stage's work directory and the spec in it are private to this user, and go away
however the build ends (an error, Ctrl-C, SIGTERM, or a SIGKILL and the next build)."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

import slim_lambda
from slim_lambda.run.container_spec import ContainerRun, RunResult
from slim_lambda.run.environment import BuildEnvironment
from slim_lambda.run.stages import build_deps
from slim_lambda.run.target import local_target
from tests.requests import MakeRequest

SRC = os.path.dirname(os.path.dirname(slim_lambda.__file__))
SECRET_URL = "https://user:hunter22@idx.example/simple"


class FakeDocker:
    """Records what the container would see of its work directory, then answers."""

    def __init__(self, then: Any = None) -> None:
        self.then = then
        self.seen: dict[str, Any] = {}

    def container_user(self) -> str:
        return f"{os.getuid()}:{os.getgid()}"

    def run(self, run: ContainerRun, log: Any) -> RunResult:
        work = next(v.source for v in run.volumes if v.target == "/slim-lambda/work")
        self.seen = {"work": work, "work_mode": stat.S_IMODE(os.stat(work).st_mode),
                     "user": run.user,
                     "files": {name: stat.S_IMODE(os.stat(os.path.join(work, name)).st_mode)
                               for name in os.listdir(work)}}
        with open(os.path.join(work, "spec.json"), encoding="utf-8") as f:
            self.seen["spec"] = f.read()
        if self.then is not None:
            self.then()
        with open(os.path.join(work, "result.json"), "w", encoding="utf-8") as f:
            json.dump({"report": {"files": {}}}, f)
        return RunResult(0, "")


def _session(make_request: MakeRequest, docker: FakeDocker, cache: Path) -> Any:
    from slim_lambda.options import BundlingOptions
    request = make_request(bundling=BundlingOptions(index_url=SECRET_URL))
    return SimpleNamespace(
        request=request, mode="docker", docker=docker,
        env=BuildEnvironment(variables={}, ca_bundle=None, secrets=()),
        target=local_target(request), deflater=SimpleNamespace(engine=lambda: None),
        cache=SimpleNamespace(pip_cache=str(cache / "pip"), uv_cache=str(cache / "uv")),
        progress=lambda line: None, file_access=lambda: "bind")


def test_the_work_dir_is_private_and_the_spec_readable_only_by_its_owner(
        make_request: MakeRequest, tmp_path: Path) -> None:
    docker = FakeDocker()
    tree = tmp_path / "tree"
    tree.mkdir()
    build_deps(_session(make_request, docker, tmp_path), str(tree), [])
    assert docker.seen["work_mode"] == 0o700
    assert docker.seen["user"] == f"{os.getuid()}:{os.getgid()}"
    assert all(mode & 0o077 == 0 for mode in docker.seen["files"].values()), docker.seen
    assert not os.path.exists(docker.seen["work"])


def test_ctrl_c_removes_the_work_dir(make_request: MakeRequest, tmp_path: Path) -> None:
    def interrupt() -> None:
        raise KeyboardInterrupt
    docker = FakeDocker(then=interrupt)
    tree = tmp_path / "tree"
    tree.mkdir()
    with pytest.raises(KeyboardInterrupt):
        build_deps(_session(make_request, docker, tmp_path), str(tree), [])
    assert not os.path.exists(docker.seen["work"])


SIGTERM_SCRIPT = textwrap.dedent("""
    import os, signal, sys
    from pathlib import Path
    from tests.run import test_workdir as t
    from tests.requests import make_request
    entry = Path(sys.argv[1])
    make = make_request.__wrapped__(entry)
    def terminate():
        print("WORK", docker.seen["work"], flush=True)
        os.kill(os.getpid(), signal.SIGTERM)
    docker = t.FakeDocker(then=terminate)
    t.build_deps(t._session(make, docker, entry.parent), str(entry.parent), [])
    print("NOT STOPPED", flush=True)
""")


def test_sigterm_during_a_stage_removes_the_work_dir_and_still_ends_the_process(
        entry: Path, tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[2]
    proc = subprocess.run([sys.executable, "-c", SIGTERM_SCRIPT, str(entry)],
                          capture_output=True, text=True, cwd=root, timeout=60,
                          env={**os.environ, "PYTHONPATH": f"{root}:{SRC}"})
    lines = proc.stdout.split()
    work = lines[lines.index("WORK") + 1]
    assert "NOT STOPPED" not in proc.stdout
    assert proc.returncode in (-signal.SIGTERM, 128 + signal.SIGTERM), proc.stderr
    assert not os.path.exists(work)


def test_the_work_dir_names_its_owner(make_request: MakeRequest, tmp_path: Path) -> None:
    docker = FakeDocker()
    tree = tmp_path / "tree"
    tree.mkdir()
    build_deps(_session(make_request, docker, tmp_path), str(tree), [])
    name = os.path.basename(docker.seen["work"])
    assert name.startswith(f"slim-lambda-{os.getpid()}-")
    assert os.path.dirname(docker.seen["work"]) == tempfile.gettempdir()


SIGKILL_SCRIPT = textwrap.dedent("""
    import os, signal, sys
    from pathlib import Path
    from tests.run import test_workdir as t
    from tests.requests import make_request
    entry = Path(sys.argv[1])
    make = make_request.__wrapped__(entry)
    def kill():
        print("WORK", docker.seen["work"], flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
    docker = t.FakeDocker(then=kill)
    t.build_deps(t._session(make, docker, entry.parent), str(entry.parent), [])
""")


def test_the_next_build_removes_what_a_killed_one_left(
        entry: Path, tmp_path: Path, make_request: MakeRequest) -> None:
    root = Path(__file__).resolve().parents[2]
    proc = subprocess.run([sys.executable, "-c", SIGKILL_SCRIPT, str(entry)],
                          capture_output=True, text=True, cwd=root, timeout=60,
                          env={**os.environ, "PYTHONPATH": f"{root}:{SRC}"})
    assert proc.returncode == -signal.SIGKILL
    lines = proc.stdout.split()
    left = lines[lines.index("WORK") + 1]
    assert os.path.isdir(left)
    docker = FakeDocker()
    tree = tmp_path / "tree"
    tree.mkdir()
    build_deps(_session(make_request, docker, tmp_path), str(tree), [])
    assert not os.path.exists(left)


def test_the_janitor_leaves_live_builds_and_other_users_alone(tmp_path: Path) -> None:
    from slim_lambda.run.workdir import remove_leftovers, work_dir
    with work_dir(str(tmp_path)) as live:
        dead = tmp_path / "slim-lambda-999999999-abc"  # no such pid, no .owner
        dead.mkdir()
        unlocked = tmp_path / f"slim-lambda-{os.getpid()}-old"  # a live pid, a free lock
        unlocked.mkdir()
        (unlocked / ".owner").write_text("1")
        theirs = tmp_path / "slim-lambda-999999998-xyz"
        theirs.mkdir()
        other = tmp_path / "slim-lambda-nocache-abc"
        other.mkdir()
        if os.getuid() == 0:
            os.chown(theirs, 65534, 65534)
        removed = remove_leftovers(str(tmp_path))
        assert os.path.isdir(live)
    assert sorted(removed) == sorted([str(dead), str(unlocked)])
    assert other.is_dir() and not os.path.exists(live)
    assert theirs.is_dir() == (os.getuid() == 0)


def test_sigterm_is_left_alone_where_someone_else_handles_it() -> None:
    import signal as sig

    from slim_lambda.run.workdir import sigterm_raises
    calls: list[int] = []

    def theirs(signum: int, _frame: object) -> None:
        calls.append(signum)
    previous = sig.signal(sig.SIGTERM, theirs)
    try:
        with sigterm_raises():
            assert sig.getsignal(sig.SIGTERM) is theirs
    finally:
        sig.signal(sig.SIGTERM, previous)
    with sigterm_raises():
        assert sig.getsignal(sig.SIGTERM) is not sig.SIG_DFL
    assert sig.getsignal(sig.SIGTERM) is sig.SIG_DFL
