"""The one translation of a request into stage specs, as the pipeline sees the paths."""

from __future__ import annotations

import json
from pathlib import Path

from slim_lambda.options import BundlingOptions, SizeLimits, SlimOptions
from slim_lambda.pipeline.spec import DepsSpec, load_spec
from slim_lambda.plan.installer import InstallerChoice
from slim_lambda.plan.request import LayerShare, Target
from slim_lambda.run.runners import Mounts
from slim_lambda.run.specs import assemble_spec, deps_spec, requirements_file
from tests.requests import MakeRequest

DOCKER = Target("docker", "sha256:abc", True, True, True)
LOCAL = Target("local", "local:aarch64-manylinux_2_34", False, False, False,
               "aarch64-manylinux_2_34")
SEEN = Mounts(entry="/asset-input", work="/slim-lambda/work", output="/asset-output",
              layers=("/slim-lambda/layers/0",), uv="/bin/uv")
PIP = InstallerChoice("pip")


def test_a_requirements_file_is_read_in_place(make_request: MakeRequest, tmp_path: Path) -> None:
    request = make_request()
    work = tmp_path / "work"
    work.mkdir()
    spec = deps_spec(request, DOCKER, SEEN, requirements_file(request, str(work)), [],
                     installer=PIP)
    assert spec.install.requirements_file == "/asset-input/requirements.txt"
    assert spec.install.installer == "pip" and spec.image == request.image
    assert not list(work.iterdir())


def test_a_lock_files_closure_is_written_to_work(entry: Path, make_request: MakeRequest,
                                                 tmp_path: Path) -> None:
    (entry / "requirements.txt").unlink()
    (entry / "Pipfile.lock").write_text(json.dumps({
        "_meta": {"hash": {"sha256": "x"}}, "default": {"six": {"version": "==1.16.0"}},
        "develop": {}}))
    request = make_request()
    requirements = requirements_file(request, str(tmp_path))
    spec = deps_spec(request, DOCKER, SEEN, requirements, [], installer=PIP)
    assert spec.install.requirements_file == "/slim-lambda/work/requirements.txt"
    assert "six==1.16.0" in (tmp_path / "requirements.txt").read_text()
    assert spec.install.no_deps


def test_local_mode_installs_with_uv_for_the_target_platform(make_request: MakeRequest) -> None:
    spec = deps_spec(make_request(), LOCAL, SEEN, None, ["numpy"],
                     installer=InstallerChoice("uv"))
    assert spec.install.installer == "uv" and spec.install.uv
    assert spec.install.python_platform == "aarch64-manylinux_2_34"
    assert spec.image == "local:aarch64-manylinux_2_34"
    assert (spec.can_strip, spec.can_compile, spec.can_import) == (False, False, False)
    assert spec.handler_imports == ("numpy",)


def test_options_reach_the_spec_as_given_and_survive_json(make_request: MakeRequest) -> None:
    slim = SlimOptions(patterns=("*.md",), keep=("a/tests/x.py",), bytecode="imported",
                       strip_exclude=("x.libs/",), verify_skip=("foo",))
    layer = LayerShare(label="L", unzipped_bytes=10, packages={"numpy": "2.0.0"})
    request = make_request(slim=slim, layers=(layer,))
    spec = deps_spec(request, DOCKER, SEEN, None, [], installer=PIP)
    assert spec.slim is slim
    assert spec.exclude_distributions == {"numpy": "2.0.0"}
    loaded = load_spec(spec.to_json())
    assert isinstance(loaded, DepsSpec) and loaded == spec


def test_assemble_budget_is_the_limit_minus_the_layers(make_request: MakeRequest) -> None:
    layer = LayerShare(label="L", unzipped_bytes=1_000_000)
    request = make_request(limits=SizeLimits(unzipped_bytes=5_000_000), layers=(layer,))
    spec = assemble_spec(request, SEEN, image="img", sources=True, can_compile=True,
                         can_import=False, imports=[])
    assert spec.unzipped_budget == 4_000_000
    assert spec.source_dir == "/asset-input" and spec.layer_paths == SEEN.layers
    assert assemble_spec(request, SEEN, image="img", sources=False, can_compile=True,
                         can_import=False, imports=[]).source_dir == ""


def test_the_spec_holds_index_urls_without_credentials(make_request: MakeRequest) -> None:
    """The logins reach the installer in a netrc file: the spec on disk, and the command
    line made from it, hold none."""
    bundling = BundlingOptions(index_url="https://u:pw@idx.example/simple",
                               extra_index_urls=("https://tok3n@extra.example/simple",),
                               find_links=("https://u:pw@links.example/wheels/",))
    seen = Mounts(entry="/asset-input", work="/slim-lambda/work", output="/asset-output",
                  find_links=bundling.find_links)
    spec = deps_spec(make_request(bundling=bundling), DOCKER, seen, None, [],
                     installer=PIP)
    assert spec.install.index_url == "https://idx.example/simple"
    assert spec.install.extra_index_urls == ("https://extra.example/simple",)
    assert spec.install.find_links == ("https://links.example/wheels/",)
    assert "pw" not in spec.to_json() and "tok3n" not in spec.to_json()


def test_docker_mode_with_uv_runs_the_mounted_uv_for_the_images_interpreter(
        make_request: MakeRequest, tmp_path: Path) -> None:
    """uv in the image: the mounted binary, the image's interpreter, the runtime's glibc cap
    from the platform table (uv would otherwise take the image's own glibc), pip behind it."""
    request = make_request()
    seen = Mounts(entry="/asset-input", work="/slim-lambda/work", output="/asset-output",
                  uv="/slim-lambda/bin/uv", uv_cache="/slim-lambda/uv-cache")
    spec = deps_spec(request, DOCKER, seen, requirements_file(request, str(tmp_path)), [],
                     installer=InstallerChoice("uv", pip_fallback=True))
    assert spec.install.installer == "uv" and spec.install.pip_fallback
    assert spec.install.uv == "/slim-lambda/bin/uv" and spec.install.uv_interpreter
    assert spec.install.python_platform == "x86_64-manylinux_2_17"
    assert spec.install.uv_links is False  # its cache is another mount: uv copies
    linked = Mounts(entry="/asset-input", work="/slim-lambda/work",
                    output="/slim-lambda/build/.tmp-k/tree", uv="/slim-lambda/bin/uv",
                    uv_cache="/slim-lambda/build/uv", uv_links=True)
    assert deps_spec(request, DOCKER, linked, requirements_file(request, str(tmp_path)), [],
                     installer=InstallerChoice("uv")).install.uv_links is True
