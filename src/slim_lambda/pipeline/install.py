"""Installing the function's requirements with the build image's own pip."""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from typing import NamedTuple

from .errors import BuildError
from .redact import redact
from .sources import copy_sources
from .spec import NETRC_FILE, DepsSpec, InstallSettings
from .uvenv import uv_environment, uv_target, wheel_gap
from .wheelchoice import NEWEST_PLATFORM, PIP_LOG

__all__ = ["Installed", "install_command", "install_project", "install_requirements",
           "uncapped_resolution"]


def _has_netrc(spec: DepsSpec) -> bool:
    return os.path.exists(os.path.join(spec.work_dir, NETRC_FILE))


def _index_args(install: InstallSettings) -> list[str]:
    """The index options; their URLs carry no credentials (those are in the stage's netrc
    file, :data:`~.spec.NETRC_FILE`), so no ``ps`` shows them."""
    args: list[str] = []
    if install.no_index:
        args.append("--no-index")
    if install.index_url:
        args += ["--index-url", install.index_url]
    for url in install.extra_index_urls:
        args += ["--extra-index-url", url]
    for link in install.find_links:
        args += ["--find-links", link]
    if install.require_hashes:
        args.append("--require-hashes")
    if install.no_deps:
        args.append("--no-deps")
    return args


def install_command(spec: DepsSpec, requirements: str, target: str,
                    python: str = sys.executable) -> list[str]:
    """The installer's command line, as data (golden-tested).

    ``pip``: the build image's own pip, which knows the image's platform. It prefers an
    older release's wheel to building the newest from source (a pinned version is still
    built) and logs what it saw to :data:`PIP_LOG`. A lock file (``no_deps``) pins every
    version, so its command stays as it was.
    ``uv``: wheels only (``--only-binary :all:``): an older release's wheel is chosen the
    same way, and nothing is ever built (in the image, pip takes over for a package with
    no wheel: ``InstallSettings.pip_fallback``).
    """
    if spec.install.installer == "uv":
        return [spec.install.uv or "uv", "pip", "install",
                "--requirement", requirements,
                "--target", target, *uv_target(spec, python),
                "--only-binary", ":all:",
                "--no-config", *_index_args(spec.install)]
    return [python, "-m", "pip", "install",
            "--requirement", requirements,
            "--target", target,
            "--no-compile", "--no-warn-script-location", "--disable-pip-version-check",
            "--no-input", "--progress-bar", "off", *_index_args(spec.install),
            *([] if spec.install.no_deps else
              ["--prefer-binary", "--log", os.path.join(spec.work_dir, PIP_LOG)])]


_COMPILER = re.compile(
    r"No such file or directory: '(\S*?(?:gcc|g\+\+|clang|cc))'"
    r"|command '(\S*?(?:gcc|g\+\+|clang|cc))' failed"
    r"|unable to execute '(\S*?(?:gcc|g\+\+|clang|cc))'"
    r"|(\S*?(?:gcc|g\+\+|clang|cc)): (?:command )?not found")
_BUILD_FAILED = re.compile(r"Failed building wheel for (\S+)|Could not build wheels for (\S+?),"
                           r"|Failed to build installable wheels for some pyproject\.toml based "
                           r"projects \((\S+?)\)|Failed to build `?([A-Za-z0-9_.-]+)")
_FRAME = re.compile(r"^\s*(File \"|Traceback \(most recent|\^+$|During handling of the above)")


def _tail(output: str, lines: int = 25) -> str:
    """The installer's last lines, credentials redacted, Python traceback frames left out."""
    kept: list[str] = []
    after_frame = False
    for line in redact(output).strip().splitlines():
        if _FRAME.match(line):
            after_frame = line.lstrip().startswith("File \"")
            continue
        if after_frame:  # the source line a traceback frame quotes
            after_frame = False
            continue
        kept.append(line)
    return "\n".join(kept[-lines:])


def _requirements_name(path: str) -> str:
    """The requirements file as the user knows it (the entry is ``/asset-input`` in the image)."""
    if path.startswith("/asset-input/"):
        return path.removeprefix("/asset-input/")
    if path.startswith("/slim-lambda/work/"):
        return "the requirements exported from the lock file"
    return path


