"""manifests/flatten.py: the requirements file the build container reads, every local path
placed where a mount puts it, includes inlined, ``-e`` dropped (no Docker)."""

from __future__ import annotations

from pathlib import Path

from slim_lambda.manifests.flatten import flatten_requirements


def _repo(tmp_path: Path) -> Path:
    fn = tmp_path / "functions" / "api"
    (fn / "reqs").mkdir(parents=True)
    for d in ("libs/pkg", "libs/other", "wheels", "fn-wheels"):
        (tmp_path / d).mkdir(parents=True)
    (tmp_path / "wheels" / "x-1.0-py3-none-any.whl").write_bytes(b"")
    (tmp_path / "common.txt").write_text("-e libs/other\nsix==1.16.0\n")
    (fn / "reqs" / "pins.txt").write_text("urllib3<2\n-c ../../../common-pins.txt\n")
    (tmp_path / "common-pins.txt").write_text("idna==3.7\n")
    (fn / "requirements.txt").write_text(
        "# shared code\n-e ../../libs/pkg[fast]\n../../libs/pkg\n"
        "mylib @ file:../../libs/other\n../../wheels/x-1.0-py3-none-any.whl "
        "--hash=sha256:abc\n-r ../../common.txt\n-c reqs/pins.txt\n"
        "-f ../../fn-wheels\nrequests==2.32.3 ; python_version >= '3.8'\n"
        "-e git+https://example.invalid/r.git#egg=r\n")
    return fn


def test_every_local_path_is_placed_and_nothing_stays_editable(tmp_path: Path) -> None:
    fn = _repo(tmp_path)
    asked: list[tuple[str, str]] = []

    def place(kind: str, host: str) -> str:
        asked.append((kind, host))
        return f"/c/{kind}/{Path(host).name}"

    flat = flatten_requirements(str(fn / "requirements.txt"), place, constraint_dir="/c/work")
    assert flat.lines == [
        "/c/tree/pkg[fast]",
        "/c/tree/pkg",
        "mylib @ file:///c/tree/other",
        "/c/file/x-1.0-py3-none-any.whl --hash=sha256:abc",
        "/c/tree/other",
        "six==1.16.0",
        "-c /c/work/constraints-2.txt",
        "-f /c/links/fn-wheels",
        "requests==2.32.3 ; python_version >= '3.8'",
        "-e git+https://example.invalid/r.git#egg=r",
    ]
    # a constraint file inside a constraint file is flattened first
    assert flat.constraints == [("constraints-1.txt", "idna==3.7\n"),
                                ("constraints-2.txt", "urllib3<2\n-c /c/work/constraints-1.txt\n")]
    assert ("tree", str(tmp_path / "libs" / "other")) in asked
    assert ("links", str(tmp_path / "fn-wheels")) in asked


def test_an_include_cycle_is_read_once(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("six\n-r b.txt\n")
    (tmp_path / "b.txt").write_text("idna\n-r a.txt\n")
    flat = flatten_requirements(str(tmp_path / "a.txt"), lambda k, h: h, constraint_dir="/w")
    assert flat.lines == ["six", "idna"]
