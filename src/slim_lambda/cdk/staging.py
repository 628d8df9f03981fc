"""The hook CDK calls while staging the asset: ``ILocalBundling.try_bundle``.

CDK only calls it for stacks it bundles (``bundlingStacks``), and only when the
asset directory for this hash does not exist yet, so no Docker work happens at
construct time or for skipped stacks.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import aws_cdk
import jsii

from ..plan.request import BuildRequest
from ..report.model import Report
from ..report.saved import report_path_for, write_report
from ..run.build import build, stderr_log
from ..run.container import DockerRunner

__all__ = ["SlimLocalBundling"]


@jsii.implements(aws_cdk.ILocalBundling)
class SlimLocalBundling:
    """The ILocalBundling CDK calls at asset staging; builds with :func:`build`."""

    def __init__(self, request: BuildRequest, *, runner: DockerRunner | None = None,
                 log: Callable[[str], None] = stderr_log) -> None:
        self.request = request
        self._runner = runner
        self._log = log
        self.report: Report | None = None
        """The report of the build this synth ran (None when CDK reused the asset)."""

    def try_bundle(self, output_dir: str, *, image: aws_cdk.DockerImage, **_options: Any
                   ) -> bool:
        report_path = report_path_for(output_dir)
        if os.path.exists(report_path):
            os.unlink(report_path)
        report = self.build_into(output_dir)
        write_report(report_path, report)
        self._log(f"slim-lambda: report written to {report_path}")
        self.report = report
        return True

    def build_into(self, output_dir: str) -> Report:
        """Build the asset into ``output_dir``; an image function's hook adds its
        Dockerfile (:class:`slim_lambda.cdk.image_asset.SlimImageBundling`)."""
        return build(self.request, output_dir, runner=self._runner, log=self._log)
