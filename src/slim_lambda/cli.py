"""``slim-lambda``: build a bundle without CDK, or analyse one.

    slim-lambda build ENTRY --runtime python3.11 --out DIR [--json-report FILE] ...
    slim-lambda report PATH [--json] [--html FILE]
    slim-lambda cache info|prune|clear|verify|push|pull [--remote [S3_URL]]

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

from .cli_options import HelpFormatter, add_option_flags, options_from_args
from .cli_remote import remote_command
from .errors import SlimLambdaError
from .options import (
    UNZIPPED_LIMIT_BYTES,
    ZIPPED_LIMIT_BYTES,
    BundlingOptions,
    SizeLimits,
)
from .plan.remote import REMOTE_ENV
from .plan.resolve import resolve_request
from .platform import ARCHITECTURES, IMAGE_ENV_VAR, RUNTIMES
from .report.analyse import analyse, load_reports, saved_reports
from .report.html import write_html
from .report.limits import check_limits
from .report.model import Report
from .report.saved import write_report
from .report.text import render
from .run.build import build
from .run.cache import DepsCache, default_cache_dir

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="slim-lambda", description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="command", required=True)

    b = sub.add_parser("build", help="build a Lambda bundle from ENTRY into --out",
                       formatter_class=HelpFormatter,
                       description="Every option of BundlingOptions, SlimOptions and SizeLimits "
                       "is a flag (its name in kebab case); a flag not given keeps the option's "
                       "default.")
    b.add_argument("entry", help="directory with the handler's sources and requirements.txt")
    b.add_argument("--runtime", required=True, choices=sorted(RUNTIMES))
    b.add_argument("--architecture", default="x86_64", choices=sorted(ARCHITECTURES))
    b.add_argument("--out", required=True, help="output directory (must not exist)")
    b.add_argument("--json-report", help="write the JSON report here")
    b.add_argument("--index", default="index.py", help="handler file (default: index.py)")
    b.add_argument("--handler", default="handler", help="handler function (default: handler)")
    add_option_flags(b)

    c = sub.add_parser("cache", help="the dependency cache: info, prune, clear, verify; "
                       "push, pull, info --remote")
    c.add_argument("action", choices=["info", "prune", "clear", "verify", "push", "pull"])
    c.add_argument("keys", nargs="*", metavar="KEY",
                   help="push, pull: only the entries whose key starts so (default: all)")
    c.add_argument("--remote", nargs="?", const="", metavar="S3_URL",
                   help="the remote cache (default: $SLIM_LAMBDA_REMOTE_CACHE); push: upload "
                   "the local entries it lacks, pull: download its entries, info: list them")
    c.add_argument("--cache-dir", help="default: $SLIM_LAMBDA_CACHE_DIR, else ~/.cache/slim-lambda")
    c.add_argument("--max-bytes", type=int, default=BundlingOptions().cache_max_bytes,
                   help="prune: keep at most this many bytes (default: BundlingOptions."
                   "cache_max_bytes, %(default)s)")
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
    if args.remote is not None or args.action in ("push", "pull"):
        return remote_command(args.action, args.remote or None, args.keys, cache,
                              as_json=args.json)
    if args.action == "prune":
        removed = cache.prune()
        print(f"slim-lambda: pruned {len(removed)} entr{'y' if len(removed) == 1 else 'ies'} "
              f"from {cache.root}")
        return 0
    if args.action == "verify":
        broken = cache.verify()
        for key, problems in broken.items():
            print(f"slim-lambda: removed broken entry {key[:16]}: " + "; ".join(problems[:5])
                  + (f"; … ({len(problems)} problems)" if len(problems) > 5 else ""))
        print(f"slim-lambda: {len(cache.entries())} entries intact in {cache.root}")
        return 1 if broken else 0
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
    bundling, slim, limits = options_from_args(args)
    request, _handler = resolve_request(
        where="slim-lambda build", entry=args.entry, runtime=args.runtime,
        architecture=args.architecture, index=args.index, handler=args.handler,
        bundling=bundling, slim=slim, limits=limits, image_env=os.environ.get(IMAGE_ENV_VAR),
        remote_env=os.environ.get(REMOTE_ENV),
        label=os.path.basename(os.path.abspath(args.entry)),
        output_dirs=(out, out + ".partial"))
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
        write_report(args.json_report, report)
    return 0


def _limits(args: argparse.Namespace, saved: Report | None = None) -> SizeLimits:
    """The command line's limits, else those a saved report was built with, else Lambda's."""
    unzipped, zipped = ((saved["limits"]["unzipped_bytes"], saved["limits"]["zipped_bytes"])
                        if saved is not None else (UNZIPPED_LIMIT_BYTES, ZIPPED_LIMIT_BYTES))
    return SizeLimits(unzipped_bytes=args.unzipped_limit or unzipped,
                      zipped_bytes=args.zipped_limit or zipped)


def _saved_ok(report: Report, args: argparse.Namespace) -> bool:
    """Within its limits: as checked at build time, or against the command line's."""
    if args.unzipped_limit is None and args.zipped_limit is None:
        return report["limits"]["ok"]
    errors, _warnings = check_limits(report, _limits(args, report))
    return not errors


def _report(args: argparse.Namespace) -> int:
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
                print(render(r, _limits(args, r)))
    else:
        limits = _limits(args)
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
