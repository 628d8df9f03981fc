"""Stage 1: the finished dependency tree (install → slim → strip → bytecode → verify).

The result depends only on the requirements, the platform and the options, never
on the function's own code, so the host caches it and a handler change reuses
it. Every module is compiled to hash-based bytecode here; the assemble stage
decides which pycs fit. The meta dict returned (and written beside the tree by
the host) records what each later stage needs without reading the tree again:
per-file unzipped and zipped sizes, the pycs, the import probes.
"""

from __future__ import annotations

import os
import platform
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any

from . import __version__
from .architecture import check_architecture
from .beside import Beside
from .bytecode import compile_modules, pyc_path
from .distinfo import find_distributions, normalized_name, rewrite_record
from .errors import BuildError
from .fsguard import Root
from .hooks import run_hooks
from .imports import probe_key, run_probe
from .install import (
    install_path_packages,
    install_project,
    install_requirements,
    uncapped_resolution,
)
from .provided_step import Provided, remove_provided
from .sizes import PYTHON_ZLIB, entry_sizes, measure_tree
from .slim import apply_removals, plan_removals
from .spec import HELD, DepsSpec
from .steps import Steps
from .strip import strip_tree
from .tree import iter_files, normalize_permissions
from .verify_step import read_records, run_verify, settle_kept
from .wheelchoice import WheelChoices, read_wheel_choices, uncapped_choices
from .workers import available_cpus

__all__ = ["check_interpreter", "run_deps"]

Log = Callable[[str], None]
PROVIDED = "provided-held"
"""In the work directory: what ``bundling.provided`` left out, importable by verify."""


def check_interpreter(runtime: str) -> None:
    have = f"python{sys.version_info.major}.{sys.version_info.minor}"
    if have != runtime:
        raise BuildError(
            "image", f"the build image runs {have.replace('python', 'Python ')}, but the "
            f"function's runtime is {runtime}",
            details=f"Use a build image for {runtime} (bundling.image), or an image template "
            "with {runtime} in it.")


def _drop_distributions(root: str, provided: dict[str, str], log: Log
                        ) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """Remove installed distributions a layer already provides at the same version.

    One at another version stays: on Lambda ``/var/task`` comes before ``/opt/python``, so
    the function's copy is the one imported. It is returned as an override, for the host
    to warn about (or refuse, when the function asks for strict layer versions)."""
    dropped = []
    overrides = []
    guard = Root(root)
    for dist in find_distributions(root):
        want = provided.get(normalized_name(dist.name))
        if want is None:
            continue
        if want != dist.version:
            overrides.append({"name": dist.name, "bundled": dist.version, "layer": want})
            log(f"  {dist.name} {dist.version} bundled: it wins over the layer's {want}")
            continue
        for rel in sorted(dist.files | {f"{dist.dist_info}/RECORD"}):
            if os.path.lexists(os.path.join(root, rel)):
                guard.remove(rel)
        for rel, _st in list(iter_files(os.path.join(root, dist.dist_info))):
            guard.remove(f"{dist.dist_info}/{rel}")
        dropped.append({"name": dist.name, "version": dist.version})
        log(f"  {dist.name} {dist.version} comes from a layer; not bundled twice")
    for dirpath, dirnames, filenames in os.walk(root, topdown=False):
        if dirpath != root and not dirnames and not filenames:
            os.rmdir(dirpath)
    return dropped, overrides


