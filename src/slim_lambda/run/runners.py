"""Three ways to run a pipeline stage, one contract: a spec in, a report (or a
:class:`BuildError`) out.

- :class:`ContainerRunner`: ``python -m slim_lambda.pipeline`` in the build image, with the
  host's directories bind-mounted at fixed paths (the only owner of that layout), or
  copied there through the Docker API (``file_access='copy'``, :mod:`.copying`);
- :class:`SubprocessRunner`: the same entry point with this host's Python (local mode),
  in its own process group under a watchdog, so a timeout or a killed synth ends the
  installer too;
- :class:`InProcessRunner`: :func:`~slim_lambda.pipeline.pipeline.run_stage` directly
  (assembling a cached tree on a host whose Python is the runtime's).

A runner translates :class:`Mounts` (host paths) into the paths the pipeline sees
(:meth:`view`); the spec is then written with those.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pathspec

from .. import pipeline as pipeline_pkg
from ..pipeline.errors import BuildError
from ..pipeline.pipeline import run_stage
from ..pipeline.spec import AssembleSpec, DepsSpec
from ..plan.keys import is_local_dir
from .access import ssh_copy_error, unseen_error
from .archive import Share
from .container import DockerRunner
from .container_spec import ContainerRun, UnseenMount, Volume
from .copying import CopiedStage, cache_volume, user_id
from .credentials import write_credentials
from .engine import engine_host
from .environment import BuildEnvironment
from .sshagent import SshAgent, container_forwarding, ssh_command
from .workdir import write_private

__all__ = ["ContainerRunner", "InProcessRunner", "Mounts", "StageRunner", "SubprocessRunner"]

Log = Callable[[str], None]
Spec = DepsSpec | AssembleSpec

TOOLS = "/slim-lambda"
LIB = f"{TOOLS}/lib"
CA = f"{TOOLS}/ca-bundle.pem"
CONTAINER = dict(entry="/asset-input", output="/asset-output", work=f"{TOOLS}/work",
                 deps=f"{TOOLS}/deps", deps_meta=f"{TOOLS}/deps-meta.json",
                 pip_cache=f"{TOOLS}/pip-cache", uv=f"{TOOLS}/bin/uv",
                 uv_cache=f"{TOOLS}/uv-cache")
"""Where each host directory appears in the build container."""
STAGING = f"{TOOLS}/staging"
"""The output's parent, when the deps stage holds removed files beside the output."""
BUILD = f"{TOOLS}/build"
"""The cache's build directory, when the output's parent and uv's cache are both in it
(:class:`~slim_lambda.run.cache.DepsCache`): one mount, so uv hard-links from its cache."""
CA_VARIABLES = ("PIP_CERT", "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE")


@dataclass(frozen=True)
class Mounts:
    """The directories a stage reads and writes, as host paths (or, after
    :meth:`StageRunner.view`, as the pipeline sees them). Empty: not used."""

    entry: str
    work: str
    output: str
    held: str = ""
    """The deps stage's holding directory: a sibling of ``output``, seen in the same mount,
    so that holding a removed file is a rename (across two mounts it is a copy)."""
    deps: str = ""
    deps_meta: str = ""
    pip_cache: str = ""
    uv: str = ""
    """The uv executable the deps stage runs (read only); empty: pip installs."""
    uv_cache: str = ""
    uv_links: bool = False
    """As the stage sees them: ``uv_cache`` is in the output's mount, so uv hard-links the
    files it installs from its cache (:meth:`ContainerRunner.view`)."""
    find_links: tuple[str, ...] = ()
    """As the user gave them: URLs, or host directories."""
    layers: tuple[str, ...] = ()
    """The layers' ``python/`` directories."""
    extra_sources: tuple[str, ...] = ()
    """``bundling.extra_sources`` directories, in the request's order (read only)."""
    paths: tuple[str, ...] = ()
    """What the requirements name by path (project directories, wheels, find-links
    directories), absolute, read only (:mod:`slim_lambda.run.pathdeps`)."""


class StageRunner:
    """Runs a stage; :meth:`view` says where the pipeline sees the mounts."""

    where = "this host"

    def view(self, mounts: Mounts) -> Mounts:
        return dataclasses.replace(mounts, find_links=tuple(
            os.path.realpath(x) if is_local_dir(x) else x for x in mounts.find_links))

    def run(self, spec: Spec, mounts: Mounts, *, network: str = "none") -> dict[str, Any]:
        raise NotImplementedError


