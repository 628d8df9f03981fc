"""bytecode.py writes unchecked-hash pycs that load from a read-only tree, within a budget."""

from __future__ import annotations

import importlib.util
import shutil
import struct
from pathlib import Path

from slim_lambda.pipeline.bytecode import compile_modules, pyc_path
from tests.pipeline.helpers import run_python, snapshot

UNCHECKED_HASH = 0b01  # bit 0: hash-based; bit 1 (check_source) clear


def _tree(tmp_path: Path) -> Path:
    root = tmp_path / "bundle"
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "__init__.py").write_text("from pkg.mod import VALUE\n")
    (root / "pkg" / "mod.py").write_text("VALUE = 'from source'\n")
    (root / "top.py").write_text("import pkg\n")
    return root


def _flags(pyc: Path) -> int:
    data = pyc.read_bytes()
    assert data[:4] == importlib.util.MAGIC_NUMBER
    return int(struct.unpack("<I", data[4:8])[0])


def test_pycs_are_unchecked_hash_and_load_read_only(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    sources = ["top.py", "pkg/__init__.py", "pkg/mod.py"]
    result = compile_modules(str(root), sources, mode="imported", budget_bytes=10**6, jobs=2)

    assert result.failed == [] and result.dropped_for_budget == 0
    assert [rel for rel, _size in result.compiled] == sources
    for rel, size in result.compiled:
        pyc = root / pyc_path(rel)
        assert pyc.parent.name == "__pycache__"
        assert pyc.stat().st_size == size
        assert _flags(pyc) == UNCHECKED_HASH
    assert result.bytes == sum(size for _rel, size in result.compiled)

    # A read-only copy: the sources change after compiling, the unchecked pycs still win.
    ro = tmp_path / "ro"
    shutil.copytree(root, ro)
    (ro / "pkg" / "mod.py").write_text("VALUE = 'edited source, never compiled'\n")
    before = snapshot(ro)
    for path in [ro, *ro.rglob("*")]:
        path.chmod(path.stat().st_mode & ~0o222)
    try:
        proc = run_python("-v", "-c", "import sys; sys.path.insert(0, sys.argv[1]); "
                          "import top, pkg; print(pkg.VALUE); "
                          "print(pkg.mod.__spec__.cached)", str(ro))
    finally:
        for path in [ro, *ro.rglob("*")]:
            path.chmod(path.stat().st_mode | 0o200)
    assert proc.returncode == 0, proc.stderr
    value, cached = proc.stdout.splitlines()
    assert value == "from source"
    assert cached == str(ro / pyc_path("pkg/mod.py"))
    for rel in sources:
        assert f"code object from '{ro / pyc_path(rel)}'" in proc.stderr
    assert snapshot(ro) == before


def test_code_objects_name_the_bundle_relative_path(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    compile_modules(str(root), ["pkg/mod.py"], mode="all", budget_bytes=10**6, jobs=1)
    data = (root / pyc_path("pkg/mod.py")).read_bytes()
    assert b"pkg/mod.py" in data
    assert str(tmp_path).encode() not in data


def test_budget_drops_the_least_important(tmp_path: Path) -> None:
    root = tmp_path / "bundle"
    root.mkdir()
    names = [f"m{i}.py" for i in range(5)]  # same length names: same size pycs
    for name in names:
        (root / name).write_text("X = 1\n" * 50)
    sizes = dict(compile_modules(str(root), names, mode="all", budget_bytes=10**6).compiled)
    assert len(set(sizes.values())) == 1
    one = sizes["m0.py"]

    result = compile_modules(str(root), names, mode="imported", budget_bytes=2 * one + one // 2)

    assert [rel for rel, _s in result.compiled] == ["m0.py", "m1.py"]
    assert result.dropped_for_budget == 3
    assert result.budget_bytes == 2 * one + one // 2
    assert result.bytes <= result.budget_bytes
    assert [n for n in names if (root / pyc_path(n)).exists()] == ["m0.py", "m1.py"]


def test_broken_sources_are_reported_and_none_mode_compiles_nothing(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    (root / "bad.py").write_text("def broken(:\n")
    result = compile_modules(str(root), ["bad.py", "top.py"], mode="imported", budget_bytes=10**6)
    assert result.failed == ["bad.py"]
    assert [rel for rel, _s in result.compiled] == ["top.py"]
    assert not (root / pyc_path("bad.py")).exists()

    shutil.rmtree(root / "__pycache__")
    none = compile_modules(str(root), ["top.py"], mode="none", budget_bytes=10**6)
    assert none.compiled == [] and not (root / "__pycache__").exists()
    negative = compile_modules(str(root), ["top.py"], mode="all", budget_bytes=-5)
    assert negative.budget_bytes == 0 and negative.dropped_for_budget == 1
    assert not (root / pyc_path("top.py")).exists()


def test_the_same_bytes_whatever_the_worker_count(tmp_path: Path) -> None:
    """Compiled in one process or in a pool of three, every pyc and the result (order,
    sizes, failures, budget drops) are identical."""
    def tree(name: str) -> Path:
        root = tmp_path / name / "bundle"
        for i in range(80):
            pkg = root / f"pkg{i % 7}"
            pkg.mkdir(parents=True, exist_ok=True)
            (pkg / f"m{i}.py").write_text(f"V = {i}\n" + "def f(x):\n    return x * 2\n" * i)
        (root / "pkg0" / "broken.py").write_text("def (:\n")
        return root

    probe = tree("probe")
    sources = sorted(str(p.relative_to(probe)) for p in probe.rglob("*.py"))
    results = []
    for jobs in (1, 3):
        root = tree(f"jobs{jobs}")
        result = compile_modules(str(root), sources, mode="all", budget_bytes=40_000, jobs=jobs)
        pycs = {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*.pyc")}
        results.append((result, pycs))
    (one, pycs_one), (three, pycs_three) = results
    assert one == three
    assert pycs_one == pycs_three
    assert one.failed == ["pkg0/broken.py"] and one.dropped_for_budget > 0
