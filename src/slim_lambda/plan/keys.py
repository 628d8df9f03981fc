"""The two identities of a build: the asset hash (what CDK names the asset by) and the
deps key (what the dependency cache is keyed on). Pure: they read files, never run them.

Neither ever hashes a secret: URLs are hashed redacted (``https://***@host/simple``: a new
password is the same build, a new index host another), dependency manifests as the asset
ships them (``secretfiles.redact_manifest``), and credential files not at all.

Both cover, by content, everything a requirements file makes pip read besides itself
(included and constraint files, local wheels and project directories, ``--find-links``
directories: :mod:`slim_lambda.manifests.inputs`) and ``bundling.find_links``
directories, so a changed pin in ``base.txt`` is a new deps key, not a cache hit."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict
from typing import Any

from ..errors import ConfigurationError
from ..manifests import InstallPlan
from ..manifests.inputs import requirement_inputs
from ..pipeline import __version__
from ..pipeline.redact import redact
from .content import hash_files, hash_input, hash_links
from .installer import uv_version
from .request import BuildRequest, Target

__all__ = ["deps_key", "fingerprint", "hash_files", "is_local_dir"]


def is_local_dir(link: str) -> bool:
    return "://" not in link and os.path.isdir(link)


def _install_options(request: BuildRequest) -> dict[str, Any]:
    b = request.bundling
    find_links: list[Any] = []
    for link in b.find_links:
        if is_local_dir(link):
            find_links.append(["dir", hash_links(link)])
        else:
            find_links.append(["url", redact(link)])
    return {
        "index_url": redact(b.index_url) if b.index_url else None,
        "extra_index_urls": [redact(u) for u in b.extra_index_urls],
        "find_links": find_links,
        "no_index": b.no_index,
        "provided": sorted(set(b.provided)),
        "git": sorted(redact(url) for url in request.git_pins.values()),
        "hooks": [[redact(c) for c in b.before_install], [redact(c) for c in b.after_install]],
        # uv and pip may resolve differently; a new uv may too (local mode always uses uv)
        "installer": [b.installer, None if b.installer == "pip" else uv_version()],
    }


def _plan_data(plan: InstallPlan, entry: str) -> dict[str, Any]:
    data: dict[str, Any] = {"kind": plan.kind, "requirements": redact(plan.requirements),
                            "require_hashes": plan.require_hashes, "no_deps": plan.no_deps,
                            "groups": list(plan.groups)}
    if plan.project:
        data["project"] = hash_files(os.path.join(entry, plan.project), ())
    if plan.git:  # each names its commit
        data["git"] = [redact(r) for r in plan.git]
    if plan.paths:
        data["paths"] = [[p, hash_files(os.path.join(entry, p), ())] for p in plan.paths]
    if plan.kind == "requirements.txt" and plan.manifest:
        found = requirement_inputs(entry, plan.manifest)
        if found.problems:  # resolve_request refuses these first
            raise ConfigurationError(entry, list(found.problems))
        data["inputs"] = [hash_input(item, entry) for item in found.inputs]
    return data


def _target_data(target: Target) -> dict[str, Any]:
    """The target as both hashes name it: the mode and image ID (Docker), or the uv
    platform and what this host can do right for the runtime (local)."""
    return {"mode": target.mode, "image": target.image_id, "platform": target.python_platform,
            "capabilities": [target.can_strip, target.can_compile, target.can_import]}


def fingerprint(request: BuildRequest) -> str:
    """The asset hash: sources, the handler module, the install plan, every option that
    changes the bundle, the pinned target (resolved mode; the image ID, or its tag marked
    absent; a local host's capabilities), the resolution settings of the environment, the
    layers and this library's version. Never credentials; of the environment only
    :attr:`BuildRequest.resolution`. Unpinned (the CLI), the requested mode and image tag."""
    h = hashlib.sha256()
    if request.copy_sources:
        h.update(hash_files(request.entry, request.bundling.exclude).encode())
    target = (_target_data(request.pinned) if request.pinned is not None else
              {"unpinned": [request.bundling.mode, request.image]})
    options = {
        "version": __version__,
        "runtime": request.runtime,
        "architecture": request.architecture,
        "target": target,
        "handler_module": request.handler_module,
        "resolution": dict(request.resolution),
        "plan": _plan_data(request.plan, request.entry),
        "install": _install_options(request),
        "exclude": list(request.bundling.exclude),
        "slim": asdict(request.slim),
        "unzipped_limit": request.limits.unzipped_bytes,
        "prefix": request.prefix,
        "copy_sources": request.copy_sources,
        "extra_sources": [[s.name, hash_files(s.path, request.bundling.exclude)]
                          for s in request.extra_sources],
        "layers": [[layer.label, layer.fingerprint, layer.unzipped_bytes if layer.declared
                    else None] for layer in request.layers],
    }
    h.update(json.dumps(options, sort_keys=True, default=list).encode())
    return h.hexdigest()


def deps_key(request: BuildRequest, target: Target) -> str:
    """Everything that changes the finished dependency tree, and nothing else: the
    target the build resolved at synth, the plan and its inputs, the install options,
    the environment's resolution settings, the slim options that act on dependencies,
    the layers' packages and this library's version."""
    s = request.slim
    data = {
        "version": __version__,
        "runtime": request.runtime,
        "architecture": request.architecture,
        "target": _target_data(target),
        "resolution": dict(request.resolution),
        "plan": _plan_data(request.plan, request.entry),
        "install": _install_options(request),
        "slim": {k: v for k, v in asdict(s).items() if k not in ("bytecode", "slim_user_code")},
        "layers": sorted(
            [sorted(layer.packages.items()), layer.fingerprint] for layer in request.layers
            if not layer.declared),
    }
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=list).encode()).hexdigest()
