"""The image asset of :class:`~slim_lambda.cdk.image.SlimPythonImageFunction`: the bundle
and its Dockerfile staged in ``cdk.out``, then CDK's own image asset of that directory.

``DockerImageCode.from_image_asset`` binds a directory that must exist when the function
is constructed, so the staging (``cdk.AssetStaging`` with our hash and our hook, as
``Code.from_asset`` does for a zip) happens first, in the stack; CDK then hashes and copies
the directory as the image asset ``cdk deploy`` builds and pushes. Its hash is the
bundle's fingerprint plus the Dockerfile's text: a new base image or handler is a new
image, a new handler *file* a new bundle.
"""

from __future__ import annotations

import hashlib
import os
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_ecr_assets as ecr_assets
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from ..errors import ConfigurationError
from ..plan.dockerfile import DOCKERFILE, TASK_DIR
from ..plan.keys import fingerprint
from ..plan.request import BuildRequest
from ..report.model import Report
from ..run.base_image import python_problem
from ..run.build import build
from ..run.container import DockerRunner
from ..run.engine_socket import EngineSocket
from .asset import local_bundling
from .staging import SlimLocalBundling

__all__ = ["SlimImageBundling", "image_code"]


def image_code(scope: Construct, bundler: SlimImageBundling) -> lambda_.DockerImageCode:
    """The function's code: the image asset of :func:`image_directory`, for the
    request's platform."""
    return lambda_.DockerImageCode.from_image_asset(
        image_directory(scope, bundler),
        platform=ecr_assets.Platform.custom(bundler.request.platform))


class SlimImageBundling(SlimLocalBundling):
    """Builds the bundle into ``task/`` and writes the Dockerfile beside it, after checking
    that the base image (when it is on this machine) has the runtime's Python."""

    def __init__(self, request: BuildRequest, *, dockerfile: str, where: str,
                 runner: DockerRunner | None = None, **kw: Any) -> None:
        super().__init__(request, runner=runner, **kw)
        self.dockerfile = dockerfile
        self.where = where
        self.asset_hash = hashlib.sha256(
            f"{fingerprint(request)}\n{dockerfile}".encode()).hexdigest()
        """The bundle's fingerprint and the Dockerfile: what the image is made of."""

    def build_into(self, output_dir: str) -> Report:
        runner = self._runner or DockerRunner()
        engine = EngineSocket.from_env()
        base = self.request.base_image
        notice = None
        if engine is not None and engine.image(base) is not None:
            problem = python_problem(base, self.request.runtime, self.request.architecture,
                                     runner)
            if problem is not None:
                raise ConfigurationError(self.where, [problem])
        else:
            notice = (f"base image {base} is not on this machine: its Python and "
                      "architecture were not checked (docker build pulls it at deploy)")
        task = os.path.join(output_dir, TASK_DIR)
        os.mkdir(task)
        report = build(self.request, task, runner=runner, log=self._log)
        with open(os.path.join(output_dir, DOCKERFILE), "w", encoding="utf-8") as f:
            f.write(self.dockerfile)
        if notice is not None:
            report["notices"].append(notice)
            self._log(f"  notice: {notice}")
        return report


def image_directory(scope: Construct, bundler: SlimImageBundling) -> str:
    """The image asset's directory: our bundle and Dockerfile staged in ``cdk.out`` under
    our hash, built by our hook only for the stacks CDK bundles (one staging per hash and
    stack, shared by functions built the same). A stack CDK does not bundle gets a context
    holding only the Dockerfile: its image is never built."""
    stack = cdk.Stack.of(scope)
    if not stack.bundling_required:
        directory = os.path.join(cdk.Stage.of(scope).outdir,  # type: ignore[union-attr]
                                 f".slim-image-unbundled-{bundler.asset_hash[:16]}")
        os.makedirs(os.path.join(directory, TASK_DIR), exist_ok=True)
        with open(os.path.join(directory, DOCKERFILE), "w", encoding="utf-8") as f:
            f.write(bundler.dockerfile)
        return directory
    child_id = f"SlimImageBundle{bundler.asset_hash[:16]}"
    staging = stack.node.try_find_child(child_id)
    if not isinstance(staging, cdk.AssetStaging):
        staging = cdk.AssetStaging(
            stack, child_id, source_path=bundler.request.entry,
            asset_hash=bundler.asset_hash, asset_hash_type=cdk.AssetHashType.CUSTOM,
            bundling=local_bundling(bundler))
    return staging.absolute_staged_path

