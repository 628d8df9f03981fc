"""finish_report: the stages' report completed, checked with the layers, logged or raised."""

from __future__ import annotations

import re
from typing import Any

import pytest

from slim_lambda.errors import SizeLimitError
from slim_lambda.manifests import InstallPlan
from slim_lambda.options import SizeLimits
from slim_lambda.plan.request import BuildRequest, LayerShare
from slim_lambda.report.finish import finish_report

from .samples import REPORT

PLAN = InstallPlan(kind="uv.lock", manifest="uv.lock", requirements="a==1\n", no_deps=True,
                   groups=("ml",), notes=("from uv.lock",))


def request(**changes: Any) -> BuildRequest:
    base: dict[str, Any] = dict(entry="/src/fn", runtime="python3.11", architecture="x86_64",
                                image="img", plan=PLAN, label="App/Fn")
    return BuildRequest(**dict(base, **changes))


def built(**changes: Any) -> dict[str, Any]:
    """What the stages and the host hand over: a raw dict with transient keys."""
    return dict(REPORT, labels={"function": "App/Fn"}, file_bytes={"a.py": 1},
                own_files=["a.py"], **changes)


def test_the_report_is_completed_and_logged() -> None:
    logged: list[str] = []
    report = finish_report(request(), built(), logged.append)
    assert report["label"] == "App/Fn" and report["layers"] == []
    assert report["manifest"] == {"kind": "uv.lock", "path": "uv.lock", "groups": ["ml"],
                                  "locked": True, "hashes": False, "project": None,
                                  "notes": ["from uv.lock"]}
    assert report["limits"] == {"unzipped_bytes": 262_144_000, "zipped_bytes": 52_428_800,
                                "ok": True}
    assert report["combined_unzipped_bytes"] == 200_000_000
    assert "file_bytes" not in report and "own_files" not in report
    assert report["warnings"][0] == "something" and "uploads through S3" in report["warnings"][1]
    (text,) = logged
    assert text.startswith("slim-lambda: App/Fn (python3.11, x86_64, image img)")


def test_layers_count_against_the_limit() -> None:
    sci = LayerShare(label="App/Sci", unzipped_bytes=150_000_000, packages={"scipy": "1.17.1"},
                     report={"unzipped_bytes": 150_000_000, "packages": [
                         {"name": "scipy", "version": "1.17.1", "bytes": 140_000_000}]})
    unknown = LayerShare(label="arn:aws:lambda:us-east-1:1:layer:x:1", unzipped_bytes=0)
    with pytest.raises(SizeLimitError) as raised:
        finish_report(request(layers=(sci, unknown)), built(), lambda _line: None)
    message = str(raised.value)
    assert message.startswith("unzipped size 350,000,000 bytes")
    assert "function plus layers: function 190.7 MiB + layer App/Sci 143.1 MiB + layer arn:" \
        in message
    assert "133.5 MiB  scipy 1.17.1  [layer App/Sci]" in message
    assert "Next steps:" in message

    report = finish_report(request(layers=(sci, unknown), limits=SizeLimits(
        unzipped_bytes=400_000_000)), built(), lambda _line: None)
    assert [layer["size_known"] for layer in report["layers"]] == [True, False]
    assert report["layers"][0]["packages"] == [{"name": "scipy", "version": "1.17.1"}]
    assert report["combined_unzipped_bytes"] == 350_000_000 and report["limits"]["ok"]
    assert any(w.startswith("layer arn:aws:lambda:us-east-1:1:layer:x:1: size unknown")
               for w in report["warnings"])


def test_a_build_over_the_limit_raises_with_the_table_and_advice() -> None:
    with pytest.raises(SizeLimitError) as raised:
        finish_report(request(limits=SizeLimits(unzipped_bytes=100_000_000)), built(),
                      lambda _line: None)
    message = str(raised.value)
    assert "over the limit of 100,000,000 bytes" in message
    assert "OVER by 95.4 MiB" in message and "pkg0, pkg1, pkg2" in message
    assert "largest contributors" not in message  # only with layers


def test_an_image_report_shows_the_layer_it_adds_and_no_zip() -> None:
    logged: list[str] = []
    image = request(base_image="base:3.11", limits=SizeLimits(unzipped_bytes=10 << 30))
    report = finish_report(image, built(zipped_bytes=None), logged.append)
    assert report["kind"] == "image" and report["base_image"] == "base:3.11"
    assert report["image_layers"] == [{"instruction": "COPY task/ ${LAMBDA_TASK_ROOT}/",
                                       "files": 3_000, "bytes": 200_000_000}]
    assert not [w for w in report["warnings"] if "S3" in w]
    (text,) = logged
    assert "  container image" in text and "FROM base:3.11" in text
    assert re.search(r"COPY task/ \$\{LAMBDA_TASK_ROOT\}/\s+3,000\s+190\.7 MiB", text)
    assert re.search(r"image layers\s+190\.7 MiB\s+10,240\.0 MiB", text)
    assert not [line for line in text.splitlines() if line.strip().startswith("zipped")]
    assert finish_report(request(), built(), lambda _line: None)["kind"] == "zip"
    assert finish_report(request(prefix="python/"), built(), lambda _line: None)["kind"] \
        == "layer"
