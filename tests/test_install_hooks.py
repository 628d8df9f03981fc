"""before_install / after_install in a real Docker build: the commands run in the build
image, in the tree being built; what they change ships; a changed command rebuilds; a
failing one stops the build naming itself."""

from __future__ import annotations

from pathlib import Path

import pytest

from slim_lambda.pipeline.errors import BuildError
from tests.test_docker_build import local_bundling, synth
from tests.test_errors import ours

pytestmark = pytest.mark.docker

GENERATE = 'printf "%s" "$(python3 -c "import platform; print(platform.machine())")" > built-on'


def test_hooks_change_what_ships(entry: Path, wheels: Path, build_image: str, tmp_path: Path,
                                 clean_env: None) -> None:
    bundling = local_bundling(wheels, build_image, before_install=(GENERATE,),
                              after_install=("rm slimfix_pure/data.json",))
    _t, asset, report = synth(entry, tmp_path / "out1", bundling=bundling)
    assert (asset / "built-on").read_text() == "x86_64", "ran in the build image"
    assert not (asset / "slimfix_pure" / "data.json").exists()
    assert [s["name"] for s in report["steps"]][:3] == ["before_install", "install (uv)",
                                                         "after_install"]
    again = local_bundling(wheels, build_image, before_install=(GENERATE,))
    _t, other, report = synth(entry, tmp_path / "out2", bundling=again)
    assert report["cache"]["hit"] is False and (other / "slimfix_pure" / "data.json").exists()


def test_a_failing_hook_stops_the_build_naming_itself(entry: Path, wheels: Path,
                                                      build_image: str, tmp_path: Path,
                                                      clean_env: None) -> None:
    with pytest.raises(Exception) as raised:
        synth(entry, tmp_path / "out", bundling=local_bundling(
            wheels, build_image, after_install=("ls no-such-dir",)))
    err = ours(raised.value)
    assert isinstance(err, BuildError)
    assert str(err).startswith("install: bundling.after_install[0] `ls no-such-dir` failed "
                               "with exit code 2\nIts last lines:\nls: cannot access "
                               "'no-such-dir': No such file or directory")


@pytest.mark.slow
def test_after_install_sees_the_functions_own_package(wheels: Path, build_image: str,
                                                      tmp_path: Path, clean_env: None) -> None:
    """A project installed as a package is part of the install after_install follows."""
    import aws_cdk as cdk
    from aws_cdk import aws_lambda as lambda_

    from slim_lambda import BundlingOptions, SlimPythonFunction
    from tests.fixtures.projects import build_lock_wheelhouse, uv_project

    house = build_lock_wheelhouse(tmp_path / "house", wheels)
    entry = uv_project(tmp_path / "fn", house, package=True)
    app = cdk.App(outdir=str(tmp_path / "cdk.out"))
    SlimPythonFunction(cdk.Stack(app, "S"), "F", entry=str(entry), index="fn/handler.py",
                       runtime=lambda_.Runtime.PYTHON_3_11,
                       bundling=BundlingOptions(mode="docker", image=build_image,
                                                find_links=(str(house.path),),
                                                after_install=("test -f fn/handler.py",)))
    app.synth()
