"""fsguard.Root: nothing outside the root is ever resolved, removed or replaced."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slim_lambda.pipeline.errors import BuildError
from slim_lambda.pipeline.fsguard import Root


@pytest.fixture
def sandbox(tmp_path: Path) -> tuple[Path, Path]:
    """``root`` with a file, a dir, and symlinks escaping to ``outside``."""
    root, outside = tmp_path / "root", tmp_path / "outside"
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "mod.py").write_text("x\n")
    outside.mkdir()
    (outside / "precious.txt").write_text("keep me\n")
    (root / "escape").symlink_to(outside, target_is_directory=True)
    (root / "escape_file").symlink_to(outside / "precious.txt")
    return root, outside


@pytest.mark.parametrize("rel", [
    "..", "../outside/precious.txt", "pkg/../../outside/precious.txt", "pkg/..", ".", "",
    "/etc/passwd", "escape/precious.txt", "escape/../../outside/precious.txt", "nul\0byte",
])
def test_escapes_are_refused(sandbox: tuple[Path, Path], rel: str) -> None:
    root, outside = sandbox
    guard = Root(str(root))
    with pytest.raises(BuildError) as caught:
        guard.resolve(rel)
    assert caught.value.step == "guard"
    with pytest.raises(BuildError):
        guard.remove(rel)
    assert (outside / "precious.txt").read_text() == "keep me\n"
    assert (root / "pkg" / "mod.py").exists()


def test_removing_a_symlink_never_follows_it(sandbox: tuple[Path, Path]) -> None:
    root, outside = sandbox
    guard = Root(str(root))
    guard.remove("escape")
    guard.remove("escape_file")
    assert not os.path.lexists(root / "escape") and not os.path.lexists(root / "escape_file")
    assert (outside / "precious.txt").read_text() == "keep me\n"


def test_remove_files_dirs_and_empty_parents(sandbox: tuple[Path, Path]) -> None:
    root, _outside = sandbox
    (root / "a" / "b" / "c").mkdir(parents=True)
    (root / "a" / "b" / "c" / "f.txt").write_text("x")
    (root / "a" / "keep.txt").write_text("x")
    guard = Root(str(root))
    guard.remove("a/b/c/f.txt")
    guard.remove("does/not/exist.txt")
    guard.remove_empty_dirs({"a/b/c", "a/b", "a"})
    assert not (root / "a" / "b").exists()
    assert (root / "a" / "keep.txt").exists()
    guard.remove("pkg")
    assert not (root / "pkg").exists()


def test_replace_only_moves_files_from_inside(sandbox: tuple[Path, Path]) -> None:
    root, outside = sandbox
    guard = Root(str(root))
    (root / "pkg" / "mod.py.new").write_text("new\n")
    guard.replace("pkg/mod.py", str(root / "pkg" / "mod.py.new"))
    assert (root / "pkg" / "mod.py").read_text() == "new\n"
    with pytest.raises(BuildError, match="from outside"):
        guard.replace("pkg/mod.py", str(outside / "precious.txt"))
    with pytest.raises(BuildError, match="resolves outside"):
        guard.replace("escape/precious.txt", str(root / "pkg" / "mod.py"))
    assert (outside / "precious.txt").read_text() == "keep me\n"


def _other_device_dir() -> str | None:
    """A directory on another file system than the temporary one, if the host has one."""
    here = os.stat(tempfile.gettempdir()).st_dev
    for base in ("/dev/shm", "/run/user", os.path.expanduser("~")):
        if os.path.isdir(base) and os.access(base, os.W_OK) and os.stat(base).st_dev != here:
            return tempfile.mkdtemp(prefix="slim-guard-", dir=base)
    return None


@pytest.mark.parametrize("other_device", [False, True])
def test_move_to_another_root_keeps_symlinks_and_never_overwrites(
        sandbox: tuple[Path, Path], tmp_path: Path, other_device: bool) -> None:
    root, outside = sandbox
    held_dir = _other_device_dir() if other_device else str(tmp_path / "held")
    if held_dir is None:
        pytest.skip("no second file system to move across")
    try:
        os.makedirs(held_dir, exist_ok=True)
        guard, held = Root(str(root)), Root(held_dir)
        guard.move_to("pkg/mod.py", held)
        guard.move_to("escape_file", held)
        assert not (root / "pkg" / "mod.py").exists()
        assert (Path(held_dir) / "pkg" / "mod.py").read_text() == "x\n"
        assert os.readlink(Path(held_dir) / "escape_file") == str(outside / "precious.txt")
        held.move_to("pkg/mod.py", guard)
        assert (root / "pkg" / "mod.py").read_text() == "x\n"
        (Path(held_dir) / "pkg" / "mod.py").write_text("other\n")
        with pytest.raises(BuildError, match="refusing to overwrite"):
            held.move_to("pkg/mod.py", guard)
        assert (root / "pkg" / "mod.py").read_text() == "x\n"
        with pytest.raises(BuildError, match="resolves outside"):
            guard.move_to("escape/precious.txt", held)
        (root / "pkg2").mkdir()
        (root / "pkg2" / "f.txt").write_text("f\n")
        (Path(held_dir) / "pkg2").symlink_to(outside, target_is_directory=True)
        with pytest.raises(BuildError, match="resolves outside"):
            guard.move_to("pkg2/f.txt", held)
        assert (root / "pkg2" / "f.txt").exists() and not (outside / "f.txt").exists()
        assert (outside / "precious.txt").read_text() == "keep me\n"
    finally:
        if other_device:
            shutil.rmtree(held_dir)


def test_a_root_given_through_a_symlink(sandbox: tuple[Path, Path], tmp_path: Path) -> None:
    root, _outside = sandbox
    (tmp_path / "alias").symlink_to(root, target_is_directory=True)
    guard = Root(str(tmp_path / "alias"))
    assert guard.resolve("pkg/mod.py") == str(root / "pkg" / "mod.py")


_PIECES = st.sampled_from(["..", ".", "", "pkg", "mod.py", "escape", "escape_file", "root",
                           "outside", "loop", "/", "//", "\0", "\udc80", "\ud800", "~", "a b"])
_PATHS = st.one_of(st.text(max_size=40), st.lists(_PIECES, max_size=8).map("/".join))


@pytest.fixture(scope="module")
def guard_root(tmp_path_factory: pytest.TempPathFactory) -> str:
    base = tmp_path_factory.mktemp("guard")
    (base / "root" / "pkg").mkdir(parents=True)
    (base / "outside").mkdir()
    (base / "root" / "escape").symlink_to(base / "outside", target_is_directory=True)
    (base / "root" / "escape_file").symlink_to(base / "outside" / "x")
    (base / "root" / "loop").symlink_to("loop")
    return str(base / "root")


@settings(max_examples=300, deadline=None)
@given(rel=_PATHS)
def test_resolve_never_leaves_the_root(guard_root: str, rel: str) -> None:
    """Any string: either a BuildError or a path strictly inside the root."""
    try:
        resolved = Root(guard_root).resolve(rel)
    except BuildError:
        return
    assert resolved.startswith(guard_root + os.sep)
    parent = os.path.realpath(os.path.dirname(resolved))
    assert parent == guard_root or parent.startswith(guard_root + os.sep)
