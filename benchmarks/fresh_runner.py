"""Issue 17's fresh CI runner: an empty local cache, a warm remote cache on S3.

A CDK Pipelines synth step or a GitHub Actions runner starts with nothing; with a team's
remote cache it downloads the seed workload's finished tree instead of building it. Here
moto plays S3 on loopback. One synth with an empty local cache builds the tree and uploads
it (the machine that warms the remote); then each "fresh runner" synthesizes the same app
with its own empty local cache. Measured in the same run as the baselines: each tool's
synth of an app with no function (CDK's fixed cost) and PythonFunction's first synth. The
floor: a fresh runner's synth ≤ 0.15× PythonFunction's first, net of the baseline.

The warming synth is also the cold first build (empty dependency and download caches, so
every wheel is downloaded, as PythonFunction's first synth does): less its whole upload
step (packing and checking the entry, then the PUT: a build without a remote cache does
neither), it is judged against the second floor, ≤ 0.5× PythonFunction's first synth.
Both denominators vary by ±20 % between runs here (PyPI's speed), so PythonFunction's
first synth and the cold build are each the median of ``first_runs`` synths, each with
empty caches (the later cold builds run without the remote, which would otherwise serve
them the warming synth's tree).
Results saved before that hold one sample of each, and still render.
"""

from __future__ import annotations

import statistics
from pathlib import Path
from typing import Any

from benchmarks.synth import Synth, SynthResult, make_entries, run_synth
from benchmarks.table import JUDGED_ON, Floor, ratio
from slim_lambda.run.remote_use import UPLOAD_STEP

BUCKET = "bench-team-cache"
BOUND = 0.15
COLD_BOUND = 0.5


def _sample(result: SynthResult) -> dict[str, Any]:
    sample: dict[str, Any] = {"seconds": round(result.seconds, 2),
                              "own_s": None if result.own_seconds is None
                              else round(result.own_seconds, 2),
                              "after_s": round(result.after_seconds, 2)}
    if result.reports:
        report = result.reports[0]
        cache = report.get("cache") or {}
        sample.update(remote=cache.get("remote", ""), bytes=cache.get("remote_bytes", 0),
                      transfer_s=cache.get("remote_seconds", 0.0),
                      upload_s=sum(s["seconds"] for s in report.get("steps", [])
                                   if s["name"] == UPLOAD_STEP))
    return sample


def measure(work: Path, seed: Path, image: str, ca: str | None, runs: int = 2,
            say: Any = print, warm_up: bool = True, first_runs: int = 3) -> dict[str, Any]:
    """The baselines, ``first_runs`` of PythonFunction's first synth and of the cold
    (warming) synth, and ``runs`` fresh-runner synths (seconds, own seconds, and the
    remote transfer each made); ``warm_up``: one unrecorded synth per tool first (the
    first CDK/jsii start reads cold files)."""
    from tests.deploy.emulator import running_emulator

    base = work / "fresh-runner"
    entries = make_entries(base / "entry", seed, 1)

    def synth(tool: str, name: str, functions: int = 1,
              environment: dict[str, str] | None = None) -> dict[str, Any]:
        s = Synth(tool=tool, entry_root=entries, functions=functions,
                  outdir=base / name / "cdk.out", cache_dir=base / name / "cache",
                  image=image, ca_bundle=ca, environment=environment or {})
        sample = _sample(run_synth(s, base / f"{name}.log"))
        say(f"fresh runner: {tool} {name}: {sample['seconds']:.1f} s")
        return sample

    with running_emulator(base.with_suffix(".moto.log"), runtime="python3.11") as s3:
        s3.client("s3").create_bucket(Bucket=BUCKET)
        remote = {**s3.env({}), "SLIM_LAMBDA_REMOTE_CACHE": f"s3://{BUCKET}/seed"}
        for tool in ("slim", "alpha") if warm_up else ():  # not recorded
            synth(tool, f"warm-up-{tool}", 0)
        empty = {tool: [synth(tool, f"empty-{tool}-{i}", 0) for i in range(runs)]
                 for tool in ("slim", "alpha")}
        alpha = [synth("alpha", f"alpha-first-{i}") for i in range(first_runs)]
        upload = [synth("slim", "warming", environment=remote)]
        upload += [synth("slim", f"cold-{i}") for i in range(1, first_runs)]
        fresh = [synth("slim", f"fresh-{i}", environment=remote) for i in range(runs)]
    return {"runs": runs, "empty": empty, "alpha_first": alpha, "warming": upload,
            "fresh": fresh}


def _median(samples: list[dict[str, Any]], key: str) -> float | None:
    values = [s[key] for s in samples if s.get(key) is not None]
    return statistics.median(values) if values else None


def _samples(m: dict[str, Any], key: str) -> list[dict[str, Any]]:
    """``alpha_first`` or ``warming``: a list of samples (one dict in older results)."""
    found = m[key]
    return [found] if isinstance(found, dict) else list(found)


def hits(m: dict[str, Any]) -> list[dict[str, Any]]:
    """The fresh-runner synths that got the tree from the remote. A miss is not a sample:
    its key differed from the warming synth's (the build image was rebuilt meanwhile)."""
    return [s for s in m["fresh"] if s.get("remote") == "hit"]


