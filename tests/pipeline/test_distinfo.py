"""distinfo.py: who owns what, what trimming keeps, and a RECORD that tells the truth."""

from __future__ import annotations

import base64
import csv
import hashlib
import os
from pathlib import Path

import pytest

from slim_lambda.pipeline import distinfo
from tests.pipeline.helpers import speedup_so

PURE_INFO = "slimfix_pure-1.0.0.dist-info"


def _record(tree: Path, dist_info: str) -> dict[str, tuple[str, str]]:
    with open(tree / dist_info / "RECORD", newline="") as f:
        return {row[0]: (row[1], row[2]) for row in csv.reader(f) if row}


def _sha(path: Path) -> str:
    digest = hashlib.sha256(path.read_bytes()).digest()
    return "sha256=" + base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def test_find_distributions(installed_tree: Path) -> None:
    dists = {d.name: d for d in distinfo.find_distributions(str(installed_tree))}
    assert set(dists) == {"slimfix-pure", "slimfix-cext"}
    pure, cext = dists["slimfix-pure"], dists["slimfix-cext"]
    assert (pure.version, pure.dist_info, pure.top_level) == ("1.0.0", PURE_INFO,
                                                              ("slimfix_pure",))
    assert cext.top_level == ("slimfix_cext",)  # slimfix_cext.libs is not a module
    assert "slimfix_pure/data.json" in pure.files
    assert f"{PURE_INFO}/RECORD" in pure.files
    assert not any(f.startswith("..") for f in pure.files)  # pip's ../../bin/slimfix
    assert speedup_so(installed_tree).relative_to(installed_tree).as_posix() in cext.files


def test_rewrite_record_lists_only_existing_files_and_rehashes(installed_tree: Path) -> None:
    (dist,) = [d for d in distinfo.find_distributions(str(installed_tree))
               if d.name == "slimfix-pure"]
    (installed_tree / "slimfix_pure" / "conftest.py").unlink()
    (installed_tree / PURE_INFO / "INSTALLER").unlink()
    cli = installed_tree / "slimfix_pure" / "cli.py"
    cli.write_text("def main():\n    return 0\n")
    untouched = _record(installed_tree, PURE_INFO)["slimfix_pure/data.json"]

    distinfo.rewrite_record(str(installed_tree), dist, changed={"slimfix_pure/cli.py"})

    record = _record(installed_tree, PURE_INFO)
    assert record[f"{PURE_INFO}/RECORD"] == ("", "")
    for rel, (digest, size) in record.items():
        if rel == f"{PURE_INFO}/RECORD":
            continue
        path = installed_tree / rel
        assert path.exists(), rel
        assert (digest, int(size)) == (_sha(path), path.stat().st_size), rel
    assert "slimfix_pure/conftest.py" not in record
    assert f"{PURE_INFO}/INSTALLER" not in record
    assert "../../bin/slimfix" not in record
    assert record["slimfix_pure/data.json"] == untouched
    assert record["slimfix_pure/cli.py"] == (_sha(cli), str(cli.stat().st_size))


def test_rewriting_a_record_shared_by_a_hard_link_leaves_the_other_copy_alone(
        installed_tree: Path, tmp_path: Path) -> None:
    """uv hard-links a tree's files from its cache: a RECORD rewritten in place would be
    rewritten in the cache too, so it is replaced instead."""
    (dist,) = [d for d in distinfo.find_distributions(str(installed_tree))
               if d.name == "slimfix-pure"]
    record = installed_tree / PURE_INFO / "RECORD"
    cached = tmp_path / "cached-RECORD"
    os.link(record, cached)
    before = cached.read_bytes()
    (installed_tree / "slimfix_pure" / "conftest.py").unlink()
    distinfo.rewrite_record(str(installed_tree), dist, changed=set())
    assert cached.read_bytes() == before
    assert "slimfix_pure/conftest.py" not in _record(installed_tree, PURE_INFO)
    assert record.stat().st_ino != cached.stat().st_ino
    assert not list((installed_tree / PURE_INFO).glob("*tmp*"))


def test_trim_metadata_drops_the_long_description() -> None:
    text = ("Metadata-Version: 2.1\nName: demo\nVersion: 2.0\n"
            "Description: an old-style description\n        that continues here\n"
            "        and here\nRequires-Dist: other>=1\n\n"
            "# Demo\n\nA long README body.\n")
    trimmed = distinfo.trim_metadata(text)
    assert trimmed == ("Metadata-Version: 2.1\nName: demo\nVersion: 2.0\n"
                       "Requires-Dist: other>=1\n\n")
    assert distinfo.metadata_body_bytes(text) == len(text) - len(trimmed)
    assert distinfo.trim_metadata(trimmed) == trimmed


# scipy's METADATA: a License header whose continuation lines include whitespace-only ones
LICENSED = ("Metadata-Version: 2.1\nName: scipy\nLicense: Copyright (c) 2001-2002 Enthought\n"
            "         All rights reserved.\n         \n         Redistribution and use\n"
            "Version: 1.16.3\nRequires-Python: >=3.11\nRequires-Dist: numpy<2.6,>=1.25.2\n"
            "Requires-Dist: pytest; extra == \"test\"\n\n# SciPy\n\nThe body.\n")


def test_a_whitespace_only_continuation_line_does_not_end_the_headers() -> None:
    trimmed = distinfo.trim_metadata(LICENSED)
    assert trimmed == LICENSED[:LICENSED.index("\n\n# SciPy") + 2]
    assert "Requires-Dist: numpy<2.6,>=1.25.2\n" in trimmed
    dist = distinfo.parse_distribution("scipy-1.16.3.dist-info", LICENSED.encode(), None)
    assert (dist.name, dist.version) == ("scipy", "1.16.3")


@pytest.mark.parametrize(("rel", "protected", "trimmed"), [
    ("x-1.dist-info/METADATA", True, False),
    ("x-1.dist-info/RECORD", True, False),
    ("x-1.dist-info/entry_points.txt", True, False),
    ("x-1.dist-info/top_level.txt", False, False),
    ("x-1.dist-info/LICENSE", False, False),
    ("x-1.dist-info/licenses/LICENSE.md", False, False),
    ("x-1.dist-info/COPYING.rst", False, False),
    ("x-1.dist-info/WHEEL", False, True),
    ("x-1.dist-info/INSTALLER", False, True),
    ("x-1.dist-info/direct_url.json", False, True),
    ("x/METADATA", False, False),
    ("x-1.dist-info/sub/METADATA", False, True),
])
def test_protected_and_trimmed(rel: str, protected: bool, trimmed: bool) -> None:
    assert distinfo.is_protected(rel) is protected
    assert distinfo.trim_candidates(rel) is trimmed