def _explain(output: str, returncode: int = 1, *, netrc: bool = False) -> str:
    """A one-line reason for a failed pip or uv run, with the fix where we know it.
    ``netrc``: the index logins came in the stage's netrc file (not in the URLs)."""
    text = redact(output)
    if "No space left on device" in text:
        return ("the disk filled up (no space left on device): free space on the disk of the "
                "dependency cache (SLIM_LAMBDA_CACHE_DIR or bundling.cache_dir; "
                "`slim-lambda cache prune` drops old trees) and of Docker's data directory, "
                "or point the cache at a bigger disk")
    if returncode in (-9, 137) or "exit code: -9" in text:
        return ("a process was killed (SIGKILL) while installing, most likely for running out "
                "of memory: give the build more memory, or use packages with wheels (building "
                "from source takes the most)")
    if m := re.search(r"Invalid requirement: (.+?)(?: \(from line (\d+) of (\S+)\))?$", text,
                      re.MULTILINE):
        where = f" {m.group(2)} of {_requirements_name(m.group(3))}" if m.group(2) else ""
        return (f"invalid line{where}: {m.group(1)}; fix its syntax (PEP 508, e.g. "
                "name[extra]>=1.0)")
    if m := re.search(r"Couldn't parse requirement in `(\S+)`.*\n\s*(?:cause|Caused by): (.+)"
                      r"\n\s*(.+)", text):
        return (f"invalid line in {_requirements_name(m.group(1))}: '{m.group(3).strip()}' "
                f"({m.group(2).strip()}); fix its syntax (PEP 508, e.g. name[extra]>=1.0)")
    if m := re.search(r"\b(40[13]) (?:Client )?Error|status code:? (40[13])"
                      r"|\((40[13]) (?:Unauthorized|Forbidden)\)", text):  # the last: uv's hint
        return (f"the index refused access (HTTP {next(g for g in m.groups() if g)}): check the "
                "credentials in bundling.index_url / extra_index_urls (or PIP_*/UV_* "
                "variables)")
    if m := re.search(r"No matching distribution found for (\S+)", text):
        hint = ("; an index with credentials listed no version at all: check the credentials "
                "in bundling.index_url / extra_index_urls" if "(from versions: none)" in text
                and (netrc or "://***@" in text) else "")
        return (f"no installable distribution for {m.group(1)}: check the name and version, "
                f"and that a wheel exists for this runtime and architecture{hint}")
    if "CERTIFICATE_VERIFY_FAILED" in text or "invalid peer certificate" in text:
        return ("TLS certificate verification failed: pass your proxy's CA bundle with "
                "bundling.ca_bundle (or SLIM_LAMBDA_CA_BUNDLE)")
    if m := _BUILD_FAILED.search(text):
        name = next(g for g in m.groups() if g)
        cc = _COMPILER.search(text)
        why = (f": the build image has no C compiler ({next(g for g in cc.groups() if g)})"
               if cc else "")
        return (f"{name} has no wheel for this runtime and architecture, and building it from "
                f"source failed{why}. Pin a version that ships a manylinux wheel, put a wheel "
                "in bundling.find_links, or use a build image that can compile it "
                "(bundling.image)")
    if "metadata-generation-failed" in text:
        took = re.findall(r"^\s*(?:Collecting|Processing) (\S+)", text, re.MULTILINE)
        name = os.path.basename(took[-1]) if took else "a package"
        return (f"{name} has no wheel for this runtime and architecture, and preparing it "
                "from source failed. Pin a version that ships a manylinux wheel, put a wheel "
                "in bundling.find_links, or use a build image that can build it "
                "(bundling.image)")
    if m := re.search(r"Wheel '(\S+)' located at (\S+) is invalid", text):
        return (f"the wheel of {m.group(1)} ({os.path.basename(m.group(2))}) is invalid "
                "(truncated, or not a zip file): replace it where it came from (the index or "
                "bundling.find_links)")
    if m := re.search(r"[Bb]ecause (\S+?)==(\S+) has an invalid package format", text):
        return (f"the wheel of {m.group(1)} {m.group(2)} is invalid (truncated, or not a zip "
                "file): replace it where it came from (the index or bundling.find_links)")
    wheel_gap = (r"[Bb]ecause (\S+?)(?:==\S+)? has no (?:usable wheels|wheels with a matching "
                 r"platform tag)")
    if m := re.search(wheel_gap, text):
        return (f"{m.group(1)} has no wheel for this runtime and architecture, and local mode "
                "never builds from source: use bundling.mode='docker' (CLI --mode docker) to "
                "build it in the Lambda build image, or pin a version that ships such a wheel")
    if m := re.search(r"Building source distributions is disabled, but attempted to build "
                      r"`([^`]+)`", text):
        return (f"{m.group(1)} must be built from its sources (a path or git package, or a "
                "release without a wheel), and local mode never builds: use "
                "bundling.mode='docker' (CLI --mode docker), or lock it with uv")
    if m := re.search(r"[Bb]ecause (\S+) was not found in the (?:package registry|provided "
                      r"package locations)", text):
        hint = ("; the index has a login (a refused one looks the same to uv): check the "
                "credentials in bundling.index_url / extra_index_urls" if netrc else "")
        return (f"no installable distribution for {m.group(1)}: check the name, and that the "
                f"index (bundling.index_url / find_links) has it{hint}")
    if m := re.search(r"[Bb]ecause there is no version of (\S+?)(==\S+?)?(?: and|,|$)", text,
                      re.MULTILINE):
        return (f"no installable distribution for {m.group(1)}{m.group(2) or ''}: check the "
                "version exists and has a wheel for this runtime and architecture")
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1].strip() if lines else "the installer failed without a message"


