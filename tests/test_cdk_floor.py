"""The aws-cdk-lib floor in pyproject.toml: only versions that stage assets atomically.

slim-lambda's "nothing half-built is ever used" rests on CDK's asset staging: from
aws-cdk-lib 2.183.0, ``core/lib/asset-staging.js`` bundles into ``asset.<hash>-building``
and renames it to ``asset.<hash>`` only on success. 2.182.0 and earlier bundle straight
into ``asset.<hash>`` and skip bundling when it exists, so a Ctrl-C leaves a partial asset
that the next synth reuses and deploys. (Checked in the published wheels' bundled
JavaScript: ``aws_cdk/_jsii/aws-cdk-lib@<v>.jsii.tgz``.)
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from packaging.requirements import Requirement
from packaging.version import Version

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]

ATOMIC_STAGING_CDK = Version("2.183.0")
"""The first aws-cdk-lib that stages a bundled asset through ``-building`` and a rename."""

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"


def cdk_floor(pyproject: str) -> Version:
    """The lowest aws-cdk-lib that ``pyproject`` (its text) allows."""
    for dep in tomllib.loads(pyproject)["project"]["dependencies"]:
        req = Requirement(dep)
        if req.name == "aws-cdk-lib":
            lows = [Version(s.version) for s in req.specifier if s.operator in (">=", "==", "~=")]
            assert lows, f"{dep} has no lower bound"
            return max(lows)
    raise AssertionError("pyproject.toml does not depend on aws-cdk-lib")


def test_cdk_floor_stages_assets_atomically() -> None:
    floor = cdk_floor(PYPROJECT.read_text(encoding="utf-8"))
    assert floor >= ATOMIC_STAGING_CDK, (
        f"aws-cdk-lib>={floor} allows versions that leave a partial asset.<hash> after "
        f"Ctrl-C; raise the floor to {ATOMIC_STAGING_CDK}")


def test_cdk_floor_reads_the_lower_bound() -> None:
    text = '[project]\ndependencies = ["x", "aws-cdk-lib>=2.150.0,<3"]\n'
    assert cdk_floor(text) == Version("2.150.0")
    assert re.search(r"2\.183\.0", PYPROJECT.read_text(encoding="utf-8"))
