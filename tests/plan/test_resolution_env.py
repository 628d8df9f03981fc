"""Which environment variables name another resolution, and how they are hashed."""

from __future__ import annotations

from pathlib import Path

from slim_lambda.plan.resolution_env import (
    RESOLUTION_VARIABLES,
    resolution_settings,
    url_identity,
)


def test_url_identity_keeps_the_user_never_the_password() -> None:
    assert url_identity("https://me:s3cret@idx.example:8443/simple?token=abc") == \
        "https://me@idx.example:8443/simple?token=***"
    assert url_identity("https://idx.example/simple") == "https://idx.example/simple"


def test_only_resolution_variables_are_kept() -> None:
    settings = resolution_settings({"PIP_TIMEOUT": "5", "UV_INDEX_PASSWORD": "pw",
                                    "HTTPS_PROXY": "http://p:3128", "PIP_PRE": " 1 "})
    assert settings == {"PIP_PRE": "1"}


def test_files_are_hashed_by_content(tmp_path: Path) -> None:
    constraints = tmp_path / "c.txt"
    constraints.write_text("urllib3<2\n")
    before = resolution_settings({"PIP_CONSTRAINT": str(constraints)})
    constraints.write_text("urllib3<3\n")
    assert resolution_settings({"PIP_CONSTRAINT": str(constraints)}) != before
    missing = resolution_settings({"PIP_CONSTRAINT": str(tmp_path / "nope.txt")})
    assert missing["PIP_CONSTRAINT"].startswith("missing:")


def test_every_variable_has_a_known_kind_and_a_reason() -> None:
    names = [v.name for v in RESOLUTION_VARIABLES]
    assert len(names) == len(set(names))
    for v in RESOLUTION_VARIABLES:
        assert v.kind in ("url", "urls", "links", "files", "value") and v.reason
        assert v.name.startswith(("PIP_", "UV_"))
