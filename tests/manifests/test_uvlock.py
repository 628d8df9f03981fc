"""uv.lock: forks, freshness against pyproject.toml, real `uv lock` / `uv export` as the
oracle, and one lock installed from the real package index."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from slim_lambda.errors import ConfigurationError
from slim_lambda.manifests import resolve_manifest
from tests.fixtures.index_server import serve_index
from tests.fixtures.projects import (
    INDEX_URL,
    MARKER_LINUX,
    LockWheelhouse,
    uv_package,
    uv_project,
)
from tests.manifests.helpers import (
    NEWER,
    installed,
    pip_install,
)


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


def test_stale_uv_lock(house: LockWheelhouse, tmp_path: Path) -> None:
    entry = uv_project(tmp_path / "fn", house)
    pyproject = entry / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('dependencies = ["slimfix-top',
                                                       'dependencies = ["numpy", "slimfix-top'))
    with pytest.raises(ConfigurationError, match=r"out of date with pyproject.toml \(numpy "):
        resolve_manifest(str(entry))


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
