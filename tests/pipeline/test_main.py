"""The stage's entry point puts the credential files where the installer looks."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from slim_lambda.pipeline.__main__ import load_private
from slim_lambda.pipeline.spec import NETRC_FILE, PRIVATE_ENV_FILE


def test_private_variables_are_loaded_and_their_file_removed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NETRC", raising=False)
    monkeypatch.delenv("DEPLOY_TOKEN", raising=False)
    (tmp_path / PRIVATE_ENV_FILE).write_text(json.dumps({"DEPLOY_TOKEN": "t0k"}))
    (tmp_path / NETRC_FILE).write_text("machine h login u password pw\n")
    load_private(str(tmp_path))
    assert os.environ["DEPLOY_TOKEN"] == "t0k"
    assert os.environ["NETRC"] == str(tmp_path / NETRC_FILE)
    assert not (tmp_path / PRIVATE_ENV_FILE).exists()


def test_without_files_nothing_changes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NETRC", "/home/me/.netrc")
    load_private(str(tmp_path))
    assert os.environ["NETRC"] == "/home/me/.netrc"
