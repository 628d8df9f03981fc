"""Rendering a build report as text, and checking it against the limits. Pure functions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .options import SizeLimits

__all__ = ["check_limits", "mb", "over_limit_advice", "render"]


def mb(n: int | float) -> str:
    """Bytes in binary units (Lambda's 250 MiB limit reads as 250.0 MiB)."""
    if abs(n) < 1 << 20:
        return f"{n / 1024:,.1f} KiB"
    return f"{n / (1 << 20):,.1f} MiB"


def check_limits(report: dict[str, Any], limits: SizeLimits) -> tuple[list[str], list[str]]:
    """``(errors, warnings)`` for the report against the limits."""
    errors: list[str] = []
    warnings: list[str] = []
    unzipped = int(report["unzipped_bytes"])
    zipped = int(report.get("zipped_bytes") or 0)
    if unzipped > limits.unzipped_bytes:
        errors.append(f"unzipped size {unzipped:,} bytes ({mb(unzipped)}) is over the limit of "
                      f"{limits.unzipped_bytes:,} bytes ({mb(limits.unzipped_bytes)}) by "
                      f"{mb(unzipped - limits.unzipped_bytes)}")
    if zipped > limits.zipped_bytes:
        text = (f"zipped size {zipped:,} bytes ({mb(zipped)}) is over the direct-upload limit "
                f"of {limits.zipped_bytes:,} bytes ({mb(limits.zipped_bytes)})")
        if limits.fail_on_zipped:
            errors.append(text)
        else:
            warnings.append(text + "; fine for CDK, which uploads through S3")
    return errors, warnings


def _table(rows: Sequence[tuple[str, ...]], indent: str = "    ") -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    out = []
    for row in rows:
        cells = [c.ljust(w) if i == 0 else c.rjust(w)
                 for i, (c, w) in enumerate(zip(row, widths, strict=True))]
        out.append(indent + "  ".join(cells).rstrip())
    return out


def render(report: dict[str, Any], limits: SizeLimits, *, title: str = "",
           top: int = 10) -> str:
    """A compact, human-readable size report."""
    unzipped = int(report["unzipped_bytes"])
    zipped = int(report.get("zipped_bytes") or 0)
    facts = [str(report[k]) for k in ("runtime", "architecture") if report.get(k)]
    if report.get("image"):
        facts.append(f"image {report['image']}")
    lines = [f"slim-lambda: {title or 'bundle'}" + (f" ({', '.join(facts)})" if facts else "")]
    head = limits.unzipped_bytes - unzipped
    lines.append(f"  unzipped {mb(unzipped)} of {mb(limits.unzipped_bytes)} "
                 f"({'headroom ' + mb(head) if head >= 0 else 'OVER by ' + mb(-head)}); "
                 f"zipped {mb(zipped)} (direct-upload limit {mb(limits.zipped_bytes)})")
    installed = int(report.get("installed_bytes") or 0)
    removed = int(report.get("removed_bytes") or 0)
    if installed:
        lines.append(f"  installed {mb(installed)}, removed {mb(removed)} "
                     f"({100 * removed / installed:.0f}%)")
    rules = report.get("removed_by_rule") or []
    if rules:
        lines.append("  removed by rule:")
        lines += _table([(r["rule"], f"{r['files']:,} files", mb(r["bytes"])) for r in rules])
    bc = report.get("bytecode") or {}
    if bc.get("mode") and bc.get("mode") != "none":
        note = f", {bc['dropped_for_budget']} left out for the size limit" if bc.get(
            "dropped_for_budget") else ""
        lines.append(f"  bytecode ({bc['mode']}): {bc.get('modules', 0):,} modules, "
                     f"{mb(bc.get('bytes', 0))}{note}")
    packages = report.get("packages") or []
    if packages:
        lines.append("  largest packages:")
        rows = [(f"{p['name']} {p['version']}", mb(p["bytes"]),
                 f"{100 * p['bytes'] / max(unzipped, 1):.0f}%") for p in packages[:top]]
        if report.get("user_code_bytes"):
            rows.append(("(your code)", mb(report["user_code_bytes"]), ""))
        lines += _table(rows)
        if len(packages) > top:
            rest = sum(p["bytes"] for p in packages[top:])
            lines.append(f"    ... {len(packages) - top} more packages, {mb(rest)}")
    for warning in report.get("warnings") or []:
        lines.append(f"  warning: {warning}")
    return "\n".join(lines)


def over_limit_advice(report: dict[str, Any]) -> str:
    """Concrete next steps for a bundle over the unzipped limit."""
    packages = report.get("packages") or []
    biggest = ", ".join(p["name"] for p in packages[:3]) or "the largest packages"
    steps = [
        f"Check that every large package is needed at runtime ({biggest}); boto3 and "
        "botocore are already in the Lambda runtime.",
        "Remove data files you never read with slim.patterns, e.g. 'sklearn/datasets/data/'.",
        "Keep bytecode to what the handler imports (slim.bytecode='imported') or turn it off.",
        "Layers count toward the same 250 MiB; beyond it, package the function as a "
        "container image (aws_lambda.DockerImageFunction, 10 GB).",
    ]
    return "Next steps:\n" + "\n".join(f"  {i}. {s}" for i, s in enumerate(steps, 1))
