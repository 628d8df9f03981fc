"""Stage 2: the asset: a finished dependency tree plus the function's own sources.

Fast by design, so a handler change re-synthesizes in about a second: the
dependency files are hard-linked from the (read-only, cached) tree, sizes come
from the tree's meta, and only the function's own files are copied, compiled
and measured. The bytecode that fits is chosen here: everything when the whole
bundle stays within its budget, else what the handler imports at load time,
never more than the budget allows.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import sys
from collections.abc import Callable
from typing import Any

from . import __version__
from .architecture import check_architecture
from .bytecode import compile_modules, pyc_path
from .distinfo import find_distributions
from .errors import BuildError
from .imports import handler_imports, probe_key, run_probe
from .rules import DEFAULT_RULES
from .secretfiles import secret_warnings
from .sizes import END_RECORD, entry_sizes, kind_of, package_sizes
from .slim import apply_removals, plan_removals
from .sources import copy_extra_sources, copy_sources
from .spec import AssembleSpec
from .steps import Steps
from .tree import normalize_permissions
from .treemap import file_owners, tree_summary

__all__ = ["link_tree", "run_assemble"]

Log = Callable[[str], None]


def link_tree(src: str, dest: str, rels: list[str]) -> str:
    """Hard-link (or, across file systems, copy) ``rels`` from ``src`` into ``dest``.

    Returns ``"hardlink"`` or ``"copy"``. Nothing ever writes through a link: every
    later write into the asset replaces the file (sources are unlinked first,
    bytecode is written atomically).
    """
    method = "hardlink"
    made: set[str] = set()
    for rel in rels:
        s = os.path.join(src, rel)
        d = os.path.join(dest, rel)
        parent = os.path.dirname(d)
        if parent not in made:
            os.makedirs(parent, exist_ok=True)
            made.add(parent)
        if os.path.islink(s):
            os.symlink(os.readlink(s), d)
            continue
        if method == "hardlink":
            try:
                os.link(s, d)
                continue
            except OSError:
                method = "copy"
        shutil.copy2(s, d)
    return method


def _slim_user_files(spec: AssembleSpec, staging: str, log: Log) -> dict[str, list[int]]:
    """Copy the sources to ``staging`` and apply the slim rules there; bytes removed by rule."""
    copy_sources(spec.source_dir, staging, spec.exclude)
    plan = plan_removals(staging, spec.slim, trim_dist_info=False)
    apply_removals(staging, plan)
    by_rule: dict[str, list[int]] = {}
    for r in plan.removals:
        v = by_rule.setdefault(r.rule, [0, 0])
        v[0] += 1
        v[1] += r.size
    log(f"  slimmed your code: {len(plan.removals)} files removed")
    return by_rule


def run_assemble(spec: AssembleSpec, *, log: Log, python: str = sys.executable
                 ) -> dict[str, Any]:
    """Assemble the asset into ``spec.output_dir``; return the report."""
    with open(spec.deps_meta, encoding="utf-8") as f:
        meta: dict[str, Any] = json.load(f)
    out = spec.output_dir
    os.makedirs(out, exist_ok=True)
    if os.listdir(out):
        raise BuildError("prepare", f"the output directory {out} is not empty")
    root = os.path.join(out, spec.prefix) if spec.prefix else out
    steps = Steps(log)
    warnings: list[str] = list(meta.get("warnings", []))
    notices: list[str] = list(meta.get("notices", []))
    extra = 2 * len(spec.prefix.encode("utf-8"))

    dep_pycs: dict[str, str] = meta.get("pycs", {})
    pyc_set = set(dep_pycs.values())
    dep_files: dict[str, list[int]] = meta["files"]
    plain = [rel for rel in dep_files if rel not in pyc_set]

    done = steps.start("link dependencies")
    os.makedirs(root, exist_ok=True)
    method = link_tree(spec.deps_dir, root, sorted(plain))
    done()

    # the function's own sources
    user_files: list[str] = []
    user_rules: dict[str, list[int]] = {}
    if spec.source_dir:
        done = steps.start("copy sources")
        if spec.slim.slim_user_code:
            staging = os.path.join(spec.work_dir, "user-sources")
            shutil.rmtree(staging, ignore_errors=True)
            user_rules = _slim_user_files(spec, staging, log)
            user_files = copy_sources(staging, root, spec.exclude)
        else:
            user_files = copy_sources(spec.source_dir, root, spec.exclude)
        user_files += copy_extra_sources(spec.extra_sources, root, spec.exclude, dep_files)
        warnings += secret_warnings(root, user_files)
        shadowed = sorted(set(user_files) & set(dep_files))
        if shadowed:
            warnings.append("your files replace installed ones: " + ", ".join(shadowed[:10]))
        done()
    user_elf = check_architecture(root, spec.architecture, what="of your own", rels=user_files)

    # bytecode: the function's own modules first, then what fits
    user_py = [f for f in user_files if f.endswith(".py")]
    imports = list(spec.handler_imports) or handler_imports(root, user_py)
    user_pycs: list[str] = []
    if spec.slim.bytecode != "none" and user_py and spec.can_compile:
        done = steps.start("bytecode (your code)")
        result = compile_modules(root, user_py, mode="all", budget_bytes=1 << 62)
        user_pycs = [pyc_path(rel) for rel, _size in result.compiled]
        done()

    user_entries = entry_sizes(root, sorted(set(user_files) | set(user_pycs)))
    base = sum(v[0] for rel, v in dep_files.items() if rel not in pyc_set) + sum(
        v[0] for v in user_entries.values())
    all_pycs = sum(dep_files[p][0] for p in pyc_set if p in dep_files)
    budget = spec.unzipped_budget - base

    chosen: list[str] = []
    bytecode_info: dict[str, Any] = {"mode": spec.slim.bytecode, "budget_bytes": max(budget, 0)}
    probe_info: dict[str, Any] | None = meta.get("probes", {}).get(probe_key(imports))
    new_probe = None
    if probe_info is None and imports and spec.can_import:
        done = steps.start("probe handler imports")
        probe_info = new_probe = run_probe(root, imports, spec.layer_paths, python)
        done()
    # what bundling.provided left out, the runtime imports: not a failure
    provided_tops = {top for p in meta.get("provided", []) for top in p["top_level"]}
    failed = [] if probe_info is None else [
        m for m in probe_info["failed"] if m.split(".")[0] not in provided_tops]
    if failed:
        warnings.append("your handler imports modules that do not import in the bundle: "
                        + ", ".join(failed) + " (fine if the Lambda runtime or a "
                        "layer that is not slim-lambda's provides them, like boto3: "
                        "name them in bundling.provided)")
    if spec.slim.bytecode == "none" or not dep_pycs:
        choice = "none" if spec.slim.bytecode == "none" else "unavailable"
    elif spec.slim.bytecode in ("auto", "all") and all_pycs <= budget:
        chosen = sorted(dep_pycs)
        choice = "all"
    else:
        if spec.slim.bytecode == "all":
            warnings.append("bytecode: compiling every module would exceed the unzipped "
                            "limit; compiled only what the handler imports")
        if probe_info is not None:
            wanted = [f for f in probe_info["files"] if f in dep_pycs]
        else:  # no way to import here: the packages the handler names, whole
            tops = {m.split(".")[0] for m in imports}
            wanted = sorted(rel for rel in dep_pycs if rel.split("/")[0].removesuffix(".py")
                            in tops)
        total = 0
        dropped = 0
        for rel in wanted:
            size = dep_files[dep_pycs[rel]][0]
            if total + size <= budget:
                chosen.append(rel)
                total += size
            else:
                dropped += 1
        choice = "imported"
        if dropped:
            warnings.append(f"bytecode: {dropped} imported modules left uncompiled to stay "
                            "within the unzipped limit")
        bytecode_info["dropped_for_budget"] = dropped
    link_tree(spec.deps_dir, root, [dep_pycs[rel] for rel in chosen])
    user_pyc_bytes = sum(user_entries[p][0] for p in user_pycs if p in user_entries)
    bytecode_info.update(choice=choice, modules=len(chosen) + len(user_pycs),
                         bytes=sum(dep_files[dep_pycs[r]][0] for r in chosen) + user_pyc_bytes,
                         all_bytes=(all_pycs if choice in ("all", "imported") else 0)
                         + user_pyc_bytes)
    if not spec.can_compile and spec.slim.bytecode != "none":
        bytecode_info["choice"] = "skipped"

    normalize_permissions(root, user_files + user_pycs)
    for dirpath, dirnames, _files in os.walk(out):
        for d in dirnames:
            os.chmod(os.path.join(dirpath, d), 0o755)

    # measure: the cached tree's sizes plus the new files
    done = steps.start("measure")
    sizes: dict[str, list[int]] = {}
    for rel in plain:
        sizes[rel] = dep_files[rel]
    for rel in chosen:
        sizes[dep_pycs[rel]] = dep_files[dep_pycs[rel]]
    sizes.update(user_entries)
    file_bytes = {spec.prefix + rel: v[0] for rel, v in sizes.items()}
    unzipped = sum(v[0] for v in sizes.values())
    zipped = sum(v[1] + extra for v in sizes.values()) + END_RECORD
    dists = find_distributions(root)
    packages, unowned = package_sizes({rel: v[0] for rel, v in sizes.items()}, dists)
    tree = tree_summary(file_bytes, owners=file_owners(file_bytes, dists, prefix=spec.prefix))
    user_set = set(user_files + user_pycs)
    user_bytes = sum(size for rel, size in unowned.items() if rel in user_set)
    by_kind: dict[str, int] = {}
    for rel, size in file_bytes.items():
        by_kind[kind_of(rel)] = by_kind.get(kind_of(rel), 0) + size
    done()

    removed_rules: dict[str, list[int]] = {
        rule: [v["files"], v["bytes"]] for rule, v in meta.get("removed_by_rule", {}).items()}
    for rule, v in user_rules.items():
        r = removed_rules.setdefault(rule, [0, 0])
        r[0] += v[0]
        r[1] += v[1]
    steps_all = list(meta.get("steps", [])) + steps.done
    return {
        "schema": 2,
        "tool": {"name": "slim-lambda", "version": __version__},
        "runtime": spec.runtime,
        "architecture": spec.architecture,
        "python": meta.get("python") or (platform.python_version() if spec.can_compile
                                         else None),
        "image": spec.image,
        "installer": meta.get("installer"),
        "labels": spec.labels,
        "prefix": spec.prefix,
        "files": len(sizes),
        "unzipped_bytes": unzipped,
        "zipped_bytes": zipped,
        "installed_bytes": meta.get("installed_bytes", 0) + sum(
            user_entries[f][0] for f in user_files if f in user_entries),
        "removed_bytes": sum(v[1] for v in removed_rules.values()),
        "removed_by_rule": [
            {"rule": rule, "files": v[0], "bytes": v[1]}
            for rule, v in sorted(removed_rules.items(), key=lambda kv: -kv[1][1])],
        "packages": [{"name": p.name, "version": p.version, "bytes": p.bytes, "files": p.files}
                     for p in packages],
        "deduplicated": meta.get("deduplicated", []),
        "layer_overrides": meta.get("layer_overrides", []),
        "provided": meta.get("provided", []),
        "user_code_bytes": user_bytes,
        "other_bytes": sum(unowned.values()) - user_bytes,
        "by_kind": dict(sorted(by_kind.items(), key=lambda kv: -kv[1])),
        "strip": meta.get("strip"),
        "elf": sorted(
            [{"path": spec.prefix + e["path"], "machine": e["machine"]}
             for e in meta.get("elf", []) + user_elf], key=lambda e: e["path"]),
        "bytecode": bytecode_info,
        "verify": meta.get("verify", {}),
        "handler_imports": imports,
        "import_seconds": None if probe_info is None else probe_info["seconds"],
        "import_failures": failed,
        "link": method,
        "rules": [{"name": r.name, "patterns": list(r.patterns)} for r in DEFAULT_RULES],
        "steps": steps_all,
        "seconds": round(sum(s["seconds"] for s in steps_all if "beside" not in s), 3),
        "warnings": warnings,
        "notices": notices,
        "tree": tree,
        "file_bytes": file_bytes,
        "own_files": sorted(spec.prefix + f for f in user_set),
        "probe": new_probe,
    }

