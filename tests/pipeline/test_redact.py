"""The URL redactor: whatever a user name or password holds, none of it reaches a log."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from slim_lambda.pipeline.redact import SECRET_PARAMETERS, redact, url_secrets


@pytest.mark.parametrize(("text", "expected"), [
    ("https://alice:s3cret@idx.example/simple", "https://***@idx.example/simple"),
    # a raw @ in the password: the userinfo ends at the last @ before the host
    ("https://user:p@ss@host.example/simple", "https://***@host.example/simple"),
    ("https://me@corp.com:pw@host.example/simple", "https://***@host.example/simple"),
    # a raw / in the password
    ("https://user:pa/ss@host.example/simple", "https://***@host.example/simple"),
    ("https://user:123/abc@host.example", "https://***@host.example"),
    ("https://user:p@ss/w@rd@host.example:8443/s", "https://***@host.example:8443/s"),
    # percent-encoded userinfo
    ("https://u%40corp:p%3Aw%40rd@host.example/simple", "https://***@host.example/simple"),
    ("https://token@host.example", "https://***@host.example"),
    ("https://user:pw@[::1]:8080/simple", "https://***@[::1]:8080/simple"),
    ("https://user:pw@", "https://***@"),
    # version-control URLs: a trailing @ names a revision, not a user
    ("git+https://github.com/org/repo.git@v1.0#egg=x",
     "git+https://github.com/org/repo.git@v1.0#egg=x"),
    ("git+https://u:tok@github.com/org/repo.git@v1.0",
     "git+https://***@github.com/org/repo.git@v1.0"),
    ("git+https://u:to/k@github.com/org/repo.git@main",
     "git+https://***@github.com/org/repo.git@main"),
    ("git+ssh://git@github.com/org/repo.git@v2", "git+ssh://***@github.com/org/repo.git@v2"),
    # URLs without credentials are left alone
    ("https://pypi.org/simple/ and http://localhost:8080/x?page=2&sort=asc",
     "https://pypi.org/simple/ and http://localhost:8080/x?page=2&sort=asc"),
    ("mail me@example.com", "mail me@example.com"),
])
def test_userinfo_examples(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("https://h.example/simple?token=abc123", "https://h.example/simple?token=***"),
    ("https://h.example/x?a=1&access_token=abc123#f", "https://h.example/x?a=1&access_token=***#f"),
    ("https://h.example/x?private_token=glpat-xyz", "https://h.example/x?private_token=***"),
    ("https://b.s3.amazonaws.com/p.whl?X-Amz-Credential=AKIA1%2F2&X-Amz-Signature=f00d"
     "&X-Amz-Security-Token=IQo&X-Amz-Expires=60",
     "https://b.s3.amazonaws.com/p.whl?X-Amz-Credential=***&X-Amz-Signature=***"
     "&X-Amz-Security-Token=***&X-Amz-Expires=60"),
    ("https://acct.blob.core.windows.net/c/p.whl?sv=2022&sig=AbC%2Bd",
     "https://acct.blob.core.windows.net/c/p.whl?sv=2022&sig=***"),
    ("https://h.example/?password=pw1234&secret=s&client_secret=cs&api_key=k&apikey=k2&key=g",
     "https://h.example/?password=***&secret=***&client_secret=***&api_key=***&apikey=***"
     "&key=***"),
    ("https://h.example/?keyword=lambda&design=flat&author=me",
     "https://h.example/?keyword=lambda&design=flat&author=me"),
])
def test_secret_query_parameters(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_pip_index_listing_keeps_every_host() -> None:
    text = ("Looking in indexes: https://alice:s3cret@idx.example/simple, "
            "https://plain.example/simple, https://bob:p@ss@other.example/simple")
    assert redact(text) == ("Looking in indexes: https://***@idx.example/simple, "
                            "https://plain.example/simple, https://***@other.example/simple")


def test_the_parameter_table_has_a_reason_for_each_name() -> None:
    names = [p.name for p in SECRET_PARAMETERS]
    assert len(names) == len(set(names))
    for p in SECRET_PARAMETERS:
        assert p.name == p.name.lower() and p.reason


def test_url_secrets_names_user_password_and_query_values() -> None:
    text = ("https://me@corp.com:p@ss/w@host.example/s?token=t0k3n&page=2 "
            "git+https://github.com/org/repo.git@v1.0 https://%40u:p%3Aw@h.example")
    assert url_secrets(text) == ["me@corp.com", "p@ss/w", "%40u", "p%3Aw", "t0k3n"]


# -- properties ----------------------------------------------------------------------------------

_SECRET_CHARS = st.characters(blacklist_categories=("Z", "C"))  # no whitespace, no controls
_SECRETS = st.text(_SECRET_CHARS, min_size=1, max_size=16)
_SPECIAL = st.text(st.sampled_from("/@:%?#&=é€ü中"), min_size=1, max_size=4)
_PASSWORDS = st.builds(lambda a, b, c: a + b + c, _SECRETS, _SPECIAL, _SECRETS)
_HOSTS = st.from_regex(r"[a-z][a-z0-9-]{0,8}(\.[a-z]{2,4}){0,2}(:[0-9]{2,5})?", fullmatch=True)
_SCHEMES = st.sampled_from(["https", "http", "git+https", "ftp"])
_PATHS = st.sampled_from(["", "/", "/simple/", "/pkg/x-1.0-py3-none-any.whl", "/a?page=2"])


@settings(max_examples=400, deadline=None)
@given(user=_SECRETS, password=_PASSWORDS, host=_HOSTS, scheme=_SCHEMES, path=_PATHS,
       encode=st.booleans(), before=st.text(), after=st.text())
@example(user="user", password="p@ss", host="host", scheme="https", path="/simple",
         encode=False, before="", after="")
@example(user="user", password="pa/ss", host="host", scheme="https", path="/simple",
         encode=False, before="", after="")
@example(user="u", password="p:w@rd", host="host", scheme="https", path="/simple",
         encode=True, before="", after="")
def test_no_password_survives(user: str, password: str, host: str, scheme: str, path: str,
                              encode: bool, before: str, after: str) -> None:
    """Whatever the user name and password hold (``/ @ : %``, unicode), and whatever text
    surrounds the URL, the redacted text holds neither the password nor its encoded form,
    unless the text around it or the URL's own host and path already spell it."""
    assume(len(password) >= 4)
    if scheme == "git+https":
        path = "/org/repo.git@v1.0"  # a VCS URL names a repository
    encoded = quote(password, safe="")
    userinfo = f"{quote(user, safe='')}:{encoded}" if encode else f"{user}:{password}"
    url = f"{scheme}://{userinfo}@{host}{path}"
    skeleton = f"{scheme}://***@{host}{path}"
    for form in (password, encoded):
        assume(form not in before and form not in after and form not in skeleton)
    out = redact(f"{before} {url} {after}")
    assert password not in out
    assert encoded not in out


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_redaction_is_idempotent(text: str) -> None:
    once = redact(text)
    assert redact(once) == once
