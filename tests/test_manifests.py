"""Install plans from every manifest kind: exact plans, installed for real with pip from the
fixture wheelhouse (locked versions win, tampered hashes fail), conflicts, explicit
manifests, groups and malformed files. One test uses the real package index."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from slim_lambda.errors import ConfigurationError
from slim_lambda.manifests import DETECTION_ORDER, InstallPlan, resolve_manifest
from tests.fixtures.index_server import serve_index
from tests.fixtures.projects import (
    DEFAULT_PINS,
    INDEX_URL,
    MARKER_LINUX,
    WITH_GROUPS_PINS,
    LockWheelhouse,
    build_lock_wheelhouse,
    pipfile_project,
    poetry_project,
    pyproject_project,
    requirements_project,
    uv_package,
    uv_project,
    write_pure_wheel,
)

GROUPS_NOTE = "(include with bundling.groups (CLI --group))"
NOT_A_PACKAGE = ("pyproject.toml: Poetry project 'fn' has no package directory fn/, so it is "
                 "not installed as a package (set [tool.poetry] package-mode = false to say so)")


@pytest.fixture(scope="module")
def house(wheels: Path, tmp_path_factory: pytest.TempPathFactory) -> LockWheelhouse:
    return build_lock_wheelhouse(tmp_path_factory.mktemp("lockhouse"), wheels)


# -- helpers: real pip ------------------------------------------------------------------------

def _pip_env() -> dict[str, str]:
    env = dict(os.environ, PIP_CONFIG_FILE=os.devnull, PIP_DISABLE_PIP_VERSION_CHECK="1")
    for var in ("PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_FIND_LINKS", "PIP_CONSTRAINT",
                "PIP_REQUIRE_HASHES", "PIP_NO_DEPS"):
        env.pop(var, None)
    return env


def pip_install(plan: InstallPlan, target: Path, *, find_links: Path | None,
                extra: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
    """Install ``plan.requirements`` as the build does: ``--require-hashes`` and
    ``--no-deps`` as the plan says, into ``target``; from ``find_links`` only, or from
    pip's default index when None."""
    req = target.parent / f"{target.name}-requirements.txt"
    req.write_text(plan.requirements)
    cmd = [sys.executable, "-m", "pip", "install", "--target", str(target), "--no-compile",
           "--no-input", "-r", str(req), *extra]
    if find_links is not None:
        cmd += ["--no-index", "--find-links", str(find_links)]
    if plan.require_hashes:
        cmd.append("--require-hashes")
    if plan.no_deps:
        cmd.append("--no-deps")
    env = _pip_env() if find_links is not None else dict(os.environ)
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600)


def installed(target: Path) -> dict[str, str]:
    """Normalized name → version of every distribution in ``target``."""
    out = {}
    for meta in target.glob("*.dist-info/METADATA"):
        fields = dict(re.findall(r"^(Name|Version): (.+)$", meta.read_text(), re.MULTILINE))
        out[re.sub(r"[-_.]+", "-", fields["Name"]).lower()] = fields["Version"]
    return out


def lock_requirements(house: LockWheelhouse, pins: dict[str, str]) -> str:
    """The requirements a lock of the fixture projects must turn into."""
    lines = []
    for name, version in sorted(pins.items()):
        marker = f" ; {MARKER_LINUX}" if name in DEFAULT_PINS else ""
        hashes = "".join(f" --hash={h}" for h in house.hashes(name, version))
        lines.append(f"{name}=={version}{marker}{hashes}\n")
    return "".join(lines)


# -- every lock kind, exactly ------------------------------------------------------------------

Writer = Callable[[Path, LockWheelhouse], Path]
LOCKS: dict[str, tuple[str, Writer, tuple[str, ...]]] = {
    # id: (manifest, writer, notes of the default plan besides the excluded groups)
    "uv": ("uv.lock", uv_project, ()),
    "poetry2": ("poetry.lock", lambda d, h: poetry_project(d, h, lock_version="2.1"), ()),
    "poetry1.8": ("poetry.lock", lambda d, h: poetry_project(d, h, lock_version="2.0"),
                  (NOT_A_PACKAGE,)),
    "poetry1.4": ("poetry.lock", lambda d, h: poetry_project(d, h, lock_version="1.1"),
                  (NOT_A_PACKAGE,)),
    "pipenv": ("Pipfile.lock", pipfile_project, ()),
}
EXCLUDED = {"uv.lock": "group dev; extra cext", "poetry.lock": "group dev; extra cext",
            "Pipfile.lock": "groups cext, develop"}


