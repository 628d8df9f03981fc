"""From options to a built, measured, checked asset.

:class:`BuildRequest` is the resolved plan (pure data). :func:`build` runs the
two pipeline stages (:mod:`slim_lambda.pipeline`): the dependency tree, from the
cache when an identical one was built before, else in the build image (Docker
mode) or on this host with uv (local mode); then the asset, on the host when its
Python can compile for the runtime, else in the image. It reads the report back
and checks the limits. No CDK here: the CLI uses it as is, and
:mod:`slim_lambda.cdk.staging` wraps it as CDK's ``ILocalBundling``.
"""

from __future__ import annotations

import contextlib
import fnmatch
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

import pathspec

from .. import pipeline as pipeline_pkg
from ..errors import ConfigurationError
from ..options import MODES
from ..pipeline.errors import BuildError
from ..pipeline.imports import handler_imports, probe_key
from ..pipeline.pipeline import run_stage
from ..pipeline.redact import redact
from ..pipeline.sizes import END_RECORD, PYTHON_ZLIB, entry_sizes, zip_share
from ..pipeline.sources import list_sources
from ..pipeline.spec import TREE_FINAL, AssembleSpec, DepsSpec
from ..pipeline.tree import iter_files
from ..plan.keys import deps_key, fingerprint, is_local_dir
from ..plan.request import BuildRequest, LayerShare, Target
from ..platform import ARCHITECTURES, RUNTIMES, host_architecture
from ..report.finish import finish_report, report_path_for
from . import zipsize
from .cache import CacheEntry, DepsCache, default_cache_dir
from .container import ContainerRun, DockerRunner, Volume

__all__ = ["BuildRequest", "LayerShare", "build", "fingerprint", "report_path_for"]

Log = Callable[[str], None]

IN = "/asset-input"
OUT = "/asset-output"
TOOLS = "/slim-lambda"
WORK = f"{TOOLS}/work"
LIB = f"{TOOLS}/lib"
DEPS = f"{TOOLS}/deps"
DEPS_META = f"{TOOLS}/deps-meta.json"
PIP_CACHE = f"{TOOLS}/pip-cache"
CA = f"{TOOLS}/ca-bundle.pem"
MODE_ENV = "SLIM_LAMBDA_MODE"
PROGRESS_ENV = "SLIM_LAMBDA_PROGRESS"
SECRET_NAME = ("PASSWORD", "TOKEN", "SECRET", "AUTH", "CREDENTIAL", "_KEY")


