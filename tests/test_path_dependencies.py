"""Path dependencies of a requirements.txt outside the entry, in Docker mode: a monorepo's
``-e ../../libs/pkg`` (a setuptools project), a wheel by path and ``-r ../../common.txt``.
Each is mounted read-only, the project is built into a wheel from a copy and installed as a
package (never editable), and a change to the shared library rebuilds the function and
ships the new code, proven by running its handler."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from slim_lambda import BundlingOptions
from tests.fixtures.projects import BUILD_SYSTEM
from tests.test_docker_build import handler_answer, synth

pytestmark = [pytest.mark.docker, pytest.mark.slow]


def _monorepo(root: Path, wheels: Path) -> tuple[Path, Path]:
    fn, pkg = root / "functions" / "api", root / "libs" / "shared"
    (pkg / "src" / "shared").mkdir(parents=True)
    fn.mkdir(parents=True)
    (pkg / "pyproject.toml").write_text('[project]\nname = "shared"\nversion = "0.1.0"\n'
                                        'dependencies = ["slimfix-pure"]\n' + BUILD_SYSTEM)
    (pkg / "src" / "shared" / "__init__.py").write_text("WORD = 'hello'\n")
    (pkg / "tests").mkdir()
    (pkg / "tests" / "test_shared.py").write_text("def test():\n    pass\n")
    (root / "wheels").mkdir()
    shutil.copy(next(wheels.glob("slimfix_cext-*.whl")), root / "wheels")
    (root / "common.txt").write_text("-e ./libs/shared\n")
    (fn / "requirements.txt").write_text(
        "-r ../../common.txt\n" + "".join(f"../../wheels/{w.name}\n"
                                          for w in (root / "wheels").iterdir()))
    (fn / "index.py").write_text(
        "import shared\nimport slimfix_cext\n\n\ndef handler(event, context):\n"
        "    return {'word': shared.WORD, 'sum': slimfix_cext.add(2, 3)}\n")
    return fn, pkg



def test_a_shared_project_outside_the_entry_installs_as_a_package(
        wheels: Path, build_image: str, tmp_path: Path, clean_env: None) -> None:
    fn, pkg = _monorepo(tmp_path, wheels)
    # setuptools (the shared project's build backend) comes from the package index
    bundling = BundlingOptions(mode="docker", image=build_image, find_links=(str(wheels),))
    _t, asset, report = synth(fn, tmp_path / "out1", bundling=bundling)
    versions = {p["name"]: p["version"] for p in report["packages"]}
    assert versions == {"shared": "0.1.0", "slimfix-pure": "1.0.0", "slimfix-cext": "1.0.0"}
    assert (asset / "shared" / "__init__.py").is_file()
    assert not list(asset.glob("*.pth")) and not list(asset.glob("__editable__*"))
    assert not (pkg / "build").exists() and not list(pkg.rglob("*.egg-info")), \
        "the build wrote into a copy, never into the mounted sources"
    assert handler_answer(build_image, asset) == {"word": "hello", "sum": 5}

    (pkg / "src" / "shared" / "__init__.py").write_text("WORD = 'goodbye'\n")
    _t, changed, report = synth(fn, tmp_path / "out2", bundling=bundling)
    assert changed.name != asset.name and report["cache"]["hit"] is False
    assert handler_answer(build_image, changed) == {"word": "goodbye", "sum": 5}
    # a file the shared project does not ship (its tests) changes nothing
    (pkg / "tests" / "test_shared.py").write_text("def test():\n    assert True\n")
    _t, again, report = synth(fn, tmp_path / "out3", bundling=bundling)
    assert again.name == changed.name and report["cache"]["hit"] is True
