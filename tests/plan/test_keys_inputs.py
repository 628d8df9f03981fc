"""What a requirements file pulls in (includes, constraints, local paths, find-links
directories) is hashed by content into the deps key, and refused when it cannot be."""

from __future__ import annotations

from pathlib import Path

import pytest

from slim_lambda.errors import ConfigurationError
from slim_lambda.options import BundlingOptions
from slim_lambda.plan.keys import deps_key, fingerprint
from slim_lambda.plan.request import Target
from tests.requests import MakeRequest

DOCKER = Target("docker", "sha256:abc", True, True, True)
LOCAL = BundlingOptions(mode="local")


def _keys(make_request: MakeRequest, **kw: object) -> tuple[str, str]:
    request = make_request(**kw)
    return fingerprint(request), deps_key(request, DOCKER)


@pytest.mark.parametrize("include", ["-r base.txt", "--requirement=base.txt",
                                     "-c base.txt", "--constraint base.txt"])
def test_an_included_file_changes_the_deps_key(entry: Path, make_request: MakeRequest,
                                                include: str) -> None:
    (entry / "requirements.txt").write_text(f"{include}\nboto3\n")
    (entry / "base.txt").write_text("requests==2.31.0\n")
    before = _keys(make_request)
    (entry / "base.txt").write_text("requests==2.32.3\n")
    after = _keys(make_request)
    assert before[0] != after[0]
    assert before[1] != after[1]


def test_a_nested_include_changes_the_deps_key(entry: Path, make_request: MakeRequest) -> None:
    (entry / "reqs").mkdir()
    (entry / "requirements.txt").write_text("-r reqs/base.txt\n")
    (entry / "reqs" / "base.txt").write_text("-c pins.txt\nrequests\n")
    (entry / "reqs" / "pins.txt").write_text("requests==2.31.0\n")
    before = _keys(make_request)
    (entry / "reqs" / "pins.txt").write_text("requests==2.32.3\n")
    assert _keys(make_request)[1] != before[1]


@pytest.mark.parametrize("mode", ["local", "docker"])
def test_an_include_outside_the_entry_is_hashed(
        entry: Path, make_request: MakeRequest, mode: str) -> None:
    """Docker mode mounts it (run/pathdeps.py): both modes hash it by content."""
    (entry.parent / "common.txt").write_text("requests==2.31.0\n")
    (entry / "requirements.txt").write_text("-r ../common.txt\n")
    kw = {"bundling": LOCAL} if mode == "local" else {}
    before = _keys(make_request, **kw)
    (entry.parent / "common.txt").write_text("requests==2.32.3\n")
    after = _keys(make_request, **kw)
    assert before[0] != after[0]
    assert before[1] != after[1]


def test_a_missing_include_is_refused_naming_file_and_line(
        entry: Path, make_request: MakeRequest) -> None:
    (entry / "requirements.txt").write_text("boto3\n-r missing.txt\n")
    with pytest.raises(ConfigurationError,
                       match=r"requirements\.txt line 2: -r missing\.txt: .*does not exist"):
        make_request()


def test_a_url_include_is_refused(entry: Path, make_request: MakeRequest) -> None:
    (entry / "requirements.txt").write_text("-r https://u:pw@example.com/base.txt\n")
    with pytest.raises(ConfigurationError, match=r"line 1: .*cannot be hashed") as e:
        make_request()
    assert "pw" not in str(e.value)


def test_a_local_wheel_changes_the_deps_key(entry: Path, make_request: MakeRequest) -> None:
    (entry / "wheels").mkdir()
    (entry / "wheels" / "x-1.0-py3-none-any.whl").write_bytes(b"one")
    (entry / "requirements.txt").write_text("./wheels/x-1.0-py3-none-any.whl\n")
    before = _keys(make_request)
    (entry / "wheels" / "x-1.0-py3-none-any.whl").write_bytes(b"two")
    assert _keys(make_request)[1] != before[1]


def test_a_local_project_directory_is_hashed_by_content(
        entry: Path, make_request: MakeRequest) -> None:
    pkg = entry.parent / "libs" / "pkg"
    pkg.mkdir(parents=True)
    (pkg / "pkg.py").write_text("X = 1\n")
    (entry / "requirements.txt").write_text("-e ../libs/pkg\n")
    before = _keys(make_request, bundling=LOCAL)
    (pkg / "__pycache__").mkdir()
    (pkg / "__pycache__" / "pkg.pyc").write_bytes(b"junk")
    assert _keys(make_request, bundling=LOCAL) == before  # source excludes honoured
    (pkg / "pkg.py").write_text("X = 2\n")
    after = _keys(make_request, bundling=LOCAL)
    assert before[0] != after[0]
    assert before[1] != after[1]


def test_find_links_in_the_file_are_hashed_by_content(
        entry: Path, make_request: MakeRequest) -> None:
    (entry / "wheels").mkdir()
    (entry / "wheels" / "x-1.0-py3-none-any.whl").write_bytes(b"one")
    (entry / "requirements.txt").write_text("--find-links ./wheels\nx\n")
    before = _keys(make_request)
    (entry / "wheels" / "x-1.0-py3-none-any.whl").write_bytes(b"two")  # same size
    assert _keys(make_request)[1] != before[1]


def test_bundling_find_links_are_hashed_by_content(
        tmp_path: Path, make_request: MakeRequest) -> None:
    wheels = tmp_path / "wheelhouse"
    wheels.mkdir()
    (wheels / "x-1.0-py3-none-any.whl").write_bytes(b"one")
    options = BundlingOptions(find_links=(str(wheels),))
    before = _keys(make_request, bundling=options)
    (wheels / "x-1.0-py3-none-any.whl").write_bytes(b"two")  # same name, same size
    after = _keys(make_request, bundling=options)
    assert before[0] != after[0]
    assert before[1] != after[1]


def test_large_files_are_hashed_once_across_synths(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """A big wheel in a find-links directory is read by the first synth only; a rewrite of
    it (new ctime) is read again."""
    from slim_lambda.plan import content

    monkeypatch.setenv("SLIM_LAMBDA_CACHE_DIR", str(tmp_path / "cache"))
    wheel = tmp_path / "big.whl"
    wheel.write_bytes(b"a" * (content.MEMO_MIN_BYTES + 1))
    first = content.hash_file(str(wheel))
    content._MEMO.clear()  # a new synth process
    reads: list[str] = []
    real = content._hash_file
    monkeypatch.setattr(content, "_hash_file", lambda p, r: reads.append(p) or real(p, r))
    assert content.hash_file(str(wheel)) == first and reads == []
    wheel.write_bytes(b"b" * (content.MEMO_MIN_BYTES + 1))
    content._MEMO.clear()
    assert content.hash_file(str(wheel)) != first and reads == [str(wheel)]
