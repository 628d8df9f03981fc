"""One real ``cdk synth --quiet`` of benchmarks/apps/app.py, timed from the outside, and
the entry directories it synthesizes.

Two times: the wall clock of the whole CLI process, as a user waits for it (the CDK
CLI's start-up, the Python app with jsii, construction, bundling and template
validation), and the tool's own time, measured inside the app (importing the tool and
constructing its functions, asset staging included). ``functions=0`` synthesizes an
empty stack: CDK's fixed cost. slim-lambda measures a new tree's exact zip shares in the
background once the synth has returned: the benchmark waits for that before going on (so
it never overlaps the next measurement) and records how long it went on.

Both tools run as a user installs them. Their packages carry bytecode (pip compiles a wheel
at install): slim-lambda's editable install is compiled once here, since under the dev
tools' ``PYTHONDONTWRITEBYTECODE`` every synth would otherwise compile all of them
again (0.2 s). And the host's ``PIP_FIND_LINKS`` stays out of the synth: it is this
machine's wheelhouse, not part of the workload (a CI runner has none), and slim-lambda
hashes every wheel it names into the key (a 183 MB one here: 0.16 s on a fresh runner).
"""

from __future__ import annotations

import compileall
import functools
import glob
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import slim_lambda
from slim_lambda.run import zipafter

APP = Path(__file__).resolve().parent / "apps" / "app.py"
SYNTH_TIMEOUT_S = 3600
HOST_ONLY = ("PIP_FIND_LINKS",)
"""This machine's settings that are not the workload's: never passed to a synth."""


@dataclass(frozen=True, kw_only=True)
class Synth:
    """What one synth needs: which tool, which entries, where output and cache go."""

    tool: str
    entry_root: Path
    functions: int
    outdir: Path
    cache_dir: Path
    image: str
    ca_bundle: str | None
    dependencies: str = "bundle"
    """slim-lambda's ``dependencies=`` (``layer``: a shared dependency layer)."""
    environment: dict[str, str] = field(default_factory=dict)
    """More environment for the synth (a remote cache and its AWS settings)."""


@dataclass
class SynthResult:
    seconds: float
    reports: list[dict[str, Any]] = field(default_factory=list)
    """slim-lambda's reports written by this synth (empty for PythonFunction)."""
    own_seconds: float | None = None
    """Measured inside the app: importing the tool and constructing its functions, asset
    staging (bundling) included; CDK's start-up and template validation are not in it."""
    import_seconds: float | None = None
    after_seconds: float = 0.0
    """How long slim-lambda's background measurement of exact zip shares went on after
    the synth returned (not part of ``seconds``)."""

    @property
    def cache_hits(self) -> int:
        return sum(1 for r in self.reports if (r.get("cache") or {}).get("hit"))


def cdk_cli() -> str:
    cdk = shutil.which("cdk")
    if cdk is None:
        raise SystemExit("benchmark: no `cdk` on PATH; run `source scripts/dev-env.sh` first "
                         "(or use `bash benchmarks/run.sh`)")
    return cdk


@functools.cache
def compile_package() -> None:
    """slim-lambda's bytecode, as installing its wheel writes it (once per run)."""
    compileall.compile_dir(os.path.dirname(slim_lambda.__file__), quiet=1)


def run_synth(s: Synth, log: Path) -> SynthResult:
    """Synthesize, time it, and fail loudly (with the log's tail) if the synth fails."""
    compile_package()
    timing = log.with_suffix(".timing.json")
    timing.unlink(missing_ok=True)
    env = {k: v for k, v in os.environ.items() if k not in HOST_ONLY}
    env.update(BENCH_TOOL=s.tool, BENCH_ENTRY=str(s.entry_root),
               BENCH_FUNCTIONS=str(s.functions), BENCH_IMAGE=s.image,
               SLIM_LAMBDA_CACHE_DIR=str(s.cache_dir), CDK_DISABLE_CLI_TELEMETRY="true",
               BENCH_TIMING=str(timing), BENCH_DEPENDENCIES=s.dependencies)
    env.pop("BENCH_CA", None)
    env.update(s.environment)
    if s.ca_bundle:
        env["BENCH_CA"] = s.ca_bundle
    cmd = [cdk_cli(), "synth", "--quiet", "--no-notices", "--app", f"{sys.executable} {APP}",
           "--output", str(s.outdir)]
    s.outdir.parent.mkdir(parents=True, exist_ok=True)
    started = time.time()
    t0 = time.perf_counter()
    with open(log, "w") as out:
        proc = subprocess.run(cmd, env=env, cwd=s.outdir.parent, stdout=out,
                              stderr=subprocess.STDOUT, timeout=SYNTH_TIMEOUT_S, check=False)
    seconds = time.perf_counter() - t0
    after = time.perf_counter()
    zipafter.wait(str(s.cache_dir), timeout=SYNTH_TIMEOUT_S)
    after = time.perf_counter() - after
    if proc.returncode != 0:
        tail = "".join(log.read_text(errors="replace").splitlines(keepends=True)[-40:])
        raise SystemExit(f"benchmark: `cdk synth` of {s.tool} ({s.functions} function(s)) "
                         f"failed with exit code {proc.returncode}; full log: {log}\n{tail}")
    own = json.loads(timing.read_text())
    return SynthResult(seconds, _new_reports(s.outdir, started), own_seconds=own["own_s"],
                       import_seconds=own["import_s"], after_seconds=after)


def _new_reports(outdir: Path, since: float) -> list[dict[str, Any]]:
    reports = []
    for path in sorted(glob.glob(str(outdir / "asset.*.slim-report.json"))):
        if os.path.getmtime(path) >= since - 1:
            with open(path) as f:
                reports.append(json.load(f))
    return reports


def make_entries(root: Path, seed: Path, count: int) -> Path:
    """``root/f0`` … ``root/f<count-1>``: copies of the seed entry (same requirements),
    each handler made distinct by one line so every function is its own asset."""
    root.mkdir(parents=True)
    for i in range(count):
        d = root / f"f{i}"
        shutil.copytree(seed, d)
        with open(d / "index.py", "a") as f:
            f.write(f"\nFUNCTION_ID = {i}\n")
    return root


def change_handler(entry: Path, n: int) -> None:
    """A one-line change to the handler's code (not only a comment)."""
    with open(entry / "index.py", "a") as f:
        f.write(f"HANDLER_REVISION = {n}\n")


def asset_dirs(outdir: Path) -> list[Path]:
    return sorted(p for p in outdir.glob("asset.*") if p.is_dir())
