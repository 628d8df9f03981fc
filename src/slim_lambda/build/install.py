"""Installing the function's requirements with the build image's own pip."""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable

from .errors import BuildError
from .sources import copy_sources
from .spec import DepsSpec

__all__ = ["install_command", "install_project", "install_requirements", "redact"]

_CREDENTIALS = re.compile(r"(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*://)[^/@\s:]+(:[^/@\s]*)?@")


def redact(text: str) -> str:
    """Hide ``user:password@`` in any URL of ``text``."""
    return _CREDENTIALS.sub(r"\g<scheme>***@", text)


def _index_args(spec: DepsSpec) -> list[str]:
    args: list[str] = []
    if spec.no_index:
        args.append("--no-index")
    if spec.index_url:
        args += ["--index-url", spec.index_url]
    for url in spec.extra_index_urls:
        args += ["--extra-index-url", url]
    for link in spec.find_links:
        args += ["--find-links", link]
    if spec.require_hashes:
        args.append("--require-hashes")
    if spec.no_deps:
        args.append("--no-deps")
    return args


def install_command(spec: DepsSpec, requirements: str, target: str,
                    python: str = sys.executable) -> list[str]:
    """The installer's command line, as data (golden-tested).

    ``pip``: the build image's own pip, which knows the image's platform.
    ``uv``: local mode, wheels only, for the runtime's Python and glibc.
    """
    if spec.installer == "uv":
        return [spec.uv or "uv", "pip", "install",
                "--requirement", requirements,
                "--target", target,
                "--python-platform", spec.python_platform,
                "--python-version", spec.python_version,
                "--only-binary", ":all:",
                "--no-config", *_index_args(spec)]
    return [python, "-m", "pip", "install",
            "--requirement", requirements,
            "--target", target,
            "--no-compile", "--no-warn-script-location", "--disable-pip-version-check",
            "--no-input", "--progress-bar", "off", *_index_args(spec)]


def _explain(output: str) -> str:
    """A one-line reason for a failed pip run, with the fix where we know it."""
    text = redact(output)
    if m := re.search(r"No matching distribution found for (\S+)", text):
        return (f"no installable distribution for {m.group(1)}: check the name and version, "
                "and that a wheel exists for this runtime and architecture")
    if "Invalid requirement" in text:
        m = re.search(r"Invalid requirement: (.+)", text)
        return f"requirements file has an invalid line: {m.group(1) if m else ''}".strip()
    if "CERTIFICATE_VERIFY_FAILED" in text:
        return ("TLS certificate verification failed: pass your proxy's CA bundle with "
                "bundling.ca_bundle (or SLIM_LAMBDA_CA_BUNDLE)")
    wheel_gap = (r"[Bb]ecause (\S+?)(?:==\S+)? has no (?:usable wheels|wheels with a matching "
                 r"platform tag)")
    if m := re.search(wheel_gap, text):
        return (f"{m.group(1)} has no wheel for this runtime and architecture, and local mode "
                "never builds from source: use bundling.mode='docker' (CLI --mode docker) to "
                "build it in the Lambda build image, or pin a version that ships such a wheel")
    if m := re.search(r"[Bb]ecause (\S+) was not found in the package registry", text):
        return (f"no installable distribution for {m.group(1)}: check the name, and that the "
                "index (bundling.index_url / find_links) has it")
    if m := re.search(r"[Bb]ecause there is no version of (\S+?)(==\S+)?\b", text):
        return (f"no installable distribution for {m.group(1)}{m.group(2) or ''}: check the "
                "version exists and has a wheel for this runtime and architecture")
    if "No space left on device" in text:
        return "the disk filled up during install"
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "pip failed"


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


def install_requirements(spec: DepsSpec, python: str = sys.executable,
                         progress: Callable[[str], None] | None = None) -> str:
    """Run the installer, showing which package it is at; returns its output. Raises
    BuildError (credentials redacted)."""
    assert spec.requirements_file is not None
    cmd = install_command(spec, spec.requirements_file, spec.output_dir, python)
    env = dict(os.environ)
    env.setdefault("HOME", spec.work_dir)
    env.setdefault("PIP_CACHE_DIR", os.path.join(spec.work_dir, "pip-cache"))
    env.pop("PYTHONPATH", None)
    returncode, output = _run_streaming(cmd, env, spec.work_dir, progress)
    if returncode != 0:
        tail = "\n".join(redact(output).strip().splitlines()[-25:])
        raise BuildError("install", f"{spec.installer} could not install the requirements: "
                         f"{_explain(output)}", details=tail)
    return redact(output)


def install_project(spec: DepsSpec, python: str = sys.executable) -> str:
    """Install the function's own project (a ``pyproject.toml`` with a build backend) as a
    package, without its dependencies (those come from the plan). The project is copied
    first: the entry is mounted read only and build backends write next to the sources."""
    assert spec.project_dir is not None
    copy = os.path.join(spec.work_dir, "project")
    if os.path.exists(copy):
        shutil.rmtree(copy)
    copy_sources(spec.project_dir, copy)
    if spec.installer == "uv":
        cmd = [spec.uv or "uv", "pip", "install", "--target", spec.output_dir,
               "--python-platform", spec.python_platform, "--python-version",
               spec.python_version, "--no-deps", "--no-config", "--quiet",
               *_index_args(dataclasses.replace(spec, require_hashes=False, no_deps=False)),
               copy]
    else:
        cmd = [python, "-m", "pip", "install", "--target", spec.output_dir, "--no-deps",
               "--no-compile", "--disable-pip-version-check", "--no-input", "--progress-bar",
               "off", *_index_args(dataclasses.replace(spec, require_hashes=False,
                                                       no_deps=False)), copy]
    env = dict(os.environ)
    env.setdefault("HOME", spec.work_dir)
    env.pop("PYTHONPATH", None)
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=spec.work_dir)
    output = proc.stdout + proc.stderr
    if proc.returncode != 0:
        tail = "\n".join(redact(output).strip().splitlines()[-25:])
        raise BuildError("install", f"{spec.installer} could not install your project as a "
                         f"package: {_explain(output)}", details=tail)
    return redact(output)