def run_deps(spec: DepsSpec, *, log: Log, python: str = sys.executable) -> dict[str, Any]:
    """Build the dependency tree into ``spec.output_dir``; return its meta."""
    if spec.can_compile or spec.can_import:
        check_interpreter(spec.runtime)
    out = spec.output_dir
    os.makedirs(out, exist_ok=True)
    os.makedirs(spec.work_dir, exist_ok=True)
    if os.listdir(out):
        raise BuildError("prepare", f"the output directory {out} is not empty")
    steps = Steps(log)
    warnings: list[str] = []
    notices: list[str] = []

    choices = WheelChoices([], [])
    if spec.install.before_install:
        done = steps.start("before_install")
        run_hooks("before_install", spec.install.before_install, spec, log)
        done()
    if spec.install.requirements_file:
        done = steps.start(f"install ({spec.install.installer})")
        # uv logs no skipped links: it is asked once more, while it installs (the index's
        # answers, not the installed tree, are what that resolution needs)
        asking = spec.install.installer == "uv" and spec.install.uv_interpreter \
            and not spec.install.no_deps
        with ThreadPoolExecutor(max_workers=1) as pool:
            uncapped = pool.submit(uncapped_resolution, spec, python) if asking else None
            done_by = install_requirements(spec, python, progress=log)
            compiled = uncapped.result() if uncapped is not None else None
        if done_by.installer != spec.install.installer:  # pip took over: it builds the rest
            spec = replace(spec, install=replace(spec.install, installer=done_by.installer))
            notices.append(f"installed with pip: uv found no wheel of {done_by.fallback_for} "
                           "for this runtime and architecture, so pip installed the "
                           "requirements (building what has no wheel from source)")
        versions = {d.name: d.version for d in find_distributions(out)}
        if asking and spec.install.installer == "uv":
            choices = uncapped_choices(compiled or "", versions, runtime=spec.runtime,
                                       architecture=spec.architecture)
        else:
            choices = read_wheel_choices(spec, versions)
        for skip in choices.skipped:
            notices.append(f"{skip['name']} {skip['version']} installed, not the newest "
                           f"release: {skip['reason']} (pin it to build it from source)")
        for b in choices.from_source:
            notices.append(f"{b['name']} {b['version']} was built from source: that version "
                           "has no wheel for this runtime and architecture")
        done()
    if spec.install.packages or spec.install.git:
        done = steps.start("install path and git packages")
        install_path_packages(spec, python)
        done()
    if spec.install.project_dir:
        done = steps.start("install your project")
        install_project(spec, python)
        done()
    if spec.install.after_install:  # after every install, the project's too
        done = steps.start("after_install")
        run_hooks("after_install", spec.install.after_install, spec, log)
        done()
    dropped, overrides = _drop_distributions(out, spec.exclude_distributions, log) \
        if spec.exclude_distributions else ([], [])
    dists = find_distributions(out)
    installed = measure_tree(out, zipped=False)

    removed: dict[str, str] = {}
    by_rule: dict[str, list[int]] = {}
    provided = Provided()
    if spec.provided:
        done = steps.start("leave out what is provided")
        provided = remove_provided(out, dists, spec.provided,
                                   os.path.join(spec.work_dir, PROVIDED), log)
        warnings.extend(provided.warnings)
        if provided.removed:
            by_rule["provided"] = [sum(p["files"] for p in provided.removed),
                                   sum(p["bytes"] for p in provided.removed)]
            dists = find_distributions(out)
        done()
    import_paths = (*spec.layer_paths, provided.import_path) if provided.import_path \
        else spec.layer_paths
    verifying = spec.slim.verify and spec.can_import
    held = Root(spec.held_dir or os.path.join(spec.work_dir, HELD)) if verifying else None
    if held is not None:
        os.makedirs(held.path, exist_ok=True)
    if spec.slim.enabled:
        done = steps.start("slim")
        plan = plan_removals(out, spec.slim)
        apply_removals(out, plan, hold_in=held)
        for r in plan.removals:
            removed[r.rel] = r.rule
            counts = by_rule.setdefault(r.rule, [0, 0])
            counts[0] += 1
            counts[1] += r.size
        for _rel, saved in plan.metadata_trims:
            by_rule.setdefault("dist-info", [0, 0])[1] += saved
        for pattern in plan.keep_unmatched:
            warnings.append(f"slim.keep pattern {pattern!r} matched no file that a rule removes")
        done()

    strip_result = None
    if spec.slim.strip and not spec.can_strip:
        notices.append(f"strip skipped: this host cannot strip {spec.architecture} shared "
                       "objects correctly (build in Docker mode to strip them)")
    elif spec.slim.strip:
        done = steps.start("strip")
        strip_result = strip_tree(out, exclude=spec.slim.strip_exclude)
        if not strip_result.available:
            warnings.append("strip: no 'strip' command in the build image; shared objects "
                            "were left as they are")
        if strip_result.stripped:
            by_rule["strip"] = [len(strip_result.stripped), strip_result.saved_bytes]
        done()
    changed = strip_result.changed if strip_result else set()
    records = read_records(out, dists) if held is not None else {}
    for dist in dists:
        rewrite_record(out, dist, changed)

    elf_files = check_architecture(out, spec.architecture, what="dependency")

    pycs: dict[str, str] = {}
    bytecode_info: dict[str, Any] = {"compiled": False}
    compile_deps = spec.slim.bytecode != "none"
    if compile_deps and not spec.can_compile:
        notices.append(f"bytecode skipped: this host's Python is not {spec.python_version} "
                       "(build in Docker mode, or on a host with that Python, to precompile)")
    elif compile_deps:
        done = steps.start("bytecode")
        sources = [rel for rel, _st in iter_files(out) if rel.endswith(".py")
                   and not rel.split("/", 1)[0].endswith((".dist-info", ".data"))]
        result = compile_modules(out, sources, mode="all", budget_bytes=1 << 62)
        pycs = {rel: pyc_path(rel) for rel, _size in result.compiled}
        bytecode_info = {"compiled": True, "modules": len(pycs), "failed": len(result.failed)}
        done()

    verify_info: dict[str, Any] = {"enabled": verifying}
    probing = bool(spec.handler_imports) and spec.can_import
    # a first import warms the disk unless verify reads the tree
    probe = Beside(steps, "probe handler imports", lambda: run_probe(
        out, spec.handler_imports, import_paths, python, warm=held is not None),
        beside="verify imports")
    if spec.slim.verify and not spec.can_import:
        notices.append("verify skipped: this host cannot import the target's native code "
                       "(build in Docker mode to check every module imports)")
    elif held is not None:
        done = steps.start("verify imports")
        jobs = probe.start(available_cpus()) if probing else None
        modules: dict[str, None] = {}
        for dist in dists:
            modules.update(dict.fromkeys(dist.top_level))
        present = {rel.split("/", 1)[0].removesuffix(".py") for rel, _ in iter_files(out)}
        present |= {rel.split("/", 1)[0].split(".", 1)[0] for rel, _ in iter_files(out)}
        modules = {m: None for m in modules if m.split(".")[0] in present}
        verified = run_verify(out, list(modules), removed=removed, stripped=changed, held=held,
                              dists=dists, slim=spec.slim, python=python,
                              extra_paths=import_paths, jobs=jobs)
        verify_info.update(verified.info)
        warnings.extend(verified.warnings)
        if verified.kept:
            pycs.update(settle_kept(out, verified.kept, dists=dists, records=records,
                                    changed=changed, by_rule=by_rule,
                                    compile_pycs=bytecode_info["compiled"]))
            if bytecode_info["compiled"]:
                bytecode_info["modules"] = len(pycs)
            elf_files += check_architecture(out, spec.architecture, what="dependency",
                                            rels=[k.path for k in verified.kept])
        Root(os.path.dirname(held.path)).remove(os.path.basename(held.path))  # gone for good
        done()
    probes: dict[str, Any] = {}
    if probing:  # taken beside verify: stale if verify put held files back meanwhile
        probes[probe_key(spec.handler_imports)] = probe.result(
            stale=bool(verify_info.get("repaired") or verify_info.get("failed_before")))

    normalize_permissions(out)
    done = steps.start("measure")
    files = entry_sizes(out, zipped=spec.zip_sizes)
    done()
    return {
        "schema": 2,
        "tool": {"name": "slim-lambda", "version": __version__},
        "runtime": spec.runtime,
        "architecture": spec.architecture,
        "python": platform.python_version() if spec.can_compile else None,
        "installer": spec.install.installer,
        "image": spec.image,
        "installed_bytes": installed.unzipped_bytes,
        "removed_by_rule": {rule: {"files": v[0], "bytes": v[1]} for rule, v in by_rule.items()},
        "deduplicated": dropped,
        "layer_overrides": overrides,
        "provided": provided.removed,
        "skipped_newest": choices.skipped,
        "strip": None if strip_result is None else {
            "stripped": len(strip_result.stripped),
            "saved_bytes": strip_result.saved_bytes,
            "already_stripped": strip_result.already_stripped,
            "skipped": [{"path": p, "reason": r} for p, r in strip_result.skipped],
            "machines": strip_result.machines,
        },
        "elf": elf_files,
        "bytecode": bytecode_info,
        "pycs": pycs,
        "verify": verify_info,
        "probes": probes,
        "files": files,
        "zip_engine": PYTHON_ZLIB if spec.zip_sizes else None,
        "steps": steps.done,
        "warnings": warnings,
        "notices": notices,
    }
