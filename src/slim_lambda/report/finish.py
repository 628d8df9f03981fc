"""The last step of every build: the function plus its layers against the limits, the
rendered table, and where the saved report goes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..errors import SizeLimitError
from ..plan.request import BuildRequest, LayerShare
from .text import check_limits, contributors, over_limit_advice, render

__all__ = ["finish_report", "report_path_for"]

Log = Callable[[str], None]


def finish_report(request: BuildRequest, report: dict[str, Any], log: Log) -> dict[str, Any]:
    """Check the limits (function plus layers), render, raise when over."""
    report.pop("file_bytes", None)
    report["label"] = request.label
    plan = request.plan
    report["manifest"] = {"kind": plan.kind, "path": plan.manifest, "groups": list(plan.groups),
                          "locked": plan.no_deps, "hashes": plan.require_hashes,
                          "project": plan.project, "notes": list(plan.notes)}
    report["layers"] = [
        {"label": layer.label, "unzipped_bytes": layer.unzipped_bytes,
         "zipped_bytes": layer.zipped_bytes, "declared": layer.declared,
         "size_known": layer.declared or layer.report is not None,
         "packages": [{"name": n, "version": v} for n, v in sorted(layer.packages.items())]}
        for layer in request.layers]
    for layer in report["layers"]:
        if not layer["size_known"]:
            report.setdefault("warnings", []).append(
                f"layer {layer['label']}: size unknown, not counted against the unzipped "
                "limit; declare it with layer_sizes={arn: bytes}")
    report["limits"] = {"unzipped_bytes": request.limits.unzipped_bytes,
                        "zipped_bytes": request.limits.zipped_bytes}
    combined = report["unzipped_bytes"] + request.layer_bytes
    report["combined_unzipped_bytes"] = combined
    checked = dict(report, unzipped_bytes=combined) if request.layers else report
    errors, warnings = check_limits(checked, request.limits)
    if errors and request.layers:
        errors.append(_largest_contributors(report, request.layers))
    report["warnings"] = list(report.get("warnings", [])) + warnings
    report["limits"]["ok"] = not errors
    text = render(report, request.limits, title=request.label or request.entry)
    if errors:
        raise SizeLimitError("\n".join([*errors, text, over_limit_advice(report)]))
    log(text)
    return report


def _largest_contributors(report: dict[str, Any], layers: tuple[LayerShare, ...]) -> str:
    """The biggest packages across the function and its layers, largest first."""
    rows = contributors(report, [(f"layer {layer.label}", layer.report, layer.unzipped_bytes)
                                 for layer in layers])
    lines = [f"  {size / 1048576:9.1f} MiB  {name}  [{where}]" for size, name, where in rows[:12]]
    parts = [f"function {report['unzipped_bytes'] / 1048576:.1f} MiB"] + [
        f"layer {layer.label} {layer.unzipped_bytes / 1048576:.1f} MiB" for layer in layers]
    return ("function plus layers: " + " + ".join(parts) + "\nlargest contributors:\n"
            + "\n".join(lines))


def report_path_for(output_dir: str) -> str:
    """Where the JSON report goes: beside the asset directory, never inside it."""
    base = output_dir.rstrip("/\\")
    base = base.removesuffix("-building")
    return base + ".slim-report.json"
