"""Installing the function's requirements with the build image's own pip."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from .errors import BuildError
from .spec import BuildSpec

__all__ = ["install_command", "install_requirements", "redact"]

_CREDENTIALS = re.compile(r"(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*://)[^/@\s:]+(:[^/@\s]*)?@")


def redact(text: str) -> str:
    """Hide ``user:password@`` in any URL of ``text``."""
    return _CREDENTIALS.sub(r"\g<scheme>***@", text)


def install_command(spec: BuildSpec, requirements: str, target: str,
                    python: str = sys.executable) -> list[str]:
    """The pip command line, as data (golden-tested)."""
    cmd = [python, "-m", "pip", "install",
           "--requirement", requirements,
           "--target", target,
           "--no-compile", "--no-warn-script-location", "--disable-pip-version-check",
           "--no-input", "--progress-bar", "off"]
    if spec.no_index:
        cmd.append("--no-index")
    if spec.index_url:
        cmd += ["--index-url", spec.index_url]
    for url in spec.extra_index_urls:
        cmd += ["--extra-index-url", url]
    for link in spec.find_links:
        cmd += ["--find-links", link]
    return cmd


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
    if "No space left on device" in text:
        return "the disk filled up during install"
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "pip failed"


def install_requirements(spec: BuildSpec, python: str = sys.executable) -> str:
    """Run pip; returns pip's output. Raises BuildError (credentials redacted) on failure."""
    assert spec.requirements is not None
    requirements = os.path.join(spec.source_dir, spec.requirements)
    cmd = install_command(spec, requirements, spec.output_dir, python)
    env = dict(os.environ)
    env.setdefault("HOME", spec.work_dir)
    env.setdefault("PIP_CACHE_DIR", os.path.join(spec.work_dir, "pip-cache"))
    env.pop("PYTHONPATH", None)
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=spec.work_dir)
    output = proc.stdout + proc.stderr
    if proc.returncode != 0:
        tail = "\n".join(redact(output).strip().splitlines()[-25:])
        raise BuildError("install", f"pip could not install {spec.requirements}: "
                         f"{_explain(output)}", details=tail)
    return redact(output)
