"""A report against Lambda's size limits, and what to say when it is over them.

Lambda checks the unzipped size of a function *plus its layers* (250 MiB), so the check
is on ``combined_unzipped_bytes``; the 50 MiB zipped limit only applies to direct
uploads, which CDK does not use, so it warns unless ``fail_on_zipped``. Over the limit,
the error names the largest packages across the function and its layers, and next
steps. Pure: rendering the tables is :mod:`.text`'s job.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..options import IMAGE_UNZIPPED_LIMIT_BYTES, SizeLimits
from .layout import mb, wrap
from .model import Report

__all__ = ["LayerPart", "check_limits", "contributors", "image_bytes", "largest_contributors",
           "over_limit_advice"]

LayerPart = tuple[str, Report | None, int]
"""A layer as ``(where, its report or None, its unzipped bytes)``: a layer that is not
slim-lambda's has no report and counts as one row of its declared size."""


def check_limits(report: Report, limits: SizeLimits) -> tuple[list[str], list[str]]:
    """``(errors, warnings)`` of the function plus its layers against ``limits``."""
    errors: list[str] = []
    warnings: list[str] = []
    unzipped = report["combined_unzipped_bytes"]
    zipped = report["zipped_bytes"] or 0
    if unzipped > limits.unzipped_bytes:
        errors.append(f"unzipped size {unzipped:,} bytes ({mb(unzipped)}) is over the limit of "
                      f"{limits.unzipped_bytes:,} bytes ({mb(limits.unzipped_bytes)}) by "
                      f"{mb(unzipped - limits.unzipped_bytes)}")
    if zipped > limits.zipped_bytes and report["kind"] != "image":  # an image is no zip
        text = (f"zipped size {zipped:,} bytes ({mb(zipped)}) is over the direct-upload limit "
                f"of {limits.zipped_bytes:,} bytes ({mb(limits.zipped_bytes)})")
        if limits.fail_on_zipped:
            errors.append(text + "; size_limits.fail_on_zipped makes this an error")
        else:
            warnings.append(text + "; fine for CDK, which uploads through S3")
    return errors, warnings


def contributors(report: Report, layers: Sequence[LayerPart]) -> list[tuple[int, str, str]]:
    """``(bytes, package, where)`` across a function and its layers, largest first."""
    def packages(part: Report, where: str) -> list[tuple[int, str, str]]:
        return [(p["bytes"], f"{p['name']} {p['version']}".rstrip(), where)
                for p in part["packages"]]

    rows = packages(report, "function")
    if report["user_code_bytes"]:
        rows.append((report["user_code_bytes"], "(your code)", "function"))
    for where, layer, size in layers:
        rows += packages(layer, where) if layer is not None else [(size, "(whole layer)", where)]
    rows.sort(key=lambda r: (-r[0], r[1]))
    return rows


def largest_contributors(report: Report, layers: Sequence[LayerPart], top: int = 12) -> str:
    """What each part weighs and the biggest packages across them, for the error."""
    rows = contributors(report, layers)
    lines = [f"  {size / 1048576:9.1f} MiB  {name}  [{where}]" for size, name, where in rows[:top]]
    parts = [f"function {report['unzipped_bytes'] / 1048576:.1f} MiB"] + [
        f"{where} {size / 1048576:.1f} MiB" for where, _layer, size in layers]
    return ("function plus layers: " + " + ".join(parts) + "\nlargest contributors:\n"
            + "\n".join(lines))


def image_bytes(report: Report) -> int:
    """What the bundle would weigh as an image function's layer: bytecode ``auto`` (or
    ``all``) then compiles every module, since everything fits."""
    bytecode = report["bytecode"]
    if bytecode["mode"] not in ("auto", "all") or not bytecode["all_bytes"]:
        return report["unzipped_bytes"]
    return report["unzipped_bytes"] - bytecode["bytes"] + bytecode["all_bytes"]


def over_limit_advice(report: Report) -> str:
    """Concrete next steps for a bundle over the unzipped limit."""
    biggest = ", ".join(p["name"] for p in report["packages"][:3]) or "the largest packages"
    steps = [
        f"Check that every large package is needed at runtime ({biggest}); boto3 and "
        "botocore are already in the Lambda runtime.",
        "Remove data files you never read with slim.patterns, e.g. 'sklearn/datasets/data/'; "
        "`slim-lambda report cdk.out --html report.html` shows where the bytes are.",
        "Keep bytecode to what the handler imports (slim.bytecode='imported') or turn it off.",
        "Layers count toward the same 250 MiB. Past it, deploy the function as a container "
        "image: SlimPythonImageFunction takes the same options, and this bundle would be "
        f"an image layer of {mb(image_bytes(report))} (every module compiled) of the "
        f"{IMAGE_UNZIPPED_LIMIT_BYTES >> 30} GB an image may hold.",
    ]
    lines = ["Next steps:"]
    for i, step in enumerate(steps, 1):
        lines += wrap(f"  {i}. ", step, indent="     ")
    return "\n".join(lines)
