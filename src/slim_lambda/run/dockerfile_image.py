"""``bundling.dockerfile``: the build image built at synth, once per content.

:func:`built_image` is what a Docker-mode build runs in: the image the local index names
for the Dockerfile's content when the engine still has it (no ``docker build`` at all),
else a fresh build, recorded. :func:`pinned_image` is what the asset hash names at
construct time, without building: that image's ID, or the Dockerfile's tag marked not
built (the next synth names the ID: one rebuild of the asset, as for an image not pulled).
Build args are hidden in every line shown, the failing step's output among them.
"""

from __future__ import annotations

from collections.abc import Callable

from ..errors import DockerError
from ..plan.build_image import DockerfileBuild
from ..plan.request import BuildRequest
from .container import DockerRunner
from .container_spec import BuiltImage, ImageBuild
from .engine_socket import EngineSocket
from .environment import MIN_SECRET, make_redactor
from .image_index import lookup, record

__all__ = ["NOT_BUILT", "build_failure", "built_image", "pinned_image"]

Log = Callable[[str], None]
NOT_BUILT = " (Dockerfile not built on this machine)"
TAIL_LINES = 25
"""Lines of the failing step's output an error shows."""


def _redactor(build: DockerfileBuild) -> Callable[[str], str]:
    return make_redactor(tuple(v for v in build.build_args.values() if len(v) >= MIN_SECRET))


def build_failure(build: DockerfileBuild, result: BuiltImage) -> str:
    """The error of a build that failed: the Dockerfile, the engine's error, the last
    lines of output (the failing step's), build args hidden."""
    hide = _redactor(build)
    tail = "\n".join(f"  {hide(line)}" for line in result.lines[-TAIL_LINES:])
    return (f"the build image's Dockerfile {build.path} failed to build: "
            f"{hide(result.error)}\n{tail}\nFix the Dockerfile (bundling.dockerfile) and "
            "synth again.")


def built_image(request: BuildRequest, docker: DockerRunner, log: Log) -> str:
    """The ID of the image ``request.image_build`` makes: reused, or built and recorded."""
    build = request.image_build
    assert build is not None
    cache_dir = request.bundling.cache_dir
    known = lookup(build.index_key, cache_dir)
    if known is not None and docker.has_image(known):
        return docker.ensure_image(known, request.platform, log)
    hide = _redactor(build)
    log(f"building the build image from {build.path} ({build.tag}) ...")
    result = docker.build_image(ImageBuild(
        context=build.context, dockerfile=build.file, tag=build.tag, platform=request.platform,
        build_args=dict(build.build_args), network=request.bundling.network,
        timeout_seconds=request.bundling.timeout_seconds), lambda line: log(hide(line)))
    if result.image_id is None:
        raise DockerError(build_failure(build, result))
    image_id = docker.ensure_image(result.image_id, request.platform, log)
    record(build.index_key, image_id, build.path, cache_dir)
    return image_id


def pinned_image(request: BuildRequest, engine: EngineSocket | None) -> str:
    """What the asset hash names for ``request.image_build``: the ID the index knows when
    the engine still has it, else the tag and :data:`NOT_BUILT`."""
    build = request.image_build
    assert build is not None
    known = lookup(build.index_key, request.bundling.cache_dir)
    if known is not None and engine is not None and engine.image(known) is not None:
        return known
    return build.tag + NOT_BUILT
