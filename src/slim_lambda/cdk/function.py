"""SlimPythonFunction: a drop-in ``aws_lambda.Function`` with a slim, checked bundle.

Construct time only validates (cheaply, reporting every problem at once) and plans; the
build itself happens in :class:`~slim_lambda.cdk.staging.SlimLocalBundling` when CDK
stages the asset, so stacks outside ``bundlingStacks`` never run Docker. The common
Function props are typed parameters; any other ``aws_lambda.Function`` keyword passes
through to CDK unchanged (see :mod:`slim_lambda.cdk.props`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import aws_cdk as cdk
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from ..options import DEPENDENCIES, BundlingOptions, SizeLimits, SlimOptions
from ..plan.dependencies import code_request, dependencies_problems
from .asset import construct_label, plan_request, slim_asset
from .deps_layer import SlimDependencyLayer, dependency_layer
from .layer import layer_provided, layer_shares
from .props import cdk_rejects, given, keyword_problems

if TYPE_CHECKING:  # annotations only: importing these modules costs a synth ~0.1 s
    import aws_cdk.interfaces.aws_logs as ilogs
    from aws_cdk import aws_ec2 as ec2
    from aws_cdk import aws_iam as iam
    from aws_cdk import aws_logs as logs
    from aws_cdk import aws_sqs as sqs

__all__ = ["SlimPythonFunction"]

#: Function props the construct sets itself, and what to pass instead.
OWNED = {"code": "SlimPythonFunction builds the code from entry=...; pass the directory "
                 "there (use aws_lambda.Function for code built elsewhere)"}


class SlimPythonFunction(lambda_.Function):
    """A Python Lambda function whose dependencies are installed in a Lambda build
    image, slimmed, stripped, compiled to hash-based bytecode, import-checked and
    measured against Lambda's size limits at synth.

    :param entry: directory with the handler's sources (and ``requirements.txt``).
    :param runtime: a Python runtime, e.g. ``aws_lambda.Runtime.PYTHON_3_12``.
    :param index: the handler's file, relative to ``entry``. Default: ``index.py``.
    :param handler: the handler function in ``index``. Default: ``handler``.
    :param architecture: Default: ``Architecture.X86_64``.
    :param bundling: how and where the bundle is built. Default: ``BundlingOptions()``.
    :param slim: what is removed, stripped and compiled. Default: ``SlimOptions()``.
    :param size_limits: limits checked at synth, for the function plus its layers.
        Default: Lambda's own.
    :param layers: as ``aws_lambda.Function``'s. A :class:`SlimPythonLayerVersion` counts
        with its real size; its distributions are not bundled again.
    :param layer_sizes: unzipped bytes of layers that are not slim-lambda's, by layer
        version ARN, so the 250 MiB check covers them. Default: none (their size is
        reported as unknown).
    :param layer_packages: what layers that are not slim-lambda's provide, by layer version
        ARN: ``{powertools_arn: ["aws-lambda-powertools==3.4.0"]}``. Those distributions
        (and what only they require) are not bundled, like ``bundling.provided``'s.
    :param strict_layer_versions: a distribution the function needs at another version
        than a :class:`SlimPythonLayerVersion` provides is an error. Default: False, the
        function bundles its own version (it wins on Lambda: ``/var/task`` comes before
        ``/opt/python``) with a warning naming both.
    :param dependencies: ``"bundle"``: the dependencies are in the function's own asset.
        ``"layer"``: they are a slim layer (``python/``), one per stack for every function
        with the same dependencies and options, and the function's asset holds only its
        own code, so a handler change uploads kilobytes (the layer's asset hash does not
        change). No layer is made when there is nothing to install. Default: ``"bundle"``.

    The other typed keywords, and any other keyword (``snap_start``, ``vpc_subnets``, a
    prop of a newer aws-cdk-lib, ...), are the ``aws_lambda.Function`` props of that name.
    A keyword Function does not take is a :class:`ConfigurationError` naming it.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        entry: str,
        runtime: lambda_.Runtime,
        index: str = "index.py",
        handler: str = "handler",
        architecture: lambda_.Architecture | None = None,
        bundling: BundlingOptions | None = None,
        slim: SlimOptions | None = None,
        size_limits: SizeLimits | None = None,
        layers: Sequence[lambda_.ILayerVersion] | None = None,
        layer_sizes: Mapping[str, int] | None = None,
        layer_packages: Mapping[str, Sequence[str]] | None = None,
        strict_layer_versions: bool = False,
        dependencies: str = DEPENDENCIES[0],
        memory_size: float | None = None,
        timeout: cdk.Duration | None = None,
        environment: Mapping[str, str] | None = None,
        description: str | None = None,
        function_name: str | None = None,
        role: iam.IRole | None = None,
        initial_policy: Sequence[iam.PolicyStatement] | None = None,
        vpc: ec2.IVpc | None = None,
        vpc_subnets: ec2.SubnetSelection | dict[str, Any] | None = None,
        security_groups: Sequence[ec2.ISecurityGroup] | None = None,
        tracing: lambda_.Tracing | None = None,
        reserved_concurrent_executions: float | None = None,
        ephemeral_storage_size: cdk.Size | None = None,
        log_group: ilogs.ILogGroupRef | None = None,
        log_retention: logs.RetentionDays | None = None,
        events: Sequence[lambda_.IEventSource] | None = None,
        dead_letter_queue: sqs.IQueue | None = None,
        **kwargs: Any,
    ) -> None:
        architecture = architecture or lambda_.Architecture.X86_64
        label = construct_label(scope, id)
        where = f"SlimPythonFunction {label}"
        problems = [*keyword_problems(lambda_.Function, kwargs, OWNED),
                    *dependencies_problems(dependencies)]
        shares, layer_problems = layer_shares(runtime.name, architecture.name,
                                              list(layers or []), dict(layer_sizes or {}))
        foreign, foreign_problems = layer_provided(list(layers or []), layer_packages or {})
        bundling = bundling or BundlingOptions()
        if foreign:
            bundling = replace(bundling, provided=(*bundling.provided, *foreign))
        layer_problems += foreign_problems
        request, lambda_handler = plan_request(
            scope, where=where, label=label, problems=[*problems, *layer_problems],
            layers=shares, strict_layer_versions=strict_layer_versions, entry=entry,
            runtime=runtime.name, runtime_family=runtime.family,
            architecture=architecture.name, index=index, handler=handler,
            bundling=bundling, slim=slim or SlimOptions(),
            limits=size_limits or SizeLimits())
        deps = None if dependencies != "layer" else dependency_layer(
            scope, where, request, runtime=runtime, architecture=architecture,
            user_layers=len(shares))
        if deps is not None:
            request = code_request(request, deps.share())
            layers = [*(layers or []), deps]
        props = given(
            layers=layers, memory_size=memory_size, timeout=timeout, environment=environment,
            description=description, function_name=function_name, role=role,
            initial_policy=initial_policy, vpc=vpc, vpc_subnets=vpc_subnets,
            security_groups=security_groups, tracing=tracing,
            reserved_concurrent_executions=reserved_concurrent_executions,
            ephemeral_storage_size=ephemeral_storage_size, log_group=log_group,
            log_retention=log_retention, events=events, dead_letter_queue=dead_letter_queue)
        asset = slim_asset(request)
        code = asset.code
        with cdk_rejects(where, lambda_.Function):
            super().__init__(scope, id, code=code, handler=lambda_handler, runtime=runtime,
                             architecture=architecture, **props, **kwargs)
        self.build_request = asset.request
        """The resolved build plan (entry, image, options)."""
        self.dependency_layer: SlimDependencyLayer | None = deps
        """With ``dependencies="layer"``, the layer that holds the dependencies (shared with
        the stack's other functions that have the same); else None."""
