"""The build image a Dockerfile makes, identified by content. Pure: reads files, never runs
Docker.

``bundling.dockerfile`` is built at synth, once per content. Its identity is the
Dockerfile's bytes and the build context's files as the engine receives them
(``.dockerignore`` honoured by the Docker SDK's own rules, since the SDK sends them):
:attr:`DockerfileBuild.digest`. It names the image's tag, and the asset hash while the
image is not built yet. The local index (:mod:`slim_lambda.run.image_index`) is keyed on
:attr:`DockerfileBuild.index_key`, which adds the build args by digest: they may be
secrets, so neither the asset hash nor the deps key ever sees them (both name the built
image's ID, which a changed build arg changes).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["TAG_REPO", "DockerfileBuild", "context_files", "dockerfile_build",
           "dockerfile_problems"]

TAG_REPO = "slim-lambda-build"
"""The built images are tagged ``slim-lambda-build/<context directory>:<digest>``."""


@dataclass(frozen=True)
class DockerfileBuild:
    context: str
    """The build context, absolute: the Dockerfile's directory."""
    file: str
    """The Dockerfile, relative to :attr:`context`."""
    build_args: Mapping[str, str]
    digest: str
    """The Dockerfile and the context's files, by content (no build args)."""

    @property
    def path(self) -> str:
        return os.path.join(self.context, self.file)

    @property
    def tag(self) -> str:
        name = re.sub(r"[^a-z0-9._-]+", "-", os.path.basename(self.context).lower()).strip(
            "._-") or "context"
        return f"{TAG_REPO}/{name}:{self.digest[:16]}"

    @property
    def index_key(self) -> str:
        """:attr:`digest` plus each build arg, its value by digest: what the image built."""
        args = sorted((k, hashlib.sha256(v.encode()).hexdigest())
                      for k, v in self.build_args.items())
        return hashlib.sha256(json.dumps([self.digest, args]).encode()).hexdigest()


def _dockerignore(context: str) -> list[str]:
    """``.dockerignore``'s patterns, read as the Docker SDK reads them when it sends the
    context."""
    try:
        with open(os.path.join(context, ".dockerignore")) as f:
            lines = [line.strip() for line in f.read().splitlines()]
    except FileNotFoundError:
        return []
    return [line for line in lines if line and not line.startswith("#")]


def context_files(context: str, file: str) -> list[str]:
    """The context's paths the engine receives (files and directories), sorted."""
    from docker.utils.build import exclude_paths  # the SDK that sends them decides

    return sorted(exclude_paths(context, _dockerignore(context), dockerfile=file))


def _file_digest(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def _digest(context: str, file: str) -> str:
    h = hashlib.sha256(json.dumps(["dockerfile", file]).encode())
    for rel in context_files(context, file):
        path = os.path.join(context, rel)
        st = os.lstat(path)
        if stat.S_ISLNK(st.st_mode):
            entry: list[Any] = [rel, "link", os.readlink(path)]
        elif stat.S_ISDIR(st.st_mode):
            entry = [rel, "dir"]
        else:
            entry = [rel, "file", bool(st.st_mode & 0o111), _file_digest(path)]
        h.update(json.dumps(entry).encode())
    return h.hexdigest()


def dockerfile_problems(dockerfile: str | None, build_args: Any, image: Any) -> list[str]:
    """What is wrong with ``bundling.dockerfile`` / ``build_args`` / ``image``, cheaply."""
    problems = []
    if image is not None and not isinstance(image, str):
        problems.append(
            f"bundling.image: {type(image).__name__} is not an image name; CDK's "
            "DockerImage.from_build(path, file=..., build_args=...) builds at construct "
            "time with CDK's Docker: pass bundling.dockerfile=f'{path}/{file}' and "
            "bundling.build_args instead, built at synth once per content")
    if dockerfile is None:
        if build_args:
            problems.append("bundling.build_args: given without bundling.dockerfile; "
                            "they are --build-arg values for it")
        return problems
    if image:
        problems.append("bundling.dockerfile: given with bundling.image; give one (the "
                        "Dockerfile's FROM names the image it builds on)")
    if not os.path.isfile(dockerfile):
        problems.append(f"bundling.dockerfile: cannot find {os.path.abspath(dockerfile)}; "
                        "pass the path of a Dockerfile (its directory is the build context)")
    if not isinstance(build_args, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in build_args.items()):
        problems.append("bundling.build_args must map names to strings: {'NAME': 'value'}")
    return problems


def dockerfile_build(dockerfile: str, build_args: Mapping[str, str]) -> DockerfileBuild:
    """The build of ``dockerfile`` (checked by :func:`dockerfile_problems` first)."""
    path = os.path.abspath(dockerfile)
    context, file = os.path.dirname(path), os.path.basename(path)
    return DockerfileBuild(context, file, dict(build_args), _digest(context, file))
