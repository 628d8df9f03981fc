"""verify's shared starts (verify_driver.py, groupprobe.py): a group starts where the
distributions it requires were imported, never anywhere else, and whatever a module does
(fails, crashes, exits, hangs, leaves processes), every group gets its own answer."""

from __future__ import annotations

import itertools
import os
import signal
import time
from pathlib import Path

import pytest

from slim_lambda.pipeline.verify import verify_imports

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="the driver forks")


def _package(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def _verify(root: Path, modules: list[str], requires: dict[str, set[str]], *,
            shared: bool = True, **kwargs: object) -> dict[str, str]:
    owner = {m: m for m in modules}
    result = verify_imports(str(root), modules, removed={}, stripped=set(),
                            requires=requires if shared else None, owner=owner,
                            **kwargs)  # type: ignore[arg-type]
    assert sorted(set(result.modules)) == sorted(result.modules)
    return {f.module: f.error for f in result.failures}


TREE = {
    "base/__init__.py": "",
    "base/extra/__init__.py": "VALUE = 1\n",
    # relies on base.extra having been imported by someone else: works only where its
    # requirement, base, was imported with its public subpackages
    "dep/__init__.py": "import sys\nassert 'base.extra' in sys.modules, 'no shared start'\n",
    # requires nothing, so it starts from an interpreter that imported nothing
    "loner/__init__.py": "import sys\nassert 'base' not in sys.modules, 'saw base'\n",
}


def test_a_group_starts_where_what_it_requires_was_imported_and_nowhere_else(
        tmp_path: Path) -> None:
    _package(tmp_path, TREE)
    requires = {"base": set(), "dep": {"base"}, "loner": set()}
    assert _verify(tmp_path, ["base", "dep", "loner"], requires) == {}
    # in fresh interpreters dep finds base.extra not imported: the start is shared above
    fresh = _verify(tmp_path, ["base", "dep", "loner"], requires, shared=False)
    assert list(fresh) == ["dep"] and "no shared start" in fresh["dep"]


def test_a_removed_file_is_not_hidden_by_a_shared_start(tmp_path: Path) -> None:
    _package(tmp_path, {"base/__init__.py": "", "base/sub/__init__.py": "from . import _gone\n",
                        "dep/__init__.py": "import base.sub\n"})
    failures = _verify(tmp_path, ["base", "dep"], {"base": set(), "dep": {"base"}})
    assert sorted(failures) == ["base.sub", "dep"]
    assert "_gone" in failures["dep"]


def test_a_start_that_failed_to_import_runs_its_dependents_from_nothing(tmp_path: Path) -> None:
    _package(tmp_path, {"base/__init__.py": "raise RuntimeError('base is broken')\n",
                        "user/__init__.py": "import base\n",
                        "bystander/__init__.py": "import sys\nassert 'base' not in sys.modules\n"})
    requires = {"base": set(), "user": {"base"}, "bystander": {"base"}}
    failures = _verify(tmp_path, ["base", "user", "bystander"], requires)
    assert sorted(failures) == ["base", "user"]
    assert "base is broken" in failures["user"]


def test_a_crash_an_exit_and_a_hang_are_each_reported_and_the_rest_still_verified(
        tmp_path: Path) -> None:
    _package(tmp_path, {
        "crashy/__init__.py": "import os, signal\nos.kill(os.getpid(), signal.SIGSEGV)\n",
        "quitter/__init__.py": "import os\nos._exit(3)\n",
        "sleeper/__init__.py": "import time\ntime.sleep(60)\n",
        "after/__init__.py": "X = 1\n",
        "fine/__init__.py": "X = 1\n"})
    requires = {"crashy": set(), "quitter": set(), "sleeper": set(), "fine": set(),
                "after": {"crashy", "quitter", "sleeper"}}
    started = time.monotonic()
    failures = _verify(tmp_path, ["crashy", "quitter", "sleeper", "after", "fine"], requires,
                       timeout=3.0)
    assert time.monotonic() - started < 30
    assert sorted(failures) == ["crashy", "quitter", "sleeper"]
    assert "signal 11 (SIGSEGV)" in failures["crashy"]
    assert "exited with code 3" in failures["quitter"]
    assert "did not finish within 3 s" in failures["sleeper"]


def test_no_process_a_module_started_outlives_verify(tmp_path: Path) -> None:
    pid_file = tmp_path / "pid"
    _package(tmp_path / "tree", {
        "spawner/__init__.py": (
            "import subprocess, time\n"
            "p = subprocess.Popen(['sleep', '120'])\n"
            f"open({str(pid_file)!r}, 'w').write(str(p.pid))\n"
            "time.sleep(60)\n"),
        "user/__init__.py": "X = 1\n"})
    failures = _verify(tmp_path / "tree", ["spawner", "user"],
                       {"spawner": set(), "user": {"spawner"}}, timeout=2.0)
    assert list(failures) == ["spawner"]
    pid = int(pid_file.read_text())
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and _alive(pid):
        time.sleep(0.1)
    assert not _alive(pid), "the module's sleep process outlived verify"


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            return f.read().rpartition(")")[2].split()[0] != "Z"
    except OSError:
        return False


def test_no_more_groups_import_at_once_than_jobs(tmp_path: Path) -> None:
    log = tmp_path / "log"
    log.mkdir()
    body = ("import os, time\n"
            f"d = {str(log)!r}\n"
            "open(os.path.join(d, __name__ + '.start'), 'w').write(repr(time.time()))\n"
            "time.sleep(0.4)\n"
            "open(os.path.join(d, __name__ + '.end'), 'w').write(repr(time.time()))\n")
    names = ["m0", "m1", "m2", "m3"]
    _package(tmp_path / "tree", {f"{n}/__init__.py": body for n in names})
    requires = {"m0": set(), "m1": set(), "m2": {"m0"}, "m3": {"m0"}}
    assert _verify(tmp_path / "tree", names, requires, jobs=1) == {}
    spans = sorted((float((log / f"{n}.start").read_text()), float((log / f"{n}.end").read_text()))
                   for n in names)
    for (_s1, e1), (s2, _e2) in itertools.pairwise(spans):
        assert s2 >= e1, f"two groups imported at once with jobs=1: {spans}"


def test_a_signal_handler_a_module_set_does_not_stop_its_dependents_timing_out(
        tmp_path: Path) -> None:
    _package(tmp_path, {
        "base/__init__.py": "import signal\nsignal.signal(signal.SIGALRM, lambda *a: None)\n",
        "stuck/__init__.py": "import time\ntime.sleep(60)\n"})
    started = time.monotonic()
    failures = _verify(tmp_path, ["base", "stuck"], {"base": set(), "stuck": {"base"}},
                       timeout=2.0)
    assert list(failures) == ["stuck"] and "did not finish within 2 s" in failures["stuck"]
    assert time.monotonic() - started < 30
    assert signal.getsignal(signal.SIGALRM) in (signal.SIG_DFL, None)  # ours untouched