def test_detection_order() -> None:
    assert DETECTION_ORDER == ("requirements.txt", "uv.lock", "poetry.lock", "Pipfile.lock",
                               "pyproject.toml")


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


# -- requirements.txt --------------------------------------------------------------------------

def test_requirements_file_passes_through(house: LockWheelhouse, tmp_path: Path) -> None:
    entry = requirements_project(tmp_path / "fn", house)

    plan = resolve_manifest(str(entry))

    assert plan == InstallPlan(kind="requirements.txt", manifest="requirements.txt",
                               requirements=lock_requirements(house, DEFAULT_PINS),
                               require_hashes=True, no_deps=False)
    proc = pip_install(plan, tmp_path / "t", find_links=house.path)
    assert proc.returncode == 0, proc.stderr
    assert installed(tmp_path / "t") == DEFAULT_PINS


def test_requirements_file_without_hashes_resolves_with_pip(
        house: LockWheelhouse, tmp_path: Path) -> None:
    entry = tmp_path / "fn"
    entry.mkdir()
    (entry / "requirements.txt").write_text(
        "# top level only\n-r base.txt  # kept: relative to the entry\n"
        "slimfix-top   # the rest comes from pip\n\n--only-binary :all:\n")
    (entry / "base.txt").write_text("slimfix-cext==1.0.0\n")

    plan = resolve_manifest(str(entry))

    assert plan.requirements == "-r base.txt\nslimfix-top\n--only-binary :all:\n"
    assert (plan.require_hashes, plan.no_deps) == (False, False)
    (tmp_path / "base.txt").write_text("slimfix-cext==1.0.0\n")  # beside the written plan
    proc = pip_install(plan, tmp_path / "t", find_links=house.path)
    assert proc.returncode == 0, proc.stderr
    assert installed(tmp_path / "t") == {"slimfix-top": "1.0.0", "slimfix-pure": "2.0.0",
                                         "slimfix-cext": "1.0.0"}


def test_requirements_with_one_unhashed_line_does_not_require_hashes(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text(
        "a==1 --hash=sha256:" + "0" * 64 + "\nb==2\n")
    assert resolve_manifest(str(tmp_path)).require_hashes is False


def test_tampered_requirements_hash_makes_pip_fail(house: LockWheelhouse, tmp_path: Path) -> None:
    entry = requirements_project(tmp_path / "fn", house)
    good = house.sha256("slimfix-top", "1.0.0").split(":")[1]
    req = entry / "requirements.txt"
    req.write_text(req.read_text().replace(good, good[::-1]))
    proc = pip_install(resolve_manifest(str(entry)), tmp_path / "t", find_links=house.path)
    assert proc.returncode != 0 and "DO NOT MATCH THE HASHES" in proc.stderr, proc.stderr


# -- pyproject.toml without a lock, and projects that are packages ------------------------------

def test_pyproject_without_lock(house: LockWheelhouse, tmp_path: Path) -> None:
    entry = pyproject_project(tmp_path / "fn")

    plan = resolve_manifest(str(entry))

    assert plan == InstallPlan(
        kind="pyproject.toml", manifest="pyproject.toml",
        requirements=f"slimfix-top; {MARKER_LINUX}\n", require_hashes=False, no_deps=False,
        notes=(f"pyproject.toml: excluded groups dev, test; extra cext {GROUPS_NOTE}",))
    proc = pip_install(plan, tmp_path / "t", find_links=house.path)
    assert proc.returncode == 0, proc.stderr
    # no lock: pip resolves, and takes the newest slimfix-pure
    assert installed(tmp_path / "t") == {"slimfix-top": "1.0.0", "slimfix-pure": "2.0.0"}


def test_pyproject_dependency_groups_include_groups_and_own_extras(tmp_path: Path) -> None:
    entry = pyproject_project(tmp_path / "fn")
    plan = resolve_manifest(str(entry), groups=["dev"])
    # dev = [{include-group = "test"}, "fn[cext]"]
    assert plan.requirements == f"slimfix-cext\nslimfix-devtool\nslimfix-top; {MARKER_LINUX}\n"
    assert plan.groups == ("dev",)


def test_pyproject_package_installs_the_project(house: LockWheelhouse, tmp_path: Path) -> None:
    entry = pyproject_project(tmp_path / "fn", package=True)

    plan = resolve_manifest(str(entry))

    assert plan.project == "."
    assert plan.requirements == f"slimfix-top; {MARKER_LINUX}\n", \
        "the dependencies come first: the project is installed with --no-deps"
    target = tmp_path / "t"
    assert pip_install(plan, target, find_links=house.path).returncode == 0
    _install_project(entry / plan.project, target)
    assert installed(target) == {"fn": "0.1.0", "slimfix-top": "1.0.0", "slimfix-pure": "2.0.0"}
    assert (target / "fn" / "handler.py").is_file()


def _install_project(project: Path, target: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-index", "--no-build-isolation",
         "--no-deps", "--no-compile", "--target", str(target), str(project)],
        capture_output=True, text=True, env=_pip_env(), timeout=600)
    assert proc.returncode == 0, proc.stderr


