"""zipestimate: which blocks the sample takes (pure), and how close the estimate comes to
deflating every file, on a tree as mixed as a scientific bundle."""

from __future__ import annotations

import itertools
import random
import sysconfig
import zlib
from pathlib import Path

from slim_lambda.pipeline.sizes import zip_share
from slim_lambda.run.zipestimate import (
    BLOCK,
    EVERY,
    EXACT_BELOW,
    estimate_shares,
    kind_key,
    sample_blocks,
    sampled_shares,
)


def test_every_large_file_is_sampled_along_its_length_at_one_block_in_every() -> None:
    sizes = {f"lib/mod{i}.so": 300 * BLOCK + i for i in range(5)}
    picked = sample_blocks(sizes)
    for rel in sizes:
        blocks = [i for r, i in picked if r == rel]
        assert len(blocks) in (300 // EVERY, 300 // EVERY + 1)
        assert all(b - a == EVERY for a, b in itertools.pairwise(blocks))
        assert blocks[0] < EVERY and blocks[-1] >= 300 - EVERY


def test_small_files_are_sampled_whole_about_one_in_every_and_the_same_each_time() -> None:
    sizes = {f"pkg/m{i}.py": 1_000 for i in range(1_600)}
    picked = sample_blocks(sizes)
    assert {i for _rel, i in picked} == {0}
    assert 0.5 * 1_600 / EVERY < len(picked) < 1.5 * 1_600 / EVERY
    assert sample_blocks(dict(reversed(list(sizes.items())))) == picked  # order-free
    assert sample_blocks({"empty": 0}) == []


def test_shared_objects_with_versions_are_one_kind() -> None:
    assert kind_key("numpy.libs/libopenblas-r0.3.so") == ".so"
    assert kind_key("scipy.libs/libgfortran.so.5.0.0") == ".so"
    assert kind_key("numpy/core/_multiarray.cpython-311-x86_64-linux-gnu.so") == ".so"
    assert kind_key("pkg/__init__.py") == ".py"
    assert kind_key("pkg-1.0.dist-info/RECORD") == ""


def _exact(root: Path, rel: str) -> int:
    comp = zlib.compressobj(6, zlib.DEFLATED, -15)
    data = (root / rel).read_bytes()
    return zip_share(rel, len(comp.compress(data)) + len(comp.flush()))


def test_the_estimate_of_a_mixed_tree_is_within_five_percent_of_deflating_it(
        tmp_path: Path) -> None:
    """Shared objects with compressible code and incompressible data regions, many small
    Python files, bytecode-like binaries and an empty file."""
    rng = random.Random(7)
    words = [f"name{i}" for i in range(300)]
    files: dict[str, bytes] = {"pkg/empty.py": b""}
    forty = bytes(i % 40 for i in range(256))
    for i in range(6):  # a shared object: text, then a table of noise, then text again
        code = rng.randbytes(400_000 + 9_000 * i).translate(forty)
        files[f"pkg.libs/lib{i}.so.1"] = code + rng.randbytes(300_000) + code[:200_000]
    for i in range(400):
        lines = [" ".join(rng.choices(words, k=8)) for _ in range(rng.randint(5, 200))]
        text = "\n".join(lines).encode()
        files[f"pkg/sub{i % 7}/m{i}.py"] = text
        files[f"pkg/sub{i % 7}/__pycache__/m{i}.pyc"] = zlib.compress(text, 1) + text[:500]
    for rel, data in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(data)
    sizes = {rel: len(data) for rel, data in files.items()}

    shares = sampled_shares(str(tmp_path), sizes)
    assert set(shares) == set(files)
    assert shares == sampled_shares(str(tmp_path), sizes)  # deterministic
    exact = sum(_exact(tmp_path, rel) for rel in files)
    assert abs(sum(shares.values()) - exact) <= 0.05 * exact
    assert shares["pkg/empty.py"] == zip_share("pkg/empty.py", 2)


def test_the_estimate_of_this_pythons_own_library_is_within_five_percent(
        tmp_path: Path) -> None:
    """Real files: the standard library's packages and its compiled extension modules."""
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    sizes = {}
    for top in ("email", "json", "asyncio", "xml", "lib-dynload", "importlib", "unittest"):
        for path in (stdlib / top).rglob("*"):
            if path.is_file() and not path.is_symlink():
                sizes[str(path.relative_to(stdlib))] = path.stat().st_size
    assert len(sizes) > 200 and any(rel.endswith(".so") for rel in sizes)
    shares = sampled_shares(str(stdlib), sizes)
    exact = sum(_exact(stdlib, rel) for rel in sizes)
    assert abs(sum(shares.values()) - exact) <= 0.05 * exact, (sum(shares.values()), exact)


def test_a_tree_too_small_to_sample_is_deflated_whole(tmp_path: Path) -> None:
    files = {"a.py": b"import os\n" * 300, "b/c.so": random.Random(1).randbytes(9_000),
             "d.txt": b""}
    for rel, data in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(data)
    sizes = {rel: len(data) for rel, data in files.items()}
    assert sum(sizes.values()) <= EXACT_BELOW
    assert estimate_shares(str(tmp_path), sizes) == {rel: _exact(tmp_path, rel) for rel in files}
