"""installer.py: uv or pip for the deps stage, from the option, the mode, uv's presence
and the pip settings of the build's environment."""

from __future__ import annotations

import pytest

from slim_lambda.errors import ConfigurationError
from slim_lambda.pipeline.uvenv import untranslated, uv_environment
from slim_lambda.plan.installer import InstallerChoice, choose_installer, uv_version


def test_auto_in_docker_mode_is_uv_with_pip_behind_it() -> None:
    assert choose_installer("auto", "docker", uv_available=True, resolution={}) == \
        InstallerChoice("uv", pip_fallback=True)
    # a pip setting uv reads through its own variable does not stop it
    assert choose_installer("auto", "docker", uv_available=True, resolution={
        "PIP_INDEX_URL": "https://idx/simple", "PIP_FIND_LINKS": "/w"}).installer == "uv"


def test_auto_falls_back_to_pip_and_says_why() -> None:
    no_uv = choose_installer("auto", "docker", uv_available=False, resolution={})
    assert no_uv.installer == "pip" and "no uv binary" in no_uv.notice
    unread = choose_installer("auto", "docker", uv_available=True,
                              resolution={"PIP_PREFER_BINARY": "1", "PIP_PRE": "1"})
    assert unread.installer == "pip"
    assert "PIP_PREFER_BINARY is set, which uv does not read" in unread.notice


def test_explicit_choices() -> None:
    assert choose_installer("pip", "docker", uv_available=True, resolution={}) == \
        InstallerChoice("pip")
    assert choose_installer("uv", "docker", uv_available=True, resolution={}) == \
        InstallerChoice("uv")
    assert choose_installer("auto", "local", uv_available=True, resolution={}) == \
        InstallerChoice("uv")


def test_what_cannot_be_honoured_is_an_error_naming_the_fix() -> None:
    with pytest.raises(ConfigurationError, match=r"local mode installs wheels .* with uv"):
        choose_installer("pip", "local", uv_available=True, resolution={})
    with pytest.raises(ConfigurationError) as e:
        choose_installer("uv", "docker", uv_available=False,
                         resolution={"PIP_CONFIG_FILE": "file:abc"})
    assert len(e.value.problems) == 2
    assert "PIP_CONFIG_FILE is set, which uv does not read" in e.value.problems[1]


def test_pip_settings_reach_uv_under_its_own_names(tmp_path: object) -> None:
    env = uv_environment({"PIP_INDEX_URL": "https://idx/simple", "PIP_PRE": "1",
                          "PIP_FIND_LINKS": "/nonexistent https://links/",
                          "PIP_EXTRA_INDEX_URL": "https://a/ https://b/",
                          "UV_CONSTRAINT": "/mine.txt", "PIP_CONSTRAINT": "/theirs.txt"})
    assert env["UV_INDEX_URL"] == "https://idx/simple"
    assert env["UV_EXTRA_INDEX_URL"] == "https://a/ https://b/"
    assert env["UV_PRERELEASE"] == "allow"
    assert env["UV_FIND_LINKS"] == "https://links/"  # pip skips a missing directory too
    assert env["UV_CONSTRAINT"] == "/mine.txt"  # uv's own setting wins
    assert "UV_NO_INDEX" not in env
    assert untranslated({"PIP_INDEX_URL", "PIP_NO_BINARY", "UV_INDEX"}) == ["PIP_NO_BINARY"]


def test_the_uv_version_is_the_installed_wheels() -> None:
    version = uv_version()
    assert version is not None and version[0].isdigit()


def test_what_must_be_built_goes_to_pip() -> None:
    auto = choose_installer("auto", "docker", uv_available=True, resolution={},
                            builds="git requirements")
    assert auto.installer == "pip" and "git requirements, which pip builds" in auto.notice
    with pytest.raises(ConfigurationError, match="project directories, which must be built"):
        choose_installer("uv", "docker", uv_available=True, resolution={},
                         builds="project directories")
    assert choose_installer("auto", "local", uv_available=True, resolution={},
                            builds="git requirements").installer == "uv"
