"""SlimPythonLayerVersion: an ``aws_lambda.LayerVersion`` of slim dependencies.

Built by the same pipeline as a function, with everything under ``python/`` (what
Lambda puts on ``sys.path`` from ``/opt``). A :class:`SlimPythonFunction` that
uses it counts the layer against the 250 MiB limit, compiles bytecode within
what is left, and does not bundle a distribution the layer already provides.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3_assets as s3_assets
from constructs import Construct

from ..errors import ConfigurationError
from ..options import MAX_LAYERS, BundlingOptions, SizeLimits, SlimOptions
from ..pipeline.distinfo import normalized_name
from ..plan.request import LAYER_PREFIX, LayerShare
from ..platform import architecture_named
from ..report.saved import read_report, report_path_for
from .asset import SlimAsset, construct_label, plan_request, slim_asset
from .props import cdk_rejects, given, keyword_problems

__all__ = ["SlimPythonLayerVersion", "layer_provided", "layer_shares"]

#: LayerVersion props the construct sets itself, and what to pass instead.
OWNED = {"code": "SlimPythonLayerVersion builds the code from entry=...; pass the directory "
                 "with the layer's manifest there"}


class SlimPythonLayerVersion(lambda_.LayerVersion):
    """A Lambda layer whose dependencies are installed, slimmed, stripped, compiled,
    import-checked and measured like a :class:`SlimPythonFunction`'s.

    :param entry: directory holding the layer's dependency manifest (``requirements.txt``,
        a lock file or ``pyproject.toml``) and any shared code: its files ship under
        ``python/`` beside the dependencies, with the excludes, slimming and bytecode of a
        function's sources, so a function can ``import shared`` from the layer.
    :param compatible_runtimes: exactly one Python runtime (the layer's bytecode and
        native code are built for it).
    :param compatible_architectures: one architecture. Default: ``[X86_64]``.
    :param bundling: how and where it is built. Default: ``BundlingOptions()``.
    :param slim: what is removed, stripped and compiled. Default: ``SlimOptions()``.
    :param size_limits: limits for the layer alone. Default: Lambda's own.

    Every other keyword (typed here or not) is the ``aws_lambda.LayerVersion`` prop of
    that name; a keyword LayerVersion does not take is a :class:`ConfigurationError`
    naming it.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        entry: str,
        compatible_runtimes: Sequence[lambda_.Runtime],
        compatible_architectures: Sequence[lambda_.Architecture] | None = None,
        bundling: BundlingOptions | None = None,
        slim: SlimOptions | None = None,
        size_limits: SizeLimits | None = None,
        description: str | None = None,
        layer_version_name: str | None = None,
        license: str | None = None,
        removal_policy: cdk.RemovalPolicy | None = None,
        **kwargs: Any,
    ) -> None:
        label = construct_label(scope, id)
        where = f"SlimPythonLayerVersion {label}"
        architectures = list(compatible_architectures or [lambda_.Architecture.X86_64])
        problems = keyword_problems(lambda_.LayerVersion, kwargs, OWNED)
        if len(compatible_runtimes) != 1:
            problems.append("compatible_runtimes: give exactly one Python runtime (the layer "
                            "is built for one Python version); make one layer per runtime")
        if len(architectures) != 1:
            problems.append("compatible_architectures: give exactly one architecture; make "
                            "one layer per architecture")
        if not compatible_runtimes:
            raise ConfigurationError(where, problems)
        runtime = compatible_runtimes[0]
        request, _handler = plan_request(
            scope, where=where, label=label, problems=problems, entry=entry,
            runtime=runtime.name, runtime_family=runtime.family,
            architecture=architectures[0].name, index="index.py", handler="handler",
            bundling=bundling or BundlingOptions(), slim=slim or SlimOptions(),
            limits=size_limits or SizeLimits(), prefix=LAYER_PREFIX, check_index=False)
        props = given(description=description, layer_version_name=layer_version_name,
                      license=license, removal_policy=removal_policy)
        self._attach(scope, id, where, slim_asset(request), runtime, architectures,
                     **props, **kwargs)

    def _attach(self, scope: Construct, id: str, where: str, asset: SlimAsset,
                runtime: lambda_.Runtime, architectures: Sequence[lambda_.Architecture],
                **props: Any) -> None:
        """Become the ``LayerVersion`` of ``asset`` (also for a planned dependency layer)."""
        self._bundler = asset.bundling
        self._fingerprint = asset.fingerprint
        with cdk_rejects(where, lambda_.LayerVersion):
            super().__init__(scope, id, code=asset.code, compatible_runtimes=[runtime],
                             compatible_architectures=list(architectures), **props)
        self.build_request = asset.request
        """The resolved build plan."""

    @property
    def runtime_name(self) -> str:
        return self.build_request.runtime

    @property
    def architecture_name(self) -> str:
        return self.build_request.architecture

    def _asset_dir(self) -> str | None:
        for child in self.node.find_all():
            if isinstance(child, s3_assets.Asset):
                path = child.asset_path
                if not os.path.isabs(path):
                    stage = cdk.Stage.of(self)
                    path = os.path.join(stage.outdir if stage else "", path)
                return path
        return None

    def share(self) -> LayerShare:
        """What this layer contributes to a function (size known once it is built)."""
        asset = self._asset_dir()
        report = self._bundler.report
        if report is None and asset and os.path.isfile(report_path_for(asset)):
            report = read_report(report_path_for(asset))
        python_dir = os.path.join(asset, "python") if asset else None
        if report is None:
            return LayerShare(label=self.build_request.label, unzipped_bytes=0,
                              fingerprint=self._fingerprint, python_dir=None)
        return LayerShare(
            label=self.build_request.label, unzipped_bytes=int(report["unzipped_bytes"]),
            zipped_bytes=report["zipped_bytes"],
            packages={normalized_name(p["name"]): p["version"] for p in report["packages"]},
            python_dir=python_dir if python_dir and os.path.isdir(python_dir) else None,
            fingerprint=self._fingerprint, report=report)


