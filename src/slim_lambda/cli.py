"""``slim-lambda``: build a bundle without CDK, or analyse one.

    slim-lambda build ENTRY --runtime python3.11 --out DIR [--json-report FILE] ...
    slim-lambda report PATH [--json] [--html FILE]

``build`` runs the same pipeline as the construct and exits 1 when a limit is
exceeded or the build fails; the output directory only appears when the build
succeeded.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from collections.abc import Sequence
from typing import Any

from .errors import SlimLambdaError
from .options import (
    MODES,
    UNZIPPED_LIMIT_BYTES,
    ZIPPED_LIMIT_BYTES,
    BundlingOptions,
    SizeLimits,
    SlimOptions,
)
from .plan.resolve import resolve_request
from .platform import IMAGE_ENV_VAR, RUNTIMES
from .report.analyse import analyse, load_reports, saved_reports
from .report.html import write_html
from .report.text import check_limits, render
from .run.build import build
from .run.cache import DepsCache, default_cache_dir

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="slim-lambda", description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="command", required=True)

    b = sub.add_parser("build", help="build a Lambda bundle from ENTRY into --out")
    b.add_argument("entry", help="directory with the handler's sources and requirements.txt")
    b.add_argument("--runtime", required=True, choices=sorted(RUNTIMES))
    b.add_argument("--architecture", default="x86_64", choices=["x86_64", "arm64"])
    b.add_argument("--image", help=f"build image template (default: ${IMAGE_ENV_VAR}, else the "
                   "SAM build image)")
    b.add_argument("--out", required=True, help="output directory (must not exist)")
    b.add_argument("--json-report", help="write the JSON report here")
    b.add_argument("--index", default="index.py", help="handler file (default: index.py)")
    b.add_argument("--handler", default="handler", help="handler function (default: handler)")
    b.add_argument("--mode", choices=list(MODES), default="auto",
                   help="docker: in the build image; local: never Docker (uv, Lambda wheels); "
                   "auto: Docker when an engine answers (default)")
    b.add_argument("--manifest", help="requirements file, uv.lock, poetry.lock, Pipfile.lock or "
                   "pyproject.toml, relative to ENTRY (default: detected)")
    b.add_argument("--group", action="append", default=[],
                   help="dependency group or extra to include (repeatable)")
    b.add_argument("--no-cache", action="store_true", help="do not reuse cached dependencies")
    b.add_argument("--cache-dir", help="cache directory (default: $SLIM_LAMBDA_CACHE_DIR, else "
                   "~/.cache/slim-lambda)")
    b.add_argument("--exclude", action="append", default=[], help="source pattern to skip")
    b.add_argument("--index-url")
    b.add_argument("--extra-index-url", action="append", default=[])
    b.add_argument("--find-links", action="append", default=[])
    b.add_argument("--no-index", action="store_true")
    b.add_argument("--ca-bundle", help="PEM CA bundle for pip (default: $SLIM_LAMBDA_CA_BUNDLE)")
    b.add_argument("--network", default="host")
    b.add_argument("--timeout", type=int, default=1800, help="build timeout in seconds")
    b.add_argument("--memory-bytes", type=int, help="memory limit of the build containers")
    b.add_argument("--pattern", action="append", default=[], help="extra slim pattern")
    b.add_argument("--replace-defaults", action="store_true")
    b.add_argument("--disable-rule", action="append", default=[])
    b.add_argument("--keep", action="append", default=[])
    b.add_argument("--no-slim", action="store_true")
    b.add_argument("--no-strip", action="store_true")
    b.add_argument("--strip-exclude", action="append", default=None)
    b.add_argument("--bytecode", default="auto", choices=["auto", "imported", "all", "none"])
    b.add_argument("--no-verify", action="store_true")
    b.add_argument("--verify-skip", action="append", default=[])
    b.add_argument("--unzipped-limit", type=int, default=UNZIPPED_LIMIT_BYTES)
    b.add_argument("--zipped-limit", type=int, default=ZIPPED_LIMIT_BYTES)

    c = sub.add_parser("cache", help="the dependency cache: info, prune, clear")
    c.add_argument("action", choices=["info", "prune", "clear"])
    c.add_argument("--cache-dir", help="default: $SLIM_LAMBDA_CACHE_DIR, else ~/.cache/slim-lambda")
    c.add_argument("--max-bytes", type=int, default=5 * 1024**3,
                   help="prune: keep at most this many bytes (default: 5 GiB)")
    c.add_argument("--json", action="store_true")

    r = sub.add_parser("report", help="analyse a bundle directory or zip, or print the "
                       "reports a synth saved in cdk.out or a --json-report file")
    r.add_argument("path", help="a bundle directory, a zip, a cdk.out directory or a saved "
                   "JSON report")
    r.add_argument("--json", action="store_true", help="print JSON instead of a table")
    r.add_argument("--html", metavar="FILE", help="also write a self-contained HTML page with "
                   "a treemap of the bundle to FILE")
    r.add_argument("--unzipped-limit", type=int, default=None,
                   help="bytes (default: Lambda's 262144000, or the limit a saved report "
                   "was built with)")
    r.add_argument("--zipped-limit", type=int, default=None,
                   help="bytes (default: 52428800, or the limit a saved report was built with)")
    return p


def _cache(args: argparse.Namespace) -> int:
    cache = DepsCache(default_cache_dir(args.cache_dir), max_bytes=args.max_bytes)
    if args.action == "prune":
        removed = cache.prune()
        print(f"slim-lambda: pruned {len(removed)} entr{'y' if len(removed) == 1 else 'ies'} "
              f"from {cache.root}")
        return 0
    if args.action == "clear":
        freed = cache.clear()
        print(f"slim-lambda: cleared {cache.root} ({freed / 1048576:.1f} MiB)")
        return 0
    info = cache.info()
    if args.json:
        print(json.dumps(info, indent=2))
        return 0
    print(f"cache: {info['path']}")
    print(f"dependency trees: {len(info['entries'])}, {info['deps_bytes'] / 1048576:.1f} MiB "
          f"(cap {info['max_bytes'] / 1048576:.0f} MiB); downloads "
          f"{info['download_bytes'] / 1048576:.1f} MiB")
    for e in reversed(info["entries"]):
        print(f"  {e['key'][:16]}  {e['bytes'] / 1048576:8.1f} MiB  {e.get('runtime') or '?':11} "
              f"{e.get('architecture') or '?':7} {e.get('installer') or '?':4} "
              f"{e.get('label') or ''}")
    return 0


def _build(args: argparse.Namespace) -> int:
    out = os.path.abspath(args.out)
    if os.path.exists(out):
        print(f"slim-lambda: --out {out} already exists; remove it or pick another directory",
              file=sys.stderr)
        return 2
    slim = SlimOptions(
        enabled=not args.no_slim, patterns=tuple(args.pattern),
        replace_defaults=args.replace_defaults, disable_rules=tuple(args.disable_rule),
        keep=tuple(args.keep), strip=not args.no_strip,
        strip_exclude=tuple(args.strip_exclude) if args.strip_exclude is not None
        else SlimOptions().strip_exclude,
        bytecode=args.bytecode, verify=not args.no_verify, verify_skip=tuple(args.verify_skip))
    bundling = BundlingOptions(
        mode=args.mode, image=args.image, manifest=args.manifest, groups=tuple(args.group),
        cache=not args.no_cache, cache_dir=args.cache_dir, exclude=tuple(args.exclude),
        index_url=args.index_url, extra_index_urls=tuple(args.extra_index_url),
        find_links=tuple(args.find_links), no_index=args.no_index, ca_bundle=args.ca_bundle,
        network=args.network, timeout_seconds=args.timeout, memory_bytes=args.memory_bytes)
    limits = SizeLimits(unzipped_bytes=args.unzipped_limit, zipped_bytes=args.zipped_limit)
    request, _handler = resolve_request(
        where="slim-lambda build", entry=args.entry, runtime=args.runtime,
        architecture=args.architecture, index=args.index, handler=args.handler,
        bundling=bundling, slim=slim, limits=limits, image_env=os.environ.get(IMAGE_ENV_VAR),
        label=os.path.basename(os.path.abspath(args.entry)))
    partial = out + ".partial"
    shutil.rmtree(partial, ignore_errors=True)
    os.makedirs(partial)
    try:
        report = build(request, partial)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    os.replace(partial, out)
    if args.json_report:
        with open(args.json_report, "w", encoding="utf-8") as f:
            json.dump(report, f, indent=2)
    return 0


def _limits(args: argparse.Namespace, saved: dict[str, Any] | None = None) -> SizeLimits:
    """The command line's limits, else those a saved report was built with, else Lambda's."""
    built = (saved or {}).get("limits") or {}
    return SizeLimits(
        unzipped_bytes=args.unzipped_limit or built.get("unzipped_bytes") or UNZIPPED_LIMIT_BYTES,
        zipped_bytes=args.zipped_limit or built.get("zipped_bytes") or ZIPPED_LIMIT_BYTES)


def _saved_ok(report: dict[str, Any], args: argparse.Namespace) -> bool:
    """Within its limits: as checked at build time, or against the command line's."""
    if args.unzipped_limit is None and args.zipped_limit is None:
        return bool(report.get("limits", {}).get("ok", True))
    checked = dict(report, unzipped_bytes=report.get("combined_unzipped_bytes")
                   or report["unzipped_bytes"])
    errors, _warnings = check_limits(checked, _limits(args, report))
    return not errors


def _report(args: argparse.Namespace) -> int:
    limits = _limits(args)
    saved = saved_reports(args.path) if os.path.isdir(args.path) else []
    if os.path.isfile(args.path) and args.path.endswith(".json"):
        saved = [args.path]
    if saved:
        reports = load_reports(saved)
        ok = all([_saved_ok(r, args) for r in reports])
        if args.json:
            print(json.dumps(reports, indent=2))
        else:
            for r in reports:
                print(render(r, _limits(args, r),
                             title=r.get("labels", {}).get("function", "")))
    else:
        reports = [analyse(args.path, limits)]
        ok = reports[0]["limits"]["ok"]
        if args.json:
            print(json.dumps(reports[0], indent=2))
        else:
            print(render(reports[0], limits, title=args.path))
    if args.html:
        write_html(reports, args.html)
        print(f"slim-lambda: wrote {os.path.abspath(args.html)}", file=sys.stderr)
    return 0 if ok else 1


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "cache":
            return _cache(args)
        return _build(args) if args.command == "build" else _report(args)
    except SlimLambdaError as e:
        print(f"slim-lambda: error: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
