"""Issue 15's monorepo measure: a change to one shared library rebuilds only the functions
that use it.

examples/monorepo (a uv workspace: ``api`` uses ``libs/common`` and ``libs/formats``,
``jobs`` only ``libs/common``) is copied, synthesized with `cdk synth`, then synthesized
again after a one-line change to ``libs/formats`` and after one to ``libs/common``, each
time into a fresh cdk.out with one slim-lambda cache. A function is *rebuilt* when its
dependency tree missed the cache (its report says so); its asset is *new* when its hash
changed. The floor: the ``libs/formats`` change rebuilds ``Api`` and nothing else.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

from benchmarks.synth import SYNTH_TIMEOUT_S, cdk_cli
from benchmarks.table import JUDGED_ON, Floor

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "monorepo"
STEPS = (("first synth, empty cache", None),
         ("libs/formats changed (Api uses it)", "libs/formats/src/formats/__init__.py"),
         ("libs/common changed (both use it)", "libs/common/src/common/__init__.py"))


def _synth(repo: Path, out: Path, image: str, cache: Path, ca: str | None,
           log: Path) -> tuple[float, dict[str, dict[str, Any]]]:
    env = dict(os.environ, SLIM_LAMBDA_IMAGE=image, SLIM_LAMBDA_CACHE_DIR=str(cache),
               CDK_DISABLE_CLI_TELEMETRY="true")
    if ca:
        env["SLIM_LAMBDA_CA_BUNDLE"] = ca
    t0 = time.perf_counter()
    with open(log, "w") as f:
        proc = subprocess.run([cdk_cli(), "synth", "--quiet", "--no-notices", "--app",
                               f"python3 {repo / 'app.py'}", "--output", str(out)],
                              env=env, cwd=repo, stdout=f, stderr=subprocess.STDOUT,
                              timeout=SYNTH_TIMEOUT_S, check=False)
    seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"benchmark: `cdk synth` of the monorepo failed; log: {log}")
    reports = {}
    for path in out.glob("asset.*.slim-report.json"):
        report = json.loads(path.read_text())
        reports[str(report["label"]).rsplit("/", 1)[-1]] = {
            "asset": path.name.split(".")[1][:12],
            "rebuilt": not (report.get("cache") or {}).get("hit")}
    return seconds, reports


def measure(work: Path, image: str, ca: str | None, say: Any = print) -> list[dict[str, Any]]:
    """Each step: its wall clock, the functions rebuilt and those with a new asset."""
    base = work / "monorepo"
    repo, cache = base / "repo", base / "cache"
    shutil.copytree(EXAMPLE, repo, ignore=shutil.ignore_patterns("cdk.out", "__pycache__"))
    steps: list[dict[str, Any]] = []
    before: dict[str, dict[str, Any]] = {}
    for i, (name, changed) in enumerate(STEPS):
        if changed:
            with open(repo / changed, "a") as f:
                f.write(f"\nREVISION = {i}\n")
        say(f"monorepo: {name}")
        seconds, now = _synth(repo, base / f"out{i}", image, cache, ca, base / f"synth{i}.log")
        steps.append({"step": name, "seconds": round(seconds, 1),
                      "rebuilt": sorted(f for f, r in now.items() if r["rebuilt"]),
                      "new_assets": sorted(f for f, r in now.items()
                                           if before.get(f, {}).get("asset") != r["asset"])})
        before = now
    shutil.rmtree(base, ignore_errors=True)
    return steps


def floor(steps: list[dict[str, Any]]) -> Floor:
    """1 when the libs/formats change rebuilt exactly Api, else 0."""
    exact = steps[1]["rebuilt"] == ["Api"] and steps[1]["new_assets"] == ["Api"]
    return Floor("monorepo: a libs/formats change rebuilds only Api (1 = yes)", 1, ">=",
                 {JUDGED_ON: 1.0 if exact else 0.0})


def render(steps: list[dict[str, Any]]) -> list[str]:
    lines = ["monorepo (examples/monorepo, a uv workspace; issue 15): what a shared-library "
             "change rebuilds",
             f"  {'step':38} {'synth s':>8}  {'rebuilt (cache miss)':22} new assets"]
    for s in steps:
        lines.append(f"  {s['step']:38} {s['seconds']:>8.1f}  "
                     f"{', '.join(s['rebuilt']) or '-':22} {', '.join(s['new_assets']) or '-'}")
    fl = floor(steps)
    verdict = "PASS" if fl.passes(fl.value) else "FAIL"
    lines.append(f"  {verdict}: the libs/formats change rebuilt {', '.join(steps[1]['rebuilt'])}")
    return lines
