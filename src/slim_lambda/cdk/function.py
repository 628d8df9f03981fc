"""SlimPythonFunction: a drop-in ``aws_lambda.Function`` with a slim, checked bundle.

Construct time only validates (cheaply, reporting every problem at once) and
plans; the build itself happens in :class:`~slim_lambda.cdk.staging.SlimLocalBundling`
when CDK stages the asset, so stacks outside ``bundlingStacks`` never run Docker.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import aws_cdk as cdk
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from ..errors import ConfigurationError
from ..options import BundlingOptions, SizeLimits, SlimOptions
from ..plan.keys import fingerprint
from ..plan.resolve import resolve_request
from ..platform import IMAGE_CONTEXT_KEY, IMAGE_ENV_VAR
from .layer import layer_shares
from .staging import SlimLocalBundling

if TYPE_CHECKING:  # annotations only: importing these modules costs a synth ~0.1 s
    import aws_cdk.interfaces.aws_kms as ikms
    import aws_cdk.interfaces.aws_lambda as ilambda
    import aws_cdk.interfaces.aws_logs as ilogs
    from aws_cdk import aws_codeguruprofiler as codeguruprofiler
    from aws_cdk import aws_ec2 as ec2
    from aws_cdk import aws_iam as iam
    from aws_cdk import aws_logs as logs
    from aws_cdk import aws_sns as sns
    from aws_cdk import aws_sqs as sqs

__all__ = ["SlimPythonFunction"]


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

    Every other keyword is the ordinary ``aws_lambda.Function`` option of that name.
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
        layer_sizes: Mapping[str, int] | None = None,
        adot_instrumentation: lambda_.AdotInstrumentationConfig | dict[str, Any] | None = None,
        allow_all_ipv6_outbound: bool | None = None,
        allow_all_outbound: bool | None = None,
        allow_public_subnet: bool | None = None,
        application_log_level: str | None = None,
        application_log_level_v2: lambda_.ApplicationLogLevel | None = None,
        code_signing_config: ilambda.ICodeSigningConfigRef | None = None,
        current_version_options: lambda_.VersionOptions | dict[str, Any] | None = None,
        dead_letter_queue: sqs.IQueue | None = None,
        dead_letter_queue_enabled: bool | None = None,
        dead_letter_topic: sns.ITopic | None = None,
        description: str | None = None,
        durable_config: lambda_.DurableConfig | dict[str, Any] | None = None,
        environment: Mapping[str, str] | None = None,
        environment_encryption: ikms.IKeyRef | None = None,
        ephemeral_storage_size: cdk.Size | None = None,
        events: Sequence[lambda_.IEventSource] | None = None,
        filesystem: lambda_.FileSystem | None = None,
        function_name: str | None = None,
        initial_policy: Sequence[iam.PolicyStatement] | None = None,
        insights_version: lambda_.LambdaInsightsVersion | None = None,
        ipv6_allowed_for_dual_stack: bool | None = None,
        layers: Sequence[lambda_.ILayerVersion] | None = None,
        log_format: str | None = None,
        logging_format: lambda_.LoggingFormat | None = None,
        log_group: ilogs.ILogGroupRef | None = None,
        log_removal_policy: cdk.RemovalPolicy | None = None,
        log_retention: logs.RetentionDays | None = None,
        log_retention_retry_options: (
            lambda_.LogRetentionRetryOptions | dict[str, Any] | None) = None,
        log_retention_role: iam.IRole | None = None,
        memory_size: float | None = None,
        params_and_secrets: lambda_.ParamsAndSecretsLayerVersion | None = None,
        profiling: bool | None = None,
        profiling_group: codeguruprofiler.IProfilingGroup | None = None,
        recursive_loop: lambda_.RecursiveLoop | None = None,
        reserved_concurrent_executions: float | None = None,
        role: iam.IRole | None = None,
        runtime_management_mode: lambda_.RuntimeManagementMode | None = None,
        security_groups: Sequence[ec2.ISecurityGroup] | None = None,
        snap_start: lambda_.SnapStartConf | None = None,
        system_log_level: str | None = None,
        system_log_level_v2: lambda_.SystemLogLevel | None = None,
        tenancy_config: lambda_.TenancyConfig | None = None,
        timeout: cdk.Duration | None = None,
        tracing: lambda_.Tracing | None = None,
        vpc: ec2.IVpc | None = None,
        vpc_subnets: ec2.SubnetSelection | dict[str, Any] | None = None,
        max_event_age: cdk.Duration | None = None,
        on_failure: lambda_.IDestination | None = None,
        on_success: lambda_.IDestination | None = None,
        retry_attempts: float | None = None,
    ) -> None:
        architecture = architecture or lambda_.Architecture.X86_64
        bundling = bundling or BundlingOptions()
        slim = slim or SlimOptions()
        size_limits = size_limits or SizeLimits()
        label = f"{scope.node.path}/{id}".lstrip("/")
        where = f"SlimPythonFunction {label}"
        shares, problems = layer_shares(where, runtime.name, architecture.name,
                                        list(layers or []), dict(layer_sizes or {}))
        if problems:
            raise ConfigurationError(where, problems)
        request, lambda_handler = resolve_request(
            where=where, layers=shares,
            entry=entry, runtime=runtime.name, runtime_family=runtime.family,
            architecture=architecture.name, index=index, handler=handler,
            bundling=bundling, slim=slim, limits=size_limits,
            image_context=scope.node.try_get_context(IMAGE_CONTEXT_KEY),
            image_env=os.environ.get(IMAGE_ENV_VAR), label=label)
        code = lambda_.Code.from_asset(
            request.entry,
            asset_hash=fingerprint(request),
            asset_hash_type=cdk.AssetHashType.CUSTOM,
            bundling=cdk.BundlingOptions(
                image=cdk.DockerImage.from_registry(request.image),
                platform=request.platform,
                local=SlimLocalBundling(request),
            ),
        )
        options: dict[str, Any] = dict(
            adot_instrumentation=adot_instrumentation,
            allow_all_ipv6_outbound=allow_all_ipv6_outbound,
            allow_all_outbound=allow_all_outbound,
            allow_public_subnet=allow_public_subnet,
            application_log_level=application_log_level,
            application_log_level_v2=application_log_level_v2,
            code_signing_config=code_signing_config,
            current_version_options=current_version_options,
            dead_letter_queue=dead_letter_queue,
            dead_letter_queue_enabled=dead_letter_queue_enabled,
            dead_letter_topic=dead_letter_topic,
            description=description,
            durable_config=durable_config,
            environment=environment,
            environment_encryption=environment_encryption,
            ephemeral_storage_size=ephemeral_storage_size,
            events=events,
            filesystem=filesystem,
            function_name=function_name,
            initial_policy=initial_policy,
            insights_version=insights_version,
            ipv6_allowed_for_dual_stack=ipv6_allowed_for_dual_stack,
            layers=layers,
            log_format=log_format,
            logging_format=logging_format,
            log_group=log_group,
            log_removal_policy=log_removal_policy,
            log_retention=log_retention,
            log_retention_retry_options=log_retention_retry_options,
            log_retention_role=log_retention_role,
            memory_size=memory_size,
            params_and_secrets=params_and_secrets,
            profiling=profiling,
            profiling_group=profiling_group,
            recursive_loop=recursive_loop,
            reserved_concurrent_executions=reserved_concurrent_executions,
            role=role,
            runtime_management_mode=runtime_management_mode,
            security_groups=security_groups,
            snap_start=snap_start,
            system_log_level=system_log_level,
            system_log_level_v2=system_log_level_v2,
            tenancy_config=tenancy_config,
            timeout=timeout,
            tracing=tracing,
            vpc=vpc,
            vpc_subnets=vpc_subnets,
            max_event_age=max_event_age,
            on_failure=on_failure,
            on_success=on_success,
            retry_attempts=retry_attempts,
        )
        super().__init__(
            scope, id, code=code, handler=lambda_handler, runtime=runtime,
            architecture=architecture,
            **{k: v for k, v in options.items() if v is not None})
        self.build_request = request
        """The resolved build plan (entry, image, options)."""


