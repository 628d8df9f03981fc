"""Where a build's report is kept on disk, and the one place that writes and reads it.

A synth keeps each asset's report beside the asset (``asset.<hash>.slim-report.json``
next to ``asset.<hash>/``, never inside it, so it is no part of the asset's hash or zip);
``slim-lambda build --json-report`` writes one where asked. Every write is atomic, so a
killed synth never leaves half a report; every read goes through the model's loader.
"""

from __future__ import annotations

import json
import os

from ..errors import SlimLambdaError
from .load import load_report
from .model import Report
from .untrusted import BOUNDS, ReadBounds, read_json

__all__ = ["REPORT_SUFFIX", "read_report", "read_reports", "report_path_for", "write_atomically",
           "write_report"]

REPORT_SUFFIX = ".slim-report.json"


def report_path_for(output_dir: str) -> str:
    """Where the JSON report goes: beside the asset directory, never inside it."""
    return output_dir.rstrip("/\\").removesuffix("-building") + REPORT_SUFFIX


def write_atomically(path: str, text: str) -> None:
    """``text`` at ``path``, through a temporary file beside it."""
    tmp = f"{path}.tmp-{os.getpid()}"
    try:
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def write_report(path: str, report: Report) -> None:
    """The report as indented JSON at ``path``."""
    write_atomically(path, json.dumps(report, indent=2) + "\n")


def read_reports(path: str, *, bounds: ReadBounds = BOUNDS) -> list[Report]:
    """The reports in a JSON file: one report, or a list of them (``slim-lambda report
    --json`` of a ``cdk.out``), read within ``bounds`` (it may be a CI artefact)."""
    data = read_json(path, bounds)
    return [load_report(item, path) for item in (data if isinstance(data, list) else [data])]


def read_report(path: str) -> Report:
    """The one report in a JSON file (a synth's, beside its asset)."""
    reports = read_reports(path)
    if len(reports) != 1:
        raise SlimLambdaError(f"report: {path} holds {len(reports)} reports, not one")
    return reports[0]