def stderr_log(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


# -- where and how the stages run ------------------------------------------------------------

def _host_minor() -> str:
    return f"python{sys.version_info.major}.{sys.version_info.minor}"


def resolve_mode(request: BuildRequest, runner: DockerRunner) -> str:
    mode = os.environ.get(MODE_ENV) or request.bundling.mode
    if mode not in MODES:
        raise ConfigurationError(MODE_ENV, [f"{mode!r} is not one of {', '.join(MODES)}"])
    if mode == "auto":
        return "docker" if runner.available() else "local"
    return mode


def _target(request: BuildRequest, mode: str, runner: DockerRunner, log: Log) -> Target:
    if mode == "docker":
        image_id = runner.ensure_image(request.image, request.platform, log)
        return Target("docker", image_id, True, True, True)
    machine = ARCHITECTURES[request.architecture].wheel_machine
    py_platform = f"{machine}-manylinux_{RUNTIMES[request.runtime].uv_glibc}"
    host = host_architecture()
    same_machine = host is not None and host.name == request.architecture
    linux = sys.platform.startswith("linux")
    same_python = _host_minor() == request.runtime
    return Target("local", f"local:{py_platform}",
                  can_strip=linux and same_machine and shutil.which("strip") is not None,
                  can_compile=same_python, can_import=linux and same_machine and same_python,
                  python_platform=py_platform)


def _secrets(request: BuildRequest, env: Mapping[str, str]) -> list[str]:
    found = []
    b = request.bundling
    for url in [b.index_url or "", *b.extra_index_urls, *b.find_links, *env.values()]:
        if "://" in url and "@" in url:
            userinfo = url.split("://", 1)[1].split("@", 1)[0]
            found += [p for p in userinfo.split(":") if len(p) >= 4]
    for name, value in env.items():
        if any(s in name.upper() for s in SECRET_NAME) and len(value) >= 4:
            found.append(value)
    return sorted(set(found), key=len, reverse=True)


def make_redactor(secrets: list[str]) -> Callable[[str], str]:
    def clean(text: str) -> str:
        text = redact(text)
        for secret in secrets:
            text = text.replace(secret, "***")
        return text
    return clean


def passthrough_environment(request: BuildRequest) -> dict[str, str]:
    """The host variables the install sees: ``bundling.pass_environment`` patterns, then
    ``bundling.environment``. Never part of the asset hash or the report."""
    env = {}
    for name, value in os.environ.items():
        if any(fnmatch.fnmatchcase(name, p) for p in request.bundling.pass_environment):
            env[name] = value
    env.update(request.bundling.environment)
    for name in ("PIP_CERT", "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "PIP_CACHE_DIR",
                 "PIP_TARGET", "UV_CACHE_DIR"):
        env.pop(name, None)
    return env


def ca_bundle(request: BuildRequest) -> str | None:
    """The CA bundle to forward: the option, else ``SLIM_LAMBDA_CA_BUNDLE``, else the
    host's own pip/SSL setting (a user behind a TLS proxy already has it set)."""
    for candidate in (request.bundling.ca_bundle, os.environ.get("SLIM_LAMBDA_CA_BUNDLE"),
                      os.environ.get("PIP_CERT"), os.environ.get("SSL_CERT_FILE")):
        if candidate and os.path.isfile(candidate):
            return os.path.realpath(candidate)
    return None


class _Builder:
    """One build: the resolved target, the cache, the logs."""

    def __init__(self, request: BuildRequest, runner: DockerRunner, log: Log) -> None:
        # first: node starts on another core while the rest is resolved and assembled
        self.deflater = zipsize.NodeDeflater()
        self.request = request
        self.runner = runner
        self.env = passthrough_environment(request)
        self.clean = make_redactor(_secrets(request, self.env))
        self._log = log
        self._started = time.monotonic()
        setting = os.environ.get(PROGRESS_ENV)
        self.show_progress = (setting != "0") if setting is not None else not os.environ.get("CI")
        try:
            self.mode = resolve_mode(request, runner)
            self.target = _target(request, self.mode, runner, self.log)
        except BaseException:
            self.deflater.close()
            raise
        b = request.bundling
        self._tmp_cache: str | None = None
        if b.cache:
            root = default_cache_dir(b.cache_dir)
        else:
            self._tmp_cache = root = tempfile.mkdtemp(prefix="slim-lambda-nocache-")
        self.cache = DepsCache(root, max_bytes=b.cache_max_bytes)

    def log(self, line: str) -> None:
        self._log(self.clean(line))

    def progress(self, line: str) -> None:
        """A step, a package being installed: with the elapsed time; quiet in CI unless
        ``SLIM_LAMBDA_PROGRESS=1``."""
        if self.show_progress and line.strip():
            elapsed = time.monotonic() - self._started
            label = self.request.label or os.path.basename(self.request.entry)
            self._log(self.clean(f"slim-lambda [{elapsed:5.1f}s {label}] {line.strip()}"))

    @property
    def copies_sources(self) -> bool:
        """A project installed as a package brings its code itself."""
        return self.request.copy_sources and not self.request.plan.project

    def close(self) -> None:
        self.deflater.close()
        if self._tmp_cache:
            shutil.rmtree(self._tmp_cache, ignore_errors=True)

    # -- container plumbing --

    def _volumes_env(self, work: str) -> tuple[list[Volume], dict[str, str], tuple[str, ...]]:
        request = self.request
        volumes = [
            Volume(request.entry, IN, True),
            Volume(work, WORK, False),
            Volume(_package_dir(), f"{LIB}/{_PACKAGE}", True),
            Volume(os.path.dirname(pathspec.__file__), f"{LIB}/pathspec", True),
        ]
        env = dict(self.env)
        env.update({"PYTHONPATH": LIB, "PYTHONUNBUFFERED": "1", "HOME": f"{WORK}/home"})
        ca = ca_bundle(request)
        if ca:
            volumes.append(Volume(ca, CA, True))
            env.update({"PIP_CERT": CA, "SSL_CERT_FILE": CA, "REQUESTS_CA_BUNDLE": CA})
        links = []
        for i, link in enumerate(request.bundling.find_links):
            if is_local_dir(link):
                target = f"{TOOLS}/find-links/{i}"
                volumes.append(Volume(os.path.realpath(link), target, True))
                links.append(target)
            else:
                links.append(link)
        for i, layer in enumerate(request.layers):
            if layer.python_dir:
                volumes.append(Volume(layer.python_dir, f"{TOOLS}/layers/{i}", True))
        return volumes, env, tuple(links)

    def _layer_paths(self, in_container: bool) -> tuple[str, ...]:
        return tuple(f"{TOOLS}/layers/{i}" if in_container else str(layer.python_dir)
                     for i, layer in enumerate(self.request.layers) if layer.python_dir)

    def _run_container(self, spec: DepsSpec | AssembleSpec, work: str, volumes: list[Volume],
                       env: dict[str, str], network: str) -> dict[str, Any]:
        request = self.request
        with open(os.path.join(work, "spec.json"), "w", encoding="utf-8") as f:
            f.write(spec.to_json())
        run = ContainerRun(
            image=request.image, platform=request.platform,
            command=("python3", "-m", pipeline_pkg.__name__, f"{WORK}/spec.json",
                     f"{WORK}/result.json"),
            volumes=tuple(volumes), environment=env,
            user=f"{os.getuid()}:{os.getgid()}" if hasattr(os, "getuid") else None,
            network=network, timeout_seconds=request.bundling.timeout_seconds,
            memory_bytes=request.bundling.memory_bytes)
        result = self.runner.run(run, log=self.progress)
        return self._read_result(work, result.logs, result.exit_code, result.oom_killed)

    def _read_result(self, work: str, logs: str, exit_code: int, oom: bool) -> dict[str, Any]:
        result_path = os.path.join(work, "result.json")
        if not os.path.exists(result_path):
            tail = "\n".join(self.clean(logs).strip().splitlines()[-20:])
            why = ("it was killed (SIGKILL), most likely for running out of memory: raise "
                   "bundling.memory_bytes or the memory Docker may use" if oom else
                   f"it exited with code {exit_code}")
            where = self.request.image if self.mode == "docker" else "this host"
            raise BuildError("container", f"the build in {where} stopped before writing a "
                             f"result: {why}", details=tail)
        with open(result_path, encoding="utf-8") as f:
            data = json.load(f)
        if "error" in data:
            error = BuildError.from_json(data["error"])
            raise BuildError(error.step, self.clean(error.reason),
                             details=self.clean(error.details))
        report: dict[str, Any] = data["report"]
        return report

    # -- stage 1 --

    def _deps_spec(self, output: str, work: str, links: tuple[str, ...], requirements: str | None,
                   in_container: bool, imports: list[str]) -> DepsSpec:
        r, b, s, t = self.request, self.request.bundling, self.request.slim, self.target
        plan = r.plan
        return DepsSpec(
            runtime=r.runtime, architecture=r.architecture, output_dir=output, work_dir=work,
            image=r.image if t.mode == "docker" else t.image_id, labels=self._labels(),
            can_compile=t.can_compile, can_import=t.can_import,
            requirements_file=requirements, require_hashes=plan.require_hashes,
            no_deps=plan.no_deps,
            project_dir=(f"{IN}/{plan.project}" if in_container else
                         os.path.join(r.entry, plan.project)) if plan.project else None,
            installer="pip" if t.mode == "docker" else "uv",
            uv=_uv_bin() if t.mode == "local" else "", python_platform=t.python_platform,
            index_url=b.index_url, extra_index_urls=b.extra_index_urls, find_links=links,
            no_index=b.no_index, slim=s.enabled, patterns=s.patterns,
            replace_defaults=s.replace_defaults, disable_rules=s.disable_rules, keep=s.keep,
            trim_dist_info="dist-info" not in s.disable_rules, strip=s.strip,
            can_strip=t.can_strip, strip_exclude=s.strip_exclude,
            bytecode=s.bytecode != "none", verify=s.verify, verify_skip=s.verify_skip,
            exclude_distributions={k: v for layer in r.layers for k, v in layer.packages.items()},
            layer_paths=self._layer_paths(in_container), handler_imports=tuple(imports),
            zip_sizes=self.deflater.engine() is None)

    def _labels(self) -> dict[str, str]:
        return {"function": self.request.label} if self.request.label else {}

    def build_deps(self, tree: str, imports: list[str]) -> dict[str, Any]:
        request = self.request
        work = tempfile.mkdtemp(prefix="slim-lambda-")
        try:
            os.chmod(work, 0o777)
            requirements = None
            in_entry = request.plan.kind == "requirements.txt" and request.plan.manifest
            if in_entry:  # read in place, so its -r / -c includes resolve next to it
                requirements = f"@entry/{request.plan.manifest}"
            elif request.plan.requirements.strip():
                with open(os.path.join(work, "requirements.txt"), "w", encoding="utf-8") as f:
                    f.write(request.plan.requirements)
                requirements = "requirements.txt"
            early = _EarlyShares(self.deflater, tree, os.path.join(work, TREE_FINAL))
            meta = None
            try:
                if self.mode == "docker":
                    volumes, env, links = self._volumes_env(work)
                    volumes += [Volume(tree, OUT, False),
                                Volume(self.cache.pip_cache, PIP_CACHE, False)]
                    env["PIP_CACHE_DIR"] = PIP_CACHE
                    spec = self._deps_spec(OUT, WORK, links, _place(requirements, IN, WORK),
                                           True, imports)
                    meta = self._run_container(spec, work, volumes, env,
                                               request.bundling.network)
                else:
                    links = tuple(os.path.realpath(x) if is_local_dir(x) else x
                                  for x in request.bundling.find_links)
                    spec = self._deps_spec(tree, work, links,
                                           _place(requirements, request.entry, work), False,
                                           imports)
                    meta = self._run_local(spec, work)
            finally:
                early.finish(meta)
            return meta
        finally:
            shutil.rmtree(work, ignore_errors=True)

    def _run_local(self, spec: DepsSpec | AssembleSpec, work: str) -> dict[str, Any]:
        """The same ``python -m`` entry point as in the image, with this host's Python."""
        with open(os.path.join(work, "spec.json"), "w", encoding="utf-8") as f:
            f.write(spec.to_json())
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "PIP_", "UV_"))}
        env.update(self.env)
        env.update({"PYTHONUNBUFFERED": "1", "PIP_CACHE_DIR": self.cache.pip_cache,
                    "UV_CACHE_DIR": self.cache.uv_cache, "PYTHONPATH": _lib_path()})
        ca = ca_bundle(self.request)
        if ca:
            env.update({"PIP_CERT": ca, "SSL_CERT_FILE": ca, "REQUESTS_CA_BUNDLE": ca})
        proc = subprocess.Popen(
            [sys.executable, "-m", pipeline_pkg.__name__, os.path.join(work, "spec.json"),
             os.path.join(work, "result.json")], env=env, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True, cwd=work, start_new_session=True)
        lines: list[str] = []
        output = proc.stdout
        assert output is not None

        def follow() -> None:
            for line in output:
                lines.append(line)
                self.progress(line)

        reader = threading.Thread(target=follow, daemon=True)
        reader.start()
        try:
            code = proc.wait(timeout=self.request.bundling.timeout_seconds)
        except subprocess.TimeoutExpired:
            raise BuildError("local", f"the build did not finish within "
                             f"{self.request.bundling.timeout_seconds} s and was stopped",
                             details="Raise bundling.timeout_seconds if it needs longer.") from None
        finally:  # the installer too: it runs in the build's own process group
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        reader.join(timeout=10)
        return self._read_result(work, "".join(lines), code, False)

    # -- stage 2 --

    def assemble(self, entry_tree: str, meta_path: str, meta: dict[str, Any], output_dir: str,
                 imports: list[str]) -> dict[str, Any]:
        r, t = self.request, self.target
        needs_probe = bool(imports) and probe_key(imports) not in meta.get("probes", {})
        on_host = t.mode == "local" or (_host_minor() == r.runtime and not (
            needs_probe and t.can_import))
        budget = r.limits.unzipped_bytes - r.layer_bytes
        common: dict[str, Any] = dict(
            runtime=r.runtime, architecture=r.architecture, image=meta.get("image", ""),
            labels=self._labels(), exclude=r.bundling.exclude,
            slim_user_code=r.slim.slim_user_code, patterns=r.slim.patterns,
            replace_defaults=r.slim.replace_defaults, disable_rules=r.slim.disable_rules,
            keep=r.slim.keep, prefix=r.prefix, bytecode=r.slim.bytecode,
            unzipped_budget=budget, handler_imports=tuple(imports))
        work = tempfile.mkdtemp(prefix="slim-lambda-")
        try:
            os.chmod(work, 0o777)
            if on_host:
                spec = AssembleSpec(
                    output_dir=output_dir, work_dir=work, deps_dir=entry_tree,
                    deps_meta=meta_path, source_dir=r.entry if self.copies_sources else "",
                    can_compile=_host_minor() == r.runtime,
                    can_import=t.mode == "local" and t.can_import,
                    layer_paths=self._layer_paths(False), **common)
                try:
                    report = run_stage(spec, log=self.progress)
                except OSError as e:
                    raise BuildError.from_os_error("assemble", e) from e
            else:
                volumes, env, _links = self._volumes_env(work)
                volumes += [Volume(output_dir, OUT, False), Volume(entry_tree, DEPS, True),
                            Volume(meta_path, DEPS_META, True)]
                spec = AssembleSpec(
                    output_dir=OUT, work_dir=WORK, deps_dir=DEPS, deps_meta=DEPS_META,
                    source_dir=IN if self.copies_sources else "", can_compile=True,
                    can_import=True, layer_paths=self._layer_paths(True), **common)
                report = self._run_container(spec, work, volumes, env, "none")
        finally:
            shutil.rmtree(work, ignore_errors=True)
        report["assembled_on"] = "host" if on_host else "image"
        return report


