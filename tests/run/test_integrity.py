"""integrity.py: a tree hashed beside other work is sealed exactly as one hashed at commit."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

from slim_lambda.run.integrity import HASHES, check_hashes, seal_tree, tree_hashes


def _tree(root: Path) -> Path:
    tree = root / "tree"
    (tree / "pkg" / "sub").mkdir(parents=True)
    (tree / "pkg" / "__init__.py").write_text("x = 1\n")
    (tree / "pkg" / "sub" / "data.bin").write_bytes(os.urandom(3 << 20))  # several reads
    (tree / "empty").write_bytes(b"")
    os.symlink("pkg/__init__.py", tree / "link.py")
    return tree


def test_hashes_taken_beside_seal_the_tree_as_hashing_at_commit_does(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    a, b = _tree(first), _tree(second)
    (b / "pkg" / "sub" / "data.bin").write_bytes((a / "pkg" / "sub" / "data.bin").read_bytes())
    known = tree_hashes(str(a))
    assert set(known) == {"pkg/__init__.py", "pkg/sub/data.bin", "empty"}  # not the link
    assert seal_tree(str(a), str(first), known) == seal_tree(str(b), str(second)) == known
    assert json.loads((first / HASHES).read_text()) == json.loads((second / HASHES).read_text())
    for tree in (a, b):
        mode = (tree / "pkg" / "sub" / "data.bin").stat().st_mode
        assert not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    assert check_hashes(str(a), str(first)) == []


def test_a_file_missing_from_the_known_hashes_is_hashed_at_seal(tmp_path: Path) -> None:
    tree = _tree(tmp_path)
    known = tree_hashes(str(tree))
    del known["empty"]
    sealed = seal_tree(str(tree), str(tmp_path), known)
    assert sealed["empty"] == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
