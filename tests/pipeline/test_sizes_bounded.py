"""The seams `slim-lambda report` bounds its reads through; the build's results unchanged."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from slim_lambda.pipeline.distinfo import find_distributions, parse_distribution
from slim_lambda.pipeline.sizes import deflated_size, measure_files, measure_tree, measure_zip


def test_deflated_size_reads_at_most_the_limit() -> None:
    data = io.BytesIO(b"x" * 5000)
    deflated_size(data, 100)
    assert data.tell() == 100
    assert deflated_size(io.BytesIO(b"x" * 100)) == deflated_size(io.BytesIO(b"x" * 5000), 100)


def test_parse_distribution_reads_bytes_as_find_distributions_reads_files(
        tmp_path: Path) -> None:
    di = tmp_path / "a_b-1.0.dist-info"
    di.mkdir()
    meta = b"Name: a-b\r\nVersion: 1.0\r\n\r\nbody: \xff\n"
    record = b"a_b/__init__.py,,\r\n../evil,,\na_b-1.0.dist-info/RECORD,,\n"
    (di / "METADATA").write_bytes(meta)
    (di / "RECORD").write_bytes(record)
    [found] = find_distributions(str(tmp_path))
    assert parse_distribution(di.name, meta, record) == found
    assert found.name == "a-b" and found.files == {"a_b/__init__.py", "a_b-1.0.dist-info/RECORD"}
    seen: list[str] = []

    def read(path: str) -> bytes | None:
        seen.append(Path(path).name)
        return Path(path).read_bytes() if Path(path).is_file() else None

    assert find_distributions(str(tmp_path), read=read) == [found]
    assert seen == ["METADATA", "RECORD"]


def test_measure_files_is_measure_tree(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("x = 1\n" * 50)
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "b.so").write_bytes(b"\0" * 999)
    tree = measure_tree(str(tmp_path))
    assert measure_files(str(tmp_path), dict(tree.file_bytes)) == tree


def test_measure_zip_reads_members_in_memory(tmp_path: Path) -> None:
    archive = tmp_path / "a.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("p-1.dist-info/METADATA", "Name: p\nVersion: 1\n\n")
        zf.writestr("p-1.dist-info/RECORD", "p.py,,\n")
        zf.writestr("p.py", "")
    before = sorted(tmp_path.iterdir())
    sizes, [dist] = measure_zip(str(archive))
    assert sorted(tmp_path.iterdir()) == before
    assert (sizes.files, dist.name, dist.files) == (3, "p", {"p.py"})