class _EarlyShares:
    """The tree's zip shares by the CDK CLI's zlib, measured while the deps stage still
    verifies the tree: node starts deflating when the stage marks the files final, on the
    core the import checks leave free. Used only if it deflated exactly the meta's files."""

    def __init__(self, deflater: zipsize.NodeDeflater, tree: str, marker: str) -> None:
        self._deflater = deflater
        self._stop = threading.Event()
        self._sizes: dict[str, int] | None = None
        self._seconds = 0.0
        self._thread: threading.Thread | None = None
        if deflater.engine() is not None:
            self._thread = threading.Thread(target=self._run, args=(tree, marker),
                                            daemon=True)
            self._thread.start()

    def _run(self, tree: str, marker: str) -> None:
        while not os.path.exists(marker):
            if self._stop.wait(0.1):
                return
        started = time.monotonic()
        self._sizes = self._deflater.sizes(tree, [rel for rel, _st in iter_files(tree)])
        self._seconds = round(time.monotonic() - started, 3)

    def finish(self, meta: dict[str, Any] | None) -> None:
        """Stop waiting for the marker; fill ``meta``'s shares when they were measured."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        sizes, engine = self._sizes, self._deflater.engine()
        if meta is None or sizes is None or engine is None or set(sizes) != set(meta["files"]):
            return
        for rel, compressed in sizes.items():
            meta["files"][rel][1] = zip_share(rel, compressed)
        meta["zip_engine"] = engine
        meta.setdefault("steps", []).append(
            {"name": "zip sizes (node, while verifying)", "seconds": self._seconds})


def _place(requirements: str | None, entry: str, work: str) -> str | None:
    """The requirements file as the pipeline sees it: in the entry, or written to work."""
    if requirements is None:
        return None
    if requirements.startswith("@entry/"):
        return f"{entry}/{requirements.removeprefix('@entry/')}"
    return f"{work}/{requirements}"


def _uv_bin() -> str:
    try:
        from uv import find_uv_bin
        return str(find_uv_bin())
    except (ImportError, FileNotFoundError):
        found = shutil.which("uv")
        if not found:
            raise BuildError("local", "local mode needs uv, and it is not installed",
                             details="pip install uv (a dependency of slim-lambda), or use "
                             "bundling.mode='docker'.") from None
        return found


_PACKAGE = __name__.split(".")[0]


def _package_dir() -> str:
    """This library's package directory: mounted whole, so the pipeline has one import name
    (``slim_lambda.pipeline``) in the image and on the host; its ``__init__`` loads no CDK."""
    return os.path.dirname(os.path.dirname(pipeline_pkg.__file__))


def _lib_path() -> str:
    """A PYTHONPATH that imports ``slim_lambda.pipeline`` and pathspec, nothing else of ours."""
    return os.pathsep.join(sorted({
        os.path.dirname(os.path.dirname(os.path.dirname(pipeline_pkg.__file__))),
        os.path.dirname(os.path.dirname(pathspec.__file__))}))


def build(request: BuildRequest, output_dir: str, *, runner: DockerRunner | None = None,
          log: Log = stderr_log) -> dict[str, Any]:
    """Build into ``output_dir`` (empty); return the checked report.

    Raises BuildError, DockerError, ConfigurationError or SizeLimitError. The caller
    owns ``output_dir`` and discards it on failure.
    """
    builder = _Builder(request, runner or DockerRunner(), log)
    try:
        return _build(builder, output_dir)
    finally:
        builder.close()


def _build(builder: _Builder, output_dir: str) -> dict[str, Any]:
    request = builder.request
    imports: list[str] = []
    if request.copy_sources:
        imports = handler_imports(request.entry, list_sources(request.entry,
                                                               request.bundling.exclude))
    key = deps_key(request, builder.target)
    cache = builder.cache
    cache_info: dict[str, Any] = {"key": key[:16], "path": cache.root,
                                  "enabled": request.bundling.cache}
    with cache.lock(key):
        entry = cache.lookup(key)
        if entry is None:
            builder.progress(f"building dependencies ({builder.mode} mode"
                             f"{', ' + request.image if builder.mode == 'docker' else ''})")
            staging = cache.staging(key)
            try:
                tree = os.path.join(staging, "tree")
                os.mkdir(tree)
                os.chmod(tree, 0o777)
                meta = builder.build_deps(tree, imports)
                meta["label"] = request.label
                os.chmod(tree, 0o755)
                with open(tree + ".slim-lambda-deps.json", "w", encoding="utf-8") as f:
                    json.dump(meta, f)
                entry = cache.commit(key, staging)
            except OSError as e:
                shutil.rmtree(staging, ignore_errors=True)
                raise BuildError.from_os_error("deps", e) from e
            except BaseException:
                shutil.rmtree(staging, ignore_errors=True)
                raise
            cache_info["hit"] = False
        else:
            builder.progress(f"dependencies from the cache ({key[:16]})")
            cache_info["hit"] = True
    with cache.lock(key, exclusive=False):
        meta = entry.meta()
        report = builder.assemble(entry.tree, entry.meta_path, meta, output_dir, imports)
    # the zip shares of the tree, by the CDK CLI's zlib: measured once per tree (and again
    # only if node's zlib changes), after assembling so that node's start-up overlapped it
    wanted = builder.deflater.engine() or PYTHON_ZLIB
    if meta.get("zip_engine", PYTHON_ZLIB) != wanted:
        with cache.lock(key):
            meta = _measure_zip_shares(entry, builder.deflater)
    _exact_zipped_bytes(report, meta, output_dir, request.prefix, builder.deflater)
    probe = report.pop("probe", None)
    if probe is not None:
        with cache.lock(key):
            meta = entry.meta()
            meta.setdefault("probes", {})[probe_key(probe["modules"])] = probe
            entry.write_meta(meta)
    cache.prune(keep=key)
    report["mode"] = builder.mode
    report["image_id"] = builder.target.image_id
    report["cache"] = cache_info
    return finish_report(request, report, builder.log)


def _measure_zip_shares(entry: CacheEntry, deflater: zipsize.NodeDeflater) -> dict[str, Any]:
    """Set the tree's per-file zip shares to what the CDK CLI's zlib produces (node), or
    to Python's estimate without node. Returns the updated meta."""
    meta = entry.meta()
    wanted = deflater.engine() or PYTHON_ZLIB
    if meta.get("zip_engine", PYTHON_ZLIB) == wanted:
        return meta  # another build did it meanwhile
    rels = sorted(meta["files"])
    started = time.monotonic()
    sizes = deflater.sizes(entry.tree, rels) if wanted != PYTHON_ZLIB else None
    if sizes is not None:
        for rel, compressed in sizes.items():
            meta["files"][rel][1] = zip_share(rel, compressed)
    else:
        wanted = PYTHON_ZLIB
        meta["files"].update(entry_sizes(entry.tree, rels))
    meta["zip_engine"] = wanted
    meta.setdefault("steps", []).append({"name": f"zip sizes ({wanted.split(' ')[0]})",
                                         "seconds": round(time.monotonic() - started, 3)})
    entry.write_meta(meta)
    return meta


