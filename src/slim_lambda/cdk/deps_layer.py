"""The dependency layer of ``SlimPythonFunction(dependencies="layer")``: made once per
stack for each set of dependencies, and shared by every function that has the same.

The split itself is planned in :mod:`slim_lambda.plan.dependencies`; here the layer's
request is pinned and hashed, and the stack is asked for a layer of that hash before one
is made, so ten functions with the same requirements get one layer, built once. CDK
stages a ``LayerVersion``'s asset when it is constructed, so by the time the function
plans its own asset the layer is built (or reused from ``cdk.out``) and its size and
packages are known.
"""

from __future__ import annotations

from dataclasses import replace

import aws_cdk as cdk
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from ..errors import ConfigurationError
from ..plan.dependencies import layer_count_problem, layer_id, layer_request
from ..plan.keys import fingerprint
from ..plan.request import BuildRequest
from .asset import construct_label, pinned, slim_asset
from .layer import SlimPythonLayerVersion

__all__ = ["SlimDependencyLayer", "dependency_layer"]


class SlimDependencyLayer(SlimPythonLayerVersion):
    """The dependencies of one or more :class:`SlimPythonFunction`\\ s, as a slim layer:
    everything under ``python/``, none of the functions' own code."""

    def __init__(self, scope: Construct, id: str, *, request: BuildRequest,
                 runtime: lambda_.Runtime, architecture: lambda_.Architecture) -> None:
        label = construct_label(scope, id)
        self._attach(scope, id, f"SlimDependencyLayer {label}",
                     slim_asset(replace(request, label=label)), runtime, [architecture],
                     description=f"slim-lambda: dependencies from {_manifest(request)}")


def _manifest(request: BuildRequest) -> str:
    return request.plan.manifest or request.plan.kind


def dependency_layer(scope: Construct, where: str, request: BuildRequest, *,
                     runtime: lambda_.Runtime, architecture: lambda_.Architecture,
                     user_layers: int) -> SlimDependencyLayer | None:
    """The stack's layer for ``request``'s dependencies, made if it is the first function
    to ask; None when there are no dependencies. Raises :class:`ConfigurationError` when
    the layer would be one more than Lambda allows."""
    planned = layer_request(request)
    if planned is None:
        return None
    if (problem := layer_count_problem(user_layers)) is not None:
        raise ConfigurationError(where, [problem])
    planned = pinned(planned)
    stack = cdk.Stack.of(scope)
    id = layer_id(fingerprint(planned))
    existing = stack.node.try_find_child(id)
    if isinstance(existing, SlimDependencyLayer):
        return existing
    return SlimDependencyLayer(stack, id, request=planned, runtime=runtime,
                               architecture=architecture)
