"""A function in a uv workspace, as monorepos lay it out: ``functions/api`` and
``libs/common`` are members, ``uv lock`` writes one lock at the root. The function's lock
is found above it; the shared library (a workspace package with a build backend) is
mounted read-only, built and installed as a package; a change to it rebuilds the function
and ships the new code; a change to another function does not. Real ``uv lock`` against
the package index, Docker build, handler run."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk import aws_lambda as lambda_

from slim_lambda import BundlingOptions, ConfigurationError, SlimPythonFunction
from tests.test_docker_build import handler_answer, synth

pytestmark = [pytest.mark.docker, pytest.mark.slow]

MEMBER = '[project]\nname = "{name}"\nversion = "0.1.0"\nrequires-python = ">=3.11"\n'
HATCH = '\n[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n'


def _workspace(root: Path) -> tuple[Path, Path]:
    (root / ".git").mkdir(parents=True)  # the repository root: the lookup stops here
    (root / "pyproject.toml").write_text(
        MEMBER.format(name="mono") + 'dependencies = []\n\n[tool.uv.workspace]\n'
        'members = ["functions/*", "libs/*"]\n')
    api, other, lib = root / "functions/api", root / "functions/other", root / "libs/common"
    for d in (api, other, lib / "src/common"):
        d.mkdir(parents=True)
    (api / "pyproject.toml").write_text(MEMBER.format(name="api") + 'dependencies = ["common"]\n'
                                        "\n[tool.uv.sources]\ncommon = { workspace = true }\n")
    (api / "index.py").write_text("import common\n\n\ndef handler(event, context):\n"
                                  "    return {'word': common.WORD, 'six': common.six_version()}\n")
    (other / "pyproject.toml").write_text(MEMBER.format(name="other") + "dependencies = []\n")
    (other / "index.py").write_text("def handler(event, context):\n    return 1\n")
    (lib / "pyproject.toml").write_text(MEMBER.format(name="common")
                                        + 'dependencies = ["six==1.17.0"]\n' + HATCH)
    (lib / "src/common/__init__.py").write_text(
        "import six\n\nWORD = 'hello'\n\n\ndef six_version():\n    return six.__version__\n")
    uv = shutil.which("uv")
    assert uv, "uv is a dependency of slim-lambda"
    subprocess.run([uv, "lock", "--quiet"], cwd=root, check=True, timeout=300)
    return api, lib



def test_a_workspace_member_builds_with_its_shared_library(
        build_image: str, tmp_path: Path, clean_env: None) -> None:
    api, lib = _workspace(tmp_path / "repo")
    bundling = BundlingOptions(mode="docker", image=build_image)
    _t, asset, report = synth(api, tmp_path / "out1", bundling=bundling)
    assert report["manifest"]["kind"] == "uv.lock"
    assert report["manifest"]["path"] == "../../uv.lock"
    assert {p["name"]: p["version"] for p in report["packages"]} == {"common": "0.1.0",
                                                                       "six": "1.17.0"}
    assert not list(asset.glob("*.pth")), "installed as a package, not editable"
    assert not (lib / "build").exists() and not list(lib.rglob("*.egg-info"))
    assert handler_answer(build_image, asset) == {"word": "hello", "six": "1.17.0"}

    # another function's change is not this function's
    (tmp_path / "repo/functions/other/index.py").write_text("def handler(e, c):\n    return 2\n")
    _t, same, report = synth(api, tmp_path / "out2", bundling=bundling)
    assert same.name == asset.name and report["cache"]["hit"] is True

    (lib / "src/common/__init__.py").write_text(
        "import six\n\nWORD = 'goodbye'\n\n\ndef six_version():\n    return six.__version__\n")
    _t, changed, report = synth(api, tmp_path / "out3", bundling=bundling)
    assert changed.name != asset.name and report["cache"]["hit"] is False
    assert handler_answer(build_image, changed) == {"word": "goodbye", "six": "1.17.0"}


def test_a_member_the_lock_does_not_know_is_refused(tmp_path: Path) -> None:
    _api, _lib = _workspace(tmp_path / "repo")
    new = tmp_path / "repo/functions/new"
    new.mkdir()
    (new / "pyproject.toml").write_text(MEMBER.format(name="new") + 'dependencies = ["six"]\n')
    (new / "index.py").write_text("def handler(event, context):\n    return 1\n")
    with pytest.raises(ConfigurationError) as raised:
        SlimPythonFunction(cdk.Stack(cdk.App(outdir=str(tmp_path / "o")), "S"), "F",
                           entry=str(new), runtime=lambda_.Runtime.PYTHON_3_11)
    assert (f"{new} is a member of the uv workspace in {tmp_path / 'repo'} ([tool.uv.workspace] "
            f"members), but its uv.lock has no package for it; run `uv lock` in "
            f"{tmp_path / 'repo'}") in str(raised.value)
