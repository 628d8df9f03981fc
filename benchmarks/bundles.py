"""The finished bundles side by side: bytes, does the handler run, cold import time.

Every bundle is measured on a copy whose files carry CDK's zip timestamp (1980-01-01),
as Lambda extracts them: timestamp-based ``.pyc`` files written at install time are then
stale, exactly as after a deploy. Imports run in the build image, in a fresh container
per run, with the copy mounted read-only at /var/task and PYTHONDONTWRITEBYTECODE unset
(Python tries to write bytecode and cannot, as on Lambda).

serverless-python-requirements' rules (lib/slim.js, defaults, ``dockerizePip``): delete
``**/*.py[c|o]``, ``**/__pycache__*`` and ``**/*.dist-info*`` (node-glob: ``**`` and
``*`` skip dot-names), then ``find . -name '*.so' -exec strip {} ;`` — plain strip, in
the build image — applied here to PythonFunction's install of the same requirements.
"""

from __future__ import annotations

import fnmatch
import json
import os
import shutil
import statistics
import subprocess
from dataclasses import dataclass
from pathlib import Path

from slim_lambda.pipeline.sizes import END_RECORD, measure_tree, zip_share
from slim_lambda.run.zipsize import deflated_sizes, engine

EPOCH_1980 = 315532800
SPR_SLIM_PATTERNS = ("*.py[c|o]", "__pycache__*", "*.dist-info*")
IMPORT_CODE = ("import sys, time; assert not sys.dont_write_bytecode; "
               "sys.path.insert(0, '/var/task'); t = time.perf_counter(); "
               "import index; print(time.perf_counter() - t)")
HANDLER_CODE = ("import json, sys; sys.path.insert(0, '/var/task'); import index; "
                "print(json.dumps(index.handler({'seed': 1}, None)))")


@dataclass
class BundleResult:
    unzipped_bytes: int
    zipped_bytes: int
    files: int
    handler_runs: bool
    handler_error: str
    cold_import_s: float | None
    cold_import_samples: list[float]


def lambda_copy(src: Path, dest: Path) -> Path:
    """A copy (never hard links: the source may share inodes with slim-lambda's cache)
    with every mtime set to CDK's zip timestamp."""
    shutil.copytree(src, dest, symlinks=False)
    for dirpath, dirnames, filenames in os.walk(dest):
        for name in dirnames + filenames:
            os.utime(os.path.join(dirpath, name), (EPOCH_1980, EPOCH_1980),
                     follow_symlinks=False)
    os.utime(dest, (EPOCH_1980, EPOCH_1980))
    return dest


def spr_slim(src: Path, dest: Path, image: str) -> Path:
    """serverless-python-requirements' default slim + strip, applied to a copy of ``src``."""
    shutil.copytree(src, dest, symlinks=True)
    for dirpath, dirnames, filenames in os.walk(dest):
        for name in list(dirnames):
            if name.startswith("."):
                dirnames.remove(name)  # node-glob's ** does not enter dot-directories
            elif _spr_match(name):
                shutil.rmtree(os.path.join(dirpath, name))
                dirnames.remove(name)
        for name in filenames:
            if _spr_match(name):
                os.unlink(os.path.join(dirpath, name))
    docker(["run", "--rm", "--network", "none", "-v", f"{dest}:/var/task", image,
            "find", "/var/task", "-name", "*.so", "-exec", "strip", "{}", ";"], check=False)
    return dest


def _spr_match(name: str) -> bool:
    return not name.startswith(".") and any(fnmatch.fnmatchcase(name, p)
                                            for p in SPR_SLIM_PATTERNS)


def sizes(root: Path) -> tuple[int, int, int, str]:
    """(files, unzipped bytes, zipped bytes, how the zip was measured). Zipped is exact for
    the CDK CLI's zip (Node's zlib, level 6, its header layout) when node is here."""
    rels = sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
    unzipped = sum((root / r).stat().st_size for r in rels)
    deflated = deflated_sizes(str(root), rels)
    if deflated is None:
        estimate = measure_tree(str(root))
        return len(rels), unzipped, estimate.zipped_bytes, "python zlib (estimate)"
    zipped = END_RECORD + sum(zip_share(r, deflated[r]) for r in rels)
    return len(rels), unzipped, zipped, engine() or "node"


def docker(args: list[str], check: bool = True) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(["docker", *args], capture_output=True, text=True, check=False)
    if check and proc.returncode != 0:
        raise SystemExit(f"benchmark: docker {' '.join(args[:3])} … failed:\n{proc.stderr}")
    return proc


def _in_lambda_like_container(image: str, bundle: Path, code: str
                              ) -> subprocess.CompletedProcess[str]:
    # no -e from the host's environment: PYTHONDONTWRITEBYTECODE (set by dev tools) stays out
    return docker(["run", "--rm", "--network", "none", "--read-only", "--tmpfs", "/tmp",
                   "-e", "HOME=/tmp", "-v", f"{bundle}:/var/task:ro", "-w", "/var/task",
                   image, "python3", "-c", code], check=False)


def handler_runs(image: str, bundle: Path) -> tuple[bool, str]:
    proc = _in_lambda_like_container(image, bundle, HANDLER_CODE)
    if proc.returncode == 0:
        try:
            ok = "score" in json.loads(proc.stdout.strip().splitlines()[-1])
        except (ValueError, IndexError):
            ok = False
        if ok:
            return True, ""
    lines = [ln for ln in (proc.stderr or proc.stdout).strip().splitlines() if ln.strip()]
    return False, lines[-1] if lines else f"exit code {proc.returncode}"


def cold_imports(image: str, bundle: Path, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        proc = _in_lambda_like_container(image, bundle, IMPORT_CODE)
        if proc.returncode != 0:
            return []
        times.append(float(proc.stdout.strip().splitlines()[-1]))
    return times


def measure(image: str, bundle: Path, runs: int) -> tuple[BundleResult, str]:
    files, unzipped, zipped, how = sizes(bundle)
    runs_ok, error = handler_runs(image, bundle)  # also warms the page cache for the timing
    samples = cold_imports(image, bundle, runs) if runs_ok else []
    median = statistics.median(samples) if samples else None
    return BundleResult(unzipped, zipped, files, runs_ok, error, median,
                        [round(t, 4) for t in samples]), how
