"""Running the two stages: pick the runner, lay out the mounts, write the spec, run.

- deps: in the build image (Docker mode) or with uv on this host (local mode), into the
  cache's staging tree; the only stage given the SSH agent (``bundling.ssh``);
- assemble: on this host when its Python can compile for the runtime and no import probe
  needs the image, else in the image with no network.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, TypeVar

from ..pipeline.imports import probe_key
from ..pipeline.spec import HELD
from ..plan.installer import InstallerChoice, choose_installer
from ..plan.request import BuildRequest
from . import uvbin
from .container_spec import UnseenMount
from .gitpins import git_urls
from .pathdeps import local_paths, path_packages, write_flat_requirements
from .runners import ContainerRunner, InProcessRunner, Mounts, StageRunner, SubprocessRunner
from .session import Session
from .specs import assemble_spec, deps_spec, requirements_file
from .sshagent import SshAgent, ssh_agent
from .target import host_python
from .workdir import work_dir

__all__ = ["assemble", "build_deps"]

T = TypeVar("T")


def _container(session: Session, ssh: SshAgent | None = None) -> ContainerRunner:
    b = session.request.bundling
    # by ID: what runs is the image the deps key names, whatever the tag points to now
    return ContainerRunner(docker=session.docker, image=session.target.image_id,
                           platform=session.request.platform, env=session.env,
                           timeout_seconds=b.timeout_seconds, memory_bytes=b.memory_bytes,
                           log=session.progress, file_access=session.file_access(), ssh=ssh)


def _ssh(request: BuildRequest) -> SshAgent | None:
    """The agent for the deps stage, when asked (checked again: the socket may be gone)."""
    return ssh_agent(request.bundling, os.environ, request.label or request.entry,
                     git_urls(request))


def _layers(session: Session) -> tuple[str, ...]:
    return tuple(str(layer.python_dir) for layer in session.request.layers if layer.python_dir)


def _again_by_copy(session: Session, stage: Callable[[], T]) -> T:
    """``stage()``; once more, by copy, when its container did not see this host's files
    and ``auto`` had only assumed it would (nothing ran in it, nothing was written)."""
    try:
        return stage()
    except UnseenMount:
        if not session.unseen():
            raise
        return stage()


def build_deps(session: Session, tree: str, imports: list[str]) -> dict[str, Any]:
    """Stage 1 into ``tree``; returns the deps meta, without zip shares yet."""
    return _again_by_copy(session, lambda: _build_deps(session, tree, imports))


def _build_deps(session: Session, tree: str, imports: list[str]) -> dict[str, Any]:
    request = session.request
    runner: StageRunner
    choice, uv = _installer(session)
    uv_cache = ""
    if session.mode == "docker":
        runner = _container(session, _ssh(request))
        pip_cache = session.cache.pip_cache
        uv_cache = session.cache.uv_cache if uv else ""
    else:
        runner = SubprocessRunner(env=session.env,
                                  timeout_seconds=request.bundling.timeout_seconds,
                                  pip_cache=session.cache.pip_cache,
                                  uv_cache=session.cache.uv_cache, log=session.progress,
                                  ssh=_ssh(request))
        pip_cache = ""
    paths = local_paths(request)
    if request.plan.kind == "requirements.txt" and session.mode != "docker" \
            and not request.git_pins:
        paths = None  # uv on this host reads the file and its paths where they are
    with work_dir() as work:
        mounts = Mounts(entry=request.entry, work=work, output=tree,
                        held=os.path.join(os.path.dirname(tree), HELD), pip_cache=pip_cache,
                        uv=uv, uv_cache=uv_cache,
                        find_links=request.bundling.find_links, layers=_layers(session),
                        paths=paths or ())
        seen = runner.view(mounts)
        trees: tuple[tuple[str, str], ...] = ()
        packages: tuple[str, ...] = ()
        if paths is None:
            requirements = requirements_file(request, work)
        elif request.plan.kind == "requirements.txt":  # the container sees mounts only
            requirements, trees = write_flat_requirements(request, mounts, seen, work)
        elif request.plan.no_deps:  # a lock's path packages, installed after its closure
            requirements, trees = requirements_file(request, work), path_packages(seen)
            packages = tuple(mounted for mounted, _copy in trees)
        else:  # a pyproject.toml's path sources: resolved with its requirements
            trees = path_packages(seen)
            requirements = requirements_file(request, work, [copy for _m, copy in trees])
        spec = deps_spec(request, session.target, seen, requirements, imports,
                         installer=choice, source_trees=trees, packages=packages)
        meta = runner.run(spec, mounts, network=request.bundling.network)
        if choice.notice:
            meta.setdefault("notices", []).append(choice.notice)
        return meta


def _installer(session: Session) -> tuple[InstallerChoice, str]:
    """uv or pip for the deps stage (:func:`choose_installer`), and uv's executable on this
    host (the target architecture's in Docker mode, fetched once when it is another)."""
    request = session.request
    if session.mode == "docker":
        uv = "" if request.bundling.installer == "pip" else (
            uvbin.uv_for(request.architecture, session.cache.pip_cache, session.progress) or "")
    else:
        uv = uvbin.host_uv()
    choice = choose_installer(request.bundling.installer, session.mode, uv_available=bool(uv),
                              resolution=request.resolution, builds=_built_from_source(request))
    return choice, uv if choice.installer == "uv" else ""


def _built_from_source(request: BuildRequest) -> str:
    """What the requirements file names that is always built (and that uv, installing
    wheels only in the image, would refuse): git requirements, project directories. A
    lock's path packages are installed after its closure, by either installer."""
    if request.git_pins:
        return "git requirements"
    if request.plan.kind == "requirements.txt" and not request.plan.paths and any(
            os.path.isdir(p) for p in local_paths(request) or ()):
        return "project directories"
    return ""


def assemble(session: Session, tree: str, meta_path: str, meta: dict[str, Any],
             output_dir: str, imports: list[str]) -> dict[str, Any]:
    """Stage 2 into ``output_dir``; returns the asset's report."""
    return _again_by_copy(session, lambda: _assemble(session, tree, meta_path, meta,
                                                     output_dir, imports))


def _assemble(session: Session, tree: str, meta_path: str, meta: dict[str, Any],
              output_dir: str, imports: list[str]) -> dict[str, Any]:
    request, target = session.request, session.target
    needs_probe = bool(imports) and probe_key(imports) not in meta.get("probes", {})
    on_host = target.mode == "local" or (host_python() == request.runtime and not (
        needs_probe and target.can_import))
    runner: StageRunner = InProcessRunner(log=session.progress) if on_host else _container(
        session)
    with work_dir() as work:
        mounts = Mounts(entry=request.entry, work=work, output=output_dir, deps=tree,
                        deps_meta=meta_path, layers=_layers(session),
                        extra_sources=tuple(s.path for s in request.extra_sources))
        spec = assemble_spec(
            request, runner.view(mounts), image=meta.get("image", ""),
            sources=session.copies_sources,
            can_compile=host_python() == request.runtime if on_host else True,
            can_import=(target.mode == "local" and target.can_import) if on_host else True,
            imports=imports)
        report = runner.run(spec, mounts, network="none")
    report["assembled_on"] = "host" if on_host else "image"
    return report
