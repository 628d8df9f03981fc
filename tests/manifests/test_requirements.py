"""A requirements file: installed as written, hashes required only when every line has them."""

from __future__ import annotations

from pathlib import Path

import pytest

from slim_lambda.errors import ConfigurationError
from slim_lambda.manifests import InstallPlan, resolve_manifest
from slim_lambda.manifests.context import Ctx
from slim_lambda.manifests.requirements import read_requirements, requirement_lines
from tests.fixtures.projects import (
    DEFAULT_PINS,
    LockWheelhouse,
    requirements_project,
)
from tests.manifests.helpers import (
    installed,
    lock_requirements,
    pip_install,
)


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


def test_groups_on_a_requirements_file_are_an_error(house: LockWheelhouse, tmp_path: Path) -> None:
    entry = requirements_project(tmp_path / "fn", house)
    with pytest.raises(ConfigurationError, match="is a requirements file, which has no groups"):
        resolve_manifest(str(entry), groups=["dev"])


def test_requirement_lines_join_continuations_and_drop_comments() -> None:
    text = ("# header\nfoo==1.0 \\\n    --hash=sha256:aa  # pinned\n\n"
            "git+https://example.org/x.git#egg=x\nbar  >=2 \\\n ; os_name == 'posix'\n"
            "baz \\\n")
    assert requirement_lines(text) == ["foo==1.0 --hash=sha256:aa",
                                       "git+https://example.org/x.git#egg=x",
                                       "bar >=2 ; os_name == 'posix'", "baz"]


def test_requirements_that_cannot_be_compared_say_why(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text(
        "-e .\n-e git+https://example.org/y.git#egg=Y_Pkg\nhttps://example.org/z.whl\n")
    ctx = Ctx(entry=str(tmp_path), rel="requirements.txt", python_version="3.12")
    plan, summary = read_requirements(ctx, ())
    assert plan.require_hashes is False
    assert summary.top == {"y-pkg": None}
    assert summary.incomplete == ("requirements.txt has a line slim-lambda does not compare: "
                                  "https://example.org/z.whl")


def test_a_credential_in_an_uncompared_line_reaches_no_note(tmp_path: Path) -> None:
    """A requirements line with a credentialed URL, next to a pyproject.toml: the note that
    says why the two were not compared never carries the password."""
    (tmp_path / "requirements.txt").write_text(
        "slimfix-pure @ https://deploy:s3cretPassw0rd@pkgs.example/slimfix_pure-1.0.0.whl\n"
        "-r https://deploy:s3cretPassw0rd@pkgs.example/base.txt\n")
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "fn"\nversion = "1"\ndependencies = ["slimfix-pure"]\n')
    plan = resolve_manifest(str(tmp_path))
    assert plan.notes and "pyproject.toml" in " ".join(plan.notes)
    assert "s3cretPassw0rd" not in repr(plan.notes)
    assert "s3cretPassw0rd" not in repr(InstallPlan(kind="none", manifest=None, requirements="",
                                                    notes=("https://u:s3cretPassw0rd@h/",)))
