"""Runtime × architecture → build and base images, Docker platform, ELF machine, glibc and
wheel tags.

The only table of these facts: the host and the pipeline (which runs in the build image and
imports this module from the mounted package) look them up here. Standard library only.
"""

from __future__ import annotations

import string
from dataclasses import dataclass

__all__ = [
    "ARCHITECTURES",
    "BASE_IMAGE_CONTEXT_KEY",
    "BASE_IMAGE_ENV_VAR",
    "DEFAULT_BASE_IMAGE",
    "DEFAULT_IMAGE",
    "IMAGE_CONTEXT_KEY",
    "IMAGE_ENV_VAR",
    "RUNTIMES",
    "Architecture",
    "Runtime",
    "architecture_named",
    "base_image_for",
    "host_architecture",
    "image_for",
    "manylinux_tags",
    "python_platform",
]

DEFAULT_IMAGE = "public.ecr.aws/sam/build-{runtime}:latest-{arch}"
RUNTIME_DIR = "/var/runtime"
"""Where the Lambda base image, and so the SAM build image built on it, keeps the Python
packages the runtime provides (the AWS SDK); last on the runtime's ``sys.path``."""
RUNTIME_PROVIDED = ("boto3", "botocore", "s3transfer", "jmespath", "python-dateutil", "six",
                    "urllib3")
"""What ``provided=("runtime",)`` means where the build cannot read :data:`RUNTIME_DIR`
(local mode, a custom image): the AWS SDK for Python and what it requires."""
IMAGE_ENV_VAR = "SLIM_LAMBDA_IMAGE"
IMAGE_CONTEXT_KEY = "slim-lambda:image"
#: The Lambda base image an image function's Dockerfile starts ``FROM``; ``{version}`` is
#: the runtime's Python version (``3.12``), ``{arch}`` Lambda's architecture name.
DEFAULT_BASE_IMAGE = "public.ecr.aws/lambda/python:{version}-{arch}"
BASE_IMAGE_ENV_VAR = "SLIM_LAMBDA_BASE_IMAGE"
BASE_IMAGE_CONTEXT_KEY = "slim-lambda:base-image"


@dataclass(frozen=True)
class Runtime:
    name: str
    python: str
    glibc: tuple[int, int]
    os: str
    uv_glibc: str
    """The newest ``manylinux_X_Y`` uv's ``--python-platform`` knows within ``glibc``."""


@dataclass(frozen=True)
class Architecture:
    name: str
    """Lambda's name: ``x86_64`` or ``arm64``."""
    docker_platform: str
    """``linux/amd64``; its part after the slash is what Docker reports as the image's
    ``Architecture``."""
    elf_machine: str
    """What an ELF header of this architecture names (``e_machine``)."""
    wheel_machine: str
    """The machine in manylinux wheel tags and uv's ``--python-platform``."""
    aliases: tuple[str, ...] = ()
    """Other names for it (``uname -m``, Docker)."""

    @property
    def docker_arch(self) -> str:
        return self.docker_platform.split("/", 1)[1]


RUNTIMES: dict[str, Runtime] = {
    r.name: r for r in (
        Runtime("python3.10", "3.10", (2, 26), "Amazon Linux 2", "2_17"),
        Runtime("python3.11", "3.11", (2, 26), "Amazon Linux 2", "2_17"),
        Runtime("python3.12", "3.12", (2, 34), "Amazon Linux 2023", "2_34"),
        Runtime("python3.13", "3.13", (2, 34), "Amazon Linux 2023", "2_34"),
        Runtime("python3.14", "3.14", (2, 34), "Amazon Linux 2023", "2_34"),
    )
}

ARCHITECTURES: dict[str, Architecture] = {
    a.name: a for a in (
        Architecture("x86_64", "linux/amd64", "x86_64", "x86_64", ("amd64",)),
        Architecture("arm64", "linux/arm64", "aarch64", "aarch64", ("aarch64",)),
    )
}


def architecture_named(name: str) -> Architecture | None:
    """The architecture of a Lambda, Docker or ``uname -m`` name (any case), or None."""
    name = name.lower()
    for arch in ARCHITECTURES.values():
        if name == arch.name or name in arch.aliases:
            return arch
    return None


def host_architecture() -> Architecture | None:
    """This machine's architecture, or None for one Lambda does not run."""
    import platform

    return architecture_named(platform.machine())


def image_for(template: str, runtime: str, architecture: str) -> str:
    """Fill ``{runtime}`` and ``{arch}`` in a build image template.

    Raises ValueError naming an unknown placeholder.
    """
    return _fill(template, runtime=runtime, arch=architecture)


def base_image_for(template: str, runtime: str, architecture: str) -> str:
    """Fill ``{runtime}`` (``python3.12``), ``{version}`` (``3.12``) and ``{arch}`` in a
    base image template. Raises ValueError naming an unknown placeholder."""
    return _fill(template, runtime=runtime, version=RUNTIMES[runtime].python,
                 arch=architecture)


def _fill(template: str, **values: str) -> str:
    names = {f for _t, f, _s, _c in string.Formatter().parse(template) if f is not None}
    unknown = names - set(values)
    if unknown:
        known = [f"{{{name}}}" for name in values]
        raise ValueError(f"unknown placeholder(s) {sorted(unknown)} in image template "
                         f"{template!r}; use {', '.join(known[:-1])} and {known[-1]}")
    return template.format(**values)


def manylinux_tags(runtime: str, architecture: str) -> tuple[str, ...]:
    """Every manylinux platform tag a wheel may carry to run on this runtime, newest first."""
    glibc_major, glibc_minor = RUNTIMES[runtime].glibc
    machine = ARCHITECTURES[architecture].wheel_machine
    tags = [f"manylinux_{glibc_major}_{m}_{machine}" for m in range(glibc_minor, 16, -1)]
    tags.append(f"manylinux2014_{machine}")
    return tuple(tags)


def python_platform(runtime: str, architecture: str) -> str:
    """uv's ``--python-platform`` for the runtime's glibc: ``x86_64-manylinux_2_17`` for
    Amazon Linux 2 (uv has no 2.26 tag, so the cap is the newest it has below it)."""
    return f"{ARCHITECTURES[architecture].wheel_machine}-manylinux_{RUNTIMES[runtime].uv_glibc}"
