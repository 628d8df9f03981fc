"""The benchmark's command line: synth times, bundles and cold imports, slim-lambda versus
aws-lambda-python-alpha's PythonFunction (and serverless-python-requirements' slim rules),
on the seed workload, in one run on this machine; and the redeploy payload of a handler
change with the dependencies in the function and in a layer (issue 16).

    bash benchmarks/run.sh [--repeat 3] [--functions 10] [--import-runs 5] [--json FILE]
    bash benchmarks/run.sh --redeploy-only     # the redeploy payload alone, ~2 minutes
    bash benchmarks/run.sh --fresh-runner-only # a fresh CI runner, warm remote cache (S3)
    bash benchmarks/run.sh --no-image --no-redeploy --no-monorepo   # synth and bundles only
    bash benchmarks/run.sh --file-access-only  # copy vs bind mounts, cold seed builds

Prints a table with ratios and the floors of issues 4 and 16, and writes every sample as
JSON (default benchmarks/results/latest.json). Takes 10-20 minutes on 2 busy cores.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Any

from benchmarks import (
    bundles,
    file_access,
    fresh_runner,
    images,
    monorepo,
    redeploy,
    scenarios,
    table,
)
from benchmarks.synth import cdk_cli

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SEED = REPO / "examples" / "seed" / "function"
DEFAULT_IMAGE = "slim-lambda-test/build-python3.11:latest-x86_64"
WORKLOAD = "seed workload (scikit-learn, numpy, scipy), python3.11 x86_64"


def _out(cmd: list[str], cwd: Path | None = None) -> str:
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=cwd, check=False)
    return proc.stdout.strip() if proc.returncode == 0 else ""


def machine(image: str) -> dict[str, Any]:
    from importlib.metadata import version

    import slim_lambda

    commit = _out(["git", "rev-parse", "--short", "HEAD"], REPO)
    dirty = _out(["git", "status", "--porcelain", "--untracked-files=no"], REPO)
    image_id = _out(["docker", "image", "inspect", "-f", "{{.Id}}", image])
    if not image_id:
        raise SystemExit(f"benchmark: build image {image} is not on this machine; run "
                         "`source scripts/dev-env.sh` (it builds it) or pass --image")
    return {
        "when": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "host": platform.node(), "cpus": os.cpu_count(),
        "load_start": round(os.getloadavg()[0], 1), "load_end": None,
        "python": platform.python_version(),
        "cdk": _out([cdk_cli(), "--version"]).split(" ")[0],
        "slim_lambda": slim_lambda.__version__,
        "git": f"{commit}{' + uncommitted changes' if dirty else ''}",
        "alpha": version("aws-cdk.aws-lambda-python-alpha"),
        "aws_cdk_lib": version("aws-cdk-lib"),
        "image_id": image_id,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="benchmarks", description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=3,
                    help="runs of each one-function scenario per tool (median; default 3)")
    ap.add_argument("--functions", type=int, default=10, help="functions in scenario (d)")
    ap.add_argument("--import-runs", type=int, default=5, help="cold imports per bundle")
    ap.add_argument("--image", default=os.environ.get("SLIM_LAMBDA_TEST_IMAGE", DEFAULT_IMAGE))
    ap.add_argument("--json", help="where to write the numbers (default benchmarks/results/"
                    "latest.json; redeploy.json with --redeploy-only)")
    ap.add_argument("--no-alpha-many", action="store_true",
                    help="skip PythonFunction's N-function app (N full builds)")
    ap.add_argument("--no-redeploy", action="store_true",
                    help="skip the redeploy payload of zip and layer mode (issue 16)")
    ap.add_argument("--redeploy-only", action="store_true",
                    help="measure only the redeploy payload (writes results/redeploy.json "
                    "unless --json is given)")
    ap.add_argument("--no-image", action="store_true",
                    help="skip the image function's large stack (two image builds, one "
                    "plain pip install from the package index)")
    ap.add_argument("--base-image", default=os.environ.get("SLIM_LAMBDA_TEST_BASE_IMAGE",
                                                           images.DEFAULT_BASE),
                    help="the Lambda base image (stand-in) both images start FROM")
    ap.add_argument("--no-monorepo", action="store_true",
                    help="skip examples/monorepo's shared-library changes (issue 15)")
    ap.add_argument("--no-file-access", action="store_true",
                    help="skip copy versus bind mounts (issue 18: 2 x repeat cold builds)")
    ap.add_argument("--file-access-only", action="store_true",
                    help="measure only copy versus bind mounts (writes results/"
                    "file-access.json unless --json is given)")
    ap.add_argument("--no-fresh-runner", action="store_true",
                    help="skip the fresh CI runner with a warm remote cache on moto S3 "
                    "(issue 17)")
    ap.add_argument("--fresh-runner-only", action="store_true",
                    help="measure only the fresh CI runner and its baselines (writes "
                    "results/fresh-runner.json unless --json is given)")
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    ap.add_argument("--render", metavar="JSON",
                    help="measure nothing: print the table of a saved result again")
    args = ap.parse_args(argv)
    if args.render:
        print(rerender(json.loads(Path(args.render).read_text())))
        return 0
    if args.repeat < 1 or args.functions < 2 or args.import_runs < 1:
        ap.error("--repeat and --import-runs must be >= 1, --functions >= 2")
    try:
        import aws_cdk.aws_lambda_python_alpha  # noqa: F401
    except ImportError:
        raise SystemExit("benchmark: aws-cdk.aws-lambda-python-alpha is not installed in this "
                         "Python; `pip install aws-cdk.aws-lambda-python-alpha`") from None

    ca = os.environ.get("PIP_CERT") or os.environ.get("SSL_CERT_FILE") or None
    facts = machine(args.image)
    work = Path(tempfile.mkdtemp(prefix="slim-bench-"))
    scenarios.say(f"work directory {work}")
    if args.redeploy_only:
        return _redeploy_only(args, facts, work, ca)
    if args.file_access_only:
        return _file_access_only(args, facts, work, ca)
    if args.fresh_runner_only:
        return _fresh_runner_only(args, facts, work, ca)
    plan = scenarios.Plan(work=work, seed=SEED, image=args.image, ca_bundle=ca,
                          functions=args.functions, repeat=args.repeat,
                          alpha_many=not args.no_alpha_many)
    samples, first_assets, first_report = scenarios.run_all(plan)

    measured: dict[str, dict[str, Any]] = {}
    zip_engine = ""
    sources = {"slim-lambda": first_assets["slim"], "PythonFunction": first_assets["alpha"]}
    scenarios.say("applying serverless-python-requirements' slim + strip to PythonFunction's")
    sources["SPR slim+strip"] = bundles.spr_slim(first_assets["alpha"], work / "spr", args.image)
    for name in table.BUNDLE_ORDER:
        scenarios.say(f"measuring the {name} bundle")
        copy = bundles.lambda_copy(sources[name], work / "lambda" / name.split()[0])
        result, zip_engine = bundles.measure(args.image, copy, args.import_runs)
        measured[name] = asdict(result)
    image_function = None if args.no_image else images.measure_images(
        work, args.image, args.base_image, args.import_runs)
    facts["load_end"] = round(os.getloadavg()[0], 1)

    if not args.no_redeploy:
        measured_redeploy = redeploy.measure(work, SEED, args.image, ca, say=scenarios.say)
    measured_monorepo = None if args.no_monorepo else monorepo.measure(
        work, args.image, ca, say=scenarios.say)
    measured_access = None if args.no_file_access else file_access.measure(
        work, args.image, ca, args.repeat, say=scenarios.say)
    measured_fresh = None if args.no_fresh_runner else fresh_runner.measure(
        work, SEED, args.image, ca, say=scenarios.say)
    med = table.medians(samples)
    results: dict[str, Any] = {
        "workload": WORKLOAD, "image": args.image, "machine": facts,
        "repeat": args.repeat, "functions": args.functions, "import_runs": args.import_runs,
        "synth_samples": samples, "synth_median": med, "ratios": table.ratios(med),
        "slim_cache_hits": _hits(samples), "bundles": measured, "zip_engine": zip_engine,
        "slim_first_report": _summary(first_report), "image_function": image_function,
    }
    if not args.no_redeploy:
        results["redeploy"] = measured_redeploy
    if measured_monorepo is not None:
        results["monorepo"] = measured_monorepo
    if measured_access is not None:
        results["file_access"] = measured_access
    if measured_fresh is not None:
        results["fresh_runner"] = measured_fresh
    results["floors"] = _floors(results, med)
    text = table.render(results, sections=_sections(results))
    results["table"] = text
    print(text)
    out = Path(args.json or HERE / "results" / "latest.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    scenarios.say(f"numbers written to {out}")
    if args.keep:
        scenarios.say(f"work directory kept: {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def rerender(results: dict[str, Any]) -> str:
    """The table of a saved result, with ratios and floors recomputed from its samples."""
    med = table.medians(results["synth_samples"])
    results.update(synth_median=med, ratios=table.ratios(med),
                   slim_cache_hits=_hits(results["synth_samples"]))
    results["floors"] = _floors(results, med)
    return table.render(results, sections=_sections(results))


def _floors(results: dict[str, Any], med: table.Medians) -> list[dict[str, Any]]:
    floors = table.floors(med, results["bundles"], results["functions"])
    if results.get("redeploy"):
        floors.append(redeploy.floor(results["redeploy"]))
    if results.get("monorepo"):
        floors.append(monorepo.floor(results["monorepo"]))
    if results.get("file_access"):
        floors.append(file_access.floor(results["file_access"]))
    if results.get("fresh_runner"):
        floors += [fresh_runner.floor(results["fresh_runner"]),
                   fresh_runner.cold_floor(results["fresh_runner"])]
    return [f.as_json() for f in floors]


def _sections(results: dict[str, Any]) -> list[list[str]]:
    sections = [redeploy.render(results["redeploy"])] if results.get("redeploy") else []
    if results.get("image_function"):
        sections.append(images.render(results["image_function"]))
    if results.get("monorepo"):
        sections.append(monorepo.render(results["monorepo"]))
    if results.get("file_access"):
        sections.append(file_access.render(results["file_access"]))
    if results.get("fresh_runner"):
        sections.append(fresh_runner.render(results["fresh_runner"]))
    return sections


def _redeploy_only(args: argparse.Namespace, facts: dict[str, Any], work: Path,
                   ca: str | None) -> int:
    measured = redeploy.measure(work, SEED, args.image, ca, say=scenarios.say)
    return _section_only(args, facts, work, "redeploy", measured,
                         [redeploy.floor(measured)], redeploy.render(measured))


def _file_access_only(args: argparse.Namespace, facts: dict[str, Any], work: Path,
                      ca: str | None) -> int:
    measured = file_access.measure(work, args.image, ca, args.repeat, say=scenarios.say)
    return _section_only(args, facts, work, "file_access", measured,
                         [file_access.floor(measured)], file_access.render(measured))


def _fresh_runner_only(args: argparse.Namespace, facts: dict[str, Any], work: Path,
                       ca: str | None) -> int:
    measured = fresh_runner.measure(work, SEED, args.image, ca, say=scenarios.say)
    return _section_only(args, facts, work, "fresh_runner", measured,
                         [fresh_runner.floor(measured), fresh_runner.cold_floor(measured)],
                         fresh_runner.render(measured))


def _section_only(args: argparse.Namespace, facts: dict[str, Any], work: Path, key: str,
                  measured: Any, floors: list[table.Floor], lines: list[str]) -> int:
    """One section measured alone: its table printed, its numbers written to
    ``results/<key with dashes>.json`` (or ``--json``), the work directory removed."""
    facts["load_end"] = round(os.getloadavg()[0], 1)
    results = {"workload": WORKLOAD, "image": args.image, "machine": facts, key: measured,
               "floors": [f.as_json() for f in floors]}
    print("\n".join([f"slim-lambda benchmark — {WORKLOAD}, {facts['when']}, "
                     f"slim-lambda {facts['slim_lambda']} ({facts['git']})", "", *lines]))
    out = Path(args.json or HERE / "results" / f"{key.replace('_', '-')}.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2, default=str) + "\n")
    scenarios.say(f"numbers written to {out}")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def _hits(samples: dict[str, dict[str, list[dict[str, Any]]]]) -> str:
    """"first 0,0,0 of 1; warm 1,1,1 of 1; …": cache hits per run of each scenario."""
    parts = []
    for sc in ("first", "warm", "handler", "many"):
        runs = samples["slim"][sc]
        if runs:
            got = ",".join(str(r.get("cache_hits", 0)) for r in runs)
            parts.append(f"{sc} {got} of {runs[0].get('assets', 0)}")
    return "; ".join(parts)


def _summary(report: dict[str, Any] | None) -> dict[str, Any] | None:
    if not report:
        return None
    keep = ("unzipped_bytes", "zipped_bytes", "installed_bytes", "removed_bytes", "bytecode",
            "import_seconds", "steps", "seconds", "cache", "zipped_measured_with")
    return {k: report.get(k) for k in keep}


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
