"""Reports for what slim-lambda did not build this run: a bundle directory, a zip, or the
JSON reports a synth saved in ``cdk.out``. Their input is untrusted (CI artefacts)."""

from __future__ import annotations

import json
import os
import zipfile
from typing import Any

from ..errors import SlimLambdaError
from ..options import SizeLimits
from ..pipeline.distinfo import find_distributions
from ..pipeline.sizes import measure_tree, measure_zip, package_sizes
from ..pipeline.treemap import file_owners, tree_summary
from .text import check_limits

__all__ = ["analyse", "load_reports", "saved_reports"]


def analyse(path: str, limits: SizeLimits) -> dict[str, Any]:
    """A report for an existing bundle directory or zip (no slimming information)."""
    if os.path.isdir(path):
        sizes = measure_tree(path)
        dists = find_distributions(path)
    elif os.path.isfile(path):
        try:
            sizes, dists = measure_zip(path)
        except zipfile.BadZipFile as e:
            raise SlimLambdaError(f"report: {path} is not a zip file ({e}); pass a bundle "
                                  "directory, a zip, a cdk.out directory or a JSON report "
                                  "ending in .json") from e
    else:
        raise SlimLambdaError(f"report: {path} is neither a directory nor a zip file")
    packages, unowned = package_sizes(sizes.file_bytes, dists)
    tree = tree_summary(sizes.file_bytes, owners=file_owners(sizes.file_bytes, dists))
    report: dict[str, Any] = {
        "path": os.path.abspath(path),
        "files": sizes.files,
        "unzipped_bytes": sizes.unzipped_bytes,
        "zipped_bytes": sizes.zipped_bytes,
        "removed_bytes": 0,
        "packages": [{"name": p.name, "version": p.version, "bytes": p.bytes, "files": p.files}
                     for p in packages],
        "other_bytes": sum(unowned.values()),
        "by_kind": sizes.by_kind,
        "tree": tree,
        "limits": {"unzipped_bytes": limits.unzipped_bytes, "zipped_bytes": limits.zipped_bytes},
    }
    errors, warnings = check_limits(report, limits)
    report["limits"]["ok"] = not errors
    report["warnings"] = errors + warnings
    return report


def saved_reports(path: str) -> list[str]:
    """The JSON reports a synth left in a cloud assembly directory (``cdk.out``)."""
    if not os.path.isfile(os.path.join(path, "manifest.json")):
        return []
    return sorted(os.path.join(path, n) for n in os.listdir(path)
                  if n.endswith(".slim-report.json"))


def load_reports(files: list[str]) -> list[dict[str, Any]]:
    """Saved JSON reports: each file holds one report or a list of them."""
    reports: list[dict[str, Any]] = []
    for file in files:
        try:
            with open(file, encoding="utf-8") as f:
                data = json.load(f)
        except (OSError, ValueError) as e:
            raise SlimLambdaError(f"report: cannot read the JSON report {file}: {e}") from e
        items = data if isinstance(data, list) else [data]
        if not all(isinstance(r, dict) and "unzipped_bytes" in r for r in items):
            raise SlimLambdaError(f"report: {file} is not a slim-lambda report (no "
                                  "unzipped_bytes); pass what `slim-lambda build --json-report` "
                                  "or a synth wrote")
        asset = file.removesuffix(".slim-report.json")
        for r in items:
            if "tree" not in r and asset != file and os.path.isdir(asset):
                r["tree"] = _asset_tree(asset, str(r.get("prefix") or ""))
        reports += items
    return reports


def _asset_tree(asset: str, prefix: str) -> dict[str, Any]:
    """The treemap tree of an asset a synth left beside its report."""
    sizes = measure_tree(asset, zipped=False)
    dists = find_distributions(os.path.join(asset, prefix) if prefix else asset)
    return tree_summary(sizes.file_bytes,
                        owners=file_owners(sizes.file_bytes, dists, prefix=prefix))
