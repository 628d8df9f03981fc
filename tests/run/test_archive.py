"""run/archive.py and run/tarstream.py: what a copy-mode container gets, with which owner
and mode, and the guard that unpacks what comes back (no Docker needed here)."""

from __future__ import annotations

import io
import os
import tarfile
from pathlib import Path

import pytest

from slim_lambda.pipeline.errors import BuildError
from slim_lambda.run.archive import NOBODY, Listed, Share, list_share, plan_archive
from slim_lambda.run.tarstream import extract_tar, tar_stream


def modes(items: tuple) -> dict[str, tuple[str, int, int]]:  # type: ignore[type-arg]
    return {i.name: (i.kind, i.mode, i.owner) for i in items}


def test_read_only_inputs_belong_to_another_user_and_have_no_write_bits() -> None:
    share = Share("/host/entry", "/asset-input")
    listing = [Listed("", "dir"), Listed("index.py", "file", 0o100664),
               Listed("bin", "dir", 0o40775), Listed("bin/run", "file", 0o100775)]
    got = modes(plan_archive([(share, listing)], uid=1000))
    assert got == {"asset-input": ("dir", 0o555, 0), "asset-input/index.py": ("file", 0o444, 0),
                   "asset-input/bin": ("dir", 0o555, 0), "asset-input/bin/run": ("file", 0o555, 0)}
    # a build running as root (a rootless engine's user) must not own them either
    assert {o for _k, _m, o in modes(plan_archive([(share, listing)], uid=0)).values()} == {NOBODY}


def test_the_work_directory_is_the_builds_and_secrets_stay_0600() -> None:
    work = Share("/tmp/slim-lambda-1-x", "/slim-lambda/work", writable=True)
    listing = [Listed("", "dir", 0o40700), Listed("netrc", "file", 0o100600),
               Listed("spec.json", "file", 0o100600)]
    got = modes(plan_archive([(work, listing)], uid=1000))
    assert got["slim-lambda"] == ("dir", 0o755, 0), "a parent the target needs: the reader's"
    assert got["slim-lambda/work"] == ("dir", 0o700, 1000)
    assert got["slim-lambda/work/netrc"] == ("file", 0o600, 1000)


def test_parents_come_first_once_and_a_file_share_keeps_its_source() -> None:
    shares = [(Share("/etc/ca.pem", "/slim-lambda/ca-bundle.pem"), [Listed("", "file")]),
              (Share("/l", "/slim-lambda/layers/0"), [Listed("", "dir"), Listed("a", "link",
                                                                                 link="b")])]
    items = plan_archive(shares, uid=1000)
    assert [i.name for i in items] == ["slim-lambda", "slim-lambda/ca-bundle.pem",
                                       "slim-lambda/layers", "slim-lambda/layers/0",
                                       "slim-lambda/layers/0/a"]
    assert items[1].source == "/etc/ca.pem" and items[-1].source == "b"


def test_sources_are_listed_as_the_pipeline_reads_them(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "config").write_text("[core]\n")
    (tmp_path / ".venv" / "lib").mkdir(parents=True)
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "m.py").write_text("x = 1\n")
    (tmp_path / "index.py").write_text("")
    sources = {e.rel for e in list_share(Share(str(tmp_path), "/x", sources_only=True))}
    assert sources == {"", "index.py", "pkg", "pkg/m.py"}
    everything = {e.rel for e in list_share(Share(str(tmp_path), "/x"))}
    assert {".git/config", ".venv/lib", "pkg/m.py"} <= everything


def round_trip(tmp_path: Path, share: Share) -> Path:
    """Stream the share as the container would get it, then unpack it again."""
    data = b"".join(tar_stream(plan_archive([(share, list_share(share))], uid=os.getuid())))
    out = tmp_path / "out"
    out.mkdir()
    extract_tar([data[i:i + 777] for i in range(0, len(data), 777)], str(out),
                share.target.strip("/").rsplit("/", 1)[-1])
    return out


def test_a_tree_round_trips_with_links_and_large_files(tmp_path: Path) -> None:
    src = tmp_path / "tree"
    (src / "pkg" / "sub").mkdir(parents=True)
    big = os.urandom(3 * (1 << 20) + 123)
    (src / "pkg" / "big.so").write_bytes(big)
    (src / "pkg" / "sub" / "x.py").write_text("x = 1\n")
    (src / "pkg" / "alias.so").symlink_to("big.so")
    (src / "empty").mkdir()
    out = round_trip(tmp_path, Share(str(src), "/asset-output"))
    assert (out / "pkg" / "big.so").read_bytes() == big
    assert os.readlink(out / "pkg" / "alias.so") == "big.so"
    assert (out / "pkg" / "sub" / "x.py").read_text() == "x = 1\n"
    assert (out / "empty").is_dir()


def tar_of(*members: tuple[tarfile.TarInfo, bytes]) -> list[bytes]:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for info, data in members:
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return [buf.getvalue()]


def info(name: str, kind: bytes = tarfile.REGTYPE, link: str = "") -> tarfile.TarInfo:
    i = tarfile.TarInfo(name)
    i.type, i.linkname, i.mode = kind, link, 0o755 if kind == tarfile.DIRTYPE else 0o644
    return i


@pytest.mark.parametrize("members", [
    [(info("out/../evil"), b"x")],
    [(info("/etc/evil"), b"x")],
    [(info("out/l", tarfile.SYMTYPE, "/etc"), b"")],
    [(info("out/l", tarfile.SYMTYPE, "../../etc"), b"")],
    [(info("out/l", tarfile.SYMTYPE, "."), b""), (info("out/l/evil"), b"x")],
    [(info("out/dev", tarfile.CHRTYPE), b"")],
    [(info("other/x"), b"x")],
], ids=["dotdot", "absolute", "abs-link", "escaping-link", "through-link", "device",
        "elsewhere"])
def test_the_guard_refuses_what_would_land_outside(tmp_path: Path,
                                                     members: list) -> None:  # type: ignore[type-arg]
    dest = tmp_path / "dest"
    dest.mkdir()
    with pytest.raises(BuildError, match="nothing was kept"):
        extract_tar(tar_of(*members), str(dest), "out")
    assert not (tmp_path / "evil").exists()


def test_a_single_file_unpacks_without_a_top_directory(tmp_path: Path) -> None:
    extract_tar(tar_of((info("result.json"), b'{"report": {}}')), str(tmp_path))
    assert (tmp_path / "result.json").read_text() == '{"report": {}}'
