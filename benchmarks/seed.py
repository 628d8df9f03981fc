"""Seed-workload benchmark: size and cold import of slim-lambda's bundle versus the
bundle aws-lambda-python-alpha's PythonFunction makes, in the same build image.

    bash benchmarks/run.sh            # prints a table; --json FILE also writes the numbers

PythonFunction's bundling command is reproduced in the same image (`pip install -r
requirements.txt -t /asset-output` plus the sources), and so are
serverless-python-requirements' `slim` + `strip` rules (delete `*.py[co]`,
`__pycache__`, `*.dist-info`; plain `strip` on every `.so`). Files get CDK's 1980
zip timestamp before timing, as on Lambda. Imports are timed in a fresh interpreter
with the bundle mounted read-only at /var/task, median of several runs.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from slim_lambda.build.sizes import measure_tree

REPO = Path(__file__).resolve().parent.parent
ENTRY = REPO / "examples" / "seed" / "function"
IMPORT = "import index"
RUNS = 5
EPOCH_1980 = 315532800


def sh(cmd: list[str], **kw: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, capture_output=True, text=True, check=False, **kw)  # type: ignore[call-overload]


def docker_run(image: str, mounts: list[str], code: str, network: str = "none"
               ) -> subprocess.CompletedProcess[str]:
    args = ["docker", "run", "--rm", "--network", network, "-u", f"{os.getuid()}:{os.getgid()}"]
    for m in mounts:
        args += ["-v", m]
    return sh([*args, "-w", "/tmp", "-e", "HOME=/tmp", image, "python3", "-c", code])


def set_1980(root: Path) -> None:
    for p in [root, *root.rglob("*")]:
        if not p.is_symlink():
            os.utime(p, (EPOCH_1980, EPOCH_1980))


def cold_import(image: str, bundle: Path) -> float:
    code = ("import sys, time; sys.path.insert(0, '/var/task'); t = time.perf_counter(); "
            f"{IMPORT}; print(time.perf_counter() - t)")
    times = []
    for _ in range(RUNS):
        r = docker_run(image, [f"{bundle}:/var/task:ro"], code)
        if r.returncode != 0:
            return float("nan")
        times.append(float(r.stdout.strip().splitlines()[-1]))
    return statistics.median(times)


def handler_runs(image: str, bundle: Path) -> bool:
    code = ("import sys, json; sys.path.insert(0, '/var/task'); import index; "
            "print(json.dumps(index.handler({}, None)))")
    return docker_run(image, [f"{bundle}:/var/task:ro"], code).returncode == 0


def python_function_bundle(image: str, out: Path, ca: str | None) -> None:
    out.mkdir()
    mounts = [f"{ENTRY}:/asset-input:ro", f"{out}:/asset-output"]
    env_code = ""
    if ca:
        mounts.append(f"{ca}:/ca.pem:ro")
        env_code = "import os; os.environ['PIP_CERT'] = '/ca.pem'; "
    code = (env_code + "import subprocess, shutil, sys; "
            "shutil.copytree('/asset-input', '/asset-output', dirs_exist_ok=True); "
            "sys.exit(subprocess.call([sys.executable, '-m', 'pip', 'install', '-q', '-r', "
            "'/asset-input/requirements.txt', '-t', '/asset-output']))")
    r = docker_run(image, mounts, code, network="host")
    if r.returncode != 0:
        raise SystemExit(f"PythonFunction-style install failed:\n{r.stderr[-3000:]}")


def spr_slim(src: Path, out: Path, image: str) -> None:
    shutil.copytree(src, out, symlinks=True)
    for p in sorted(out.rglob("*"), key=lambda p: -len(p.parts)):
        if p.name == "__pycache__" or p.name.endswith(".dist-info"):
            shutil.rmtree(p, ignore_errors=True)
        elif p.suffix in (".pyc", ".pyo") and p.exists():
            p.unlink()
    docker_run(image, [f"{out}:/b"], (
        "import pathlib, subprocess\n"
        "for p in pathlib.Path('/b').rglob('*.so*'):\n"
        "    subprocess.call(['strip', str(p)])\n"))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--image", default=os.environ.get(
        "SLIM_LAMBDA_TEST_IMAGE", "slim-lambda-test/build-python3.11:latest-x86_64"))
    ap.add_argument("--json", help="also write the numbers to this file")
    args = ap.parse_args()
    ca = os.environ.get("SLIM_LAMBDA_CA_BUNDLE") or os.environ.get("SSL_CERT_FILE")
    work = Path(tempfile.mkdtemp(prefix="slim-bench-"))
    try:
        ours = work / "slim-lambda"
        cmd = [sys.executable, "-m", "slim_lambda.cli", "build", str(ENTRY), "--runtime",
               "python3.11", "--image", args.image, "--out", str(ours), "--json-report",
               str(work / "report.json")]
        if ca:
            cmd += ["--ca-bundle", ca]
        r = sh(cmd)
        if r.returncode != 0:
            raise SystemExit(f"slim-lambda build failed:\n{r.stderr[-3000:]}")
        report = json.loads((work / "report.json").read_text())
        no_pyc = work / "slim-lambda-no-pyc"
        shutil.copytree(ours, no_pyc, symlinks=True,
                        ignore=shutil.ignore_patterns("__pycache__"))
        pf = work / "python-function"
        python_function_bundle(args.image, pf, ca)
        spr = work / "spr-slim-strip"
        spr_slim(pf, spr, args.image)
        for d in (ours, no_pyc, pf, spr):
            set_1980(d)

        rows = []
        for name, path in (("slim-lambda (imported bytecode)", ours),
                           ("slim-lambda, pycs removed", no_pyc),
                           ("PythonFunction command", pf),
                           ("serverless-python-requirements slim+strip", spr)):
            sizes = measure_tree(str(path))
            runs = handler_runs(args.image, path)
            rows.append({"bundle": name, "unzipped_bytes": sizes.unzipped_bytes,
                         "zipped_bytes": sizes.zipped_bytes, "handler_runs": runs,
                         "cold_import_s": cold_import(args.image, path) if runs else None})
    finally:
        shutil.rmtree(work, ignore_errors=True)

    base = rows[0]
    print(f"seed workload (scikit-learn, numpy, scipy), python3.11 x86_64, image {args.image}")
    print(f"{'bundle':44} {'unzipped MB':>11} {'zipped MB':>9} {'runs':>5} {'import s':>9}"
          f" {'vs slim-lambda':>15}")
    for row in rows:
        t = row["cold_import_s"]
        ratio = f"{t / base['cold_import_s']:.2f}x slower" if t and row is not base else ""
        print(f"{row['bundle']:44} {row['unzipped_bytes'] / 1e6:11.1f} "
              f"{row['zipped_bytes'] / 1e6:9.1f} {'yes' if row['handler_runs'] else 'NO':>5} "
              f"{t if t is not None else float('nan'):9.2f} {ratio:>15}")
    steps = ", ".join(f"{s['name']} {s['seconds']:.0f}s" for s in report["steps"])
    print(f"bytecode: {report['bytecode']['modules']} modules, "
          f"{report['bytecode']['bytes'] / 1e6:.1f} MB; build {report['seconds']:.0f} s "
          f"(steps: {steps})")
    if args.json:
        Path(args.json).write_text(json.dumps({"rows": rows, "report": report}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
