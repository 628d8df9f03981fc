"""The interpreters that import the dependencies (verify, probe) run third-party code: they
see none of this host's credentials."""

from __future__ import annotations

from pathlib import Path

import pytest

from slim_lambda.pipeline.imports import child_environment, probe


def test_the_child_environment_keeps_only_what_an_import_needs() -> None:
    env = child_environment({
        "PATH": "/usr/bin", "HOME": "/home/u", "LANG": "C.UTF-8", "LC_ALL": "C",
        "TMPDIR": "/tmp/x", "LD_LIBRARY_PATH": "/opt/lib", "TZ": "UTC",
        "AWS_ACCESS_KEY_ID": "AKIA", "AWS_SECRET_ACCESS_KEY": "s", "AWS_SESSION_TOKEN": "t",
        "AWS_PROFILE": "prod", "PIP_INDEX_URL": "https://u:p@idx/", "UV_INDEX_URL": "x",
        "GITHUB_TOKEN": "g", "MY_API_PASSWORD": "p", "PYTHONPATH": "/evil",
        "PYTHONSTARTUP": "/evil.py"})
    assert env == {"PATH": "/usr/bin", "HOME": "/home/u", "LANG": "C.UTF-8", "LC_ALL": "C",
                   "TMPDIR": "/tmp/x", "LD_LIBRARY_PATH": "/opt/lib", "TZ": "UTC",
                   "PYTHONDONTWRITEBYTECODE": "1"}


def test_an_imported_module_sees_no_aws_keys_or_passed_secrets(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI")
    monkeypatch.setenv("PIP_INDEX_URL", "https://user:hunter22@idx.example/simple")
    (tmp_path / "nosy.py").write_text(
        "import os\n"
        "leaked = [k for k in os.environ if k.startswith(('AWS_', 'PIP_'))]\n"
        "if leaked:\n"
        "    raise RuntimeError(f'saw {leaked}')\n")
    result = probe(str(tmp_path), ["nosy"])
    assert result.ok == ["nosy"], result.failed
