"""Rendering a build report as text. Pure functions.

The text is for terminals and CI logs: plain ASCII, at most :data:`~.layout.WIDTH`
columns, one block per function or layer:

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

from collections.abc import Sequence

from ..options import SizeLimits
from .flow import flow_steps
from .layout import WIDTH, clip, mb, share, short, signed, table, wrap
from .limits import contributors
from .model import Report

__all__ = ["render", "render_combined"]

Rows = list[tuple[str, ...]]


def _title(report: Report, title: str) -> list[str]:
    facts = [fact for fact in (report["runtime"], report["architecture"]) if fact]
    name = title or report["label"] or "bundle"
    image = report["image"]
    with_image = facts + ([f"image {image}"] if image else [])
    line = f"slim-lambda: {name}" + (f" ({', '.join(with_image)})" if with_image else "")
    if len(line) <= WIDTH:
        return [line]
    line = f"slim-lambda: {name}" + (f" ({', '.join(facts)})" if facts else "")
    return [clip(line)] + ([clip(f"  image {image}")] if image else [])


def _flow(report: Report) -> list[str]:
    """Installed bytes, minus each rule, plus bytecode, equals the bundle."""
    installed = report["installed_bytes"]
    if not installed:
        return []
    unzipped, files = report["unzipped_bytes"], report["files"]
    rows: Rows = [("from installed to bundle", "files", "bytes"),
                  ("  installed", "", mb(installed))]
    rows += [(f"  {s.sign} {s.name}", "" if s.files is None else f"{s.files:,}", signed(s.delta))
             for s in flow_steps(report)]
    rows.append(("  = unzipped", "" if files is None else f"{files:,}", mb(unzipped),
                 f"{100 * (unzipped - installed) / installed:+.0f}% vs installed"))
    return table(rows, indent="  ", left=frozenset({0, 3}))


def _limit_row(label: str, size: int | None, limit: int, note_over: str) -> tuple[str, ...]:
    if size is None:
        return (label, "unknown", mb(limit), "", "")
    head = limit - size
    if head >= 0:
        return (label, mb(size), mb(limit), mb(head), "ok")
    return (label, mb(size), mb(limit), "-" + mb(-head), note_over)


def _limits(report: Report, limits: SizeLimits) -> list[str]:
    layers = report["layers"]
    unzipped = report["combined_unzipped_bytes"]
    label = f"unzipped (+{len(layers)} layer{'s' if len(layers) > 1 else ''})" if layers \
        else "unzipped"
    zip_over = ("OVER: fails synth (fail_on_zipped)" if limits.fail_on_zipped else
                "over: direct upload only (CDK uses S3)")
    image = report["kind"] == "image"
    rows = [("limits", "size", "limit", "headroom"),
            _limit_row("  image layers" if image else "  " + label, unzipped,
                       limits.unzipped_bytes, f"OVER by {mb(unzipped - limits.unzipped_bytes)}")]
    if not image:  # an image is not zipped
        label = "  zipped (estimate)" if report.get("zipped_estimated") else "  zipped"
        rows.append(_limit_row(label, report["zipped_bytes"], limits.zipped_bytes, zip_over))
    return table(rows, indent="  ", left=frozenset({0, 4}))


def _image(report: Report) -> list[str]:
    """The layers an image function adds to its base image."""
    if not report["image_layers"]:
        return []
    rows: Rows = [("container image", "files", "bytes"),
                  (short(f"  FROM {report['base_image']}", 60), "", "(base)")]
    rows += [(short(f"  {layer['instruction']}", 60), f"{layer['files']:,}",
              mb(layer["bytes"])) for layer in report["image_layers"]]
    return table(rows, indent="  ")


def _packages(report: Report, top: int) -> list[str]:
    packages = report["packages"]
    if not packages:
        return []
    total = report["unzipped_bytes"]
    rows: Rows = [("largest packages", "files", "bytes", "share")]
    rows += [(short(f"  {p['name']} {p['version']}".rstrip(), 48), f"{p['files']:,}",
              mb(p["bytes"]), share(p["bytes"], total)) for p in packages[:top]]
    rest = packages[top:]
    if rest:
        size = sum(p["bytes"] for p in rest)
        rows.append((f"  ... {len(rest)} more packages", f"{sum(p['files'] for p in rest):,}",
                     mb(size), share(size, total)))
    for label, size in (("  (your code)", report["user_code_bytes"]),
                        ("  (files of no package)", report["other_bytes"])):
        if size:
            rows.append((label, "", mb(size), share(size, total)))
    return table(rows, indent="  ")


def _layers(report: Report) -> list[str]:
    """Each part's unzipped bytes and the total that Lambda checks."""
    if not report["layers"]:
        return []
    total = report["combined_unzipped_bytes"]
    own = report["unzipped_bytes"]
    rows: Rows = [("function plus layers", "unzipped", "share"),
                  ("  " + short(f"function {report['label']}".rstrip(), 60), mb(own),
                   share(own, total), "")]
    for layer in report["layers"]:
        name = "  " + short(f"layer {layer['label'] or '?'}", 60)
        if layer["size_known"]:
            rows.append((name, mb(layer["unzipped_bytes"]), share(layer["unzipped_bytes"], total),
                         "declared size" if layer["declared"] else ""))
        else:
            rows.append((name, "unknown", "", "not counted"))
    rows.append(("  total (the limits above)", mb(total), "100%"))
    lines = table(rows, indent="  ", left=frozenset({0, 3}))
    if report["deduplicated"]:
        lines += wrap("  provided by a layer, not bundled: ", ", ".join(
            f"{d['name']} {d['version']}".rstrip() for d in report["deduplicated"]))
    return lines


def _provided(report: Report) -> list[str]:
    """What the runtime or a foreign layer provides, left out, and what it saved."""
    if not report["provided"]:
        return []
    saved = sum(p["bytes"] for p in report["provided"])
    return wrap(f"  provided, not bundled ({mb(saved).strip()} saved): ", ", ".join(
        f"{p['name']} {p['version']}" + (f" (runtime {p['runtime_version']})"
                                         if p["runtime_version"] not in (None, p["version"])
                                         else "") for p in report["provided"]))


def render(report: Report, limits: SizeLimits, *, title: str = "", top: int = 10) -> str:
    """A compact, human-readable size report: one block, at most :data:`WIDTH` columns."""
    lines = (_title(report, title) + _flow(report) + _image(report) + _limits(report, limits)
             + _layers(report))
    lines += _packages(report, top) + _provided(report)
    for notice in report["notices"]:
        lines += wrap("  notice: ", notice)
    for warning in report["warnings"]:
        lines += wrap("  warning: ", warning)
    return "\n".join(lines)


def render_combined(function_report: Report, layer_reports: Sequence[Report],
                    limits: SizeLimits, *, title: str = "", top: int = 10) -> str:
    """The function's block, each layer's own block, and the largest packages across all
    of them (what to look at first when the function plus its layers is over the limit)."""
    blocks = [render(function_report, limits, title=title, top=top)]
    blocks += [render(layer, limits, title=f"layer {layer['label']}".rstrip(), top=top)
               for layer in layer_reports]
    rows = contributors(function_report, [(f"layer {layer['label'] or i + 1}", layer, 0)
                                          for i, layer in enumerate(layer_reports)])
    if rows:
        largest: Rows = [("largest across function and layers", "bytes", "in")]
        largest += [(short(f"  {name}", 48), mb(size), short(where, 40))
                    for size, name, where in rows[:top]]
        blocks.append("\n".join(table(largest, indent="")))
    return "\n\n".join(blocks)
