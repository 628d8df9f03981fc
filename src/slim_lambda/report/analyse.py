"""Reports for what slim-lambda did not build this run: a bundle directory, a zip, or the
JSON reports a synth saved in ``cdk.out``. Their input is untrusted (CI artefacts): every
report read goes through :func:`~.load.load_report`, and every read of a bundle, a zip or
a JSON file stays within :class:`~.untrusted.ReadBounds` (:mod:`.measure`)."""

from __future__ import annotations

import os
import zipfile

from ..errors import SlimLambdaError
from ..options import SizeLimits
from ..pipeline.distinfo import Distribution
from ..pipeline.sizes import package_sizes
from ..pipeline.treemap import file_owners, tree_summary
from .limits import check_limits
from .load import load_report, load_tree
from .measure import bundle_distributions, measure_bundle, measure_zip_file
from .model import Report
from .parts import TreeNode
from .saved import REPORT_SUFFIX, read_reports
from .untrusted import BOUNDS, ReadBounds

__all__ = ["analyse", "load_reports", "saved_reports"]


def analyse(path: str, limits: SizeLimits, *, bounds: ReadBounds = BOUNDS) -> Report:
    """A report for an existing bundle directory or zip (no slimming information)."""
    try:
        return _analyse(path, limits, bounds)
    except RecursionError:
        raise SlimLambdaError(f"report: {path} is nested too deeply to analyse") from None


def _analyse(path: str, limits: SizeLimits, bounds: ReadBounds) -> Report:
    notes: list[str] = []
    if os.path.isdir(path):
        sizes, notes = measure_bundle(path, bounds=bounds)
        dists = bundle_distributions(path, bounds)
    elif os.path.isfile(path):
        try:
            sizes, dists = measure_zip_file(path, bounds)
        except zipfile.BadZipFile as e:
            raise SlimLambdaError(f"report: {path} is not a zip file ({e}); pass a bundle "
                                  "directory, a zip, a cdk.out directory or a JSON report "
                                  "ending in .json") from e
    else:
        raise SlimLambdaError(f"report: {path} is neither a directory nor a zip file")
    packages, unowned = package_sizes(sizes.file_bytes, dists)
    report = load_report({
        "path": os.path.abspath(path),
        "files": sizes.files,
        "unzipped_bytes": sizes.unzipped_bytes,
        "zipped_bytes": sizes.zipped_bytes,
        "packages": [{"name": p.name, "version": p.version, "bytes": p.bytes, "files": p.files}
                     for p in packages],
        "other_bytes": sum(unowned.values()),
        "by_kind": sizes.by_kind,
        "tree": _tree(sizes.file_bytes, dists, "", path),
        "limits": {"unzipped_bytes": limits.unzipped_bytes, "zipped_bytes": limits.zipped_bytes},
    }, path)
    errors, warnings = check_limits(report, limits)
    report["limits"]["ok"] = not errors
    report["warnings"] = errors + warnings + notes
    return report


def saved_reports(path: str) -> list[str]:
    """The JSON reports a synth left in a cloud assembly directory (``cdk.out``)."""
    if not os.path.isfile(os.path.join(path, "manifest.json")):
        return []
    return sorted(os.path.join(path, n) for n in os.listdir(path) if n.endswith(REPORT_SUFFIX))


def load_reports(files: list[str], *, bounds: ReadBounds = BOUNDS) -> list[Report]:
    """Saved JSON reports (each file holds one report or a list of them); a report without
    a tree gets the tree of the asset a synth left beside it."""
    reports: list[Report] = []
    for file in files:
        asset = file.removesuffix(REPORT_SUFFIX)
        for report in read_reports(file, bounds=bounds):
            if report["tree"] is None and asset != file and os.path.isdir(asset):
                prefix = report["prefix"]
                sizes, _notes = measure_bundle(asset, zipped=False, bounds=bounds)
                dists = bundle_distributions(os.path.join(asset, prefix) if prefix else asset,
                                             bounds)
                report["tree"] = _tree(sizes.file_bytes, dists, prefix, asset)
            reports.append(report)
    return reports


def _tree(file_bytes: dict[str, int], dists: list[Distribution], prefix: str,
          source: str) -> TreeNode:
    """The size tree of a bundle's files, each attributed to its distribution."""
    return load_tree(tree_summary(file_bytes, owners=file_owners(file_bytes, dists,
                                                                  prefix=prefix)), source)