def _parent(output: str, held: str) -> str:
    parent = os.path.dirname(os.path.abspath(output))
    if os.path.dirname(os.path.abspath(held)) != parent:
        raise ValueError(f"the holding directory {held} is not beside the output {output}")
    return parent


def _build_dir(mounts: Mounts) -> str:
    """The directory holding both the output's parent (its staging directory, with the
    held files) and uv's cache, or "" when there is none: mounted whole, it is one file
    system to ``link``."""
    if not (mounts.held and mounts.uv_cache):
        return ""
    staging = _parent(mounts.output, mounts.held)
    build = os.path.dirname(staging)
    return build if os.path.dirname(os.path.abspath(mounts.uv_cache)) == build else ""


def package_dir() -> str:
    """This library's package directory: mounted whole, so the pipeline has one import name
    (``slim_lambda.pipeline``) in the image and on the host; its ``__init__`` loads no CDK."""
    return os.path.dirname(os.path.dirname(pipeline_pkg.__file__))


def _write_inputs(spec: Spec, work: str, env: BuildEnvironment) -> None:
    """The spec (its URLs without credentials) and, for the installer only, the index
    logins and the private variables: all ``0600`` in the ``0700`` work directory
    (:mod:`.credentials`, :mod:`.workdir`)."""
    write_private(os.path.join(work, "spec.json"), spec.to_json())
    write_credentials(work, env.logins if isinstance(spec, DepsSpec) else (),
                      env.private_variables)


def read_result(work: str, where: str, logs: str, exit_code: int, oom: bool,
                clean: Callable[[str], str]) -> dict[str, Any]:
    """The stage's ``result.json``: its report, or its error raised (secrets redacted)."""
    result_path = os.path.join(work, "result.json")
    if not os.path.exists(result_path):
        tail = "\n".join(clean(logs).strip().splitlines()[-20:])
        why = ("it was killed (SIGKILL), most likely for running out of memory: raise "
               "bundling.memory_bytes or the memory Docker may use" if oom else
               f"it exited with code {exit_code}")
        raise BuildError("container", f"the build in {where} stopped before writing a "
                         f"result: {why}", details=tail)
    with open(result_path, encoding="utf-8") as f:
        data = json.load(f)
    if "error" in data:
        error = BuildError.from_json(data["error"])
        raise BuildError(error.step, clean(error.reason), details=clean(error.details))
    report: dict[str, Any] = data["report"]
    return report


