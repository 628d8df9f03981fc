"""The asset hash and the deps key: what changes them and what must not."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from slim_lambda.options import BundlingOptions, SlimOptions
from slim_lambda.pipeline.errors import BuildError
from slim_lambda.plan.keys import deps_key, fingerprint, hash_files
from slim_lambda.plan.request import Target
from tests.requests import MakeRequest

DOCKER = Target("docker", "sha256:abc", True, True, True)


def test_source_change_changes_the_asset_hash_not_the_deps_key(
        entry: Path, make_request: MakeRequest) -> None:
    before = fingerprint(make_request()), deps_key(make_request(), DOCKER)
    (entry / "index.py").write_text("def handler(event, context):\n    return 2\n")
    after = fingerprint(make_request()), deps_key(make_request(), DOCKER)
    assert before[0] != after[0]
    assert before[1] == after[1]


def test_excluded_and_always_excluded_files_change_nothing(
        entry: Path, make_request: MakeRequest) -> None:
    options = BundlingOptions(exclude=("notes/",))
    before = fingerprint(make_request(bundling=options))
    (entry / "notes").mkdir()
    (entry / "notes" / "todo.txt").write_text("x")
    (entry / ".env").write_text("SECRET=1\n")
    (entry / "cdk.out").mkdir()
    (entry / "cdk.out" / "manifest.json").write_text("{}")
    assert fingerprint(make_request(bundling=options)) == before


def test_requirements_change_both(entry: Path, make_request: MakeRequest) -> None:
    before = fingerprint(make_request()), deps_key(make_request(), DOCKER)
    (entry / "requirements.txt").write_text("requests==2.32.3\n")
    after = fingerprint(make_request()), deps_key(make_request(), DOCKER)
    assert before[0] != after[0]
    assert before[1] != after[1]


def test_image_id_and_mode_change_the_deps_key(make_request: MakeRequest) -> None:
    request = make_request()
    keys = {deps_key(request, DOCKER),
            deps_key(request, Target("docker", "sha256:def", True, True, True)),
            deps_key(request, Target("local", "local:x86_64-manylinux_2_17", False, False,
                                     False, "x86_64-manylinux_2_17"))}
    assert len(keys) == 3


def test_slim_rules_change_the_deps_key_user_code_option_does_not(
        make_request: MakeRequest) -> None:
    base = deps_key(make_request(), DOCKER)
    assert deps_key(make_request(slim=SlimOptions(patterns=("*.txt",))), DOCKER) != base
    assert deps_key(make_request(slim=SlimOptions(strip=False)), DOCKER) != base
    assert deps_key(make_request(slim=SlimOptions(slim_user_code=True)), DOCKER) == base


def test_credentials_reach_neither_identity(make_request: MakeRequest) -> None:
    one = make_request(bundling=BundlingOptions(index_url="https://u:secret1@idx.example/s"))
    two = make_request(bundling=BundlingOptions(index_url="https://u:secret2@idx.example/s"))
    other = make_request(bundling=BundlingOptions(index_url="https://u:secret1@other.example/s"))
    assert fingerprint(one) == fingerprint(two) != fingerprint(other)
    assert deps_key(one, DOCKER) == deps_key(two, DOCKER) != deps_key(other, DOCKER)


def test_hash_files_covers_names_content_and_exec_bit(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("x")
    first = hash_files(str(tmp_path), ())
    (tmp_path / "a.py").chmod(0o755)
    second = hash_files(str(tmp_path), ())
    (tmp_path / "a.py").rename(tmp_path / "b.py")
    third = hash_files(str(tmp_path), ())
    assert len({first, second, third}) == 3


def test_a_name_that_is_not_utf8_is_a_clear_error(entry: Path,
                                                  make_request: MakeRequest) -> None:
    open(os.fsencode(entry) + b"/caf\xe9.txt", "wb").close()
    with pytest.raises(BuildError, match=r"caf\\xe9\.txt"):
        fingerprint(make_request())
