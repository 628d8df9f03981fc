"""The pip command line is data: golden test, and credentials never leak."""

from __future__ import annotations

from slim_lambda.pipeline.install import _explain, install_command
from slim_lambda.pipeline.redact import redact
from slim_lambda.pipeline.spec import DepsSpec, InstallSettings


def spec(runtime: str = "python3.11", **install: object) -> DepsSpec:
    return DepsSpec(runtime=runtime, architecture="x86_64", output_dir="/asset-output",
                    work_dir="/w", install=InstallSettings(**install))  # type: ignore[arg-type]


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


def test_golden_command_local_mode_uses_uv_for_the_runtime_platform() -> None:
    cmd = install_command(
        spec(installer="uv", uv="/bin/uv", python_platform="aarch64-manylinux_2_34",
             runtime="python3.12", require_hashes=True, no_deps=True),
        "/w/requirements.txt", "/out")
    assert cmd == [
        "/bin/uv", "pip", "install", "--requirement", "/w/requirements.txt", "--target", "/out",
        "--python-platform", "aarch64-manylinux_2_34", "--python-version", "3.12",
        "--only-binary", ":all:", "--no-config", "--require-hashes", "--no-deps",
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