def test_uv_lock_of_a_package_project(house: LockWheelhouse, tmp_path: Path) -> None:
    entry = uv_project(tmp_path / "fn", house, package=True)

    plan = resolve_manifest(str(entry))

    assert plan.project == "."
    assert plan.requirements == lock_requirements(house, DEFAULT_PINS), "without the project"
    assert plan.notes[-1] == ("uv.lock: the project fn is installed as a package (after its "
                              "locked dependencies, without resolving)")
    target = tmp_path / "t"
    proc = pip_install(plan, target, find_links=house.path)
    assert proc.returncode == 0, proc.stderr
    _install_project(entry / plan.project, target)
    assert installed(target) == {**DEFAULT_PINS, "fn": "0.1.0"}


@pytest.mark.parametrize("lock_version", ["2.1", "2.0", "1.1"])
def test_poetry_lock_of_a_package_project(
        lock_version: str, house: LockWheelhouse, tmp_path: Path) -> None:
    entry = poetry_project(tmp_path / "fn", house, lock_version=lock_version, package=True)
    plan = resolve_manifest(str(entry))
    assert plan.project == "."
    assert plan.requirements == lock_requirements(house, DEFAULT_PINS)


# -- two manifests ------------------------------------------------------------------------------

def test_agreeing_manifests_use_the_first_with_a_note(
        house: LockWheelhouse, tmp_path: Path) -> None:
    entry = uv_project(tmp_path / "fn", house)
    requirements_project(entry, house)  # as `uv export` would write it

    plan = resolve_manifest(str(entry))

    assert (plan.kind, plan.manifest) == ("requirements.txt", "requirements.txt")
    assert plan.notes == ("uv.lock agrees with requirements.txt; using requirements.txt, the "
                          "first in the detection order",)


def test_requirements_listing_more_than_the_lock_is_a_conflict(
        house: LockWheelhouse, tmp_path: Path) -> None:
    entry = uv_project(tmp_path / "fn", house)
    requirements_project(entry, house, hashes=False)
    with (entry / "requirements.txt").open("a") as f:
        f.write("slimfix-cext==1.0.0\n")

    with pytest.raises(ConfigurationError) as e:
        resolve_manifest(str(entry))

    (problem,) = e.value.problems
    assert f"{entry / 'requirements.txt'} and {entry / 'uv.lock'} disagree" in problem
    assert "requirements.txt lists slimfix-cext, uv.lock does not install it" in problem
    assert 'bundling.manifest="uv.lock" (CLI --manifest uv.lock)' in problem
    assert "delete the other" in problem


def test_different_pins_are_a_conflict(house: LockWheelhouse, tmp_path: Path) -> None:
    entry = pipfile_project(tmp_path / "fn", house)
    (entry / "requirements.txt").write_text("slimfix-top==1.0.0\nslimfix-pure==2.0.0\n")
    with pytest.raises(ConfigurationError) as e:
        resolve_manifest(str(entry))
    assert "slimfix-pure is ==2.0.0 in requirements.txt but 1.0.0 in Pipfile.lock" in str(e.value)


