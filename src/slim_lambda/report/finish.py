"""The last step of every build: the stages' report completed into a :class:`Report`,
the function plus its layers checked against the limits, the table logged, and
:class:`SizeLimitError` raised when over, with what to do about it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ..errors import SizeLimitError
from ..manifests import InstallPlan
from ..pipeline.distinfo import normalized_name
from ..pipeline.errors import BuildError
from ..plan.dockerfile import COPY_INSTRUCTION
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
    report["kind"] = request.kind
    if request.base_image:
        report["base_image"] = request.base_image
        report["image_layers"] = [{"instruction": COPY_INSTRUCTION,
                                   "files": report["files"] or 0,
                                   "bytes": report["unzipped_bytes"]}]
    report["manifest"] = _manifest(request.plan)
    report["layers"] = [_layer(layer) for layer in request.layers]
    report["warnings"] += [
        f"layer {layer['label']}: size unknown, not counted against the unzipped limit; "
        "declare it with layer_sizes={arn: bytes}"
        for layer in report["layers"] if not layer["size_known"]]
    report["limits"] = {"unzipped_bytes": request.limits.unzipped_bytes,
                        "zipped_bytes": request.limits.zipped_bytes, "ok": True}
    report["warnings"] += _overrides(request, report)
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


def _overrides(request: BuildRequest, report: Report) -> list[str]:
    """One warning per distribution the function bundles at another version than a layer
    provides; :class:`BuildError` instead when the function asked for strict versions (a
    dependency layer always does: two layers' copies would be merged in /opt/python)."""
    lines = []
    for o in report["layer_overrides"]:
        key = normalized_name(o["name"])
        label = next((layer.label for layer in request.layers if key in layer.packages),
                     "a layer")
        if request.kind == "layer":
            lines.append(f"{o['name']} {o['bundled']} is required, but layer {label} "
                         f"provides {o['layer']}: in a dependency layer both copies would "
                         "be merged file by file in /opt/python")
            continue
        lines.append(f"{o['name']} {o['bundled']} is bundled with the function and shadows "
                     f"{o['layer']} from layer {label}: on Lambda /var/task comes before "
                     f"/opt/python, so the function imports {o['bundled']}")
    if lines and request.strict_layer_versions:
        raise BuildError("layers", "; ".join(lines), details=(
            "Pin the same version in the function and the layer (the function then uses "
            "the layer's copy), or " + (
                "use dependencies='bundle' to bundle the function's own."
                if request.kind == "layer" else
                "drop strict_layer_versions=True to bundle the function's own.")))
    return [f"{line}; pin the same version in both to share the layer's copy"
            for line in lines]


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