def _versus_first(label: str, total: float | None, own: float | None,
                  m: dict[str, Any]) -> dict[str, dict[str, float | None]]:
    """measure → {label, alpha, ratio}: ``total`` and ``own`` seconds against
    PythonFunction's first synth, and the total net of each tool's no-function synth."""
    firsts = _samples(m, "alpha_first")
    alpha_s, alpha_own = _median(firsts, "seconds"), _median(firsts, "own_s")
    es, ea = _median(m["empty"]["slim"], "seconds"), _median(m["empty"]["alpha"], "seconds")
    out: dict[str, dict[str, float | None]] = {
        "total": {label: total, "alpha": alpha_s},
        "net": {label: None if None in (total, es) else total - es,  # type: ignore[operator]
                "alpha": None if alpha_s is None or ea is None else alpha_s - ea},
        "own": {label: own, "alpha": alpha_own}}
    for v in out.values():
        v["ratio"] = ratio(v[label], v["alpha"])
    return out


def figures(m: dict[str, Any]) -> dict[str, dict[str, float | None]]:
    """measure → {fresh, alpha, ratio}: total, net of each tool's no-function synth, own;
    of the fresh runs that hit the remote."""
    return _versus_first("fresh", _median(hits(m), "seconds"), _median(hits(m), "own_s"), m)


def floor(m: dict[str, Any]) -> Floor:
    f = figures(m)
    return Floor("fresh CI runner (warm remote cache) / PythonFunction's first synth",
                 BOUND, "<=", {name: v["ratio"] for name, v in f.items()
                               if name in ("total", "net", JUDGED_ON)})


def cold_figures(m: dict[str, Any]) -> dict[str, dict[str, float | None]]:
    """measure → {cold, alpha, ratio} of the cold first build: the median of the warming
    synths, each less its upload step (its transfer alone in results from before the step
    was recorded), against PythonFunction's first synth (total, net, own)."""
    colds = []
    for up in _samples(m, "warming"):
        upload = up.get("upload_s", up.get("transfer_s")) or 0.0
        total, own = up.get("seconds"), up.get("own_s")
        colds.append({"seconds": None if total is None else total - upload,
                      "own_s": None if own is None else own - upload})
    return _versus_first("cold", _median(colds, "seconds"), _median(colds, "own_s"), m)


def cold_floor(m: dict[str, Any]) -> Floor:
    f = cold_figures(m)
    return Floor("cold first build (empty caches) / PythonFunction's first synth",
                 COLD_BOUND, "<=", {name: v["ratio"] for name, v in f.items()
                                    if name in ("total", "net", JUDGED_ON)})


def render(m: dict[str, Any]) -> list[str]:
    f = figures(m)
    hit = hits(m)
    moved = [s.get("bytes", 0) for s in hit]
    secs = [s.get("transfer_s", 0.0) for s in hit]
    up = _samples(m, "warming")[0]  # the one that uploaded
    firsts, colds = len(_samples(m, "alpha_first")), len(_samples(m, "warming"))
    lines = ["fresh CI runner (issue 17): empty local cache, warm remote cache (moto S3 on "
             "loopback), median of the runs that hit",
             f"  PF first: median of {firsts}; cold first build: median of {colds}",
             f"  {'':34} {'fresh runner':>13} {'PF first':>9} {'ratio':>7}"]
    for name in ("total", "net", "own"):
        v = f[name]
        lines.append(f"  {name + ' s':34} {_s(v['fresh']):>13} {_s(v['alpha']):>9} "
                     f"{_s(v['ratio'], '{:.3f}'):>7}")
    after = [s["after_s"] for s in hit if "after_s" in s]
    lines.append(f"  remote hits {len(hit)} of {len(m['fresh'])}; download "
                 f"{max(moved, default=0) / 1e6:.1f} MB in "
                 f"{_s(statistics.median(secs) if secs else None)} s (median); background "
                 f"work after a fresh synth {_s(max(after) if after else None)} s (at most)")
    lines.append(f"  the first warming synth (empty caches, builds and uploads): "
                 f"{up['seconds']:.1f} s, upload step {_s(up.get('upload_s'))} s "
                 "(packing, checking, then "
                 f"{up.get('bytes', 0) / 1e6:.1f} MB PUT in {_s(up.get('transfer_s'))} s); "
                 f"exact zip sizes measured {_s(up.get('after_s'))} s more after it returned "
                 "(background)")
    c = cold_figures(m)
    for name in ("total", "net", "own"):
        v = c[name]
        lines.append(f"  {'cold first build, ' + name + ' s':34} {_s(v['cold']):>13} "
                     f"{_s(v['alpha']):>9} {_s(v['ratio'], '{:.3f}'):>7}")
    for fl, what, net, bound in ((cold_floor(m), "cold first build", c["net"]["ratio"],
                                  COLD_BOUND),
                                 (floor(m), "fresh runner", f["net"]["ratio"], BOUND)):
        verdict = {True: "PASS", False: "FAIL", None: "n/a"}[fl.passes(fl.value)]
        lines.append(f"  {verdict}: {what} / PF first, {JUDGED_ON} {_s(fl.value, '{:.3f}')} "
                     f"(net {_s(net, '{:.3f}')}) <= {bound}")
    return lines


def _s(x: float | None, fmt: str = "{:.1f}") -> str:
    return "-" if x is None else fmt.format(x)
