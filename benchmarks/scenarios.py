"""The synth scenarios of issue 4, for each tool, with fresh caches where they must be empty:

- ``empty``    an app with no function: what `cdk synth` costs before any bundling
- ``first``    first synth: empty cdk.out, empty slim-lambda cache (and download cache)
- ``warm``     the same app again after `rm -rf cdk.out`, cache kept
- ``handler``  then a one-line change to the handler, synthesized into the same cdk.out
- ``many``     an app of N functions (distinct handlers, the same requirements), empty cache

Repetitions interleave the tools (slim, alpha, slim, alpha, …) so that a change in the
machine's load hits both, and every scenario runs in each repetition — except
PythonFunction's ``many`` (N full builds), which runs in the first one only.
"""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.synth import Synth, SynthResult, asset_dirs, change_handler, make_entries, run_synth

SCENARIOS = ("empty", "first", "warm", "handler", "many")
TOOLS = ("slim", "alpha")


@dataclass(frozen=True, kw_only=True)
class Plan:
    work: Path
    seed: Path
    image: str
    ca_bundle: str | None
    functions: int
    repeat: int
    alpha_many: bool


def say(msg: str) -> None:
    print(f"benchmark: {msg}", file=sys.stderr, flush=True)


class Recorder:
    """Samples per tool and scenario, with the load average at the time."""

    def __init__(self) -> None:
        self.samples: dict[str, dict[str, list[dict[str, Any]]]] = {
            t: {s: [] for s in SCENARIOS} for t in TOOLS}
        self.first_report: dict[str, Any] | None = None

    def add(self, tool: str, scenario: str, result: SynthResult, label: str) -> None:
        load1 = os.getloadavg()[0]
        sample: dict[str, Any] = {"seconds": round(result.seconds, 3), "load1": round(load1, 2),
                                  "own_s": _r3(result.own_seconds),
                                  "import_s": _r3(result.import_seconds)}
        if tool == "slim":
            sample["assets"] = len(result.reports)
            sample["cache_hits"] = result.cache_hits
            sample["dependency_build_s"] = round(sum(
                r.get("seconds", 0.0) for r in result.reports
                if not (r.get("cache") or {}).get("hit")), 2)
        self.samples[tool][scenario].append(sample)
        if tool == "slim" and scenario == "first" and self.first_report is None and result.reports:
            self.first_report = result.reports[0]
        extra = (f", {result.cache_hits}/{len(result.reports)} dependency cache hits"
                 if tool == "slim" else "")
        own = "" if result.own_seconds is None else f", own {result.own_seconds:.2f} s"
        say(f"{tool:5} {label}: {result.seconds:.1f} s (load {load1:.1f}{own}{extra})")


def _r3(x: float | None) -> float | None:
    return None if x is None else round(x, 3)


Samples = dict[str, dict[str, list[dict[str, Any]]]]


def run_all(plan: Plan) -> tuple[Samples, dict[str, Path], dict[str, Any] | None]:
    """Every scenario. Returns the samples; per tool, the first synth's asset directory
    (moved out of cdk.out before that is removed) for the bundle measurements; and
    slim-lambda's report of its first synth."""
    rec = Recorder()
    bundles: dict[str, Path] = {}
    for tool in TOOLS:  # warm-up, not recorded: the first CDK/jsii start reads cold files
        base = plan.work / tool / "warm-up"
        result = _synth(plan, tool, base, 0, base / "cdk.out", base / "slim-lambda-cache")
        say(f"{tool:5} warm-up synth, no function (not counted): {result.seconds:.1f} s")
    for rep in range(plan.repeat):
        for tool in TOOLS:
            kept = _one_function(plan, rec, tool, rep)
            if kept is not None:
                bundles[tool] = kept
            if tool == "slim" or (rep == 0 and plan.alpha_many):
                _many(plan, rec, tool, rep)
    return rec.samples, bundles, rec.first_report


def _synth(plan: Plan, tool: str, entry_root: Path, functions: int, outdir: Path,
           cache: Path) -> SynthResult:
    s = Synth(tool=tool, entry_root=entry_root, functions=functions, outdir=outdir,
              cache_dir=cache, image=plan.image, ca_bundle=plan.ca_bundle)
    log = outdir.parent / f"{outdir.name}.{len(list(outdir.parent.glob('*.log')))}.log"
    return run_synth(s, log)


def _one_function(plan: Plan, rec: Recorder, tool: str, rep: int) -> Path | None:
    base = plan.work / tool / f"rep{rep}"
    cache = base / "slim-lambda-cache"  # fresh and empty: a first synth on this machine
    tag = f"(run {rep + 1}/{plan.repeat})"

    rec.add(tool, "empty", _synth(plan, tool, base, 0, base / "empty.out", cache),
            f"no function, CDK's fixed cost {tag}")

    entries = make_entries(base / "entry", plan.seed, 1)
    out = base / "cdk.out"
    rec.add(tool, "first", _synth(plan, tool, entries, 1, out, cache),
            f"first synth, empty caches {tag}")
    kept = None
    if rep == 0:
        (asset,) = asset_dirs(out)
        kept = plan.work / "bundles" / tool
        kept.parent.mkdir(parents=True, exist_ok=True)
        os.rename(asset, kept)

    shutil.rmtree(out)
    rec.add(tool, "warm", _synth(plan, tool, entries, 1, out, cache),
            f"after rm -rf cdk.out, warm cache {tag}")

    change_handler(entries / "f0", rep)
    rec.add(tool, "handler", _synth(plan, tool, entries, 1, out, cache),
            f"after a one-line handler change {tag}")

    # keep the disk small: PythonFunction's assets are ~270 MB each
    for p in (out, base / "empty.out", cache):
        shutil.rmtree(p, ignore_errors=True)
    return kept


def _many(plan: Plan, rec: Recorder, tool: str, rep: int) -> None:
    base = plan.work / tool / f"many{rep}"
    entries = make_entries(base / "entry", plan.seed, plan.functions)
    out = base / "cdk.out"
    cache = base / "slim-lambda-cache"
    rec.add(tool, "many", _synth(plan, tool, entries, plan.functions, out, cache),
            f"{plan.functions} functions sharing the requirements, empty caches "
            f"(run {rep + 1}/{plan.repeat if tool == 'slim' else 1})")
    for p in (out, cache, entries):
        shutil.rmtree(p, ignore_errors=True)