def test_two_locks_that_disagree(house: LockWheelhouse, tmp_path: Path) -> None:
    entry = uv_project(tmp_path / "fn", house)
    poetry_project(entry, house, lock_version="2.1")  # its PEP 621 pyproject.toml fits both
    assert resolve_manifest(str(entry)).notes[-1].startswith("poetry.lock agrees with uv.lock")

    lock = entry / "poetry.lock"
    old = house.sha256("slimfix-pure", "1.0.0")
    write_pure_wheel(tmp_path, "slimfix-pure", "1.0.1")
    new = "sha256:" + hashlib.sha256(
        (tmp_path / "slimfix_pure-1.0.1-py3-none-any.whl").read_bytes()).hexdigest()
    text = lock.read_text().replace(old, new).replace(
        'name = "slimfix-pure"\nversion = "1.0.0"', 'name = "slimfix-pure"\nversion = "1.0.1"')
    lock.write_text(text)

    with pytest.raises(ConfigurationError) as e:
        resolve_manifest(str(entry))
    assert "slimfix-pure is 1.0.0 in uv.lock but 1.0.1 in poetry.lock" in str(e.value)


def test_pyproject_dependency_missing_from_requirements_is_a_conflict(tmp_path: Path) -> None:
    pyproject_project(tmp_path)
    (tmp_path / "requirements.txt").write_text("slimfix-pure==1.0.0\n")
    with pytest.raises(ConfigurationError) as e:
        resolve_manifest(str(tmp_path))
    assert "pyproject.toml lists slimfix-top, requirements.txt does not" in str(e.value)

    # a compiled requirements file pins the whole closure: that agrees
    (tmp_path / "requirements.txt").write_text("slimfix-pure==1.0.0\nslimfix-top==1.0.0\n")
    assert resolve_manifest(str(tmp_path)).notes == (
        "pyproject.toml agrees with requirements.txt; using requirements.txt, the first in "
        "the detection order",)


def test_pyproject_without_dependencies_is_not_a_manifest(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.ruff]\nline-length = 100\n')
    (tmp_path / "requirements.txt").write_text("slimfix-pure\n")
    assert resolve_manifest(str(tmp_path)).notes == ()


def test_dynamic_dependencies_defer_to_the_requirements_file(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "fn"\nversion = "1"\ndynamic = ["dependencies"]\n\n'
        '[tool.setuptools.dynamic]\ndependencies = { file = ["requirements.txt"] }\n')
    (tmp_path / "requirements.txt").write_text("slimfix-pure\n")
    assert resolve_manifest(str(tmp_path)).notes == ()

    (tmp_path / "requirements.txt").unlink()
    with pytest.raises(ConfigurationError, match=r"\[project\].dependencies is dynamic"):
        resolve_manifest(str(tmp_path))


def test_poetry_pyproject_without_its_lock(house: LockWheelhouse, tmp_path: Path) -> None:
    entry = poetry_project(tmp_path / "fn", house, lock_version="2.0")
    (entry / "poetry.lock").unlink()
    with pytest.raises(ConfigurationError, match=r"only in \[tool.poetry.dependencies\], which "
                                                 r"need poetry.lock: run `poetry lock`"):
        resolve_manifest(str(entry))


# -- explicit manifest -------------------------------------------------------------------------

def test_explicit_manifest_wins_over_a_conflict(house: LockWheelhouse, tmp_path: Path) -> None:
    entry = uv_project(tmp_path / "fn", house)
    (entry / "requirements.txt").write_text("slimfix-cext\n")

    plan = resolve_manifest(str(entry), manifest="uv.lock")

    assert (plan.kind, plan.manifest) == ("uv.lock", "uv.lock")
    assert plan.requirements == lock_requirements(house, DEFAULT_PINS)
    assert plan.notes[-1] == ("bundling.manifest (CLI --manifest) names uv.lock; ignored: "
                              "requirements.txt")