# the installer's lines worth showing while a long install runs
_PROGRESS = re.compile(r"^\s*(Collecting |Downloading |Installing collected|Successfully installed"
                       r"|Resolved |Prepared |Installed |\+ )")


def _run_streaming(cmd: list[str], env: dict[str, str], cwd: str,
                   progress: Callable[[str], None] | None) -> tuple[int, str]:
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env=env, cwd=cwd)
    lines = []
    assert proc.stdout is not None
    for line in proc.stdout:
        lines.append(line)
        if progress and _PROGRESS.match(line):
            progress("  " + redact(line.rstrip()))
    return proc.wait(), "".join(lines)


class Installed(NamedTuple):
    installer: str
    """Who installed: ``uv``, or ``pip`` (asked for, or after uv found no wheel)."""
    output: str
    fallback_for: str | None
    """The package uv found no wheel for, when pip took over."""


def install_requirements(spec: DepsSpec, python: str = sys.executable,
                         progress: Callable[[str], None] | None = None) -> Installed:
    """Run the installer, showing which package it is at. Raises BuildError (credentials
    redacted)."""
    assert spec.install.requirements_file is not None
    for mounted, copy in spec.install.source_trees:
        if mounted not in spec.install.packages and not os.path.isdir(copy):
            copy_sources(mounted, copy)
    returncode, output = _install(spec, python, progress)
    gap = None
    if returncode != 0 and spec.install.installer == "uv" and spec.install.pip_fallback \
            and (gap := wheel_gap(output)):
        if progress:
            progress(f"  uv found no wheel for {gap}: installing with pip, which can build it")
        spec = dataclasses.replace(spec, install=dataclasses.replace(spec.install,
                                                                     installer="pip"))
        returncode, output = _install(spec, python, progress)
    if returncode != 0:
        # with --log pip writes a failed build's own output (the missing compiler) only there
        log = os.path.join(spec.work_dir, PIP_LOG)
        why = _explain(output + "\n" + _log_tail(log), returncode, netrc=_has_netrc(spec))
        raise BuildError("install", f"{spec.install.installer} could not install the "
                         f"requirements: {why}", details=_tail(output))
    return Installed(spec.install.installer, redact(output), gap)