def _exact_zipped_bytes(report: dict[str, Any], meta: dict[str, Any], output_dir: str,
                        prefix: str, deflater: zipsize.NodeDeflater) -> None:
    """The asset's zipped size as the CDK CLI's zip will have it: the cached shares of the
    dependency files, plus the function's own files deflated by the same engine."""
    own = set(report.pop("own_files", []))
    zip_engine = meta.get("zip_engine") or PYTHON_ZLIB
    extra = 2 * len(prefix.encode("utf-8"))
    total = END_RECORD
    missing = []
    for rel in report.get("file_bytes", {}):
        inner = rel[len(prefix):]
        if rel not in own and inner in meta["files"]:
            total += meta["files"][inner][1] + extra
        else:
            missing.append(rel)
    sizes = deflater.sizes(output_dir, missing) if zip_engine != PYTHON_ZLIB else None
    if sizes is not None:
        total += sum(zip_share(rel, compressed) for rel, compressed in sizes.items())
        report["zipped_measured_with"] = zip_engine
    else:
        total += sum(v[1] for v in entry_sizes(output_dir, missing).values())
        report["zipped_measured_with"] = (
            "python zlib (an estimate: the CDK CLI's zlib may differ by about 1%)"
            if zip_engine == PYTHON_ZLIB else
            f"{zip_engine} for the dependencies, python zlib for your files (node failed)")
    report["zipped_bytes"] = total
