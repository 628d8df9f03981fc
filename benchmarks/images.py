"""The large stack as a container image: SlimPythonImageFunction's image next to the image
a plain ``pip install`` Dockerfile makes, both FROM the same base.

The large stack is examples/image (pandas, pyarrow, scikit-learn; over 250 MiB slimmed,
so it cannot be a zip). slim-lambda's image is what ``cdk deploy`` would build: a real
`cdk synth` of examples/image/app.py with an empty cache, then `docker build` of the image
asset the assets manifest lists. The plain image is the Lambda documentation's recipe:
the requirements installed with the base image's pip into ``${LAMBDA_TASK_ROOT}``
(``--prefer-binary``, as slim-lambda's pip, and ``--no-cache-dir``), the handler copied.
Both must answer the same event, run read-only as an unprivileged user with no network;
sizes are Docker's, uncompressed, with the base image's own layers and without.
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

from benchmarks.bundles import docker
from benchmarks.synth import cdk_cli

REPO = Path(__file__).resolve().parent.parent
APP = REPO / "examples" / "image" / "app.py"
FUNCTION = APP.parent / "function"
DEFAULT_BASE = "slim-lambda-test/lambda-base:python3.11-x86_64"
EVENT = {"rows": 100}
PLAIN_DOCKERFILE = """\
FROM {base}
COPY requirements.txt ${{LAMBDA_TASK_ROOT}}/
RUN python3 -m pip install --no-cache-dir --prefer-binary \\
    -r ${{LAMBDA_TASK_ROOT}}/requirements.txt --target ${{LAMBDA_TASK_ROOT}}
COPY index.py ${{LAMBDA_TASK_ROOT}}/
CMD ["index.handler"]
"""


def say(msg: str) -> None:
    print(f"benchmark: {msg}", file=sys.stderr, flush=True)


def measure_images(work: Path, build_image: str, base: str, runs: int) -> dict[str, Any]:
    """Both images built, sized and invoked; the images are removed afterwards."""
    if docker(["image", "inspect", base], check=False).returncode != 0:
        raise SystemExit(f"benchmark: base image {base} is not on this machine; run "
                         "scripts/build-base-image.sh (or pass --no-image)")
    tags = {"slim": "slim-bench/image:slim", "plain": "slim-bench/image:plain"}
    try:
        say("image: cdk synth of examples/image (SlimPythonImageFunction, empty cache)")
        synth_s, context, report = _synth(work / "image", build_image, base)
        say("image: docker build of the image asset")
        docker(["build", "-q", "--network", "none", "-t", tags["slim"], str(context)])
        plain = work / "image" / "plain"
        plain.mkdir()
        for name in ("requirements.txt", "index.py"):
            shutil.copy(FUNCTION / name, plain / name)
        (plain / "Dockerfile").write_text(PLAIN_DOCKERFILE.format(base=base))
        say("image: docker build of the plain `pip install` image (from the package index)")
        docker(["build", "-q", "--network", "host", "-t", tags["plain"], str(plain)])
        base_bytes = _size(base)
        images = {name: _image(tag, base_bytes, runs) for name, tag in tags.items()}
    finally:
        for tag in tags.values():
            docker(["image", "rm", "-f", tag], check=False)
    return {"base_image": base, "base_bytes": base_bytes, "synth_s": round(synth_s, 1),
            "bundle_unzipped_bytes": report["unzipped_bytes"],
            "bundle_files": report["files"], "images": images}


def _synth(work: Path, build_image: str, base: str) -> tuple[float, Path, dict[str, Any]]:
    out = work / "cdk.out"
    env = dict(os.environ, SLIM_LAMBDA_IMAGE=build_image, SLIM_LAMBDA_BASE_IMAGE=base,
               SLIM_LAMBDA_CACHE_DIR=str(work / "cache"), CDK_DISABLE_CLI_TELEMETRY="true")
    work.mkdir(parents=True)
    t0 = time.perf_counter()
    proc = subprocess.run([cdk_cli(), "synth", "--quiet", "--no-notices", "--app",
                           f"{sys.executable} {APP}", "--output", str(out)],
                          env=env, cwd=work, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"benchmark: cdk synth of {APP} failed:\n{proc.stderr[-4000:]}")
    (assets,) = out.glob("*.assets.json")
    (image,) = json.loads(assets.read_text())["dockerImages"].values()
    (report,) = out.glob("asset.*.slim-report.json")
    return seconds, out / image["source"]["directory"], json.loads(report.read_text())


def _size(tag: str) -> int:
    return int(docker(["image", "inspect", "-f", "{{.Size}}", tag]).stdout.strip())


def _image(tag: str, base_bytes: int, runs: int) -> dict[str, Any]:
    """Size, and the handler's answer and wall time in a fresh read-only container."""
    size = _size(tag)
    times: list[float] = []
    answer: Any = None
    for _ in range(runs):
        t0 = time.perf_counter()
        proc = docker(["run", "--rm", "--read-only", "--tmpfs", "/tmp", "-u", "993:993",
                       "--network", "none", "-e", f"LAMBDA_EVENT={json.dumps(EVENT)}", tag],
                      check=False)
        times.append(time.perf_counter() - t0)
        lines = proc.stdout.strip().splitlines()
        if proc.returncode != 0 or not lines:
            said = (proc.stdout + proc.stderr).strip().splitlines()
            return {"bytes": size, "added_bytes": size - base_bytes, "handler_runs": False,
                    "handler_error": said[-1] if said else f"exit code {proc.returncode}",
                    "invoke_s": None, "answer": None}
        answer = json.loads(lines[-1])
    runs_ok = isinstance(answer, dict) and answer.get("rows") == EVENT["rows"]
    return {"bytes": size, "added_bytes": size - base_bytes, "handler_runs": runs_ok,
            "handler_error": "" if runs_ok else f"unexpected answer {answer}"[:200],
            "invoke_s": round(statistics.median(times), 3), "answer": answer}


def render(r: dict[str, Any]) -> list[str]:
    """The section of the table: both images' sizes, with and without the base's layers."""
    slim, plain = r["images"]["slim"], r["images"]["plain"]
    lines = [f"image function, large stack (pandas, pyarrow, scikit-learn), FROM "
             f"{r['base_image']} ({r['base_bytes'] / 1e6:.1f} MB)",
             f"  slim bundle {r['bundle_unzipped_bytes'] / 1e6:.1f} MB unzipped, "
             f"{r['bundle_files']} files: over the 250 MiB of a zip; first synth "
             f"{r['synth_s']:.0f} s",
             f"  {'image':26} {'size MB':>9} {'added MB':>9} {'handler':>8} {'run s':>7}"]
    for name, x in (("SlimPythonImageFunction", slim), ("plain pip install", plain)):
        lines.append(f"  {name:26} {x['bytes'] / 1e6:>9.1f} {x['added_bytes'] / 1e6:>9.1f} "
                     f"{'runs' if x['handler_runs'] else 'FAILS':>8} "
                     f"{'-' if x['invoke_s'] is None else format(x['invoke_s'], '.2f'):>7}")
        if not x["handler_runs"]:
            lines.append(f"    handler error: {x['handler_error'][:90]}")
    lines.append(f"  {'slim / plain':26} {slim['bytes'] / plain['bytes']:>9.2f} "
                 f"{slim['added_bytes'] / plain['added_bytes']:>9.2f}")
    lines += ["  size = `docker image inspect` Size, uncompressed, base included; added = "
              "without the base;", "  run s = `docker run` of one event, median"]
    return lines
