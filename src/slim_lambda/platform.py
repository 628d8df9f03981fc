"""Runtime × architecture → build image, Docker platform, glibc and wheel tags. Tables only."""

from __future__ import annotations

import string
from dataclasses import dataclass

__all__ = [
    "ARCHITECTURES",
    "DEFAULT_IMAGE",
    "IMAGE_CONTEXT_KEY",
    "IMAGE_ENV_VAR",
    "RUNTIMES",
    "Architecture",
    "Runtime",
    "image_for",
    "manylinux_tags",
]

DEFAULT_IMAGE = "public.ecr.aws/sam/build-{runtime}:latest-{arch}"
IMAGE_ENV_VAR = "SLIM_LAMBDA_IMAGE"
IMAGE_CONTEXT_KEY = "slim-lambda:image"


@dataclass(frozen=True)
class Runtime:
    name: str
    python: str
    glibc: tuple[int, int]
    os: str


@dataclass(frozen=True)
class Architecture:
    name: str
    docker_platform: str
    elf_machine: str
    wheel_machine: str


RUNTIMES: dict[str, Runtime] = {
    r.name: r for r in (
        Runtime("python3.10", "3.10", (2, 26), "Amazon Linux 2"),
        Runtime("python3.11", "3.11", (2, 26), "Amazon Linux 2"),
        Runtime("python3.12", "3.12", (2, 34), "Amazon Linux 2023"),
        Runtime("python3.13", "3.13", (2, 34), "Amazon Linux 2023"),
        Runtime("python3.14", "3.14", (2, 34), "Amazon Linux 2023"),
    )
}

ARCHITECTURES: dict[str, Architecture] = {
    a.name: a for a in (
        Architecture("x86_64", "linux/amd64", "x86_64", "x86_64"),
        Architecture("arm64", "linux/arm64", "aarch64", "aarch64"),
    )
}


def image_for(template: str, runtime: str, architecture: str) -> str:
    """Fill ``{runtime}`` and ``{arch}`` in an image template.

    Raises ValueError naming an unknown placeholder.
    """
    names = {f for _t, f, _s, _c in string.Formatter().parse(template) if f is not None}
    unknown = names - {"runtime", "arch"}
    if unknown:
        raise ValueError(f"unknown placeholder(s) {sorted(unknown)} in image template "
                         f"{template!r}; use {{runtime}} and {{arch}}")
    return template.format(runtime=runtime, arch=architecture)


def manylinux_tags(runtime: str, architecture: str) -> tuple[str, ...]:
    """Every manylinux platform tag a wheel may carry to run on this runtime, newest first."""
    glibc_major, glibc_minor = RUNTIMES[runtime].glibc
    machine = ARCHITECTURES[architecture].wheel_machine
    tags = [f"manylinux_{glibc_major}_{m}_{machine}" for m in range(glibc_minor, 16, -1)]
    tags.append(f"manylinux2014_{machine}")
    return tuple(tags)
