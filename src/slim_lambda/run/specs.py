"""The one translation of a request into stage specs.

Options reach the pipeline here and nowhere else: :class:`SlimOptions` as the user gave
them, the install settings from the plan, the target and the paths as the runner's
:meth:`~slim_lambda.run.runners.StageRunner.view` shows them to the pipeline.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from ..pipeline.spec import AssembleSpec, DepsSpec, InstallSettings
from ..plan.installer import InstallerChoice
from ..plan.request import BuildRequest, Target
from ..platform import python_platform
from .credentials import without_userinfo
from .runners import Mounts

__all__ = ["assemble_spec", "deps_spec", "requirements_file"]

WRITTEN_REQUIREMENTS = "requirements.txt"


def requirements_file(request: BuildRequest, work: str, more: Sequence[str] = ()
                      ) -> str | None:
    """Where the requirements are, relative to a stage's mounts: ``@entry/…`` for a
    requirements file read in place (its ``-r``/``-c`` includes resolve next to it), else a
    file written into ``work`` for a lock file's pinned closure or a pyproject's
    dependencies, ``more`` lines after them. None: nothing to install."""
    plan = request.plan
    if plan.kind == "requirements.txt" and plan.manifest:
        return f"@entry/{plan.manifest}"
    text = plan.requirements + "".join(f"{line}\n" for line in more)
    if text.strip():
        with open(os.path.join(work, WRITTEN_REQUIREMENTS), "w", encoding="utf-8") as f:
            f.write(text)
        return WRITTEN_REQUIREMENTS
    return None


def _seen(requirements: str | None, seen: Mounts) -> str | None:
    if requirements is None:
        return None
    if requirements.startswith("@entry/"):
        return f"{seen.entry}/{requirements.removeprefix('@entry/')}"
    return f"{seen.work}/{requirements}"


def _labels(request: BuildRequest) -> dict[str, str]:
    return {"function": request.label} if request.label else {}


def deps_spec(request: BuildRequest, target: Target, seen: Mounts, requirements: str | None,
              imports: list[str], *, installer: InstallerChoice,
              source_trees: tuple[tuple[str, str], ...] = (),
              packages: tuple[str, ...] = ()) -> DepsSpec:
    """Stage 1: install, slim, strip, compile, verify, measure the dependencies."""
    b, plan = request.bundling, request.plan
    local = target.mode == "local"
    install = InstallSettings(
        requirements_file=_seen(requirements, seen), require_hashes=plan.require_hashes,
        no_deps=plan.no_deps,
        project_dir=f"{seen.entry}/{plan.project}" if plan.project else None,
        source_trees=source_trees, packages=packages, git=plan.git,
        before_install=tuple(b.before_install), after_install=tuple(b.after_install),
        entry_dir=seen.entry,
        installer=installer.installer, pip_fallback=installer.pip_fallback,
        uv=seen.uv if installer.installer == "uv" else "", uv_interpreter=not local,
        uv_links=seen.uv_links,
        python_platform=target.python_platform or python_platform(request.runtime,
                                                                 request.architecture),
        # credential-free: the logins reach the installer in a netrc file (.credentials)
        index_url=without_userinfo(b.index_url) if b.index_url else None,
        extra_index_urls=tuple(map(without_userinfo, b.extra_index_urls)),
        find_links=tuple(map(without_userinfo, seen.find_links)), no_index=b.no_index)
    return DepsSpec(
        runtime=request.runtime, architecture=request.architecture, output_dir=seen.output,
        work_dir=seen.work, held_dir=seen.held,
        image=request.image if not local else target.image_id,
        labels=_labels(request), slim=request.slim, install=install,
        can_compile=target.can_compile, can_import=target.can_import,
        can_strip=target.can_strip,
        exclude_distributions={k: v for layer in request.layers
                               for k, v in layer.packages.items()},
        provided=tuple(b.provided),
        layer_paths=seen.layers, handler_imports=tuple(imports),
        zip_sizes=False)  # the host estimates them, then measures them with node


def assemble_spec(request: BuildRequest, seen: Mounts, *, image: str, sources: bool,
                  can_compile: bool, can_import: bool, imports: list[str]) -> AssembleSpec:
    """Stage 2: the cached tree and the function's sources into the asset."""
    return AssembleSpec(
        runtime=request.runtime, architecture=request.architecture, output_dir=seen.output,
        work_dir=seen.work, image=image, labels=_labels(request), slim=request.slim,
        deps_dir=seen.deps, deps_meta=seen.deps_meta, source_dir=seen.entry if sources else "",
        exclude=request.bundling.exclude, prefix=request.prefix,
        extra_sources=tuple((s.dest, seen_dir) for s, seen_dir
                            in zip(request.extra_sources, seen.extra_sources, strict=True)),
        unzipped_budget=request.limits.unzipped_bytes - request.layer_bytes,
        can_compile=can_compile, can_import=can_import, layer_paths=seen.layers,
        handler_imports=tuple(imports))
