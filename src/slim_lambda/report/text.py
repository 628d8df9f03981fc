"""Rendering a build report as text, and checking it against the limits. Pure functions.

The text is for terminals and CI logs: plain ASCII, at most :data:`WIDTH` columns,
one block per function or layer:

    slim-lambda: App/Model (python3.11, x86_64, image ...)
      from installed to bundle                    files        bytes
        installed                                 4,512    196.8 MiB
        - tests                                   1,669    -27.9 MiB
        + bytecode (all)                          1,405    +30.2 MiB
        = unzipped                                3,158    183.7 MiB
      limits                       size        limit     headroom
        unzipped              183.7 MiB    250.0 MiB     66.3 MiB  ok
        ...

A report with ``layers`` adds the function-plus-layers block, since Lambda's
unzipped limit covers them together; :func:`render_combined` also shows each
layer's own block and the largest packages across all parts.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

from ..options import SizeLimits

__all__ = ["WIDTH", "check_limits", "contributors", "mb", "over_limit_advice", "render",
           "render_combined"]

WIDTH = 100
"""No rendered line is longer than this."""

Report = Mapping[str, Any]


def mb(n: int | float) -> str:
    """Bytes in binary units (Lambda's 250 MiB limit reads as 250.0 MiB)."""
    if abs(n) < 1 << 20:
        return f"{n / 1024:,.1f} KiB"
    return f"{n / (1 << 20):,.1f} MiB"


def _signed(n: int) -> str:
    return ("+" if n >= 0 else "-") + mb(abs(n))


def check_limits(report: Report, limits: SizeLimits) -> tuple[list[str], list[str]]:
    """``(errors, warnings)`` for the report against the limits.

    ``unzipped_bytes`` is what is checked: pass the combined size of a function and
    its layers there to check the whole function.
    """
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
            errors.append(text + "; size_limits.fail_on_zipped makes this an error")
        else:
            warnings.append(text + "; fine for CDK, which uploads through S3")
    return errors, warnings


def _table(rows: Sequence[Sequence[str]], indent: str = "    ",
           left: frozenset[int] = frozenset({0})) -> list[str]:
    """Rows of cells, columns ``left`` left-aligned and the others right-aligned; a row may
    have fewer cells than the widest."""
    n = max(len(r) for r in rows)
    widths = [max((len(r[i]) for r in rows if i < len(r)), default=0) for i in range(n)]
    out = []
    for row in rows:
        cells = [c.ljust(widths[i]) if i in left else c.rjust(widths[i])
                 for i, c in enumerate(row)]
        out.append(_clip(indent + "  ".join(cells).rstrip()))
    return out


def _clip(line: str) -> str:
    return line if len(line) <= WIDTH else line[:WIDTH - 3] + "..."


def _short(text: str, width: int) -> str:
    """``text`` in at most ``width`` characters, the middle elided (ARNs end with the name)."""
    if len(text) <= width:
        return text
    tail = (width - 3) // 2
    return text[:width - 3 - tail] + "..." + text[len(text) - tail:]


def _wrap(prefix: str, text: str) -> list[str]:
    return textwrap.wrap(text, WIDTH, initial_indent=prefix,
                         subsequent_indent=" " * len(prefix), break_on_hyphens=False) or [prefix]


def _title(report: Report, title: str) -> list[str]:
    facts = [str(report[k]) for k in ("runtime", "architecture") if report.get(k)]
    name = title or str(report.get("label") or "") or "bundle"
    with_image = facts + ([f"image {report['image']}"] if report.get("image") else [])
    line = f"slim-lambda: {name}" + (f" ({', '.join(with_image)})" if with_image else "")
    if len(line) <= WIDTH:
        return [line]
    line = f"slim-lambda: {name}" + (f" ({', '.join(facts)})" if facts else "")
    return [_clip(line)] + ([_clip(f"  image {report['image']}")] if report.get("image") else [])


def _flow(report: Report) -> list[str]:
    """Installed bytes, minus each rule, plus bytecode, equals the bundle."""
    installed = int(report.get("installed_bytes") or 0)
    unzipped = int(report["unzipped_bytes"])
    files = report.get("files")
    if not installed:
        return []
    rows: list[tuple[str, ...]] = [("from installed to bundle", "files", "bytes"),
                                   ("  installed", "", mb(installed))]
    accounted = installed
    for r in report.get("removed_by_rule") or []:
        rows.append((f"  - {r['rule']}", f"{int(r['files']):,}", _signed(-int(r["bytes"]))))
        accounted -= int(r["bytes"])
    bc = report.get("bytecode") or {}
    if int(bc.get("bytes") or 0):
        how = str(bc.get("choice") or bc.get("mode") or "")
        dropped = int(bc.get("dropped_for_budget") or 0)
        if dropped:
            how += f", {dropped:,} left out for the size limit"
        rows.append((f"  + bytecode ({how})", f"{int(bc.get('modules') or 0):,}",
                     _signed(int(bc["bytes"]))))
        accounted += int(bc["bytes"])
    if unzipped != accounted:
        rows.append(("  ~ other changes", "", _signed(unzipped - accounted)))
    share = f"{100 * (unzipped - installed) / installed:+.0f}%"
    rows.append(("  = unzipped", f"{files:,}" if isinstance(files, int) else "", mb(unzipped),
                 f"{share} vs installed"))
    return _table(rows, indent="  ", left=frozenset({0, 3}))


def _limit_rows(label: str, size: int | None, limit: int, note_ok: str,
                note_over: str) -> tuple[str, ...]:
    if size is None:
        return (label, "unknown", mb(limit), "", "")
    head = limit - size
    return (label, mb(size), mb(limit), mb(head) if head >= 0 else "-" + mb(-head),
            note_ok if head >= 0 else note_over)


def _limits(report: Report, limits: SizeLimits) -> list[str]:
    layers = report.get("layers") or []
    unzipped = int(report["unzipped_bytes"])
    label = "unzipped"
    if layers:
        unzipped = int(report.get("combined_unzipped_bytes") or unzipped + sum(
            int(layer.get("unzipped_bytes") or 0) for layer in layers))
        label = f"unzipped (+{len(layers)} layer{'s' if len(layers) > 1 else ''})"
    zipped = report.get("zipped_bytes")
    zip_over = ("OVER: fails synth (fail_on_zipped)" if limits.fail_on_zipped else
                "over: direct upload only (CDK uses S3)")
    rows = [("limits", "size", "limit", "headroom"),
            _limit_rows("  " + label, unzipped, limits.unzipped_bytes, "ok",
                        f"OVER by {mb(unzipped - limits.unzipped_bytes)}"),
            _limit_rows("  zipped", None if zipped is None else int(zipped),
                        limits.zipped_bytes, "ok", zip_over)]
    return _table(rows, indent="  ", left=frozenset({0, 4}))


def _packages(report: Report, top: int) -> list[str]:
    packages = list(report.get("packages") or [])
    if not packages:
        return []
    total = max(int(report["unzipped_bytes"]), 1)
    rows: list[tuple[str, ...]] = [("largest packages", "files", "bytes", "share")]
    for p in packages[:top]:
        rows.append((_short(f"  {p['name']} {p.get('version', '')}".rstrip(), 48),
                     f"{int(p.get('files') or 0):,}" if p.get("files") is not None else "",
                     mb(int(p["bytes"])), f"{100 * int(p['bytes']) / total:.0f}%"))
    if len(packages) > top:
        rest = packages[top:]
        rows.append((f"  ... {len(rest)} more packages",
                     f"{sum(int(p.get('files') or 0) for p in rest):,}",
                     mb(sum(int(p["bytes"]) for p in rest)),
                     f"{100 * sum(int(p['bytes']) for p in rest) / total:.0f}%"))
    if report.get("user_code_bytes"):
        rows.append(("  (your code)", "", mb(int(report["user_code_bytes"])),
                     f"{100 * int(report['user_code_bytes']) / total:.0f}%"))
    if report.get("other_bytes"):
        rows.append(("  (files of no package)", "", mb(int(report["other_bytes"])),
                     f"{100 * int(report['other_bytes']) / total:.0f}%"))
    return _table(rows, indent="  ")


def _layers(report: Report, limits: SizeLimits) -> list[str]:
    """Each part's unzipped bytes and the total that Lambda checks."""
    layers = report.get("layers") or []
    if not layers:
        return []
    parts: list[tuple[str, int | None, str]] = [
        (f"function {report.get('label') or ''}".rstrip(), int(report["unzipped_bytes"]), "")]
    for layer in layers:
        known = layer.get("size_known", True) and layer.get("unzipped_bytes") is not None
        parts.append((f"layer {layer.get('label') or '?'}",
                      int(layer["unzipped_bytes"]) if known else None,
                      ("declared size" if layer.get("declared") else "") if known else
                      "not counted"))
    total = int(report.get("combined_unzipped_bytes")
                or sum(size for _name, size, _note in parts if size is not None))
    rows: list[tuple[str, ...]] = [("function plus layers", "unzipped", "share")]
    for name, size, note in parts:
        rows.append(("  " + _short(name, 60), "unknown" if size is None else mb(size),
                     "" if size is None else f"{100 * size / max(total, 1):.0f}%", note))
    rows.append(("  total (the limits above)", mb(total), "100%"))
    lines = _table(rows, indent="  ", left=frozenset({0, 3}))
    dedup = report.get("deduplicated") or []
    if dedup:
        lines += _wrap("  provided by a layer, not bundled: ",
                       ", ".join(f"{d['name']} {d.get('version', '')}".rstrip() for d in dedup))
    return lines


def render(report: Report, limits: SizeLimits, *, title: str = "", top: int = 10) -> str:
    """A compact, human-readable size report: one block, at most :data:`WIDTH` columns."""
    lines = _title(report, title)
    lines += _flow(report)
    lines += _limits(report, limits)
    lines += _layers(report, limits)
    lines += _packages(report, top)
    for notice in report.get("notices") or []:
        lines += _wrap("  notice: ", str(notice))
    for warning in report.get("warnings") or []:
        lines += _wrap("  warning: ", str(warning))
    return "\n".join(lines)


def contributors(function_report: Report,
                 layers: Sequence[tuple[str, Report | None, int]]) -> list[tuple[int, str, str]]:
    """``(bytes, package, where)`` across a function and its layers, largest first.

    ``layers`` are ``(where, report, unzipped bytes)``; a layer without a report (one
    that is not slim-lambda's) counts as one row of its declared size.
    """
    def packages(report: Report, where: str) -> list[tuple[int, str, str]]:
        return [(int(p["bytes"]), f"{p['name']} {p.get('version', '')}".rstrip(), where)
                for p in report.get("packages") or []]

    rows = packages(function_report, "function")
    if function_report.get("user_code_bytes"):
        rows.append((int(function_report["user_code_bytes"]), "(your code)", "function"))
    for where, report, size in layers:
        rows += packages(report, where) if report is not None else [(size, "(whole layer)",
                                                                        where)]
    rows.sort(key=lambda r: (-r[0], r[1]))
    return rows


def render_combined(function_report: Report, layer_reports: Sequence[Report],
                    limits: SizeLimits, *, title: str = "", top: int = 10) -> str:
    """The function's block, each layer's own block, and the largest packages across all
    of them (what to look at first when the function plus its layers is over the limit)."""
    blocks = [render(function_report, limits, title=title, top=top)]
    for layer in layer_reports:
        name = str(layer.get("label") or "")
        blocks.append(render({k: v for k, v in layer.items() if k != "layers"}, limits,
                             title=f"layer {name}" if name else "layer", top=top))
    rows = contributors(function_report, [
        (f"layer {layer.get('label') or i + 1}", layer, 0)
        for i, layer in enumerate(layer_reports)])
    if rows:
        table = [("largest across function and layers", "bytes", "in")]
        table += [(_short(f"  {name}", 48), mb(size), _short(where, 40))
                  for size, name, where in rows[:top]]
        blocks.append("\n".join(_table(table, indent="")))
    return "\n\n".join(blocks)


def over_limit_advice(report: Report) -> str:
    """Concrete next steps for a bundle over the unzipped limit."""
    packages = report.get("packages") or []
    biggest = ", ".join(p["name"] for p in packages[:3]) or "the largest packages"
    steps = [
        f"Check that every large package is needed at runtime ({biggest}); boto3 and "
        "botocore are already in the Lambda runtime.",
        "Remove data files you never read with slim.patterns, e.g. 'sklearn/datasets/data/'; "
        "`slim-lambda report cdk.out --html report.html` shows where the bytes are.",
        "Keep bytecode to what the handler imports (slim.bytecode='imported') or turn it off.",
        "Layers count toward the same 250 MiB; beyond it, package the function as a "
        "container image (aws_lambda.DockerImageFunction, 10 GB).",
    ]
    lines = ["Next steps:"]
    for i, step in enumerate(steps, 1):
        lines += textwrap.wrap(step, WIDTH, initial_indent=f"  {i}. ", subsequent_indent="     ",
                               break_on_hyphens=False)
    return "\n".join(lines)
