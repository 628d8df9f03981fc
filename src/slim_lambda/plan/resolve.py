"""Checking options cheaply, reporting every problem at once, and resolving the plan.

Shared by the construct and the CLI. Nothing here runs Docker or user code: the
handler is checked by parsing the index file with :mod:`ast`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import pathspec

from ..errors import ConfigurationError
from ..manifests import InstallPlan, resolve_manifest
from ..manifests.inputs import requirement_inputs
from ..options import (
    BYTECODE_MODES,
    FILE_ACCESS,
    INSTALLERS,
    MODES,
    BundlingOptions,
    SizeLimits,
    SlimOptions,
)
from ..pipeline.rules import rule_names
from ..platform import ARCHITECTURES, DEFAULT_IMAGE, RUNTIMES, architecture_named, image_for
from .build_image import dockerfile_build, dockerfile_problems
from .extra_sources import ExtraSource, resolve_extra_sources
from .handler import check_handler, handler_module, index_problem
from .outputs import output_excludes
from .remote import remote_problems, remote_url
from .repository import outside_repository
from .request import BuildRequest, LayerShare

__all__ = ["resolve_request"]

_DIST_NAME = re.compile(r"[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?(==[A-Za-z0-9.+!_-]+)?")

def _not_one_of(option: str, value: str, allowed: Sequence[str]) -> list[str]:
    """The problem of an option whose value is not one of ``allowed`` (none when it is)."""
    return [] if value in allowed else [
        f"{option}: {value!r} is not one of {', '.join(allowed)}"]


def _check_patterns(patterns: tuple[str, ...], option: str, problems: list[str]) -> None:
    if isinstance(patterns, str):
        problems.append(f"{option} must be a list of patterns, not the string {patterns!r}")
        return
    for p in patterns:
        try:
            pathspec.GitIgnoreSpec.from_lines([p])
        except Exception as e:
            problems.append(f"{option}: {p!r} is not a valid gitignore pattern ({e})")


def resolve_request(*, where: str, entry: str, runtime: str, runtime_family: Any = None,
                    architecture: str, index: str, handler: str, bundling: BundlingOptions,
                    slim: SlimOptions, limits: SizeLimits, image_context: Any = None,
                    image_env: str | None = None, remote_context: Any = None,
                    remote_env: str | None = None, label: str = "", prefix: str = "",
                    copy_sources: bool = True, layers: tuple[LayerShare, ...] = (),
                    check_index: bool = True, strict_layer_versions: bool = False,
                    output_dirs: tuple[str, ...] = ()) -> tuple[BuildRequest, str]:
    """Validate everything; return the build request and the Lambda handler string.

    ``output_dirs``: where the build output goes (CDK's outdir, the CLI's ``--out``);
    any inside the entry is added to ``bundling.exclude``, never bundled into itself."""
    problems: list[str] = []
    if isinstance(bundling.provided, str):  # provided="runtime" reads as it should
        bundling = replace(bundling, provided=(bundling.provided,))
    problems += [f"bundling.provided: {name!r} is not a distribution name; give names as "
                 "pip knows them ('boto3', or 'boto3==1.34.145' with the version provided), "
                 "or 'runtime' for what the Lambda runtime ships"
                 for name in bundling.provided if not _DIST_NAME.fullmatch(name)]
    entry_abs = os.path.abspath(entry)
    if not os.path.isdir(entry_abs):
        problems.append(f"entry: directory {entry_abs} does not exist; pass the directory "
                        "that holds your handler's sources")
    if runtime not in RUNTIMES:
        family = getattr(runtime_family, "name", runtime_family)
        kind = "not a Python runtime" if family not in (None, "PYTHON") else "not supported"
        problems.append(f"runtime: {runtime} is {kind}; use one of {', '.join(RUNTIMES)}")
    known = architecture_named(architecture)
    arch = known.name if known else None
    if arch is None:
        problems.append(f"architecture: {architecture!r} is not one of "
                        f"{', '.join(ARCHITECTURES)}")

    plan: InstallPlan | None = None
    if os.path.isdir(entry_abs) and runtime in RUNTIMES:
        try:
            plan = resolve_manifest(entry_abs, manifest=bundling.manifest,
                                    groups=tuple(bundling.groups),
                                    python_version=RUNTIMES[runtime].python)
        except ConfigurationError as e:
            problems.extend(e.problems)
    extras: tuple[ExtraSource, ...] = ()
    if os.path.isdir(entry_abs):
        extras, extra_problems = resolve_extra_sources(entry_abs, bundling.extra_sources)
        problems.extend(extra_problems)
    outside: list[tuple[str, str]] = [(f"bundling.extra_sources[{s.name!r}]", s.path)
                                      for s in extras]
    if plan is not None and plan.kind == "requirements.txt" and plan.manifest:
        found = requirement_inputs(entry_abs, plan.manifest)
        problems.extend(found.problems)
        outside += [(f"{plan.manifest} ({i.kind})", i.path) for i in found.inputs]
    if plan is not None:
        outside += [(f"{plan.manifest} (path package)", os.path.join(entry_abs, p))
                    for p in plan.paths]
    if not bundling.allow_outside_repository:
        problems.extend(outside_repository(entry_abs, outside))
    # a project installed as a package: the handler may sit under src/ (src layout)
    in_src = (plan is not None and plan.project is not None and not index.startswith("src/")
              and os.path.isfile(os.path.join(entry_abs, "src", index)))
    module = handler_module(index.removeprefix("src/") if plan and plan.project else index)
    if check_index:
        if not index.endswith(".py"):
            problems.append(f"index: {index!r} must be a .py file relative to entry")
        elif (problem := index_problem(index)) is not None:
            problems.append(problem)
        elif os.path.isdir(entry_abs):
            index_path = os.path.join(entry_abs, "src" if in_src else "", index)
            if not os.path.isfile(index_path):
                problems.append(f"index: cannot find {index_path}; create it or pass index=...")
            elif not handler.isidentifier():
                problems.append(f"handler: {handler!r} is not a Python identifier")
            else:
                check_handler(index_path, handler, problems)

    problems += _not_one_of("bundling.mode", bundling.mode, MODES)
    problems += _not_one_of("bundling.file_access", bundling.file_access, FILE_ACCESS)
    problems += _not_one_of("bundling.installer", bundling.installer, INSTALLERS)
    if bundling.cache_max_bytes <= 0:
        problems.append("bundling.cache_max_bytes must be positive")

    image_problems = dockerfile_problems(bundling.dockerfile, bundling.build_args,
                                         bundling.image)
    problems += image_problems
    template = bundling.image or image_env or image_context or DEFAULT_IMAGE
    image = ""  # with a Dockerfile: its build's tag
    if bundling.dockerfile or image_problems:
        pass
    elif not isinstance(template, str) or not template.strip():
        problems.append(f"image: {template!r} is not an image name")
    elif arch and runtime in RUNTIMES:
        try:
            image = image_for(template, runtime, arch)
        except ValueError as e:
            problems.append(f"image: {e}")

    remote = remote_url(bundling.remote_cache, remote_env, remote_context)
    problems += remote_problems(remote)
    if bundling.ca_bundle and not os.path.isfile(bundling.ca_bundle):
        problems.append(f"bundling.ca_bundle: {bundling.ca_bundle} does not exist")
    for link in bundling.find_links:
        if "://" not in link and not os.path.isdir(link):
            problems.append(f"bundling.find_links: {link} is neither a URL nor a directory")
    if bundling.timeout_seconds <= 0:
        problems.append("bundling.timeout_seconds must be positive")
    if bundling.memory_bytes is not None and bundling.memory_bytes < 64 << 20:
        problems.append(f"bundling.memory_bytes: {bundling.memory_bytes:,} is below 64 MiB "
                        "(67,108,864), too little for pip; raise it or leave it None")
    _check_patterns(bundling.exclude, "bundling.exclude", problems)

    _check_patterns(slim.patterns, "slim.patterns", problems)
    _check_patterns(slim.keep, "slim.keep", problems)
    _check_patterns(slim.strip_exclude, "slim.strip_exclude", problems)
    unknown = sorted(set(slim.disable_rules) - set(rule_names()))
    if unknown:
        problems.append(f"slim.disable_rules: unknown rule(s) {unknown}; rules are "
                        f"{', '.join(rule_names())}")
    problems += _not_one_of("slim.bytecode", slim.bytecode, BYTECODE_MODES)
    if limits.unzipped_bytes <= 0 or limits.zipped_bytes <= 0:
        problems.append("size_limits: limits must be positive byte counts")

    if problems:
        raise ConfigurationError(where, problems)
    assert arch is not None and plan is not None
    bundling = replace(bundling, remote_cache=remote)
    if extra := output_excludes(entry_abs, output_dirs):
        bundling = replace(bundling, exclude=(*bundling.exclude, *extra))
    build = (dockerfile_build(bundling.dockerfile, bundling.build_args)
             if bundling.dockerfile else None)
    request = BuildRequest(entry=entry_abs, runtime=runtime, architecture=arch,
                           image=build.tag if build else image, image_build=build,
                           plan=plan, bundling=bundling, slim=slim, limits=limits, label=label,
                           prefix=prefix, copy_sources=copy_sources, layers=layers,
                           extra_sources=extras,
                           strict_layer_versions=strict_layer_versions,
                           handler_module=module if check_index else "")
    return request, f"{module}.{handler}"


