"""Every lock kind, exactly: the plan pins the lock's closure with its hashes, pip installs
the locked versions from the fixture wheelhouse, tampered hashes fail, and packages
from elsewhere than an index are an error."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from slim_lambda.errors import ConfigurationError
from slim_lambda.manifests import InstallPlan, resolve_manifest
from slim_lambda.manifests.context import Ctx
from slim_lambda.manifests.lockfile import Pin, collect_pins, pins_plan, strong_hashes
from tests.fixtures.projects import (
    DEFAULT_PINS,
    INDEX_URL,
    WITH_GROUPS_PINS,
    LockWheelhouse,
    pipfile_project,
    uv_project,
)
from tests.manifests.helpers import (
    EXCLUDED,
    GROUPS_NOTE,
    LOCKS,
    installed,
    lock_requirements,
    pip_install,
)


@pytest.mark.parametrize("kind", LOCKS)
def test_lock_plan_is_exact_and_installs_the_locked_versions(
        kind: str, house: LockWheelhouse, tmp_path: Path) -> None:
    manifest, write, notes = LOCKS[kind]
    entry = write(tmp_path / "fn", house)

    plan = resolve_manifest(str(entry))

    assert plan == InstallPlan(
        kind=manifest, manifest=manifest, requirements=lock_requirements(house, DEFAULT_PINS),
        require_hashes=True, no_deps=True, project=None, groups=(),
        notes=(f"{manifest}: excluded {EXCLUDED[manifest]} {GROUPS_NOTE}", *notes))
    proc = pip_install(plan, tmp_path / "t", find_links=house.path)
    assert proc.returncode == 0, proc.stderr
    # slimfix-pure 2.0.0 is in the wheelhouse: the lock's 1.0.0 wins; no dev tool, no extra
    assert installed(tmp_path / "t") == DEFAULT_PINS


@pytest.mark.parametrize("kind", LOCKS)
def test_lock_groups_and_extras_are_selectable(
        kind: str, house: LockWheelhouse, tmp_path: Path) -> None:
    _, write, notes = LOCKS[kind]
    entry = write(tmp_path / "fn", house)

    plan = resolve_manifest(str(entry), groups=["cext", "dev"])

    assert plan.requirements == lock_requirements(house, WITH_GROUPS_PINS)
    assert plan.groups == ("cext", "dev")
    assert plan.notes == notes, "nothing is excluded"
    target = tmp_path / "t"
    proc = pip_install(plan, target, find_links=house.path)
    assert proc.returncode == 0, proc.stderr
    assert installed(target) == WITH_GROUPS_PINS
    code = "import slimfix_cext; print(slimfix_cext.add(2, 3))"
    run = subprocess.run([sys.executable, "-c", code],
                         capture_output=True, text=True,
                         env=dict(os.environ, PYTHONPATH=str(target)))
    assert run.stdout.strip() == "5", run.stderr


@pytest.mark.parametrize("kind", LOCKS)
def test_tampered_lock_hash_makes_pip_fail(
        kind: str, house: LockWheelhouse, tmp_path: Path) -> None:
    manifest, write, _ = LOCKS[kind]
    entry = write(tmp_path / "fn", house)
    good = house.sha256("slimfix-pure", "1.0.0").split(":")[1]
    lock = entry / manifest
    lock.write_text(lock.read_text().replace(good, good[::-1]))

    plan = resolve_manifest(str(entry))

    assert good[::-1] in plan.requirements and plan.require_hashes
    proc = pip_install(plan, tmp_path / "t", find_links=house.path)
    assert proc.returncode != 0
    assert "DO NOT MATCH THE HASHES" in proc.stderr, proc.stderr


def test_unsupported_sources(house: LockWheelhouse, tmp_path: Path) -> None:
    entry = uv_project(tmp_path / "uv", house)
    lock = entry / "uv.lock"
    pure = 'name = "slimfix-pure"\nversion = "1.0.0"\n'
    text = lock.read_text()
    lock.write_text(text.replace(
        f'{pure}source = {{ registry = "{INDEX_URL}" }}',
        f'{pure}source = {{ url = "https://files.example/pure-1.0.0.tar.gz" }}'))
    with pytest.raises(ConfigurationError, match="slimfix-pure has source url = "):
        resolve_manifest(str(entry))
    lock.write_text(text.replace(  # a git source must name a full commit
        f'{pure}source = {{ registry = "{INDEX_URL}" }}',
        f'{pure}source = {{ git = "https://git.example/pure?rev=main#abc" }}'))
    with pytest.raises(ConfigurationError, match=r"slimfix-pure comes from git .* without a "
                       r"locked commit"):
        resolve_manifest(str(entry))

    entry = pipfile_project(tmp_path / "pipenv", house)
    lock = entry / "Pipfile.lock"
    data = json.loads(lock.read_text())
    data["default"]["slimfix-top"].update(editable=True, path="./top")
    lock.write_text(json.dumps(data))
    with pytest.raises(ConfigurationError) as e:
        resolve_manifest(str(entry))
    assert e.value.problems == [
        f"{lock}: slimfix-top (default) has path = './top', which slim-lambda does not install "
        "from Pipfile.lock yet: export a requirements file (`pipenv requirements > "
        "requirements.txt`) and name it with bundling.manifest (CLI --manifest)"]


# -- pins to a plan, without files ----------------------------------------------------------------

CTX = Ctx(entry="fn", rel="uv.lock", python_version="3.12")
H = "sha256:" + "a" * 64


def test_pins_plan_sorts_by_name_then_version_and_keeps_every_hash() -> None:
    pins = [Pin(name="b", version="1.10", hashes=(H,)), Pin(name="b", version="1.9", hashes=(H,)),
            Pin(name="a", version="2", hashes=(H, H.replace("a", "b")), marker="os_name == 'nt'")]
    plan = pins_plan(CTX, "uv.lock", pins, selected=("dev",), project=None, notes=["n"])
    assert plan == InstallPlan(
        kind="uv.lock", manifest="uv.lock", requirements=(
            f"a==2 ; os_name == 'nt' --hash={H} --hash={H.replace('a', 'b')}\n"
            f"b==1.9 --hash={H}\nb==1.10 --hash={H}\n"),
        require_hashes=True, no_deps=True, groups=("dev",), notes=("n",))


def test_pins_plan_checks_every_hash_or_none() -> None:
    pins = [Pin(name="a", version="1", hashes=(H,)), Pin(name="b", version="1")]
    plan = pins_plan(CTX, "uv.lock", pins, selected=(), project=".", notes=())
    assert (plan.requirements, plan.require_hashes, plan.project) == ("a==1\nb==1\n", False, ".")
    assert plan.notes == ("uv.lock: no hashes for b, so hashes are not checked for any package "
                          "(pip checks every line or none)",)
    unhashed = pins_plan(CTX, "uv.lock", pins[1:], selected=(), project=None, notes=())
    assert (unhashed.require_hashes, unhashed.notes) == (False, ())
    empty = pins_plan(CTX, "uv.lock", [], selected=(), project=None, notes=())
    assert (empty.requirements, empty.require_hashes) == ("", False)


def test_strong_hashes() -> None:
    assert strong_hashes(["md5:00", H, "", H, "sha512:ff", None]) == (H, "sha512:ff")


def test_collect_pins_raises_every_problem_once() -> None:
    always: list[frozenset[str]] = [frozenset()]
    reached = {("a", "1"): always, ("b", "1"): always, ("c", "1"): always}
    made: dict[str, Pin | str] = {"a": Pin(name="a", version="1"), "b": "b is bad"}

    def pin(key: tuple[str, str], conjs: list[frozenset[str]]) -> Pin | str | None:
        return made.get(key[0])
    with pytest.raises(ConfigurationError) as e:
        collect_pins(CTX, reached, pin, ["walk problem", "b is bad"])
    assert e.value.problems == ["walk problem", "b is bad"]
    assert collect_pins(CTX, {k: v for k, v in reached.items() if k[0] != "b"}, pin) == [
        Pin(name="a", version="1")]
