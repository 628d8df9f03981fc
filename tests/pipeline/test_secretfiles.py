"""secretfiles.py: credential files never ship, manifests ship redacted, keys are named."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pathspec
import pytest

from slim_lambda.options import SlimOptions
from slim_lambda.pipeline.assemble import run_assemble
from slim_lambda.pipeline.secretfiles import (
    CREDENTIAL_FILES,
    KEY_FILES,
    MANIFEST_FILES,
    is_manifest,
    redact_manifest,
    secret_warnings,
)
from slim_lambda.pipeline.spec import AssembleSpec

BODY = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj\n"
PRIVATE_KEY = f"-----BEGIN PRIVATE KEY-----\n{BODY}-----END PRIVATE KEY-----\n"
CERTIFICATE = f"-----BEGIN CERTIFICATE-----\n{BODY}-----END CERTIFICATE-----\n"


def test_every_table_entry_has_a_valid_pattern_and_a_reason() -> None:
    for table in (CREDENTIAL_FILES, MANIFEST_FILES, KEY_FILES):
        patterns = [p for p, _ in table]
        assert len(patterns) == len(set(patterns))
        assert all(reason for _, reason in table)
        pathspec.GitIgnoreSpec.from_lines(patterns)


@pytest.mark.parametrize(("rel", "manifest"), [
    ("requirements.txt", True), ("requirements-dev.txt", True), ("dev-requirements.txt", True),
    ("requirements/base.txt", True), ("app/requirements/base.txt", True),
    ("constraints.txt", True), ("requirements.in", True), ("pyproject.toml", True),
    ("Pipfile", True), ("uv.lock", True), ("pylock.toml", True),
    ("notes.txt", False), ("index.py", False), ("data/requirements.json", False),
])
def test_is_manifest(rel: str, manifest: bool) -> None:
    assert is_manifest(rel) is manifest


def test_redact_manifest_keeps_every_other_byte() -> None:
    data = b"--index-url https://u:hunter22@idx.example/simple\n# caf\xe9 \xff\r\nx==1\n"
    assert redact_manifest(data) == (
        b"--index-url https://***@idx.example/simple\n# caf\xe9 \xff\r\nx==1\n")


@pytest.mark.parametrize(("rel", "text"), [
    ("certs/client.pem", PRIVATE_KEY),
    ("client.key", PRIVATE_KEY.replace("PRIVATE KEY", "RSA PRIVATE KEY")),
    ("k.pem", "-----BEGIN EC PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,"
              f"AB12\n\n{BODY}-----END EC PRIVATE KEY-----\n"),
    ("id_deploy", PRIVATE_KEY.replace("PRIVATE KEY", "OPENSSH PRIVATE KEY")),
    ("app/keys.py", 'KEY = "-----BEGIN PRIVATE KEY-----\\n' + BODY.strip() + '\\n"\n'),
    ("mtls.p12", "binary"),
    ("mtls.pfx", "binary"),
])
def test_private_keys_are_warned_about_by_name(tmp_path: Path, rel: str, text: str) -> None:
    (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / rel).write_text(text)
    (warning,) = secret_warnings(str(tmp_path), [rel])
    assert warning.startswith(f"{rel} holds a private key")
    assert f'bundling.exclude=("/{rel}",)' in warning


@pytest.mark.parametrize(("rel", "text"), [
    ("certs/ca-bundle.pem", CERTIFICATE * 3),
    ("app/pem.py", 'MARKER = b"-----BEGIN PRIVATE KEY-----"\n'),
    ("README.md", "Put your key (-----BEGIN RSA PRIVATE KEY-----\n...) in Secrets Manager\n"),
])
def test_certificates_and_code_naming_the_marker_give_no_warning(tmp_path: Path, rel: str,
                                                                 text: str) -> None:
    (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / rel).write_text(text)
    assert secret_warnings(str(tmp_path), [rel]) == []


def _assemble(tmp_path: Path, entry: Path, exclude: tuple[str, ...] = ()) -> dict[str, object]:
    deps = tmp_path / "deps"
    deps.mkdir()
    meta = tmp_path / "deps.json"
    meta.write_text(json.dumps({"files": {}}))
    spec = AssembleSpec(runtime=f"python{sys.version_info.major}.{sys.version_info.minor}",
                        architecture="x86_64", output_dir=str(tmp_path / "out"),
                        work_dir=str(tmp_path / "work"), deps_dir=str(deps),
                        deps_meta=str(meta), source_dir=str(entry), exclude=exclude,
                        slim=SlimOptions(bytecode="none"), can_import=False)
    return run_assemble(spec, log=lambda _line: None)


def test_the_report_names_shipped_keys_and_the_asset_holds_no_credentials(
        tmp_path: Path) -> None:
    entry = tmp_path / "entry"
    (entry / "certs").mkdir(parents=True)
    (entry / "index.py").write_text("def handler(event, context):\n    return 1\n")
    (entry / "certs" / "client.pem").write_text(PRIVATE_KEY)
    (entry / "certs" / "ca.pem").write_text(CERTIFICATE)
    (entry / ".netrc").write_text("machine idx.example login u password hunter22\n")
    (entry / "requirements.txt").write_text("--index-url https://u:hunter22@idx.example/s\n")
    report = _assemble(tmp_path, entry)
    warnings = report["warnings"]
    assert isinstance(warnings, list)
    assert [w for w in warnings if "private key" in w] == [
        "certs/client.pem holds a private key and ships in the asset: fine if the function "
        "needs it (AWS Secrets Manager keeps it out of the code), else leave it out with "
        'bundling.exclude=("/certs/client.pem",)']
    out = tmp_path / "out"
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == [
        "certs/ca.pem", "certs/client.pem", "index.py", "requirements.txt"]
    assert not [p for p in out.rglob("*") if p.is_file() and b"hunter22" in p.read_bytes()]


def test_an_excluded_key_gives_no_warning(tmp_path: Path) -> None:
    entry = tmp_path / "entry"
    entry.mkdir()
    (entry / "client.pem").write_text(PRIVATE_KEY)
    report = _assemble(tmp_path, entry, exclude=("/client.pem",))
    assert report["warnings"] == []