def uncapped_resolution(spec: DepsSpec, python: str) -> str | None:
    """``uv pip compile`` of the requirements for the newest glibc uv knows, wheels only:
    what would have been installed without the runtime's cap (for the report's
    ``skipped_newest``). None when it fails: the notices are left out, nothing else."""
    assert spec.install.requirements_file is not None
    machine = spec.install.python_platform.split("-", 1)[0]
    cmd = [spec.install.uv or "uv", "pip", "compile", spec.install.requirements_file,
           "--python-platform", f"{machine}-{NEWEST_PLATFORM}", "--python", python,
           "--only-binary", ":all:", "--no-config", "--no-header", "--no-annotate", "--quiet",
           "--index-strategy", "unsafe-best-match", "--system-certs",
           *_index_args(dataclasses.replace(spec.install, require_hashes=False,
                                            no_deps=False))]
    env = uv_environment(os.environ)
    env.setdefault("HOME", spec.work_dir)
    env.pop("PYTHONPATH", None)
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=spec.work_dir)
    return proc.stdout if proc.returncode == 0 else None


def _install(spec: DepsSpec, python: str, progress: Callable[[str], None] | None
             ) -> tuple[int, str]:
    assert spec.install.requirements_file is not None
    cmd = install_command(spec, spec.install.requirements_file, spec.output_dir, python)
    env = dict(os.environ)
    if spec.install.installer == "uv":
        env = uv_environment(env)
    env.setdefault("HOME", spec.work_dir)
    env.setdefault("PIP_CACHE_DIR", os.path.join(spec.work_dir, "pip-cache"))
    env.pop("PYTHONPATH", None)
    log = os.path.join(spec.work_dir, PIP_LOG)
    if os.path.exists(log):  # pip appends to its log
        os.remove(log)
    return _run_streaming(cmd, env, spec.work_dir, progress)


def _log_tail(path: str, lines: int = 400) -> str:
    """The end of pip's debug log, which is then deleted (index URLs in it may carry
    credentials); "" when there is none."""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            tail = "".join(f.readlines()[-lines:])
        os.remove(path)
    except OSError:
        return ""
    return tail


def install_project(spec: DepsSpec, python: str = sys.executable) -> str:
    """Install the function's own project (a ``pyproject.toml`` with a build backend) as a
    package, without its dependencies (those come from the plan). The project is copied
    first: the entry is mounted read only and build backends write next to the sources."""
    assert spec.install.project_dir is not None
    return install_package(spec, spec.install.project_dir, os.path.join(spec.work_dir, "project"),
                           "your project", python)


def install_path_packages(spec: DepsSpec, python: str = sys.executable) -> None:
    """The lock's path and workspace packages (``InstallSettings.packages``), each built
    from its copy, and its git packages at their commits, installed without dependencies:
    the lock's closure has those."""
    copies = dict(spec.install.source_trees)
    for mounted in spec.install.packages:
        install_package(spec, mounted, copies[mounted], os.path.basename(mounted), python)
    for requirement in spec.install.git:
        install_package(spec, requirement, None, requirement.split(" @ ")[0], python)


def install_package(spec: DepsSpec, source: str, copy: str | None, what: str,
                    python: str = sys.executable) -> str:
    """``source`` copied to ``copy`` (fresh) and installed from there as a package; with
    no ``copy``, ``source`` is a requirement (a git URL naming its commit)."""
    if copy is None:
        copy = source
    else:
        if os.path.exists(copy):
            shutil.rmtree(copy)
        copy_sources(source, copy)
    if spec.install.installer == "uv":
        cmd = [spec.install.uv or "uv", "pip", "install", "--target", spec.output_dir,
               *uv_target(spec, python), "--no-deps", "--no-config", "--quiet",
               *_index_args(dataclasses.replace(spec.install, require_hashes=False, no_deps=False)),
               copy]
    else:
        cmd = [python, "-m", "pip", "install", "--target", spec.output_dir, "--no-deps",
               "--no-compile", "--disable-pip-version-check", "--no-input", "--progress-bar",
               "off", *_index_args(dataclasses.replace(spec.install, require_hashes=False,
                                                       no_deps=False)), copy]
    env = uv_environment(os.environ) if spec.install.installer == "uv" else dict(os.environ)
    env.setdefault("HOME", spec.work_dir)
    env.pop("PYTHONPATH", None)
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=spec.work_dir)
    output = proc.stdout + proc.stderr
    if proc.returncode != 0:
        raise BuildError("install", f"{spec.install.installer} could not install {what} as a "
                         f"package: {_explain(output, proc.returncode, netrc=_has_netrc(spec))}",
                         details=_tail(output))
    return redact(output)
