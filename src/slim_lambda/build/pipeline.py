"""The build pipeline: install → slim → strip → sources → bytecode → verify → measure.

Runs the same inside the build image (``python -m`` on the mounted package) and
on the host. Reads a :class:`BuildSpec`, writes the bundle into
``spec.output_dir`` and returns the report as a JSON-able dict. Every failure is
a :class:`BuildError` naming the step.
"""

from __future__ import annotations

import os
import platform
import sys
import time
from collections.abc import Callable
from typing import Any

from . import __version__
from .bytecode import compile_modules
from .distinfo import find_distributions, rewrite_record
from .errors import BuildError
from .imports import probe, scan_imports
from .install import install_requirements
from .rules import DEFAULT_RULES
from .sizes import measure_tree, package_sizes
from .slim import SlimSettings, apply_removals, plan_removals
from .sources import copy_sources
from .spec import BuildSpec
from .strip import strip_tree
from .tree import iter_files
from .verify import verify_imports

__all__ = ["run"]

Log = Callable[[str], None]
MACHINES = {"x86_64": "x86_64", "arm64": "aarch64"}


def _stderr(message: str) -> None:
    print(f"slim-lambda: {message}", file=sys.stderr, flush=True)


def _normalize_permissions(root: str) -> None:
    """Lambda runs as another user: files world-readable, executables executable."""
    for dirpath, dirnames, filenames in os.walk(root):
        for d in dirnames:
            path = os.path.join(dirpath, d)
            if not os.path.islink(path):
                os.chmod(path, 0o755)
        for f in filenames:
            path = os.path.join(dirpath, f)
            if os.path.islink(path):
                continue
            mode = os.stat(path).st_mode
            os.chmod(path, 0o755 if mode & 0o111 else 0o644)


def _check_interpreter(spec: BuildSpec) -> None:
    have = f"{sys.version_info.major}.{sys.version_info.minor}"
    if have != spec.python_version:
        raise BuildError(
            "image", f"the build image runs Python {have}, but the function's runtime is "
            f"{spec.runtime}", details=f"Use a build image for {spec.runtime} "
            f"(image: {spec.image or 'unknown'}).")


