"""The one asset both constructs hand CDK: the entry, named by our hash, built by our hook.

A function and a layer must be planned and staged the same way: the same image precedence
(``bundling.image`` > ``$SLIM_LAMBDA_IMAGE`` > context ``slim-lambda:image``; the remote
cache's likewise), the same custom asset hash (:func:`~slim_lambda.plan.keys.fingerprint`,
so CDK reuses an asset without building it), and the same
:class:`~slim_lambda.cdk.staging.SlimLocalBundling`, which CDK calls only for the stacks
it bundles. Keeping that here, once, is what lets
the constructs stay thin.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from ..errors import ConfigurationError
from ..plan.keys import fingerprint
from ..plan.remote import REMOTE_CONTEXT_KEY, REMOTE_ENV
from ..plan.request import BuildRequest
from ..plan.resolve import resolve_request
from ..platform import IMAGE_CONTEXT_KEY, IMAGE_ENV_VAR
from ..run.engine_socket import EngineSocket
from ..run.remote_use import warm_ahead
from ..run.target import pin_request
from .staging import SlimLocalBundling

__all__ = ["SlimAsset", "construct_label", "local_bundling", "pinned", "plan_request",
           "slim_asset"]


@dataclass(frozen=True)
class SlimAsset:
    """What a construct gets back: the code to pass on and the hook that builds it."""

    code: lambda_.AssetCode
    bundling: SlimLocalBundling
    """CDK's ``ILocalBundling``; its ``report`` is set once this synth built the asset."""
    fingerprint: str
    """The custom asset hash."""
    request: BuildRequest
    """The request as hashed and built: pinned to its target and resolution settings."""


def construct_label(scope: Construct, id: str) -> str:
    """``Stack/Function``: how reports and errors name the construct."""
    return f"{scope.node.path}/{id}".lstrip("/")


def plan_request(scope: Construct, *, where: str, label: str, problems: list[str],
                 **resolve: Any) -> tuple[BuildRequest, str]:
    """Resolve the build request with the image sources CDK knows of; raise one
    :class:`ConfigurationError` with ``problems`` (the construct's own) and every problem
    the options have. Returns the request and the Lambda handler string. The stage's
    output directory is never a source, even inside the entry (``cdk synth -o``)."""
    stage = cdk.Stage.of(scope)
    try:
        request, handler = resolve_request(
            where=where, label=label, output_dirs=(stage.outdir,) if stage else (),
            image_context=scope.node.try_get_context(IMAGE_CONTEXT_KEY),
            image_env=os.environ.get(IMAGE_ENV_VAR),
            remote_context=scope.node.try_get_context(REMOTE_CONTEXT_KEY),
            remote_env=os.environ.get(REMOTE_ENV), **resolve)
    except ConfigurationError as e:
        raise ConfigurationError(where, [*problems, *e.problems]) from None
    if problems:
        raise ConfigurationError(where, problems)
    return request, handler


def pinned(request: BuildRequest) -> BuildRequest:
    """The request pinned to the target this host resolves for it (the mode, the image ID,
    the resolution settings), as the asset hash names it."""
    return pin_request(request, EngineSocket.from_env())


def slim_asset(request: BuildRequest) -> SlimAsset:
    """``Code.from_asset`` of the request's entry, pinned (:func:`~slim_lambda.run.target.
    pin_request`: the resolved mode and image, the resolution settings), hashed by it,
    built by :class:`SlimLocalBundling`. The build image is named for CDK's bookkeeping only: the
    local hook always builds (in that image, or locally), so CDK never runs it itself. A
    request pinned already (:func:`pinned`) keeps its pin."""
    warm_ahead(request.bundling)  # a fresh runner's S3 client, while this hashes
    if request.pinned is None:
        request = pinned(request)
    bundler = SlimLocalBundling(request)
    asset_hash = fingerprint(request)
    code = lambda_.Code.from_asset(
        request.entry,
        asset_hash=asset_hash,
        asset_hash_type=cdk.AssetHashType.CUSTOM,
        bundling=local_bundling(bundler),
    )
    return SlimAsset(code=code, bundling=bundler, fingerprint=asset_hash, request=request)


def local_bundling(bundler: SlimLocalBundling) -> cdk.BundlingOptions:
    """CDK's bundling options for our hook. The build image is named for CDK's bookkeeping
    only: the local hook always builds, so CDK never runs the image itself."""
    return cdk.BundlingOptions(image=cdk.DockerImage.from_registry(bundler.request.image),
                               platform=bundler.request.platform, local=bundler)
