"""No secret reaches the asset hash or the deps key, in any form; the index's host still does."""

from __future__ import annotations

import hashlib
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import quote

import pytest

from slim_lambda.options import BundlingOptions
from slim_lambda.plan import keys
from slim_lambda.plan.keys import deps_key, fingerprint
from slim_lambda.plan.request import Target
from tests.requests import MakeRequest

DOCKER = Target("docker", "sha256:abc", True, True, True)
PASSWORD = "p@ss/w0rd-hunter22"
REQUIREMENTS = (
    "--index-url https://deploy:{pw}@{host}/simple\n"
    "private-pkg @ https://deploy:{pw}@{host}/private_pkg-1.0-py3-none-any.whl\n"
    "signed @ https://{host}/signed-1.0-py3-none-any.whl?X-Amz-Signature={pw}\n"
    "requests==2.32.3\n")


@pytest.fixture
def hashed(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """Every byte string the keys module hashes from now on."""
    fed: list[bytes] = []

    class Recorder:
        """hashlib.sha256 that also keeps every byte it is fed."""

        def __init__(self, data: bytes = b"") -> None:
            self._h = hashlib.sha256(data)
            fed.append(data)

        def update(self, data: bytes) -> None:
            fed.append(data)
            self._h.update(data)

        def hexdigest(self) -> str:
            return self._h.hexdigest()

    monkeypatch.setattr(keys, "hashlib", SimpleNamespace(sha256=Recorder))
    return fed


def _write_requirements(entry: Path, pw: str, host: str = "idx.example") -> None:
    (entry / "requirements.txt").write_text(REQUIREMENTS.format(pw=pw, host=host))


def _both(make_request: MakeRequest) -> tuple[str, str]:
    request = make_request()
    return fingerprint(request), deps_key(request, DOCKER)


def test_requirements_credentials_reach_no_hash_input(
        entry: Path, make_request: MakeRequest, hashed: list[bytes]) -> None:
    _write_requirements(entry, quote(PASSWORD, safe=""))
    (entry / "requirements-dev.txt").write_text(f"-i https://u:{PASSWORD}@idx.example/s\n")
    _both(make_request)
    data = b"\n".join(hashed)
    assert b"idx.example" in data, "the index host is part of the identity"
    for form in (PASSWORD, quote(PASSWORD, safe=""), "hunter22"):
        assert form.encode() not in data


def test_a_new_password_changes_neither_identity_a_new_host_changes_both(
        entry: Path, make_request: MakeRequest) -> None:
    _write_requirements(entry, "first-password")
    before = _both(make_request)
    _write_requirements(entry, "second-password")
    assert _both(make_request) == before
    _write_requirements(entry, "second-password", host="other.example")
    after = _both(make_request)
    assert after[0] != before[0] and after[1] != before[1]


def test_credential_files_reach_no_hash_input(
        entry: Path, make_request: MakeRequest, hashed: list[bytes]) -> None:
    before = fingerprint(make_request())
    (entry / ".netrc").write_text(f"machine idx.example login u password {PASSWORD}\n")
    (entry / ".aws").mkdir()
    (entry / ".aws" / "credentials").write_text(f"aws_secret_access_key = {PASSWORD}\n")
    (entry / "id_ed25519").write_text(PASSWORD)
    assert fingerprint(make_request()) == before
    assert not [d for d in hashed if PASSWORD.encode() in d]


def test_index_options_with_tricky_passwords_reach_no_hash_input(
        make_request: MakeRequest, hashed: list[bytes]) -> None:
    options: dict[str, Any] = dict(
        index_url=f"https://u:{PASSWORD}@idx.example/simple",
        extra_index_urls=(f"https://x.example/simple?token={PASSWORD}",),
        find_links=(f"https://u:{quote(PASSWORD, safe='')}@links.example/",))
    request = make_request(bundling=BundlingOptions(**options))
    fingerprint(request), deps_key(request, DOCKER)
    data = b"\n".join(hashed)
    assert PASSWORD.encode() not in data and quote(PASSWORD, safe="").encode() not in data
    assert b"idx.example" in data and b"links.example" in data
