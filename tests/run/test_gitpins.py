"""run/gitpins.py: an https login in a git requirement reaches `git ls-remote` through its
environment, never its command line (no git remote needed)."""

from __future__ import annotations

import base64

from slim_lambda.run.gitpins import _login_outside_argv


def test_the_login_moves_into_an_authorization_header() -> None:
    env: dict[str, str] = {}
    url = _login_outside_argv("https://ci-bot:s%40cret@git.example/org/lib.git", env)
    assert url == "https://git.example/org/lib.git"
    assert env["GIT_CONFIG_KEY_0"] == "http.extraHeader"
    header = env["GIT_CONFIG_VALUE_0"].removeprefix("Authorization: Basic ")
    assert base64.b64decode(header).decode() == "ci-bot:s@cret"


def test_other_urls_are_left_as_they_are() -> None:
    env: dict[str, str] = {}
    for url in ("https://git.example/org/lib.git", "ssh://git@git.example/org/lib.git",
                "git://127.0.0.1:9418/lib.git"):
        assert _login_outside_argv(url, env) == url
    assert env == {}
