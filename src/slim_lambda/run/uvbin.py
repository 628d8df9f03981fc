"""The uv executable for the deps stage: this host's, or the target architecture's fetched
once into the download cache.

The ``uv`` wheel slim-lambda depends on ships a Linux binary for this machine; when it is
an ELF file for the target's machine it is mounted read-only into the build image as is.
For another architecture (arm64 on an x86_64 laptop), or a host whose binary is not a
Linux one (macOS), the manylinux wheel of the same uv version is downloaded once
(``pip download --only-binary :all: --platform …``), its binary checked against the
wheel's RECORD hash and its ELF header, and kept beside the pip cache. Same version on
both architectures: the deps key names it once (:func:`slim_lambda.plan.installer.uv_version`).
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable

from ..pipeline.elf import read_machine
from ..pipeline.errors import BuildError
from ..plan.installer import uv_version
from ..platform import ARCHITECTURES

__all__ = ["FETCHED_DIR", "fetch_uv", "host_uv", "uv_for"]

Log = Callable[[str], None]
FETCHED_DIR = "slim-lambda-uv"
"""Under the pip download cache: ``<version>-<machine>/uv``."""
WHEEL_PLATFORM = "manylinux_2_17_{machine}"
"""The oldest glibc uv's Linux wheels need, below every Lambda runtime's."""


def host_uv() -> str:
    """uv's executable: the one the ``uv`` wheel ships, else the one on ``PATH``."""
    try:
        from uv import find_uv_bin
        return str(find_uv_bin())
    except (ImportError, FileNotFoundError):
        found = shutil.which("uv")
        if not found:
            raise BuildError("local", "local mode needs uv, and it is not installed",
                             details="pip install uv (a dependency of slim-lambda), or use "
                             "bundling.mode='docker'.") from None
        return found


def uv_for(architecture: str, download_dir: str, log: Log) -> str | None:
    """A uv binary that runs in the build image of ``architecture``, or None (no uv
    wheel installed here, or the other architecture's could not be fetched: said in
    ``log``)."""
    version = uv_version()
    if version is None:
        return None
    machine = ARCHITECTURES[architecture].elf_machine
    try:
        here = host_uv()
    except BuildError:
        here = None
    if here is not None and read_machine(here) == machine:
        return here
    try:
        return fetch_uv(version, ARCHITECTURES[architecture].wheel_machine, machine,
                        download_dir, log)
    except BuildError as e:
        log(f"uv for {architecture}: {e.reason}")
        return None


def fetch_uv(version: str, wheel_machine: str, elf_machine: str, download_dir: str,
             log: Log) -> str:
    """uv ``version``'s binary for ``wheel_machine``, downloaded once into
    ``download_dir``; raises BuildError when it cannot be fetched or fails a check."""
    final = os.path.join(download_dir, FETCHED_DIR, f"{version}-{wheel_machine}", "uv")
    if os.path.isfile(final) and read_machine(final) == elf_machine:
        return final
    os.makedirs(os.path.dirname(final), exist_ok=True)
    with tempfile.TemporaryDirectory(dir=os.path.dirname(final)) as tmp:
        log(f"fetching uv {version} for {wheel_machine} (once, into the download cache)")
        proc = subprocess.run(
            [sys.executable, "-m", "pip", "download", f"uv=={version}", "--no-deps",
             "--only-binary", ":all:", "--platform", WHEEL_PLATFORM.format(machine=wheel_machine),
             "--dest", tmp, "--disable-pip-version-check", "--no-input", "--quiet"],
            capture_output=True, text=True)
        wheels = [n for n in os.listdir(tmp) if n.endswith(".whl")]
        if proc.returncode != 0 or len(wheels) != 1:
            tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no wheel"]
            raise BuildError("install", f"could not download uv {version} for "
                             f"{wheel_machine}: {tail[0]}")
        binary = extract_binary(os.path.join(tmp, wheels[0]), version)
        staged = os.path.join(tmp, "uv")
        with open(staged, "wb") as f:
            f.write(binary)
        if read_machine(staged) != elf_machine:
            raise BuildError("install", f"the uv {version} wheel for {wheel_machine} holds "
                             f"no {elf_machine} ELF binary")
        os.chmod(staged, 0o755)
        os.replace(staged, final)
    return final


def extract_binary(wheel: str, version: str) -> bytes:
    """The ``uv`` executable in a uv wheel, checked against the wheel's RECORD."""
    member = f"uv-{version}.data/scripts/uv"
    with zipfile.ZipFile(wheel) as zf:
        record = zf.read(f"uv-{version}.dist-info/RECORD").decode("utf-8")
        rows = {row[0]: row[1] for row in csv.reader(io.StringIO(record)) if len(row) >= 2}
        data = zf.read(member)
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    if rows.get(member) != f"sha256={digest}":
        raise BuildError("install", f"{os.path.basename(wheel)}: {member} does not match "
                         "the wheel's RECORD")
    return data