def test_explicit_requirements_file_of_any_name(house: LockWheelhouse, tmp_path: Path) -> None:
    entry = tmp_path / "fn"
    requirements_project(entry / "requirements", house, name="prod.txt")
    plan = resolve_manifest(str(entry), manifest="requirements/prod.txt")
    assert (plan.kind, plan.manifest) == ("requirements.txt", "requirements/prod.txt")
    assert plan.require_hashes


def test_explicit_manifest_must_exist(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError) as e:
        resolve_manifest(str(tmp_path), manifest="uv.lock")
    assert f"bundling.manifest (CLI --manifest): {tmp_path / 'uv.lock'} does not exist" \
        in str(e.value)


def test_no_manifest(tmp_path: Path) -> None:
    plan = resolve_manifest(str(tmp_path))
    assert (plan.kind, plan.manifest, plan.requirements) == ("none", None, "")


def test_pipfile_without_lock_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "Pipfile").write_text('[packages]\nsix = "*"\n')
    with pytest.raises(ConfigurationError, match="run `pipenv lock`"):
        resolve_manifest(str(tmp_path))


# -- groups ------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", LOCKS)
def test_unknown_group_lists_the_available_ones(
        kind: str, house: LockWheelhouse, tmp_path: Path) -> None:
    manifest, write, _ = LOCKS[kind]
    entry = write(tmp_path / "fn", house)
    with pytest.raises(ConfigurationError) as e:
        resolve_manifest(str(entry), groups=["docs"])
    (problem,) = e.value.problems
    have = "groups cext, develop" if manifest == "Pipfile.lock" else "groups dev; extras cext"
    assert problem == (f"bundling.groups (CLI --group): {entry / manifest} has no group or "
                       f"extra named 'docs'; it has {have}")


def test_pipfile_dev_is_develop(house: LockWheelhouse, tmp_path: Path) -> None:
    entry = pipfile_project(tmp_path / "fn", house)
    plan = resolve_manifest(str(entry), groups=["dev"])
    assert "slimfix-devtool==1.0.0" in plan.requirements
    assert "slimfix-cext" not in plan.requirements


def test_groups_on_a_requirements_file_are_an_error(house: LockWheelhouse, tmp_path: Path) -> None:
    entry = requirements_project(tmp_path / "fn", house)
    with pytest.raises(ConfigurationError, match="is a requirements file, which has no groups"):
        resolve_manifest(str(entry), groups=["dev"])


def test_a_package_reached_unconditionally_loses_its_marker(
        house: LockWheelhouse, tmp_path: Path) -> None:
    entry = uv_project(tmp_path / "fn", house)
    lock = entry / "uv.lock"
    lock.write_text(lock.read_text().replace(
        'dev = [\n    { name = "slimfix-devtool" },\n]',
        'dev = [\n    { name = "slimfix-devtool" },\n    { name = "slimfix-pure" },\n]'))
    plan = resolve_manifest(str(entry), groups=["dev"])
    assert "slimfix-pure==1.0.0 --hash" in plan.requirements
    assert f"slimfix-top==1.0.0 ; {MARKER_LINUX} --hash" in plan.requirements


HOST = f"{sys.version_info.major}.{sys.version_info.minor}"
NEWER = sys.version_info >= (3, 11)
"""The fork tests split at Python 3.11: this host takes slimfix-pure 2.0.0 if it is newer."""


def test_uv_fork_installs_the_release_for_this_python(
        house: LockWheelhouse, tmp_path: Path) -> None:
    """uv.lock with two releases of one package, one per Python range ("forks")."""
    entry = uv_project(tmp_path / "fn", house)
    lock = entry / "uv.lock"
    forked = [f'{{ name = "slimfix-pure", version = "{v}", source = {{ registry = "{INDEX_URL}" }}'
              f', marker = "{m}" }}' for v, m in (("1.0.0", "python_full_version < '3.11'"),
                                                 ("2.0.0", "python_full_version >= '3.11'"))]
    text = lock.read_text().replace(uv_package("slimfix-top", "1.0.0", house,
                                               ['{ name = "slimfix-pure" }']),
                                    uv_package("slimfix-top", "1.0.0", house, forked))
    lock.write_text(text + "\n" + uv_package("slimfix-pure", "2.0.0", house, []))

    plan = resolve_manifest(str(entry))

    pure = {v: " --hash=" + house.sha256("slimfix-pure", v) for v in ("1.0.0", "2.0.0")}
    assert plan.requirements.splitlines()[:2] == [
        f"slimfix-pure==1.0.0 ; python_full_version < '3.11' and {MARKER_LINUX}{pure['1.0.0']}",
        f"slimfix-pure==2.0.0 ; python_full_version >= '3.11' and {MARKER_LINUX}{pure['2.0.0']}"]
    proc = pip_install(plan, tmp_path / "t", find_links=house.path)
    assert proc.returncode == 0, proc.stderr
    assert installed(tmp_path / "t")["slimfix-pure"] == ("2.0.0" if NEWER else "1.0.0")


