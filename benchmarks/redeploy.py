"""The redeploy payload of issue 16: the zipped bytes `cdk deploy` uploads after a one-line
handler change, with the seed's dependencies in the function's asset (``bundle``, zip
mode) and in a shared layer (``dependencies="layer"``).

For each mode the seed app is synthesized with `cdk synth` (one slim-lambda cache for
both modes, so the second one reuses the dependency tree), the handler is changed by one
line, and the app is synthesized again into the same cdk.out, as `cdk deploy` would. The
CDK CLI uploads an asset whose object is not in the bucket yet, i.e. whose hash changed:
the payload is the sum of those assets' zips (the CDK CLI's zip, measured as in the bundle
table), without deploying. The floor: layer mode uploads at most 1 % of zip mode.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from benchmarks.bundles import sizes
from benchmarks.synth import Synth, change_handler, make_entries, run_synth
from benchmarks.table import JUDGED_ON, Floor, ratio

MODES = {"zip": "bundle", "layer": "layer"}
"""Benchmark name → ``SlimPythonFunction(dependencies=...)``."""
FLOOR_BOUND = 0.01
STACK = "Bench"


def _asset_keys(outdir: Path) -> dict[str, str]:
    """Asset hash → the resource type that uses it (function or layer)."""
    template = json.loads((outdir / f"{STACK}.template.json").read_text())
    keys = {}
    for resource in template["Resources"].values():
        props = resource.get("Properties", {})
        code = props.get("Code") or props.get("Content") or {}
        if "S3Key" in code:
            keys[code["S3Key"].removesuffix(".zip")] = resource["Type"].split("::")[-1]
    return keys


def _mode(work: Path, seed: Path, image: str, ca: str | None, mode: str,
          cache: Path) -> dict[str, Any]:
    base = work / mode
    entries = make_entries(base / "entry", seed, 1)
    out = base / "cdk.out"

    def synth() -> dict[str, str]:
        s = Synth(tool="slim", entry_root=entries, functions=1, outdir=out, cache_dir=cache,
                  image=image, ca_bundle=ca, dependencies=MODES[mode])
        run_synth(s, base / f"synth.{len(list(base.glob('*.log')))}.log")
        return _asset_keys(out)

    before = synth()
    change_handler(entries / "f0", 0)
    after = synth()
    changed = [{"kind": kind, "hash": h[:12], "zipped_bytes": sizes(out / f"asset.{h}")[2]}
               for h, kind in sorted(after.items()) if h not in before]
    result = {"assets": [{"kind": kind, "zipped_bytes": sizes(out / f"asset.{h}")[2]}
                         for h, kind in sorted(after.items())],
              "uploaded": changed, "payload_bytes": sum(c["zipped_bytes"] for c in changed)}
    shutil.rmtree(base, ignore_errors=True)
    return result


def measure(work: Path, seed: Path, image: str, ca: str | None,
            say: Any = print) -> dict[str, Any]:
    """Both modes, zip first (it builds the dependency tree the layer then reuses)."""
    cache = work / "redeploy-cache"
    out: dict[str, Any] = {}
    for mode in MODES:
        say(f"redeploy payload, {mode} mode: synth, one-line handler change, synth")
        out[mode] = _mode(work / "redeploy", seed, image, ca, mode, cache)
        say(f"  {mode} mode uploads {out[mode]['payload_bytes']:,} bytes for the change")
    shutil.rmtree(cache, ignore_errors=True)
    return out


def floor(redeploy: dict[str, Any]) -> Floor:
    return Floor("redeploy payload after a handler change: layer mode / zip mode",
                 FLOOR_BOUND, "<=", {JUDGED_ON: ratio(redeploy["layer"]["payload_bytes"],
                                                      redeploy["zip"]["payload_bytes"])})


def render(redeploy: dict[str, Any]) -> list[str]:
    """The table's section: what each mode's assets are, and what the change uploads."""
    lines = ["redeploy payload (issue 16): zipped bytes `cdk deploy` uploads after a one-line "
             "handler change",
             "  (the assets whose hash changed; the CDK CLI's zip)",
             f"  {'mode':32} {'assets (kind: zipped MB)':40} {'uploaded bytes':>15}"]
    for mode, dependencies in MODES.items():
        r = redeploy[mode]
        assets = ", ".join(f"{a['kind']}: {a['zipped_bytes'] / 1e6:.3f}" for a in r["assets"])
        label = f"{mode} (dependencies={dependencies!r})"
        lines.append(f"  {label:32} {assets:40} {r['payload_bytes']:>15,}")
    fl = floor(redeploy)
    verdict = {True: "PASS", False: "FAIL", None: "n/a"}[fl.passes(fl.value)]
    share = "-" if fl.value is None else f"{fl.value:.4%}"
    lines.append(f"  {verdict}: layer mode uploads {share} of zip mode's bytes "
                 f"(floor {fl.op} {fl.bound:.0%})")
    return lines