def run(spec: BuildSpec, *, log: Log = _stderr, python: str = sys.executable) -> dict[str, Any]:
    """Build the bundle described by ``spec``; return the report."""
    _check_interpreter(spec)
    out = spec.output_dir
    os.makedirs(out, exist_ok=True)
    os.makedirs(spec.work_dir, exist_ok=True)
    if os.listdir(out):
        raise BuildError("prepare", f"the output directory {out} is not empty")
    steps: list[dict[str, Any]] = []
    warnings: list[str] = []
    started = time.monotonic()

    def step(name: str) -> Callable[[], None]:
        t0 = time.monotonic()
        log(f"{name} ...")

        def done() -> None:
            steps.append({"name": name, "seconds": round(time.monotonic() - t0, 3)})
        return done

    # 1. install
    if spec.requirements:
        done = step(f"install {spec.requirements}")
        install_requirements(spec, python)
        done()
    dists = find_distributions(out)
    installed = measure_tree(out, zipped=False)

    # 2. slim (dependencies only, unless slim_user_code)
    user_files: list[str] = []
    if spec.slim_user_code:
        user_files = copy_sources(spec.source_dir, out, spec.exclude)
    removed: dict[str, str] = {}
    by_rule: dict[str, list[int]] = {}
    keep_unmatched: list[str] = []
    if spec.slim:
        done = step("slim")
        settings = SlimSettings(patterns=spec.patterns, replace_defaults=spec.replace_defaults,
                                disable_rules=spec.disable_rules, keep=spec.keep,
                                trim_dist_info=spec.trim_dist_info)
        plan = plan_removals(out, settings)
        apply_removals(out, plan)
        for r in plan.removals:
            removed[r.rel] = r.rule
            counts = by_rule.setdefault(r.rule, [0, 0])
            counts[0] += 1
            counts[1] += r.size
        for _rel, saved in plan.metadata_trims:
            by_rule.setdefault("dist-info", [0, 0])[1] += saved
        keep_unmatched = plan.keep_unmatched
        for pattern in keep_unmatched:
            warnings.append(f"slim.keep pattern {pattern!r} matched no file that a rule removes")
        done()

    # 3. strip
    strip_result = None
    if spec.strip:
        done = step("strip")
        strip_result = strip_tree(out, exclude=spec.strip_exclude)
        if not strip_result.available:
            warnings.append("strip: no 'strip' command in the build image; shared objects "
                            "were left as they are")
        if strip_result.stripped:
            by_rule["strip"] = [len(strip_result.stripped), strip_result.saved_bytes]
        done()
    expected = MACHINES.get(spec.architecture, spec.architecture)
    if strip_result:
        wrong = sorted(m for m in strip_result.machines if m != expected)
        if wrong:
            warnings.append(f"shared objects for {', '.join(wrong)} in a {spec.architecture} "
                            "bundle")

    changed = strip_result.changed if strip_result else set()
    for dist in dists:
        rewrite_record(out, dist, changed)

    # 4. the function's own sources
    if not spec.slim_user_code:
        done = step("copy sources")
        dep_files = {rel for rel, _st in iter_files(out)}
        user_files = copy_sources(spec.source_dir, out, spec.exclude)
        shadowed = sorted(set(user_files) & dep_files)
        if shadowed:
            warnings.append("your files replace installed ones: " + ", ".join(shadowed[:10]))
        done()

    # 5. bytecode
    user_py = [f for f in user_files if f.endswith(".py")]
    user_tops = {f.split("/")[0].removesuffix(".py") for f in user_files}
    third_party = [m for m in scan_imports(out, user_py)
                   if m.split(".")[0] not in user_tops
                   and m.split(".")[0] not in sys.stdlib_module_names]
    current = measure_tree(out, zipped=False).unzipped_bytes
    bytecode_info: dict[str, Any] = {"mode": spec.bytecode}
    if spec.bytecode != "none":
        done = step(f"bytecode ({spec.bytecode})")
        imported = probe(out, third_party, python=python) if third_party else None
        ordered: dict[str, None] = dict.fromkeys(user_py)
        if imported:
            for rel in imported.files:
                if rel.endswith(".py"):
                    ordered.setdefault(rel, None)
        if spec.bytecode == "all":
            for rel, _st in iter_files(out):
                if rel.endswith(".py") and not rel.split("/", 1)[0].endswith(
                        (".dist-info", ".data")):
                    ordered.setdefault(rel, None)
        result = compile_modules(out, list(ordered), mode=spec.bytecode,
                                 budget_bytes=spec.unzipped_limit - current)
        bytecode_info.update(modules=len(result.compiled), bytes=result.bytes,
                             failed=len(result.failed),
                             dropped_for_budget=result.dropped_for_budget,
                             budget_bytes=result.budget_bytes)
        if result.dropped_for_budget:
            warnings.append(f"bytecode: {result.dropped_for_budget} modules left uncompiled "
                            "to stay within the unzipped limit")
        done()

    # 6. verify
    verify_info: dict[str, Any] = {"enabled": spec.verify}
    if spec.verify:
        done = step("verify imports")
        modules: dict[str, None] = {}
        for dist in dists:
            modules.update(dict.fromkeys(dist.top_level))
        modules.update(dict.fromkeys(third_party))
        result_v = verify_imports(out, list(modules), removed=removed, stripped=changed,
                                  skip=spec.verify_skip, python=python)
        verify_info.update(modules=result_v.modules, skipped=result_v.skipped)
        if result_v.failures:
            lines = []
            for f in result_v.failures:
                cause = (f"most likely the '{f.rule}' rule: {f.evidence}" if f.rule else
                         "no slim rule touched the files involved")
                lines.append(f"- {f.module}: {f.error.strip().splitlines()[-1]}\n  ({cause})")
            raise BuildError(
                "verify", f"{len(result_v.failures)} module(s) no longer import after slimming",
                details="\n".join(lines) + "\nKeep the files with slim.keep, disable the rule "
                "with slim.disable_rules, or skip the module with slim.verify_skip.")
        timing = probe(out, third_party, python=python) if third_party else None
        if timing:
            verify_info["handler_imports_seconds"] = round(timing.seconds, 3)
        done()

    # 7. measure
    _normalize_permissions(out)
    done = step("measure")
    final = measure_tree(out)
    dists_after = find_distributions(out)
    packages, unowned = package_sizes(final.file_bytes, dists_after)
    user_set = set(user_files) | {p for p in unowned if p.endswith(".pyc")}
    user_bytes = sum(size for rel, size in unowned.items() if rel in user_set)
    done()

    return {
        "schema": 1,
        "tool": {"name": "slim-lambda", "version": __version__},
        "runtime": spec.runtime,
        "architecture": spec.architecture,
        "python": platform.python_version(),
        "image": spec.image,
        "labels": spec.labels,
        "files": final.files,
        "unzipped_bytes": final.unzipped_bytes,
        "zipped_bytes": final.zipped_bytes,
        "installed_bytes": installed.unzipped_bytes,
        "removed_bytes": sum(v[1] for v in by_rule.values()),
        "removed_by_rule": [
            {"rule": rule, "files": v[0], "bytes": v[1]}
            for rule, v in sorted(by_rule.items(), key=lambda kv: -kv[1][1])],
        "packages": [{"name": p.name, "version": p.version, "bytes": p.bytes, "files": p.files}
                     for p in packages],
        "user_code_bytes": user_bytes,
        "other_bytes": sum(unowned.values()) - user_bytes,
        "by_kind": dict(sorted(final.by_kind.items(), key=lambda kv: -kv[1])),
        "strip": None if strip_result is None else {
            "stripped": len(strip_result.stripped),
            "saved_bytes": strip_result.saved_bytes,
            "already_stripped": strip_result.already_stripped,
            "skipped": [{"path": p, "reason": r} for p, r in strip_result.skipped],
            "machines": strip_result.machines,
        },
        "bytecode": bytecode_info,
        "verify": verify_info,
        "handler_imports": third_party,
        "rules": [{"name": r.name, "patterns": list(r.patterns)} for r in DEFAULT_RULES],
        "steps": steps,
        "seconds": round(time.monotonic() - started, 3),
        "warnings": warnings,
    }