def _poetry_fork(lock: Path, house: LockWheelhouse, *, with_markers: bool) -> None:
    """Add slimfix-pure 2.0.0 for Python >= 3.11 beside 1.0.0 for older ones, as Poetry
    locks such a split: per-release python-versions, and (Poetry 2) per-release markers
    and a dependency with one constraint per Python range."""
    text = lock.read_text()
    start = text.index('[[package]]\nname = "slimfix-pure"\n')
    end = text.index("[[package]]", start + 1)
    old = text[start:end]
    new = old.replace('version = "1.0.0"', 'version = "2.0.0"').replace(
        house.sha256("slimfix-pure", "1.0.0"), house.sha256("slimfix-pure", "2.0.0")).replace(
        "slimfix_pure-1.0.0", "slimfix_pure-2.0.0")
    old = old.replace('python-versions = "*"', 'python-versions = "<3.11"')
    new = new.replace('python-versions = "*"', 'python-versions = ">=3.11"')
    if with_markers:
        linux = 'markers = "sys_platform == \\"linux\\""'
        old = old.replace(linux, linux.replace('= "', '= "python_version < \\"3.11\\" and '))
        new = new.replace(linux, linux.replace('= "', '= "python_version >= \\"3.11\\" and '))
        text = text.replace(
            'slimfix-pure = ">=1.0"\n',
            'slimfix-pure = [\n'
            '    {version = ">=1.0", markers = "python_version < \\"3.11\\""},\n'
            '    {version = ">=2.0", markers = "python_version >= \\"3.11\\""},\n]\n')
    lock.write_text(text.replace(text[start:end], old + new))


def test_poetry2_fork_uses_the_packages_own_markers(house: LockWheelhouse, tmp_path: Path) -> None:
    entry = poetry_project(tmp_path / "fn", house, lock_version="2.1")
    _poetry_fork(entry / "poetry.lock", house, with_markers=True)

    plan = resolve_manifest(str(entry))

    lines = [x.split(" --hash")[0] for x in plan.requirements.splitlines()]
    assert lines == [f"slimfix-pure==1.0.0 ; python_version < '3.11' and {MARKER_LINUX}",
                     f"slimfix-pure==2.0.0 ; python_version >= '3.11' and {MARKER_LINUX}",
                     f"slimfix-top==1.0.0 ; {MARKER_LINUX}"]
    proc = pip_install(plan, tmp_path / "t", find_links=house.path)
    assert proc.returncode == 0, proc.stderr
    assert installed(tmp_path / "t")["slimfix-pure"] == ("2.0.0" if NEWER else "1.0.0")


@pytest.mark.parametrize(("python", "version"), [("3.11", "2.0.0"), ("3.10", "1.0.0")])
def test_poetry1_fork_picks_by_python_versions(
        python: str, version: str, house: LockWheelhouse, tmp_path: Path) -> None:
    entry = poetry_project(tmp_path / "fn", house, lock_version="2.0")
    _poetry_fork(entry / "poetry.lock", house, with_markers=False)

    plan = resolve_manifest(str(entry), python_version=python)

    assert plan.requirements.startswith(f"slimfix-pure=={version} ; {MARKER_LINUX} --hash=")
    assert plan.requirements.count("slimfix-pure==") == 1