@dataclass
class ContainerRunner(StageRunner):
    """A stage in the build image. Runs as the invoking user (who owns the ``0700`` work
    directory, :meth:`DockerRunner.container_user`); the entry, the pipeline, the
    CA bundle, find-links directories, layers and a finished tree are mounted read-only."""

    docker: DockerRunner
    image: str
    platform: str
    env: BuildEnvironment
    timeout_seconds: int
    memory_bytes: int | None
    log: Log
    file_access: str = "bind"
    """``bind`` or ``copy`` (:mod:`.access`)."""
    ssh: SshAgent | None = None
    """The SSH agent to forward: the deps stage's runner only (:mod:`.sshagent`)."""

    @property
    def where(self) -> str:  # type: ignore[override]
        return self.image

    def _build(self, mounts: Mounts) -> str:
        """The build directory to mount whole (bind mounts only: copied, it would carry
        the uv cache both ways), or ""."""
        return _build_dir(mounts) if self.file_access == "bind" else ""

    def view(self, mounts: Mounts) -> Mounts:
        output, held = CONTAINER["output"], ""
        uv_cache = CONTAINER["uv_cache"] if mounts.uv_cache else ""
        build = self._build(mounts)
        if build:  # staging and uv's cache in one mount: the build directory
            staging = f"{BUILD}/{os.path.basename(os.path.dirname(mounts.output))}"
            output = f"{staging}/{os.path.basename(mounts.output)}"
            held = f"{staging}/{os.path.basename(mounts.held)}"
            uv_cache = f"{BUILD}/{os.path.basename(mounts.uv_cache)}"
        elif mounts.held:  # both in one mount: their parent
            output = f"{STAGING}/{os.path.basename(mounts.output)}"
            held = f"{STAGING}/{os.path.basename(mounts.held)}"
        return Mounts(
            **{name: (path if getattr(mounts, name) else "") for name, path in CONTAINER.items()
               if name not in ("output", "uv_cache")}, output=output, held=held,
            uv_cache=uv_cache, uv_links=bool(build),
            find_links=tuple(f"{TOOLS}/find-links/{i}" if is_local_dir(link) else link
                             for i, link in enumerate(mounts.find_links)),
            layers=tuple(f"{TOOLS}/layers/{i}" for i in range(len(mounts.layers))),
            extra_sources=tuple(f"{TOOLS}/extra/{i}" for i in range(len(mounts.extra_sources))),
            # a file keeps its name: pip reads a wheel's name and version from it
            paths=tuple(f"{TOOLS}/paths/{i}" + (f"/{os.path.basename(p)}"
                                                 if os.path.isfile(p) else "")
                        for i, p in enumerate(mounts.paths)))

    def shares(self, mounts: Mounts) -> list[Share]:
        """Every host path the stage sees, absolute (Docker refuses relative sources, and
        a relative ``cdk.App(outdir=...)`` gives relative layer directories)."""
        seen = self.view(mounts)
        build = self._build(mounts)
        writable = {"work", "output", "pip_cache", "uv_cache"}
        shares = [Share(os.path.abspath(getattr(mounts, name)), getattr(seen, name),
                        writable=name in writable, sources_only=name == "entry")
                  for name in CONTAINER if getattr(mounts, name)
                  and not (name == "output" and mounts.held)
                  and not (name == "uv_cache" and build)]
        if build:
            shares.append(Share(build, BUILD, writable=True))
        elif mounts.held:
            shares.append(Share(_parent(mounts.output, mounts.held), STAGING, writable=True))
        shares += [Share(package_dir(), f"{LIB}/{os.path.basename(package_dir())}"),
                   Share(os.path.dirname(pathspec.__file__), f"{LIB}/pathspec")]
        shares += [Share(os.path.realpath(link), target) for link, target
                   in zip(mounts.find_links, seen.find_links, strict=True) if link != target]
        shares += [Share(os.path.abspath(layer), target)
                   for layer, target in zip(mounts.layers, seen.layers, strict=True)]
        shares += [Share(source, target, sources_only=True) for source, target
                   in zip(mounts.extra_sources, seen.extra_sources, strict=True)]
        shares += [Share(source, target, sources_only=os.path.isdir(source)) for source, target
                   in zip(mounts.paths, seen.paths, strict=True)]
        if self.env.ca_bundle:
            shares.append(Share(self.env.ca_bundle, CA))
        return shares

    def volumes(self, mounts: Mounts) -> list[Volume]:
        """The shares as bind mounts."""
        return [Volume(s.source, s.target, not s.writable) for s in self.shares(mounts)]

    def environment(self, mounts: Mounts) -> dict[str, str]:
        env = self.env.public_variables  # the private ones: a file (:func:`_write_inputs`)
        env.update({"PYTHONPATH": LIB, "PYTHONUNBUFFERED": "1",
                    "HOME": f"{CONTAINER['work']}/home"})
        if self.env.ca_bundle:
            env.update(dict.fromkeys(CA_VARIABLES, CA))
        if mounts.pip_cache:
            env["PIP_CACHE_DIR"] = CONTAINER["pip_cache"]
        if mounts.uv_cache:
            env["UV_CACHE_DIR"] = self.view(mounts).uv_cache
        return env

    def run(self, spec: Spec, mounts: Mounts, *, network: str = "none") -> dict[str, Any]:
        _write_inputs(spec, mounts.work, self.env)
        work = CONTAINER["work"]
        user = self.docker.container_user()
        copied: CopiedStage | None = None
        if self.file_access == "copy":
            seen = self.view(mounts)
            caches = {name: getattr(mounts, name) for name in ("pip_cache", "uv_cache")}
            copied = CopiedStage(
                shares=[s for s in self.shares(mounts)
                        if s.target not in {CONTAINER[name] for name in caches}],
                uid=user_id(user), work=(mounts.work, seen.work),
                output=(mounts.output, seen.output))
            # the download caches live with the engine, a volume each
            volumes = [Volume(cache_volume(name, copied.uid), CONTAINER[name], False, "volume")
                       for name, used in caches.items() if used]
        else:
            volumes = self.volumes(mounts)
        run = ContainerRun(
            image=self.image, platform=self.platform,
            command=("python3", "-m", pipeline_pkg.__name__, f"{work}/spec.json",
                     f"{work}/result.json"),
            volumes=tuple(volumes), environment=self.environment(mounts), user=user,
            network=network, timeout_seconds=self.timeout_seconds,
            memory_bytes=self.memory_bytes,
            transfer=copied.transfer() if copied is not None else None,
            # bound: it must see the work directory's spec before anything runs in it
            expects=f"{work}/spec.json" if copied is None else "")
        if self.ssh is not None:
            if copied is not None:
                raise ssh_copy_error(engine_host(os.environ).host)
            forwarded, variables = container_forwarding(self.ssh, TOOLS, run.user, mounts.work)
            run = dataclasses.replace(run, volumes=run.volumes + tuple(forwarded),
                                      environment={**run.environment, **variables})
        try:
            result = self.docker.run(run, log=self.log)
        except UnseenMount as e:
            raise unseen_error(engine_host(os.environ).host, f"no {e} there") from e
        report = read_result(mounts.work, self.where, result.logs, result.exit_code,
                             result.oom_killed, self.env.redact)
        if copied is not None:
            report.setdefault("steps", []).extend(copied.steps)
        return report


