"""The last step of every build: the stages' report completed into a :class:`Report`,
the function plus its layers checked against the limits, the table logged, and
:class:`SizeLimitError` raised when over, with what to do about it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ..errors import SizeLimitError
from ..manifests import InstallPlan
from ..plan.request import BuildRequest, LayerShare
from .limits import LayerPart, check_limits, largest_contributors, over_limit_advice
from .load import load_report
from .model import Report
from .parts import LayerEntry, ManifestInfo
from .text import render

__all__ = ["finish_report"]

Log = Callable[[str], None]


def finish_report(request: BuildRequest, built: Mapping[str, Any], log: Log) -> Report:
    """``built`` (the asset stage's report, with the host's additions) as the final report.

    Raises :class:`SizeLimitError` when the function plus its layers is over the limits.
    """
    report = load_report(built, f"the build of {request.label or request.entry}")
    report["label"] = request.label
    report["manifest"] = _manifest(request.plan)
    report["layers"] = [_layer(layer) for layer in request.layers]
    report["warnings"] += [
        f"layer {layer['label']}: size unknown, not counted against the unzipped limit; "
        "declare it with layer_sizes={arn: bytes}"
        for layer in report["layers"] if not layer["size_known"]]
    report["limits"] = {"unzipped_bytes": request.limits.unzipped_bytes,
                        "zipped_bytes": request.limits.zipped_bytes, "ok": True}
    report["combined_unzipped_bytes"] = report["unzipped_bytes"] + request.layer_bytes
    errors, warnings = check_limits(report, request.limits)
    if errors and request.layers:
        errors.append(largest_contributors(report, [_part(layer) for layer in request.layers]))
    report["warnings"] += warnings
    report["limits"]["ok"] = not errors
    text = render(report, request.limits, title=request.label or request.entry)
    if errors:
        raise SizeLimitError("\n".join([*errors, text, over_limit_advice(report)]))
    log(text)
    return report


def _manifest(plan: InstallPlan) -> ManifestInfo:
    return {"kind": plan.kind, "path": plan.manifest, "groups": list(plan.groups),
            "locked": plan.no_deps, "hashes": plan.require_hashes, "project": plan.project,
            "notes": list(plan.notes)}


def _layer(layer: LayerShare) -> LayerEntry:
    return {"label": layer.label, "unzipped_bytes": layer.unzipped_bytes,
            "zipped_bytes": layer.zipped_bytes, "declared": layer.declared,
            "size_known": layer.declared or layer.report is not None,
            "packages": [{"name": n, "version": v} for n, v in sorted(layer.packages.items())]}


def _part(layer: LayerShare) -> LayerPart:
    """The layer for the largest-contributors list; its report, if any, read as a report."""
    report = (None if layer.report is None else
              load_report(layer.report, f"the report of layer {layer.label}"))
    return (f"layer {layer.label}", report, layer.unzipped_bytes)