def test_poetry_python_and_platform_constraints_become_markers(
        house: LockWheelhouse, tmp_path: Path) -> None:
    entry = poetry_project(tmp_path / "fn", house, lock_version="2.0")
    pyproject = entry / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace(
        'slimfix-devtool = "*"',
        'slimfix-devtool = { version = "*", python = "^3.10", platform = "linux" }'))

    plan = resolve_manifest(str(entry), groups=["dev"])

    assert ("slimfix-devtool==1.0.0 ; python_version < '4' and python_version >= '3.10' and "
            "sys_platform == 'linux' --hash=") in plan.requirements
    proc = pip_install(plan, tmp_path / "t", find_links=house.path)
    assert proc.returncode == 0, proc.stderr
    assert installed(tmp_path / "t")["slimfix-devtool"] == "1.0.0"


# -- malformed and unsupported files -------------------------------------------------------------

def test_malformed_toml_names_the_file_and_position(house: LockWheelhouse, tmp_path: Path) -> None:
    entry = uv_project(tmp_path / "fn", house)
    lock = entry / "uv.lock"
    lock.write_text(lock.read_text().replace('version = 1\n', 'version = = 1\n', 1))
    with pytest.raises(ConfigurationError) as e:
        resolve_manifest(str(entry))
    (problem,) = e.value.problems
    assert problem.startswith(f"{lock}: not valid TOML: ")
    assert "line 1, column" in problem and "re-create it with `uv lock`" in problem


def test_malformed_json_names_the_file_and_position(house: LockWheelhouse, tmp_path: Path) -> None:
    entry = pipfile_project(tmp_path / "fn", house)
    lock = entry / "Pipfile.lock"
    lock.write_text(lock.read_text()[:-10])
    with pytest.raises(ConfigurationError) as e:
        resolve_manifest(str(entry))
    assert re.search(rf"{re.escape(str(lock))}: not valid JSON: .* \(at line \d+, column \d+\); "
                     r"re-create it with `pipenv lock`", str(e.value))


def test_malformed_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project\nname = 'fn'\n")
    with pytest.raises(ConfigurationError, match=re.escape(f"{tmp_path / 'pyproject.toml'}: "
                                                           "not valid TOML")):
        resolve_manifest(str(tmp_path))


def test_lock_with_unexpected_content(tmp_path: Path) -> None:
    (tmp_path / "uv.lock").write_text('version = 1\n[[package]]\nversion = "1"\n')
    with pytest.raises(ConfigurationError, match=r"uv.lock: unexpected content \(KeyError"):
        resolve_manifest(str(tmp_path))


def test_requires_python_excluding_the_runtime(house: LockWheelhouse, tmp_path: Path) -> None:
    entry = uv_project(tmp_path / "fn", house)
    lock = entry / "uv.lock"
    lock.write_text(lock.read_text().replace('requires-python = ">=3.10"',
                                             'requires-python = ">=3.12"'))
    assert resolve_manifest(str(entry), python_version="3.12").kind == "uv.lock"
    with pytest.raises(ConfigurationError, match=r"requires-python = '>=3.12' excludes the "
                                                 r"function's runtime python3.11"):
        resolve_manifest(str(entry), python_version="3.11")


def test_stale_uv_lock(house: LockWheelhouse, tmp_path: Path) -> None:
    entry = uv_project(tmp_path / "fn", house)
    pyproject = entry / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('dependencies = ["slimfix-top',
                                                       'dependencies = ["numpy", "slimfix-top'))
    with pytest.raises(ConfigurationError, match=r"out of date with pyproject.toml \(numpy "):
        resolve_manifest(str(entry))


def test_unsupported_sources(house: LockWheelhouse, tmp_path: Path) -> None:
    entry = uv_project(tmp_path / "uv", house)
    lock = entry / "uv.lock"
    pure = 'name = "slimfix-pure"\nversion = "1.0.0"\n'
    lock.write_text(lock.read_text().replace(
        f'{pure}source = {{ registry = "{INDEX_URL}" }}',
        f'{pure}source = {{ git = "https://git.example/pure?rev=main#abc" }}'))
    with pytest.raises(ConfigurationError, match="slimfix-pure has source git = "):
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


# -- real uv as the oracle; the real index ---------------------------------------------------------

