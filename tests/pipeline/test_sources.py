"""sources.py copies the function's own files, never its virtualenv, secrets or caches."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from slim_lambda.pipeline.errors import BuildError
from slim_lambda.pipeline.sources import copy_sources, list_sources


def _write(root: Path, rel: str, text: str = "x\n") -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


@pytest.fixture
def entry(tmp_path: Path) -> Path:
    """A function entry cluttered the way real project directories are."""
    root = tmp_path / "entry"
    for rel in [
        "index.py", "requirements.txt", "app/__init__.py", "app/models.py", "app/data.json",
        "app/tests/test_models.py",  # only a top-level tests/ is excluded by default
        ".venv/lib/python3.11/site-packages/x.py", ".git/config", "cdk.out/manifest.json",
        "node_modules/left-pad/index.js", "__pycache__/index.cpython-311.pyc",
        "app/__pycache__/models.cpython-311.pyc", ".env", ".env.production",
        "tests/test_index.py", ".pytest_cache/v/cache", "notes.md", "README.md",
    ]:
        _write(root, rel)
    (root / "run.sh").write_text("#!/bin/sh\n")
    (root / "run.sh").chmod(0o700)
    return root


def test_default_excludes(entry: Path) -> None:
    assert list_sources(str(entry)) == [
        "README.md", "app/__init__.py", "app/data.json", "app/models.py",
        "app/tests/test_models.py", "index.py", "notes.md", "requirements.txt", "run.sh"]


def test_user_patterns_and_reinclusion(entry: Path) -> None:
    files = list_sources(str(entry), ("*.md", "!README.md", "!.env.production"))
    assert "notes.md" not in files
    assert "README.md" in files
    assert ".env.production" in files
    assert ".env" not in files


def test_copy_writes_exactly_the_listed_files(entry: Path, tmp_path: Path) -> None:
    dest = tmp_path / "out"
    dest.mkdir()
    (dest / "index.py").write_text("stale\n")
    copied = copy_sources(str(entry), str(dest))
    on_disk = sorted(p.relative_to(dest).as_posix() for p in dest.rglob("*") if p.is_file())
    assert on_disk == copied == list_sources(str(entry))
    assert (dest / "index.py").read_text() == "x\n"
    assert stat.S_IMODE((dest / "run.sh").stat().st_mode) == 0o755
    assert stat.S_IMODE((dest / "index.py").stat().st_mode) == 0o644


def test_symlinks_inside_are_copied_as_content(entry: Path, tmp_path: Path) -> None:
    (entry / "alias.py").symlink_to("index.py")
    (entry / "shared").symlink_to("app", target_is_directory=True)
    dest = tmp_path / "out"
    copied = copy_sources(str(entry), str(dest))
    assert {"alias.py", "shared/models.py"} <= set(copied)
    assert not (dest / "alias.py").is_symlink()
    assert (dest / "alias.py").read_text() == "x\n"


def test_symlink_outside_the_entry_is_refused(entry: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("password\n")
    (entry / "app" / "leak.txt").symlink_to(secret)
    with pytest.raises(BuildError) as caught:
        list_sources(str(entry))
    assert caught.value.step == "sources"
    assert os.path.join(str(entry), "app/leak.txt") in str(caught.value)
    assert str(secret) in str(caught.value)
    assert "bundling.exclude" in caught.value.details
    # excluding it is the documented way out
    assert "app/leak.txt" not in list_sources(str(entry), ("app/leak.txt",))


def test_symlinked_directory_outside_the_entry_is_refused(entry: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (entry / "vendor").symlink_to(outside, target_is_directory=True)
    with pytest.raises(BuildError, match="vendor is a symlink to"):
        copy_sources(str(entry), str(tmp_path / "out"))


@pytest.mark.parametrize(("link", "target"), [("app/up", ".."), ("app/me", ".")])
def test_a_symlink_cycle_is_refused(entry: Path, link: str, target: str) -> None:
    (entry / link).symlink_to(target, target_is_directory=True)
    with pytest.raises(BuildError, match=f"{link} is a symlink to .*which contains it"):
        list_sources(str(entry))


def test_mutually_linked_directories_are_refused(entry: Path) -> None:
    (entry / "x").mkdir()
    (entry / "y").mkdir()
    (entry / "x" / "to_y").symlink_to("../y", target_is_directory=True)
    (entry / "y" / "to_x").symlink_to("../x", target_is_directory=True)
    with pytest.raises(BuildError, match="which contains it"):
        list_sources(str(entry))


# -- credentials -----------------------------------------------------------------------------------

CREDENTIAL_FILES = [
    ".netrc", "_netrc", ".pypirc", "pip.conf", "pip.ini", ".npmrc", ".aws/credentials",
    ".aws/config", ".ssh/config", ".ssh/id_ed25519", "id_rsa", "id_rsa.pub", "id_ed25519",
    "id_ecdsa", "id_dsa", "deploy/id_ed25519_deploy", "app/.netrc", "app/.pypirc",
    ".env", ".env.local", "app/.env",
]


def test_credential_files_are_left_out_by_default(entry: Path) -> None:
    for rel in CREDENTIAL_FILES:
        _write(entry, rel, "machine idx.example login u password hunter22\n")
    listed = list_sources(str(entry))
    assert not set(CREDENTIAL_FILES) & set(listed)
    assert "index.py" in listed


@pytest.mark.parametrize(("pattern", "shipped"), [
    ("!.netrc", [".netrc", "app/.netrc"]),  # a pattern without a / applies at any depth
    ("!/.netrc", [".netrc"]),
    ("!pip.conf", ["pip.conf"]),
    ("!id_rsa*", ["id_rsa", "id_rsa.pub"]),
    ("!.aws/", [".aws/config", ".aws/credentials"]),
    ("!/deploy/id_ed25519_deploy", ["deploy/id_ed25519_deploy"]),
])
def test_a_credential_file_is_reincluded_with_a_bang(entry: Path, pattern: str,
                                                    shipped: list[str]) -> None:
    for rel in CREDENTIAL_FILES:
        _write(entry, rel)
    listed = list_sources(str(entry), (pattern,))
    assert [rel for rel in listed if rel in CREDENTIAL_FILES] == shipped


def test_a_file_inside_an_excluded_directory_needs_the_directory_reincluded(
        entry: Path) -> None:
    """gitignore semantics: nothing below an excluded directory comes back on its own."""
    _write(entry, ".aws/config")
    assert ".aws/config" not in list_sources(str(entry), ("!.aws/config",))
    assert ".aws/config" in list_sources(str(entry), ("!.aws/",))


REQUIREMENTS = """\
--index-url https://deploy:hunter2%40x@pypi.corp.example/simple
--extra-index-url https://ghp_Tok3nValue@extra.example/simple
private-pkg @ https://u:p@ss/w0rd@files.example/private_pkg-1.0-py3-none-any.whl
signed @ https://b.example/signed-1.0-py3-none-any.whl?X-Amz-Signature=deadbeefcafe
requests==2.32.3
"""
SECRETS = ["hunter2", "ghp_Tok3nValue", "p@ss/w0rd", "p%40ss%2Fw0rd", "deadbeefcafe"]


@pytest.mark.parametrize("rel", ["requirements.txt", "requirements-dev.txt",
                                 "requirements/prod.txt", "constraints.txt",
                                 "app/requirements.txt"])
def test_requirements_files_ship_with_their_credentials_redacted(entry: Path, tmp_path: Path,
                                                                 rel: str) -> None:
    _write(entry, rel, REQUIREMENTS)
    dest = tmp_path / "out"
    assert rel in copy_sources(str(entry), str(dest))
    shipped = (dest / rel).read_text()
    assert not [s for s in SECRETS if s in shipped], shipped
    assert shipped.splitlines() == [
        "--index-url https://***@pypi.corp.example/simple",
        "--extra-index-url https://***@extra.example/simple",
        "private-pkg @ https://***@files.example/private_pkg-1.0-py3-none-any.whl",
        "signed @ https://b.example/signed-1.0-py3-none-any.whl?X-Amz-Signature=***",
        "requests==2.32.3"]


def test_other_manifests_are_redacted_and_code_is_copied_as_written(entry: Path,
                                                                     tmp_path: Path) -> None:
    index = '[[tool.uv.index]]\nurl = "https://u:hunter22@idx.example/simple"\n'
    code = 'DSN = "postgres://app:hunter22@db.example/app"\n'
    _write(entry, "pyproject.toml", index)
    _write(entry, "Pipfile", index)
    _write(entry, "app/db.py", code)
    dest = tmp_path / "out"
    copy_sources(str(entry), str(dest))
    assert "hunter22" not in (dest / "pyproject.toml").read_text()
    assert "hunter22" not in (dest / "Pipfile").read_text()
    assert (dest / "app/db.py").read_text() == code


def test_a_name_that_is_not_utf8_is_refused_naming_the_file(tmp_path: Path) -> None:
    entry = tmp_path / "entry"
    entry.mkdir()
    (entry / "index.py").write_text("x\n")
    open(os.fsencode(entry) + b"/caf\xe9.txt", "wb").close()
    with pytest.raises(BuildError, match=r"caf\\xe9\.txt.*not valid UTF-8") as e:
        list_sources(str(entry))
    assert "bundling.exclude" in str(e.value) and "rename" in str(e.value).lower()
    assert list_sources(str(entry), ("caf*.txt",)) == ["index.py"]
