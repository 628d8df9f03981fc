"""A moto server on loopback for the CDK CLI and boto3, stopped with what it left in Docker.

moto invokes a Lambda function by filling a Docker volume with the function's code
through a ``busybox:latest`` container, then running ``$MOTO_DOCKER_LAMBDA_IMAGE:<runtime>``
with the volume at ``/var/task``. Both images are built locally by
``scripts/build-runtime-images.sh``; nothing is pulled.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["ACCOUNT", "BUSYBOX", "REGION", "RUNTIME_REPO", "Emulator", "images_problem",
           "running_emulator"]

ACCOUNT = "123456789012"  # the account moto answers for
REGION = "us-east-1"
BUSYBOX = "busybox:latest"
RUNTIME_REPO = os.environ.get("SLIM_LAMBDA_TEST_RUNTIME_REPO", "slim-lambda-test/lambda")
# moto's server, with layers wired through its CloudFormation as on AWS (see the file)
MOTO_SERVER = Path(__file__).with_name("moto_server.py")


def images_problem(runtime: str, repo: str = RUNTIME_REPO) -> str | None:
    """Why moto could not invoke a ``runtime`` function here, or None."""
    for image in (BUSYBOX, f"{repo}:{runtime}"):
        if subprocess.run(["docker", "image", "inspect", image],
                          capture_output=True).returncode != 0:
            return f"image {image} missing (run scripts/build-runtime-images.sh)"
    return None


@dataclass(frozen=True)
class Emulator:
    port: int
    log: Path

    @property
    def endpoint(self) -> str:
        # `localhost`, not the address: moto recognises path-style S3 URLs (the
        # template URLs the CDK CLI hands to CloudFormation) only by that name.
        return f"http://localhost:{self.port}"

    def env(self, base: Mapping[str, str]) -> dict[str, str]:
        """``base`` with every AWS setting replaced by dummy credentials and this endpoint."""
        env = {k: v for k, v in base.items() if not k.startswith("AWS_")}
        env.update(
            AWS_ENDPOINT_URL=self.endpoint, AWS_ACCESS_KEY_ID="testing",
            AWS_SECRET_ACCESS_KEY="testing", AWS_REGION=REGION, AWS_DEFAULT_REGION=REGION,
            AWS_EC2_METADATA_DISABLED="true",
            CDK_DISABLE_CLI_TELEMETRY="true", CDK_DISABLE_VERSION_CHECK="true",
        )
        return env

    def client(self, service: str) -> Any:
        import boto3
        from botocore.config import Config

        return boto3.client(
            service, endpoint_url=self.endpoint, region_name=REGION,
            aws_access_key_id="testing", aws_secret_access_key="testing",
            config=Config(read_timeout=300, retries={"max_attempts": 1}))

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _wait_ready(proc: subprocess.Popen[bytes], port: int, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"moto server exited with {proc.returncode}:\n"
                               f"{log.read_text(errors='replace')[-3000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/moto-api/", timeout=2):
                return
        except (urllib.error.URLError, OSError):
            time.sleep(0.2)
    raise RuntimeError(f"moto server did not answer on 127.0.0.1:{port} in {timeout:.0f} s; "
                       f"its log: {log}")


def _docker_lines(*args: str) -> set[str]:
    out = subprocess.run(["docker", *args], capture_output=True, text=True).stdout
    return set(out.split())


def _moto_containers(runtime_repo: str, runtime: str) -> set[str]:
    # several ancestor filters match any of them
    return _docker_lines("ps", "-aq", "--no-trunc", "--filter", f"ancestor={BUSYBOX}",
                         "--filter", f"ancestor={runtime_repo}:{runtime}")


@contextmanager
def running_emulator(log: Path, *, runtime: str, runtime_repo: str = RUNTIME_REPO,
                     timeout: float = 60) -> Iterator[Emulator]:
    """Start moto's server (:data:`MOTO_SERVER`) on 127.0.0.1 (output to ``log``); stop it on exit.

    On exit the server is stopped, then the containers and volumes it created that
    are still there (moto removes its own unless it is stopped mid-invoke) go too.
    """
    containers = _moto_containers(runtime_repo, runtime)
    volumes = _docker_lines("volume", "ls", "-q")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "MOTO_"))}
    env.update(MOTO_DOCKER_LAMBDA_IMAGE=runtime_repo,
               # dockerd runs with --bridge=none: function containers get no network
               MOTO_DOCKER_NETWORK_MODE="none")
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, str(MOTO_SERVER), "-H", "127.0.0.1", "-p", str(port)],
            stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env)
    try:
        _wait_ready(proc, port, log, timeout)
        yield Emulator(port=port, log=log)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        left = sorted(_moto_containers(runtime_repo, runtime) - containers)
        if left:
            subprocess.run(["docker", "rm", "-f", *left], capture_output=True)
        new_volumes = sorted(
            _docker_lines("volume", "ls", "-q", "--filter", "dangling=true") - volumes)
        if new_volumes:
            subprocess.run(["docker", "volume", "rm", *new_volumes], capture_output=True)