def _requirement_set(text: str) -> set[tuple[str, str]]:
    """(requirement, sorted hashes) of every line of a requirements file."""
    out = set()
    for line in re.sub(r"\\\n\s*", " ", text).splitlines():
        line = line.split(" #")[0].strip()
        if not line or line.startswith("#"):
            continue
        hashes = sorted(re.findall(r"--hash=(\S+)", line))
        req = re.sub(r"\s*--hash=\S+", "", line).replace(" ;", ";").strip()
        out.add((req, " ".join(hashes)))
    return out


@pytest.fixture
def uv_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("UV_")}
    env["UV_CACHE_DIR"] = str(tmp_path / "uv-cache")
    yield env


@pytest.mark.parametrize("source", ["index", "find-links"])
def test_plan_equals_uv_export_of_a_real_uv_lock(
        source: str, house: LockWheelhouse, tmp_path: Path, uv_env: dict[str, str]) -> None:
    """A lock written by real `uv lock`: against an index serving hashes, or a find-links
    directory (uv then records no hashes). The plan is what `uv export` says, for the
    default and with the extra and the group."""
    uv = shutil.which("uv")
    assert uv, "uv is a dependency of slim-lambda"
    entry = uv_project(tmp_path / "fn", house)
    (entry / "uv.lock").unlink()
    with serve_index(house.path) as index:
        where = (["--index-url", index.authed_url] if source == "index"
                 else ["--no-index", "--find-links", str(house.path)])
        lock = subprocess.run([uv, "lock", "--no-config", *where], cwd=entry,
                              capture_output=True, text=True, env=uv_env, timeout=300)
        assert lock.returncode == 0, lock.stderr
    for groups, flags in (((), ["--no-dev"]),
                          (("cext", "dev"), ["--extra", "cext", "--group", "dev"])):
        export = subprocess.run([uv, "export", "--frozen", "--no-header", "--no-annotate",
                                 "--no-emit-project", *flags],
                                cwd=entry, capture_output=True, text=True, env=uv_env, timeout=300)
        assert export.returncode == 0, export.stderr
        plan = resolve_manifest(str(entry), groups=groups)
        assert _requirement_set(plan.requirements) == _requirement_set(export.stdout)
        assert "slimfix-pure==2.0.0" in plan.requirements, "uv locked the newest"
        assert plan.require_hashes is (source == "index")
        proc = pip_install(plan, tmp_path / f"t-{source}-{len(groups)}", find_links=house.path)
        assert proc.returncode == 0, proc.stderr


SIX_WHEEL = "sha256:8abb2f1d86890a2dfb989f9a77cfcfd3e47c2a354b01111771326f8aa26e0254"
SIX_SDIST = "sha256:1e61c37477a1626458e36f7b1d82aa5c9b094fa4802892072e49de9c60c4c926"


@pytest.mark.slow
def test_real_index_lock(tmp_path: Path) -> None:
    """six 1.16.0 with its published hashes, installed from the real package index."""
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "fn"\nversion = "0.1.0"\ndependencies = ["six==1.16.0"]\n')
    (tmp_path / "uv.lock").write_text(
        'version = 1\nrevision = 2\nrequires-python = ">=3.10"\n\n'
        '[[package]]\nname = "fn"\nversion = "0.1.0"\nsource = { virtual = "." }\n'
        'dependencies = [\n    { name = "six" },\n]\n\n'
        '[package.metadata]\nrequires-dist = [{ name = "six", specifier = "==1.16.0" }]\n\n'
        '[[package]]\nname = "six"\nversion = "1.16.0"\n'
        'source = { registry = "https://packages.example/simple" }\n'
        f'sdist = {{ url = "https://files.example/six-1.16.0.tar.gz", hash = "{SIX_SDIST}" }}\n'
        'wheels = [\n    { url = "https://files.example/six-1.16.0-py2.py3-none-any.whl", '
        f'hash = "{SIX_WHEEL}" }},\n]\n')

    plan = resolve_manifest(str(tmp_path))

    assert plan.requirements == f"six==1.16.0 --hash={SIX_SDIST} --hash={SIX_WHEEL}\n"
    proc = pip_install(plan, tmp_path / "t", find_links=None)
    assert proc.returncode == 0, proc.stderr
    assert installed(tmp_path / "t") == {"six": "1.16.0"}
