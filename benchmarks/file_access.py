"""Issue 18's file-access measure: what copying a build's files through the Docker API
costs against bind mounts, on the seed workload.

Each run is a cold build of examples/seed/function with ``slim-lambda build`` (no CDK
around it, so the ratio is the build's own): an empty slim-lambda cache and an empty pip
download cache (bind mode keeps that in the cache directory; copy mode in the engine's
``slim-lambda-pip-cache-<uid>`` and ``slim-lambda-uv-cache-<uid>`` volumes, removed
first), the same engine and image. Runs
alternate bind, copy, bind, copy, … so the machine's load hits both. The floor: copy's
median within 1.3x of bind's.

    bash benchmarks/run.sh --file-access-only [--repeat 3]
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.table import JUDGED_ON, Floor
from slim_lambda.run.copying import cache_volume

SEED = Path(__file__).resolve().parent.parent / "examples" / "seed" / "function"
BOUND = 1.3
ACCESS = ("bind", "copy")


def _build(access: str, base: Path, image: str, ca: str | None) -> dict[str, Any]:
    cache, out, report = base / "cache", base / "out", base / "report.json"
    env = dict(os.environ, SLIM_LAMBDA_CACHE_DIR=str(cache), SLIM_LAMBDA_PROGRESS="0")
    env.pop("SLIM_LAMBDA_FILE_ACCESS", None)
    if ca:
        env["SLIM_LAMBDA_CA_BUNDLE"] = ca
    if access == "copy":  # its download caches, empty like bind's fresh cache directory
        subprocess.run(["docker", "volume", "rm", "-f",
                        *(cache_volume(name, os.getuid()) for name in ("pip_cache", "uv_cache"))],
                       capture_output=True, check=False)
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "slim_lambda.cli", "build", str(SEED), "--runtime", "python3.11",
         "--image", image, "--file-access", access, "--out", str(out),
         "--json-report", str(report)], env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"benchmark: the {access} build failed:\n{proc.stderr[-3000:]}")
    data = json.loads(report.read_text())
    copied = sum(s["seconds"] for s in data["steps"] if s["name"].startswith("copy "))
    shutil.rmtree(base, ignore_errors=True)
    return {"seconds": round(seconds, 2), "copy_steps_s": round(copied, 2),
            "unzipped_bytes": data["unzipped_bytes"], "load1": round(os.getloadavg()[0], 2)}


def measure(work: Path, image: str, ca: str | None, repeat: int = 3,
            say: Any = print) -> dict[str, Any]:
    """Every run's numbers, each access's median, and copy's ratio to bind."""
    runs: dict[str, list[dict[str, Any]]] = {a: [] for a in ACCESS}
    for rep in range(repeat):
        for access in ACCESS:
            run = _build(access, work / "file-access" / f"{access}{rep}", image, ca)
            say(f"file access: {access} cold build {rep + 1}/{repeat}: {run['seconds']:.1f} s "
                f"(copy steps {run['copy_steps_s']:.1f} s, load {run['load1']})")
            runs[access].append(run)
    med = {a: statistics.median(r["seconds"] for r in runs[a]) for a in ACCESS}
    return {"runs": runs, "median_s": med, "ratio": round(med["copy"] / med["bind"], 3)}


def floor(result: dict[str, Any]) -> Floor:
    return Floor(f"file access: copy's cold seed build within {BOUND}x of bind's", BOUND,
                 "<=", {JUDGED_ON: result["ratio"]})


def render(result: dict[str, Any]) -> list[str]:
    med = result["median_s"]
    copy_steps = statistics.median(r["copy_steps_s"] for r in result["runs"]["copy"])
    fl = floor(result)
    return ["file access (issue 18): the seed's cold build (`slim-lambda build`, empty caches), "
            "median of each",
            f"  bind mounts {med['bind']:.1f} s; copy through the Docker API {med['copy']:.1f} s "
            f"(of which copying {copy_steps:.1f} s): {result['ratio']:.2f}x",
            f"  {'PASS' if fl.passes(fl.value) else 'FAIL'}: within {BOUND}x"]
