"""SlimPythonImageFunction: a drop-in ``aws_lambda.DockerImageFunction`` past 250 MiB.

The same request, options, cache, verify and report as :class:`SlimPythonFunction`; the
bundle is built into ``task/`` of a directory whose generated Dockerfile
(:mod:`slim_lambda.plan.dockerfile`) copies it onto the Lambda base image, and that
directory is the image asset ``cdk deploy`` builds and pushes
(:mod:`slim_lambda.cdk.image_asset`). The limit is an image's (10 GB), so bytecode
``auto`` compiles every module. Construct time only resolves and validates, and checks
what the engine's inspect data says of the base image.
"""

from __future__ import annotations

import os
from dataclasses import replace
from typing import Any

from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from ..options import IMAGE_UNZIPPED_LIMIT_BYTES, BundlingOptions, SizeLimits, SlimOptions
from ..plan.base_image import architecture_problem, resolve_base_image
from ..plan.dockerfile import dockerfile
from ..platform import BASE_IMAGE_CONTEXT_KEY, BASE_IMAGE_ENV_VAR, RUNTIMES, architecture_named
from ..run.engine_socket import EngineSocket
from .asset import construct_label, pinned, plan_request
from .image_asset import SlimImageBundling, image_code
from .props import cdk_rejects, keyword_problems

__all__ = ["SlimPythonImageFunction"]

#: DockerImageFunction props the construct sets itself, and what to pass instead.
OWNED = {"code": "SlimPythonImageFunction builds the image from entry=...; pass the "
                 "directory there (use aws_lambda.DockerImageFunction for an image built "
                 "elsewhere)"}


class SlimPythonImageFunction(lambda_.DockerImageFunction):
    """A Python Lambda function deployed as a container image: the slim, checked bundle
    of :class:`SlimPythonFunction` copied onto the Lambda base image.

    :param entry: directory with the handler's sources (and ``requirements.txt``).
    :param runtime: a Python runtime; picks the build image and the base image.
    :param index: the handler's file, relative to ``entry``. Default: ``index.py``.
    :param handler: the handler function in ``index``. Default: ``handler``.
    :param architecture: Default: ``Architecture.X86_64``.
    :param bundling: how and where the bundle is built. Default: ``BundlingOptions()``.
    :param slim: what is removed, stripped and compiled. Default: ``SlimOptions()``.
    :param size_limits: the limit for the layer the image adds. Default: an image's,
        ``SizeLimits(unzipped_bytes=IMAGE_UNZIPPED_LIMIT_BYTES)`` (10 GB; zipped sizes
        are not checked: an image is not a zip).
    :param base_image: the image the Dockerfile starts ``FROM``, a template with
        ``{runtime}``, ``{version}`` and ``{arch}``. Default: ``$SLIM_LAMBDA_BASE_IMAGE``,
        else context ``slim-lambda:base-image``, else the Lambda base image.

    Any other keyword is the ``aws_lambda.DockerImageFunction`` prop of that name.
    """

    def __init__(self, scope: Construct, id: str, *, entry: str, runtime: lambda_.Runtime,
                 index: str = "index.py", handler: str = "handler",
                 architecture: lambda_.Architecture | None = None,
                 bundling: BundlingOptions | None = None, slim: SlimOptions | None = None,
                 size_limits: SizeLimits | None = None, base_image: str | None = None,
                 **kwargs: Any) -> None:
        architecture = architecture or lambda_.Architecture.X86_64
        label = construct_label(scope, id)
        where = f"SlimPythonImageFunction {label}"
        problems = keyword_problems(lambda_.DockerImageFunction, kwargs, OWNED)
        base = _base_image(scope, base_image, runtime.name, architecture.name, problems)
        request, lambda_handler = plan_request(
            scope, where=where, label=label, problems=problems, entry=entry,
            runtime=runtime.name, runtime_family=runtime.family,
            architecture=architecture.name, index=index, handler=handler,
            bundling=bundling or BundlingOptions(), slim=slim or SlimOptions(),
            limits=size_limits or SizeLimits(unzipped_bytes=IMAGE_UNZIPPED_LIMIT_BYTES))
        request = replace(pinned(request), base_image=base)
        text = dockerfile(base, lambda_handler)
        self.build_request = request
        """The resolved build plan (entry, images, options)."""
        self.dockerfile = text
        """The generated Dockerfile."""
        code = image_code(scope, SlimImageBundling(request, dockerfile=text, where=where))
        with cdk_rejects(where, lambda_.DockerImageFunction):
            super().__init__(scope, id, code=code, architecture=architecture, **kwargs)


def _base_image(scope: Construct, given: str | None, runtime: str, architecture: str,
                problems: list[str]) -> str:
    """The base image, resolved; its architecture checked when it is on this machine (an
    inspect on the engine's local socket: milliseconds)."""
    arch = architecture_named(architecture)
    if runtime not in RUNTIMES or arch is None:
        return ""  # plan_request names the runtime or architecture
    image = resolve_base_image(given, os.environ.get(BASE_IMAGE_ENV_VAR),
                               scope.node.try_get_context(BASE_IMAGE_CONTEXT_KEY),
                               runtime, arch.name, problems)
    engine = EngineSocket.from_env()
    if image and engine is not None:
        problem = architecture_problem(image, engine.image(image), arch.name)
        if problem is not None:
            problems.append(problem)
    return image
