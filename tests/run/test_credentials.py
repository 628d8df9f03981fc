"""Credentials leave the command line and the container's configuration for 0600 files."""

from __future__ import annotations

import json
import netrc
import stat
from pathlib import Path

import pytest

from slim_lambda.pipeline.errors import BuildError
from slim_lambda.pipeline.spec import NETRC_FILE, PRIVATE_ENV_FILE
from slim_lambda.run.credentials import (
    Login,
    logins,
    netrc_text,
    without_userinfo,
    write_credentials,
)


@pytest.mark.parametrize(("url", "plain"), [
    ("https://u:p%40ss@idx.example:8443/simple", "https://idx.example:8443/simple"),
    ("https://tok3n@idx.example/simple", "https://idx.example/simple"),
    ("http://[::1]:9/simple", "http://[::1]:9/simple"),
    ("https://idx.example/simple", "https://idx.example/simple"),
    ("/slim-lambda/find-links/0", "/slim-lambda/find-links/0"),
])
def test_urls_lose_their_userinfo_only(url: str, plain: str) -> None:
    assert without_userinfo(url) == plain


def test_logins_are_decoded_one_per_host_without_its_port() -> None:
    found = logins(["https://u:p%40ss@idx.example:8443/simple", "https://plain.example/s",
                    "https://u:p%40ss@idx.example/other", "/local/dir", "",
                    "https://tok3n@tokens.example/simple"])
    assert found == (Login("idx.example", "u", "p@ss"), Login("tokens.example", "tok3n", ""))


def test_two_logins_for_one_host_are_refused_naming_it() -> None:
    with pytest.raises(BuildError, match=r"idx\.example two different logins"):
        logins(["https://a:1@idx.example/simple", "https://b:2@idx.example/extra"])


def test_netrc_reads_back_as_written_whatever_the_characters(tmp_path: Path) -> None:
    entries = [Login("idx.example", "u", 'p "w\\ x'), Login("tokens.example", "tok3n", "")]
    path = tmp_path / "netrc"
    path.write_text(netrc_text(entries))
    path.chmod(0o600)
    hosts = netrc.netrc(str(path)).hosts
    assert hosts["idx.example"] == ("u", "", 'p "w\\ x')
    assert hosts["tokens.example"][0] == "tok3n" and not hosts["tokens.example"][2]


def test_written_files_are_private_and_absent_when_empty(tmp_path: Path) -> None:
    write_credentials(str(tmp_path), (), {})
    assert list(tmp_path.iterdir()) == []
    write_credentials(str(tmp_path), [Login("h", "u", "pw")], {"DEPLOY_TOKEN": "t0k"})
    for name in (NETRC_FILE, PRIVATE_ENV_FILE):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600
    assert json.loads((tmp_path / PRIVATE_ENV_FILE).read_text()) == {"DEPLOY_TOKEN": "t0k"}
    assert (tmp_path / NETRC_FILE).read_text() == "machine h login u password pw\n"
