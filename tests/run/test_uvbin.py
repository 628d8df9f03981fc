"""uvbin.py: the uv binary a build image runs; a wheel's binary is trusted only as its
RECORD lists it, and this host's binary only for its own machine."""

from __future__ import annotations

import base64
import hashlib
import platform
import zipfile
from pathlib import Path

import pytest

from slim_lambda.pipeline.elf import read_machine
from slim_lambda.pipeline.errors import BuildError
from slim_lambda.run.uvbin import extract_binary, host_uv, uv_for


def _wheel(path: Path, binary: bytes, listed: bytes) -> Path:
    digest = base64.urlsafe_b64encode(hashlib.sha256(listed).digest()).rstrip(b"=").decode()
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("uv-9.9.9.data/scripts/uv", binary)
        zf.writestr("uv-9.9.9.dist-info/RECORD",
                    f"uv-9.9.9.data/scripts/uv,sha256={digest},{len(listed)}\n"
                    "uv-9.9.9.dist-info/RECORD,,\n")
    return path


def test_the_binary_comes_out_of_the_wheel_as_its_record_lists_it(tmp_path: Path) -> None:
    good = _wheel(tmp_path / "good.whl", b"\x7fELF binary", b"\x7fELF binary")
    assert extract_binary(str(good), "9.9.9") == b"\x7fELF binary"
    tampered = _wheel(tmp_path / "bad.whl", b"\x7fELF other", b"\x7fELF binary")
    with pytest.raises(BuildError, match="does not match the wheel's RECORD"):
        extract_binary(str(tampered), "9.9.9")


@pytest.mark.skipif(platform.machine() not in ("x86_64", "aarch64"), reason="not Linux")
def test_this_hosts_uv_serves_its_own_architecture(tmp_path: Path) -> None:
    arch = "x86_64" if platform.machine() == "x86_64" else "arm64"
    assert uv_for(arch, str(tmp_path), print) == host_uv()
    assert read_machine(host_uv()) == platform.machine()
    assert not list(tmp_path.iterdir())  # nothing fetched