def lib_path() -> str:
    """A PYTHONPATH that imports ``slim_lambda.pipeline`` and pathspec."""
    return os.pathsep.join(sorted({os.path.dirname(package_dir()),
                                   os.path.dirname(os.path.dirname(pathspec.__file__))}))


# The session leader of a local stage: runs the stage and, when its stdin closes (the
# process that started it is gone, even SIGKILLed), kills its whole process group: the
# installer, the verify and probe interpreters. The local twin of the container's watchdog.
GROUP_WATCHDOG = (
    "import os, signal, subprocess, sys, threading\n"
    "child = subprocess.Popen(sys.argv[1:], stdin=subprocess.DEVNULL)\n"
    "def watch():\n"
    "    while os.read(0, 4096):\n"
    "        pass\n"
    "    os.killpg(0, signal.SIGKILL)\n"
    "threading.Thread(target=watch, daemon=True).start()\n"
    "code = child.wait()\n"
    "sys.exit(128 - code if code < 0 else code)\n")


@dataclass
class SubprocessRunner(StageRunner):
    """A stage with this host's Python (local mode), in its own process group, killed with
    it after ``timeout_seconds`` or when this process dies (:data:`GROUP_WATCHDOG`)."""

    env: BuildEnvironment
    timeout_seconds: int
    pip_cache: str
    uv_cache: str
    log: Log
    ssh: SshAgent | None = None
    """Set: this host's agent is used as is, host keys checked (:mod:`.sshagent`)."""

    def environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("PYTHON", "PIP_", "UV_"))}
        env.update(self.env.public_variables)
        env.update({"PYTHONUNBUFFERED": "1", "PIP_CACHE_DIR": self.pip_cache,
                    "UV_CACHE_DIR": self.uv_cache, "PYTHONPATH": lib_path()})
        if self.env.ca_bundle:
            env.update(dict.fromkeys(CA_VARIABLES, self.env.ca_bundle))
        if self.ssh is not None:
            env["GIT_SSH_COMMAND"] = ssh_command(self.ssh.known_hosts)
        return env

    def run(self, spec: Spec, mounts: Mounts, *, network: str = "none") -> dict[str, Any]:
        work = mounts.work
        _write_inputs(spec, work, self.env)
        proc = subprocess.Popen(
            [sys.executable, "-c", GROUP_WATCHDOG, sys.executable, "-m",
             pipeline_pkg.__name__, os.path.join(work, "spec.json"),
             os.path.join(work, "result.json")], env=self.environment(),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            cwd=work, start_new_session=True)
        lines: list[str] = []
        output = proc.stdout
        assert output is not None

        def follow() -> None:
            for line in output:
                lines.append(line)
                self.log(line)

        reader = threading.Thread(target=follow, daemon=True)
        reader.start()
        try:
            code = proc.wait(timeout=self.timeout_seconds)
        except subprocess.TimeoutExpired:
            raise BuildError("local", f"the build did not finish within "
                             f"{self.timeout_seconds} s and was stopped",
                             details="Raise bundling.timeout_seconds if it needs longer.") from None
        finally:  # the installer too: it runs in the build's own process group
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
            with contextlib.suppress(OSError):
                assert proc.stdin is not None
                proc.stdin.close()
        reader.join(timeout=10)
        return read_result(work, self.where, "".join(lines), code, False, self.env.redact)


@dataclass
class InProcessRunner(StageRunner):
    """A stage in this process: assembling needs no isolation when nothing is imported."""

    log: Log

    def run(self, spec: Spec, mounts: Mounts, *, network: str = "none") -> dict[str, Any]:
        try:
            return run_stage(spec, log=self.log)
        except OSError as e:
            raise BuildError.from_os_error(spec.stage, e) from e
