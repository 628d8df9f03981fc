"""What the install sees of the host, which of it is secret, and the redactor."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote, unquote

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from slim_lambda.options import BundlingOptions
from slim_lambda.run.credentials import Login
from slim_lambda.run.environment import (
    build_environment,
    find_ca_bundle,
    find_secrets,
    make_redactor,
    passthrough_environment,
)


def test_only_matching_variables_pass_and_the_option_wins() -> None:
    environ = {"PIP_INDEX_URL": "https://idx/simple", "HOME": "/root", "AWS_SECRET_ACCESS_KEY": "k",
               "https_proxy": "http://proxy:3128", "UV_EXTRA": "1"}
    env = passthrough_environment(BundlingOptions(environment={"UV_EXTRA": "2"}), environ)
    assert env == {"PIP_INDEX_URL": "https://idx/simple", "https_proxy": "http://proxy:3128",
                   "UV_EXTRA": "2"}


def test_the_build_owns_its_ca_and_cache_variables() -> None:
    environ = {"PIP_CERT": "/x.pem", "PIP_CACHE_DIR": "/c", "PIP_TARGET": "/t",
               "UV_CACHE_DIR": "/u"}
    assert passthrough_environment(BundlingOptions(), environ) == {}


def test_ca_bundle_precedence(tmp_path: Path) -> None:
    files = {}
    for name in ("option", "env", "pip", "ssl"):
        files[name] = tmp_path / f"{name}.pem"
        files[name].write_text("pem")
    environ = {"SLIM_LAMBDA_CA_BUNDLE": str(files["env"]), "PIP_CERT": str(files["pip"]),
               "SSL_CERT_FILE": str(files["ssl"])}
    assert find_ca_bundle(BundlingOptions(ca_bundle=str(files["option"])), environ) == str(
        files["option"])
    assert find_ca_bundle(BundlingOptions(), environ) == str(files["env"])
    assert find_ca_bundle(BundlingOptions(), {"SSL_CERT_FILE": str(files["ssl"])}) == str(
        files["ssl"])
    assert find_ca_bundle(BundlingOptions(), {"PIP_CERT": str(tmp_path / "missing.pem")}) is None


def test_secrets_from_urls_and_secret_names_longest_first() -> None:
    bundling = BundlingOptions(index_url="https://alice:pa55word@idx.example/simple",
                               extra_index_urls=("https://tok3n@extra.example/simple",))
    env = {"PIP_EXTRA": "https://bob:hunter22@x.example", "MY_TOKEN": "abcdefgh",
           "SHORT_TOKEN": "abc", "PLAIN": "not-secret-at-all"}
    secrets = find_secrets(bundling, env)
    assert set(secrets) == {"alice", "pa55word", "tok3n", "hunter22", "abcdefgh"}
    assert list(secrets) == sorted(secrets, key=len, reverse=True)


def test_redactor_replaces_url_credentials_and_known_values() -> None:
    clean = make_redactor(("abcdefgh",))
    text = clean("GET https://alice:pa55word@idx.example/simple token=abcdefgh")
    assert "pa55word" not in text and "abcdefgh" not in text
    assert "idx.example/simple" in text


def test_build_environment_collects_secrets_of_passed_variables_only() -> None:
    env = build_environment(BundlingOptions(),
                            {"PIP_PASSWORD": "sekrit-1", "OTHER_TOKEN": "zzzzzz"})
    assert env.secrets == ("sekrit-1",)
    assert env.redact("pw sekrit-1") == "pw ***"


def test_secrets_of_url_valued_variables_whatever_their_names() -> None:
    env = {"PIP_EXTRA_INDEX_URL": "https://a.example/simple https://bob:p@ssw0rd@b.example/s",
           "UV_INDEX": "https://u:p%40ss%2Fw%3Ard@c.example/simple",
           "PIP_FIND_LINKS": "https://d.example/wheels/?token=t0k3n-xyz"}
    secrets = find_secrets(BundlingOptions(), env)
    assert {"p@ssw0rd", "p%40ss%2Fw%3Ard", "p@ss/w:rd", "t0k3n-xyz"} <= set(secrets)
    assert list(secrets) == sorted(secrets, key=len, reverse=True)


def test_secret_values_are_collected_in_every_form() -> None:
    secrets = find_secrets(BundlingOptions(), {"DEPLOY_PASSWORD": "p@ss/w:rd"})
    assert {"p@ss/w:rd", "p%40ss%2Fw%3Ard"} <= set(secrets)


def test_redactor_hides_the_raw_decoded_and_encoded_forms() -> None:
    bundling = BundlingOptions(index_url="https://u:p%40ss%2Fw%3Ard@idx.example/simple")
    clean = make_redactor(find_secrets(bundling, {}))
    for text in ("auth failed for p@ss/w:rd", "auth failed for p%40ss%2Fw%3Ard",
                 "auth failed for p%40ss%2fw%3ard", "https://idx.example/simple?x=p@ss/w:rd"):
        out = clean(text)
        assert "p@ss/w:rd" not in out and "p%40ss%2" not in out.lower() and "***" in out, out


def test_the_environment_redactor_hides_url_userinfo_of_passed_variables() -> None:
    env = build_environment(BundlingOptions(pass_environment=("PIP_*",)),
                            {"PIP_INDEX_URL": "https://me:p@ss@idx.example/simple"})
    assert "p@ss" in env.secrets
    assert env.redact("401 for me with p@ss") == "401 for me with ***"


@settings(max_examples=200, deadline=None)
@given(password=st.text(st.characters(blacklist_categories=("Z", "C")), min_size=4,
                        max_size=20),
       encode=st.booleans(), name=st.sampled_from(["PIP_INDEX_URL", "UV_DEFAULT_INDEX", "X"]),
       before=st.text(), after=st.text())
def test_no_form_of_a_passed_password_survives(password: str, encode: bool, name: str,
                                               before: str, after: str) -> None:
    """A password in a passed variable's URL, written raw or encoded, is hidden wherever it
    appears in any form: in the URL, echoed raw, decoded or encoded."""
    written = quote(password, safe="") if encode else password
    url = f"https://me:{written}@idx.example/simple"
    forms = {password, quote(password, safe=""), unquote(written)}
    assume(not any(f in before or f in after or f in "https://***@idx.example/simple"
                   for f in forms))
    env = build_environment(BundlingOptions(pass_environment=(name,)), {name: url})
    for shown in (url, *forms):
        out = env.redact(f"{before} {shown} {after}")
        assert not [f for f in forms if len(f) >= 4 and f in out], out


def test_secret_and_app_set_variables_are_private_and_index_logins_collected() -> None:
    environ = {"PIP_EXTRA_INDEX_URL": "https://robot:t0k3n@extra.example/simple",
               "PIP_DEFAULT_TIMEOUT": "60", "MY_INDEX_TOKEN": "abc", "https_proxy": "http://p:3128"}
    bundling = BundlingOptions(pass_environment=("PIP_*", "MY_*", "https_proxy"),
                               environment={"DEPLOY_SETTING": "x"},
                               index_url="https://u:p%40ss@idx.example/simple")
    env = build_environment(bundling, environ)
    assert env.public_variables == {"PIP_DEFAULT_TIMEOUT": "60", "https_proxy": "http://p:3128"}
    assert env.private_variables == {
        "PIP_EXTRA_INDEX_URL": "https://robot:t0k3n@extra.example/simple",
        "MY_INDEX_TOKEN": "abc", "DEPLOY_SETTING": "x"}
    assert env.logins == (Login("idx.example", "u", "p@ss"),)
