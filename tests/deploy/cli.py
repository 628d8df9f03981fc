"""The steps a user takes against the emulator: the CDK CLI, and invoking a function."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.deploy.emulator import ACCOUNT, REGION, Emulator

__all__ = ["invoke", "need", "run_cdk"]


def need(problem: str | None) -> None:
    """Skip for ``problem`` locally; on CI a missing tool or image is a failure."""
    if problem:
        if os.environ.get("CI"):
            pytest.fail(f"deploy tests must run on CI: {problem}")
        pytest.skip(problem)


def run_cdk(args: list[str], *, cwd: Path, env: dict[str, str],
            timeout: int) -> subprocess.CompletedProcess[str]:
    """``cdk ARGS --no-notices``, which must succeed (its output tails in the failure)."""
    cli = shutil.which("cdk")
    assert cli is not None, "no CDK CLI on PATH (scripts/dev-env.sh installs it)"
    proc = subprocess.run([cli, *args, "--no-notices"], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=timeout)
    assert proc.returncode == 0, (f"cdk {' '.join(args)} failed ({proc.returncode}):\n"
                                  f"{proc.stdout[-3000:]}\n{proc.stderr[-5000:]}")
    return proc


def invoke(emulator: Emulator, function: str, event: dict[str, Any]) -> dict[str, Any]:
    """The function's answer to ``event``; a function error fails with its payload."""
    response = emulator.client("lambda").invoke(FunctionName=function,
                                                Payload=json.dumps(event).encode())
    payload = response["Payload"].read().decode()
    assert "FunctionError" not in response, (
        f"{function} failed: {payload}\nmoto's log:\n{emulator.log_tail()}")
    result: dict[str, Any] = json.loads(payload)
    return result


def image_template(build_image: str) -> str:
    """``SLIM_LAMBDA_IMAGE`` for a CDK app synthesized with the local build image: its tag
    with ``{runtime}`` and ``{arch}`` in place, as users name the SAM images."""
    repo, tag = build_image.rsplit(":", 1)
    return repo.replace("python3.11", "{runtime}") + ":" + tag.replace("x86_64", "{arch}")


def bootstrap_and_deploy(emulator: Emulator, assembly: Path, stack: str, cwd: Path) -> None:
    """`cdk bootstrap` and `cdk deploy` of a synthesized assembly, as a user would (from a
    directory with no cdk.json, so nothing is synthesized again)."""
    env = emulator.env(os.environ)
    run_cdk(["bootstrap", f"aws://{ACCOUNT}/{REGION}"], cwd=cwd, env=env, timeout=600)
    run_cdk(["deploy", "--app", str(assembly), "--require-approval", "never",
             "--progress", "events", stack], cwd=cwd, env=env, timeout=1200)