def layer_provided(layers: Sequence[lambda_.ILayerVersion],
                   declared: Mapping[str, Sequence[str]]) -> tuple[tuple[str, ...], list[str]]:
    """What layers that are not slim-lambda's provide (``layer_packages={arn: ["name",
    "name==version"]}``), as ``bundling.provided`` entries; problems with the mapping."""
    arns = {layer.layer_version_arn for layer in layers
            if not isinstance(layer, SlimPythonLayerVersion)
            and not cdk.Token.is_unresolved(layer.layer_version_arn)}
    problems = [f"layer_packages: {arn} is not one of the function's layers (that are not "
                "slim-lambda's); give the ARN of a layer in layers=[...]"
                for arn in declared if arn not in arns]
    return tuple(p for arn in declared if arn in arns for p in declared[arn]), problems


def layer_shares(runtime: str, architecture: str, layers: Sequence[lambda_.ILayerVersion],
                 declared: dict[str, int]) -> tuple[tuple[LayerShare, ...], list[str]]:
    """The function's layers as size shares; problems (count, runtime, architecture)."""
    problems = []
    shares = []
    if len(layers) > MAX_LAYERS:
        problems.append(f"layers: {len(layers)} layers given; a Lambda function can use at "
                        f"most {MAX_LAYERS}. Merge some (one SlimPythonLayerVersion can hold many "
                        "packages)")
    known = architecture_named(architecture)
    arch = known.name if known else architecture
    for i, layer in enumerate(layers):
        if isinstance(layer, SlimPythonLayerVersion):
            if layer.runtime_name != runtime:
                problems.append(f"layers[{i}] {layer.build_request.label} is built for "
                                f"{layer.runtime_name}, but the function runs {runtime}; "
                                "build the layer for the function's runtime")
            if layer.architecture_name != arch:
                problems.append(f"layers[{i}] {layer.build_request.label} is built for "
                                f"{layer.architecture_name}, but the function is {arch}; "
                                "build the layer for the function's architecture")
            shares.append(layer.share())
        else:
            arn = layer.layer_version_arn
            size = declared.get(arn)
            label = arn if not cdk.Token.is_unresolved(arn) else layer.node.path
            shares.append(LayerShare(label=label, unzipped_bytes=size or 0,
                                     declared=size is not None, fingerprint=str(size),
                                     zipped_bytes=None))
    return tuple(shares), problems
