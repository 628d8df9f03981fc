"""sizes.py: unzipped bytes are exact, the zipped estimate matches a real zip."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

from slim_lambda.pipeline.bytecode import compile_modules, pyc_path
from slim_lambda.pipeline.distinfo import find_distributions
from slim_lambda.pipeline.sizes import kind_of, measure_tree, measure_zip, package_sizes
from slim_lambda.pipeline.treemap import file_owners


def _files(root: Path) -> dict[str, int]:
    out = {}
    for dirpath, _dirs, names in os.walk(root):
        for name in names:
            path = Path(dirpath) / name
            out[path.relative_to(root).as_posix()] = path.stat().st_size
    return out


def _zip(root: Path, dest: Path, level: int) -> Path:
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as zf:
        for rel in sorted(_files(root)):
            zf.write(root / rel, rel)
    return dest


def test_unzipped_is_the_sum_of_file_sizes(installed_tree: Path) -> None:
    sizes = measure_tree(str(installed_tree), zipped=False)
    files = _files(installed_tree)
    assert sizes.files == len(files)
    assert sizes.file_bytes == files
    assert sizes.unzipped_bytes == sum(files.values())
    assert sum(sizes.by_kind.values()) == sizes.unzipped_bytes
    assert sizes.zipped_bytes == 0
    assert {"python", "metadata", "shared objects", "data"} <= set(sizes.by_kind)


def test_zipped_estimate_matches_a_real_zip(installed_tree: Path, tmp_path: Path) -> None:
    estimate = measure_tree(str(installed_tree)).zipped_bytes
    best = _zip(installed_tree, tmp_path / "level9.zip", 9).stat().st_size
    assert abs(estimate - best) <= 0.02 * best
    # at the CDK CLI's level the layout is the same byte for byte
    assert estimate == _zip(installed_tree, tmp_path / "level6.zip", 6).stat().st_size


def test_symlinks_count_as_their_target(tmp_path: Path) -> None:
    (tmp_path / "big.bin").write_bytes(b"x" * 5000)
    (tmp_path / "link.bin").symlink_to("big.bin")
    sizes = measure_tree(str(tmp_path))
    assert sizes.file_bytes == {"big.bin": 5000, "link.bin": 5000}
    assert sizes.unzipped_bytes == 10000


def test_package_sizes_attribute_bytecode_to_the_owner(installed_tree: Path) -> None:
    (installed_tree / "handler.py").write_text("import slimfix_pure\n")
    compiled = compile_modules(str(installed_tree),
                               ["handler.py", "slimfix_pure/cli.py", "slimfix_cext/__init__.py"],
                               mode="all", budget_bytes=10**6)
    assert len(compiled.compiled) == 3
    sizes = measure_tree(str(installed_tree), zipped=False)
    dists = find_distributions(str(installed_tree))

    packages, unowned = package_sizes(sizes.file_bytes, dists)

    by_name = {p.name: p for p in packages}
    assert set(by_name) == {"slimfix-pure", "slimfix-cext"}
    pure = by_name["slimfix-pure"]
    pure_files = {rel: size for rel, size in sizes.file_bytes.items()
                  if rel.startswith(("slimfix_pure/", "slimfix_pure-1.0.0.dist-info/"))}
    assert pure.version == "1.0.0"
    assert pure.bytes == sum(pure_files.values()) and pure.files == len(pure_files)
    assert pyc_path("slimfix_pure/cli.py") in pure_files
    assert pyc_path("handler.py") in unowned and "handler.py" in unowned
    assert "bin/slimfix" in unowned  # RECORD says ../../bin/slimfix: outside the tree
    assert sum(p.bytes for p in packages) + sum(unowned.values()) == sizes.unzipped_bytes
    assert [p.bytes for p in packages] == sorted((p.bytes for p in packages), reverse=True)
    # the report's package table and its treemap agree on who owns every file
    owners = file_owners(sizes.file_bytes, dists)
    assert set(owners) == set(sizes.file_bytes) - set(unowned)
    for package in packages:
        mine = [rel for rel, name in owners.items() if name == package.name]
        assert len(mine) == package.files
        assert sum(sizes.file_bytes[rel] for rel in mine) == package.bytes


def test_measure_zip_reads_an_existing_archive(installed_tree: Path, tmp_path: Path) -> None:
    archive = _zip(installed_tree, tmp_path / "bundle.zip", 6)
    sizes, dists = measure_zip(str(archive))
    tree = measure_tree(str(installed_tree), zipped=False)
    assert sizes.zipped_bytes == archive.stat().st_size
    assert (sizes.files, sizes.unzipped_bytes, sizes.by_kind) == (
        tree.files, tree.unzipped_bytes, tree.by_kind)
    assert sorted((d.name, d.version) for d in dists) == [
        ("slimfix-cext", "1.0.0"), ("slimfix-pure", "1.0.0")]


def test_kinds() -> None:
    assert kind_of("a/__pycache__/b.cpython-311.pyc") == "bytecode"
    assert kind_of("a/b.py") == "python"
    assert kind_of("a-1.dist-info/METADATA") == "metadata"
    assert kind_of("a.libs/libz.so.1.2") == "shared objects"
    assert kind_of("a/_c.cpython-311-x86_64-linux-gnu.so") == "shared objects"
    assert kind_of("a/data.json") == "data"
