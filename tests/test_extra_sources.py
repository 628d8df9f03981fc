"""``bundling.extra_sources``: a monorepo's shared library shipped with the function, built
for real in the local build image. A change to the library is a new asset with the new
code and the same dependency tree (a cache hit); a name clash is an error naming both."""

from __future__ import annotations

import json
from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk import aws_lambda as lambda_

from slim_lambda import BundlingOptions, ConfigurationError, SlimPythonFunction
from slim_lambda.pipeline.errors import BuildError
from tests.test_docker_build import handler_answer, synth
from tests.test_errors import one_problem, ours

PY311 = lambda_.Runtime.PYTHON_3_11


def _monorepo(root: Path) -> tuple[Path, Path]:
    fn, lib = root / "functions" / "api", root / "libs" / "common"
    fn.mkdir(parents=True)
    lib.mkdir(parents=True)
    (fn / "index.py").write_text(
        "import slimfix_pure\n\nfrom common import greeting\n\n\n"
        "def handler(event, context):\n"
        "    return {'greeting': greeting(), 'pure': slimfix_pure.VERSION}\n")
    (fn / "requirements.txt").write_text("slimfix-pure\n")
    (lib / "__init__.py").write_text("from common.words import WORD\n\n\n"
                                     "def greeting():\n    return WORD\n")
    (lib / "words.py").write_text("WORD = 'hello'\n")
    (lib / "tests").mkdir()
    (lib / "tests" / "test_words.py").write_text("def test():\n    pass\n")
    (lib / ".env").write_text("TOKEN=never-shipped\n")
    return fn, lib


def _bundling(wheels: Path, image: str, **kw: object) -> BundlingOptions:
    return BundlingOptions(mode="docker", image=image, find_links=(str(wheels),),
                           no_index=True, **kw)  # type: ignore[arg-type]



@pytest.mark.docker
def test_a_shared_library_ships_and_a_change_to_it_ships_again(
        wheels: Path, build_image: str, tmp_path: Path, clean_env: None) -> None:
    fn, lib = _monorepo(tmp_path)
    bundling = _bundling(wheels, build_image, extra_sources={"common": str(lib)})
    _t, asset, report = synth(fn, tmp_path / "out1", bundling=bundling)

    files = {p.relative_to(asset).as_posix() for p in asset.rglob("*") if p.is_file()}
    assert {"common/__init__.py", "common/words.py"} <= files
    assert any(f.startswith("common/__pycache__/words.cpython-311") for f in files)
    assert not [f for f in files if f.startswith("common/tests/") or f.endswith(".env")]
    # common is the function's own code: not a third-party import, counted as its code
    assert "common" not in report["handler_imports"] and report["import_failures"] == []
    assert handler_answer(build_image, asset) == {"greeting": "hello", "pure": "1.0.0"}

    (lib / "words.py").write_text("WORD = 'goodbye'\n")
    _t, changed, report = synth(fn, tmp_path / "out2", bundling=bundling)
    assert changed.name != asset.name  # a new asset hash
    assert report["cache"]["hit"] is True  # the same dependency tree
    assert handler_answer(build_image, changed) == {"greeting": "goodbye", "pure": "1.0.0"}


@pytest.mark.docker
def test_the_build_container_reads_it_through_a_read_only_mount(
        wheels: Path, build_image_al2023: str, tmp_path: Path, clean_env: None) -> None:
    """python3.13 on this python3.11 host: the asset is assembled in the image, which sees
    the library only through its mount."""
    fn, lib = _monorepo(tmp_path)
    app = cdk.App(outdir=str(tmp_path / "cdk.out"))
    SlimPythonFunction(cdk.Stack(app, "S"), "F", entry=str(fn),
                       runtime=lambda_.Runtime.PYTHON_3_13,
                       bundling=_bundling(wheels, build_image_al2023,
                                          extra_sources={"common": str(lib)}))
    app.synth()
    (report_path,) = (tmp_path / "cdk.out").glob("asset.*.slim-report.json")
    report = json.loads(report_path.read_text())
    asset = Path(str(report_path).removesuffix(".slim-report.json"))
    assert report["assembled_on"] == "image"
    assert (asset / "common/__pycache__/words.cpython-313.pyc").is_file()
    assert handler_answer(build_image_al2023, asset) == {"greeting": "hello", "pure": "1.0.0"}


@pytest.mark.docker
def test_a_name_a_dependency_ships_too_is_an_error_naming_both(
        wheels: Path, build_image: str, tmp_path: Path, clean_env: None) -> None:
    fn, lib = _monorepo(tmp_path)
    app = cdk.App(outdir=str(tmp_path / "cdk.out"))
    with pytest.raises(Exception) as raised:
        SlimPythonFunction(cdk.Stack(app, "S"), "F", entry=str(fn), runtime=PY311,
                           bundling=_bundling(wheels, build_image,
                                              extra_sources={"slimfix_pure": str(lib)}))
    err = ours(raised.value)
    assert isinstance(err, BuildError)
    assert str(err).startswith(
        "sources: bundling.extra_sources['slimfix_pure'] and an installed distribution both "
        "ship slimfix_pure: slimfix_pure/__init__.py")
    published = [p for p in (tmp_path / "cdk.out").glob("asset.*")
                 if p.is_dir() and "-building" not in p.name]
    assert published == []


def test_a_name_an_entry_file_ships_too_is_refused_at_construct_time(tmp_path: Path) -> None:
    fn, lib = _monorepo(tmp_path)
    (fn / "common").mkdir()
    (fn / "common" / "__init__.py").write_text("")
    with pytest.raises(ConfigurationError) as raised:
        SlimPythonFunction(cdk.Stack(cdk.App(outdir=str(tmp_path / "o")), "S"), "F",
                           entry=str(fn), runtime=PY311,
                           bundling=BundlingOptions(extra_sources={"common": str(lib)}))
    assert str(raised.value) == one_problem(
        "SlimPythonFunction S/F", f"bundling.extra_sources['common'] ({lib}) and the entry's "
        "own common would both ship as common: rename one of them, or drop the extra source")


def test_a_symlink_loop_in_a_shared_library_is_refused_naming_it(tmp_path: Path) -> None:
    fn, lib = _monorepo(tmp_path)
    (lib / "sub").mkdir()
    (lib / "sub" / "back").symlink_to("..")
    with pytest.raises(Exception) as raised:
        SlimPythonFunction(cdk.Stack(cdk.App(outdir=str(tmp_path / "o")), "S"), "F",
                           entry=str(fn), runtime=PY311,
                           bundling=BundlingOptions(extra_sources={"common": str(lib)}))
    err = ours(raised.value)
    assert str(err) == (f"sources: {lib}/sub/back is a symlink to {lib}, which contains it: "
                        "copying it would never end\nRemove the symlink, or add it to "
                        "bundling.exclude.")
    assert not list((tmp_path / "o").glob("asset.*"))
