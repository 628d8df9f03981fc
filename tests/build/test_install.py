"""The pip command line is data: golden test, and credentials never leak."""

from __future__ import annotations

from slim_lambda.build.install import _explain, install_command, redact
from slim_lambda.build.spec import BuildSpec


def spec(**kw: object) -> BuildSpec:
    return BuildSpec(runtime="python3.11", architecture="x86_64", source_dir="/asset-input",
                     output_dir="/asset-output", work_dir="/w", **kw)  # type: ignore[arg-type]


def test_golden_command() -> None:
    cmd = install_command(
        spec(index_url="https://u:p@idx.example/simple", extra_index_urls=("https://x/simple",),
             find_links=("/slim-lambda/find-links/0",), no_index=True),
        "/asset-input/requirements.txt", "/asset-output", python="python3")
    assert cmd == [
        "python3", "-m", "pip", "install",
        "--requirement", "/asset-input/requirements.txt",
        "--target", "/asset-output",
        "--no-compile", "--no-warn-script-location", "--disable-pip-version-check",
        "--no-input", "--progress-bar", "off",
        "--no-index",
        "--index-url", "https://u:p@idx.example/simple",
        "--extra-index-url", "https://x/simple",
        "--find-links", "/slim-lambda/find-links/0",
    ]


def test_redact_hides_user_and_password_in_every_url() -> None:
    text = ("Looking in indexes: https://alice:s3cret@idx.example/simple, "
            "http://token@other.example/x and https://plain.example/simple")
    out = redact(text)
    assert "s3cret" not in out and "alice" not in out and "token@" not in out
    assert "https://***@idx.example/simple" in out
    assert "https://plain.example/simple" in out


def test_pip_failures_are_explained() -> None:
    assert "no installable distribution for nosuchpkg==9" in _explain(
        "ERROR: No matching distribution found for nosuchpkg==9")
    assert "bundling.ca_bundle" in _explain("SSL: CERTIFICATE_VERIFY_FAILED certificate verify")
    assert "invalid line" in _explain("ERROR: Invalid requirement: 'numpy=>1' (from line 1)")
