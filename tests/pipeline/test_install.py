"""The pip command line is data: golden test, and credentials never leak."""

from __future__ import annotations

from slim_lambda.pipeline.install import _explain, install_command
from slim_lambda.pipeline.redact import redact
from slim_lambda.pipeline.spec import DepsSpec, InstallSettings
from slim_lambda.pipeline.uvenv import wheel_gap
from slim_lambda.pipeline.wheelchoice import uncapped_choices, wheel_choices


def spec(runtime: str = "python3.11", **install: object) -> DepsSpec:
    return DepsSpec(runtime=runtime, architecture="x86_64", output_dir="/asset-output",
                    work_dir="/w", install=InstallSettings(**install))  # type: ignore[arg-type]


def test_golden_command() -> None:
    """The spec's URLs carry no credentials (the logins are in the stage's netrc file), so
    no command line shows a password to ``ps``."""
    cmd = install_command(
        spec(index_url="https://idx.example/simple", extra_index_urls=("https://x/simple",),
             find_links=("/slim-lambda/find-links/0",), no_index=True),
        "/asset-input/requirements.txt", "/asset-output", python="python3")
    assert cmd == [
        "python3", "-m", "pip", "install",
        "--requirement", "/asset-input/requirements.txt",
        "--target", "/asset-output",
        "--no-compile", "--no-warn-script-location", "--disable-pip-version-check",
        "--no-input", "--progress-bar", "off",
        "--no-index",
        "--index-url", "https://idx.example/simple",
        "--extra-index-url", "https://x/simple",
        "--find-links", "/slim-lambda/find-links/0",
        "--prefer-binary", "--log", "/w/pip.log",
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
    assert _explain("Collecting numpy\nProcessing /links/relfix_sdist-2.0.tar.gz\n  Preparing "
                    "metadata (setup.py) ... error\nerror: metadata-generation-failed\n\n"
                    "hint: See above for details.").startswith(
        "relfix_sdist-2.0.tar.gz has no wheel for this runtime and architecture, and preparing")


def test_a_netrc_login_that_sees_no_version_is_named() -> None:
    text = "ERROR: No matching distribution found for pkg (from versions: none)"
    assert "check the credentials" not in _explain(text)
    assert "check the credentials" in _explain(text, netrc=True)


def test_pip_prefers_an_older_wheel_and_logs_what_it_skipped() -> None:
    """Never build from source while an older release has a wheel (pins still win); the
    log (debug level, a file) says which releases pip saw and why it skipped them."""
    cmd = install_command(spec(), "/r.txt", "/out", python="python3")
    assert cmd[cmd.index("--progress-bar") + 2:] == ["--prefer-binary", "--log", "/w/pip.log"]


def test_a_lock_file_install_is_unchanged() -> None:
    cmd = install_command(spec(require_hashes=True, no_deps=True), "/r.txt", "/out",
                          python="python3")
    assert "--prefer-binary" not in cmd and "--log" not in cmd
    assert cmd[-2:] == ["--require-hashes", "--no-deps"]


# what pip 23 writes with --log, each line after a timestamp; URLs shortened
PIP_LINES = """\
1 location(s) to search for versions of scikit-learn:
Found link https://files.example/sk/scikit_learn-1.9.1.tar.gz#sha256=ab \
(from https://idx.example/simple/scikit-learn/) (requires-python:>=3.10), version: 1.9.1
Skipping link: none of the wheel's tags \
(cp311-cp311-manylinux_2_27_x86_64, cp311-cp311-manylinux_2_28_x86_64) are compatible \
(run pip debug --verbose to show compatible tags): \
https://files.example/sk/scikit_learn-1.9.1-cp311-cp311-manylinux_2_27_x86_64.\
manylinux_2_28_x86_64.whl#sha256=cd \
(from https://idx.example/simple/scikit-learn/) (requires-python:>=3.10)
Skipping link: none of the wheel's tags (cp312-cp312-manylinux_2_17_x86_64) \
are compatible (run pip debug --verbose to show compatible tags): \
https://files.example/sk/scikit_learn-1.9.1-cp312-cp312-manylinux_2_17_x86_64.whl
Found link https://files.example/sk/scikit_learn-1.7.2-cp311-cp311-\
manylinux2014_x86_64.manylinux_2_17_x86_64.whl#sha256=ef (from https://idx.example/simple/\
scikit-learn/) (requires-python:>=3.10), version: 1.7.2
Found link https://files.example/sk/scikit_learn-1.7.2.tar.gz, version: 1.7.2
Found link https://files.example/sk/scikit_learn-2.0rc1.tar.gz, version: 2.0rc1
Link requires a different Python (3.11.2 not in: '>=3.12'): \
https://files.example/sk/scikit_learn-3.0.tar.gz (from https://idx.example/simple/scikit-learn/)
Skipping link: none of the wheel's tags (cp313-cp313-manylinux_2_17_x86_64) \
are compatible (run pip debug --verbose to show compatible tags): \
https://files.example/sk/scikit_learn-3.0-cp313-cp313-manylinux_2_17_x86_64.whl
Found link file:///links/numpy-2.2.6-cp311-cp311-manylinux_2_17_x86_64.whl, \
version: 2.2.6
Skipping link: none of the wheel's tags (cp311-cp311-manylinux_2_28_x86_64) \
are compatible (run pip debug --verbose to show compatible tags): \
file:///links/numpy-2.4.0-cp311-cp311-manylinux_2_28_x86_64.whl
Found link https://files.example/np/numpy-2.4.0.tar.gz, version: 2.4.0
Found link https://files.example/ol/oldonly-0.9.tar.gz, version: 0.9
Found link https://files.example/ol/oldonly-0.8.tar.gz, version: 0.8
Found link https://files.example/ol/pinned_pkg-2.0.tar.gz, version: 2.0
Found link https://files.example/ol/pinned_pkg-1.0-py3-none-any.whl, \
version: 1.0
"""
PIP_LOG = "".join(f"2026-12-02T03:00:05,{i:03d} {line}\n"
                  for i, line in enumerate(PIP_LINES.splitlines()))


def test_the_newest_release_skipped_for_want_of_a_wheel_is_named() -> None:
    choices = wheel_choices(PIP_LOG, {"scikit-learn": "1.7.2", "numpy": "2.2.6",
                                      "oldonly": "0.9", "pinned-pkg": "2.0",
                                      "Unlogged": "1.0"},
                            runtime="python3.11", architecture="x86_64")
    assert choices.skipped == [
        {"name": "numpy", "version": "2.2.6", "skipped": "2.4.0",
         "reason": "2.4.0 has no wheel for Amazon Linux 2 / glibc 2.26 (x86_64)"},
        {"name": "scikit-learn", "version": "1.7.2", "skipped": "1.9.1",
         "reason": "1.9.1 has no wheel for Amazon Linux 2 / glibc 2.26 (x86_64)"},
    ]  # not 2.0rc1 (a pre-release), not 3.0 (a newer Python)
    assert choices.from_source == [{"name": "oldonly", "version": "0.9"},
                                   {"name": "pinned-pkg", "version": "2.0"}]


def test_no_log_no_choices() -> None:
    choices = wheel_choices("", {"numpy": "2.2.6"}, runtime="python3.12", architecture="arm64")
    assert choices.skipped == [] and choices.from_source == []


def test_uv_no_wheel_messages_name_the_package_for_pips_fallback() -> None:
    """uv's own words (0.13) for a release without a usable wheel; other failures (an
    index, a typo) are not a wheel gap, so pip does not run them again."""
    sdist_only = ("  cause: Because relfix-sdist==2.0 has no usable wheels and you require "
                  "relfix-sdist==2.0, we can conclude that your requirements are "
                  "unsatisfiable.")
    glibc = ("  cause: Because relfix-glibc==2.0 has no wheels with a matching platform tag "
             "(e.g., `manylinux_2_17_x86_64`) and you require relfix-glibc==2.0, we can ...")
    hint = "hint: Wheels are required for `scikit-learn` because building from source is off"
    assert wheel_gap(sdist_only) == "relfix-sdist"
    assert wheel_gap(glibc) == "relfix-glibc"
    assert wheel_gap(hint) == "scikit-learn"
    assert wheel_gap("error: Building source distributions is disabled, but attempted to "
                     "build `shared`") == "shared"
    assert wheel_gap("  cause: Because nosuch was not found in the package registry") is None
    assert wheel_gap("error: Failed to fetch: `https://idx/simple/x/` (401)") is None


def test_golden_command_uv_in_the_image() -> None:
    """In the build image uv installs for the image's interpreter, capped at the runtime's
    glibc by the platform table, with pip's index strategy and the image's trust store."""
    cmd = install_command(
        spec(installer="uv", uv="/slim-lambda/bin/uv", uv_interpreter=True,
             python_platform="x86_64-manylinux_2_17", index_url="https://idx.example/simple",
             extra_index_urls=("https://x/simple",)),
        "/asset-input/requirements.txt", "/asset-output", python="/usr/bin/python3")
    assert cmd == [
        "/slim-lambda/bin/uv", "pip", "install",
        "--requirement", "/asset-input/requirements.txt",
        "--target", "/asset-output",
        "--python-platform", "x86_64-manylinux_2_17",
        "--python", "/usr/bin/python3", "--index-strategy", "unsafe-best-match",
        "--system-certs", "--link-mode", "copy",
        "--only-binary", ":all:", "--no-config",
        "--index-url", "https://idx.example/simple",
        "--extra-index-url", "https://x/simple",
    ]
    linked = install_command(
        spec(installer="uv", uv="/slim-lambda/bin/uv", uv_interpreter=True, uv_links=True,
             python_platform="x86_64-manylinux_2_17"),
        "/r.txt", "/slim-lambda/build/.tmp-k/tree", python="/usr/bin/python3")
    assert linked[linked.index("--link-mode") + 1] == "hardlink"  # its cache in the same mount


def test_uvs_401_hint_reads_as_refused_access() -> None:
    """uv reports a refused login as a package not found, with the 401 in a hint."""
    output = ("  cause: Because relfix-glibc was not found in the package registry and you "
              "require relfix-glibc, we can conclude that your requirements are unsatisfiable."
              "\n\nhint: An index URL (http://127.0.0.1:33129/simple) could not be queried due "
              "to a lack of valid authentication credentials (401 Unauthorized)\n")
    assert _explain(output).startswith("the index refused access (HTTP 401): check the "
                                       "credentials in bundling.index_url")


def test_uvs_uncapped_resolution_names_what_the_glibc_cap_skipped() -> None:
    compiled = ("numpy==2.4.6\n    # via -r requirements.txt\nscipy==1.16.3\n"
                "scikit-learn==1.9.1 ; python_full_version >= '3.11'\n")
    choices = uncapped_choices(compiled, {"numpy": "2.2.6", "scipy": "1.16.3",
                                          "scikit_learn": "1.7.2", "joblib": "1.6.0"},
                               runtime="python3.11", architecture="x86_64")
    why = "has no wheel for Amazon Linux 2 / glibc 2.26 (x86_64)"
    assert choices.skipped == [
        {"name": "numpy", "version": "2.2.6", "skipped": "2.4.6", "reason": f"2.4.6 {why}"},
        {"name": "scikit-learn", "version": "1.7.2", "skipped": "1.9.1",
         "reason": f"1.9.1 {why}"}]
    assert choices.from_source == []
    assert uncapped_choices("", {"numpy": "2.2.6"}, runtime="python3.11",
                            architecture="x86_64").skipped == []
