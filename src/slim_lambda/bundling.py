"""From options to a built, measured, checked bundle.

:class:`BuildRequest` is the resolved plan (pure data). :func:`build` runs the
pipeline in the build image through :class:`~slim_lambda.container.DockerRunner`,
reads the report back and checks the limits. No CDK here: the CLI uses it as is,
and :mod:`slim_lambda.staging` wraps it as CDK's ``ILocalBundling``.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import pathspec

from . import build as build_pkg
from .build import __version__
from .build.errors import BuildError
from .build.install import redact
from .build.sources import list_sources
from .build.spec import BuildSpec
from .container import ContainerRun, DockerRunner, Volume
from .errors import SizeLimitError
from .options import BundlingOptions, SizeLimits, SlimOptions
from .platform import ARCHITECTURES
from .report import check_limits, over_limit_advice, render

__all__ = ["BuildRequest", "build", "fingerprint", "report_path_for"]

Log = Callable[[str], None]

IN = "/asset-input"
OUT = "/asset-output"
TOOLS = "/slim-lambda"
WORK = f"{TOOLS}/work"
LIB = f"{TOOLS}/lib"
CA = f"{TOOLS}/ca-bundle.pem"
PKG = "slim_lambda_build"


def stderr_log(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


@dataclass(frozen=True, kw_only=True)
class BuildRequest:
    """Everything one build needs, resolved and validated."""

    entry: str
    runtime: str
    architecture: str
    image: str
    requirements: str | None
    bundling: BundlingOptions = field(default_factory=BundlingOptions)
    slim: SlimOptions = field(default_factory=SlimOptions)
    limits: SizeLimits = field(default_factory=SizeLimits)
    label: str = ""

    @property
    def platform(self) -> str:
        return ARCHITECTURES[self.architecture].docker_platform

    def spec(self, *, source: str, output: str, work: str, find_links: tuple[str, ...]
             ) -> BuildSpec:
        b, s = self.bundling, self.slim
        return BuildSpec(
            runtime=self.runtime, architecture=self.architecture, source_dir=source,
            output_dir=output, work_dir=work, requirements=self.requirements,
            index_url=b.index_url, extra_index_urls=b.extra_index_urls, find_links=find_links,
            no_index=b.no_index, exclude=b.exclude, slim=s.enabled, patterns=s.patterns,
            replace_defaults=s.replace_defaults, disable_rules=s.disable_rules, keep=s.keep,
            trim_dist_info="dist-info" not in s.disable_rules, slim_user_code=s.slim_user_code,
            strip=s.strip, strip_exclude=s.strip_exclude, bytecode=s.bytecode, verify=s.verify,
            verify_skip=s.verify_skip, unzipped_limit=self.limits.unzipped_bytes,
            image=self.image, labels={"function": self.label} if self.label else {})


def _is_local_dir(link: str) -> bool:
    return "://" not in link and os.path.isdir(link)


def fingerprint(request: BuildRequest) -> str:
    """The asset hash: sources, requirements, every option that changes the bundle, the
    image reference and this library's version. Never credentials or the environment."""
    h = hashlib.sha256()
    entry = request.entry
    for rel in list_sources(entry, request.bundling.exclude):
        path = os.path.join(entry, rel)
        h.update(rel.encode() + b"\0")
        h.update(b"x" if os.access(path, os.X_OK) else b"-")
        with open(path, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
        h.update(b"\0")
    if request.requirements:
        with open(os.path.join(entry, request.requirements), "rb") as f:
            h.update(b"requirements\0" + f.read())
    b = request.bundling
    find_links = []
    for link in b.find_links:
        if _is_local_dir(link):
            listing = sorted((n, os.path.getsize(os.path.join(link, n)))
                             for n in os.listdir(link))
            find_links.append(["dir", listing])
        else:
            find_links.append(["url", redact(link)])
    options = {
        "version": __version__,
        "runtime": request.runtime,
        "architecture": request.architecture,
        "image": request.image,
        "requirements": request.requirements,
        "index_url": redact(b.index_url) if b.index_url else None,
        "extra_index_urls": [redact(u) for u in b.extra_index_urls],
        "find_links": find_links,
        "no_index": b.no_index,
        "exclude": list(b.exclude),
        "slim": asdict(request.slim),
        "unzipped_limit": request.limits.unzipped_bytes,
    }
    h.update(json.dumps(options, sort_keys=True, default=list).encode())
    return h.hexdigest()


def _mounts_and_env(request: BuildRequest, output_dir: str, work: str
                    ) -> tuple[list[Volume], dict[str, str], tuple[str, ...]]:
    volumes = [
        Volume(request.entry, IN, True),
        Volume(output_dir, OUT, False),
        Volume(work, WORK, False),
        Volume(os.path.dirname(build_pkg.__file__), f"{LIB}/{PKG}", True),
        Volume(os.path.dirname(pathspec.__file__), f"{LIB}/pathspec", True),
    ]
    env = dict(request.bundling.environment)
    env.update({"PYTHONPATH": LIB, "PYTHONUNBUFFERED": "1", "HOME": f"{WORK}/home",
                "PIP_CACHE_DIR": f"{WORK}/pip-cache"})
    ca = request.bundling.ca_bundle or os.environ.get("SLIM_LAMBDA_CA_BUNDLE")
    if ca:
        volumes.append(Volume(os.path.realpath(ca), CA, True))
        env.update({"PIP_CERT": CA, "SSL_CERT_FILE": CA, "REQUESTS_CA_BUNDLE": CA})
    links = []
    for i, link in enumerate(request.bundling.find_links):
        if _is_local_dir(link):
            target = f"{TOOLS}/find-links/{i}"
            volumes.append(Volume(os.path.realpath(link), target, True))
            links.append(target)
        else:
            links.append(link)
    return volumes, env, tuple(links)


def build(request: BuildRequest, output_dir: str, *, runner: DockerRunner | None = None,
          log: Log = stderr_log) -> dict[str, Any]:
    """Build into ``output_dir`` (empty) in the build image; return the checked report.

    Raises BuildError, DockerError or SizeLimitError. The caller owns ``output_dir``
    and discards it on failure.
    """
    runner = runner or DockerRunner()
    image_id = runner.ensure_image(request.image, request.platform, log)
    work = tempfile.mkdtemp(prefix="slim-lambda-")
    try:
        os.chmod(work, 0o777)
        volumes, env, links = _mounts_and_env(request, output_dir, work)
        spec = request.spec(source=IN, output=OUT, work=WORK, find_links=links)
        with open(os.path.join(work, "spec.json"), "w", encoding="utf-8") as f:
            f.write(spec.to_json())
        run = ContainerRun(
            image=request.image, platform=request.platform,
            command=("python3", "-m", PKG, f"{WORK}/spec.json", f"{WORK}/result.json"),
            volumes=tuple(volumes), environment=env,
            user=f"{os.getuid()}:{os.getgid()}" if hasattr(os, "getuid") else None,
            network=request.bundling.network, timeout_seconds=request.bundling.timeout_seconds)
        result = runner.run(run, log=lambda line: log(f"  {redact(line)}"))
        result_path = os.path.join(work, "result.json")
        if not os.path.exists(result_path):
            tail = "\n".join(redact(result.logs).strip().splitlines()[-20:])
            why = ("it was killed for using too much memory" if result.oom_killed else
                   f"it exited with code {result.exit_code}")
            raise BuildError("container", f"the build in {request.image} stopped before "
                             f"writing a result: {why}", details=tail)
        with open(result_path, encoding="utf-8") as f:
            data = json.load(f)
        if "error" in data:
            raise BuildError.from_json(data["error"])
        report: dict[str, Any] = data["report"]
        report["image_id"] = image_id
    finally:
        shutil.rmtree(work, ignore_errors=True)
    report["limits"] = {"unzipped_bytes": request.limits.unzipped_bytes,
                        "zipped_bytes": request.limits.zipped_bytes}
    errors, warnings = check_limits(report, request.limits)
    report["warnings"] = list(report.get("warnings", [])) + warnings
    report["limits"]["ok"] = not errors
    text = render(report, request.limits, title=request.label or request.entry)
    if errors:
        raise SizeLimitError("\n".join([*errors, text, over_limit_advice(report)]))
    log(text)
    return report


def report_path_for(output_dir: str) -> str:
    """Where the JSON report goes: beside the asset directory, never inside it."""
    base = output_dir.rstrip("/\\")
    base = base.removesuffix("-building")
    return base + ".slim-report.json"
