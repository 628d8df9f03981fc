"""The only module that talks to Docker. Docker SDK errors become DockerError here."""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import docker
import docker.errors
import requests.exceptions
from docker.types import Mount

from .errors import DockerError

__all__ = ["ContainerRun", "DockerRunner", "Volume"]

Log = Callable[[str], None]
PLATFORM_ARCH = {"linux/amd64": "amd64", "linux/arm64": "arm64"}


@dataclass(frozen=True)
class Volume:
    source: str
    target: str
    read_only: bool = True


@dataclass(frozen=True)
class ContainerRun:
    """One container run, as data."""

    image: str
    platform: str
    command: tuple[str, ...]
    volumes: tuple[Volume, ...] = ()
    environment: dict[str, str] = field(default_factory=dict)
    user: str | None = None
    network: str = "host"
    working_dir: str = "/"
    timeout_seconds: int = 1800


@dataclass(frozen=True)
class RunResult:
    exit_code: int
    logs: str
    oom_killed: bool = False


def _docker_host() -> str:
    return os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")


class DockerRunner:
    """Runs build containers through the Docker SDK."""

    def __init__(self, client_factory: Callable[[], Any] | None = None) -> None:
        self._factory = client_factory or (lambda: docker.from_env(timeout=120))
        self._client: Any = None

    @property
    def client(self) -> Any:
        if self._client is None:
            try:
                self._client = self._factory()
                self._client.ping()
            except (docker.errors.DockerException, requests.exceptions.RequestException) as e:
                self._client = None
                raise DockerError(
                    f"cannot reach the Docker engine at {_docker_host()}: {e}. Start Docker "
                    "(or set DOCKER_HOST), then synth again.") from e
        return self._client

    def available(self) -> bool:
        """True when a Docker engine answers (for ``mode="auto"``)."""
        try:
            _ = self.client
            return True
        except DockerError:
            return False

    def ensure_image(self, image: str, platform: str, log: Log) -> str:
        """The local image's ID, pulling it first when absent. Checks its architecture."""
        try:
            found = self.client.images.get(image)
        except docker.errors.ImageNotFound:
            log(f"pulling {image} ({platform}) ...")
            repo, _, tag = image.rpartition(":") if ":" in image.rsplit("/", 1)[-1] else (
                image, "", "latest")
            try:
                found = self.client.images.pull(repo, tag=tag or "latest", platform=platform)
            except (docker.errors.DockerException, requests.exceptions.RequestException) as e:
                raise DockerError(
                    f"build image {image} is not on this machine and could not be pulled: "
                    f"{e}. Pull or build it yourself, or point bundling.image / "
                    "SLIM_LAMBDA_IMAGE / the 'slim-lambda:image' context key at an image "
                    "you can reach.") from e
        except (docker.errors.DockerException, requests.exceptions.RequestException) as e:
            raise DockerError(f"cannot inspect build image {image}: {e}") from e
        arch = found.attrs.get("Architecture")
        wanted = PLATFORM_ARCH.get(platform)
        if wanted and arch and arch != wanted:
            raise DockerError(
                f"build image {image} is for {arch}, but the function needs {platform}. "
                "Use an image for the function's architecture.")
        return str(found.id)

    def run(self, spec: ContainerRun, log: Log) -> RunResult:
        """Run to completion (or timeout), streaming output lines to ``log``; always removes
        the container."""
        mounts = [Mount(target=v.target, source=v.source, type="bind", read_only=v.read_only)
                  for v in spec.volumes]
        try:
            container = self.client.containers.create(
                spec.image, command=list(spec.command), entrypoint=[], platform=spec.platform,
                mounts=mounts, environment=spec.environment, user=spec.user,
                network_mode=spec.network, working_dir=spec.working_dir, detach=True,
                labels={"slim-lambda": "build"})
        except (docker.errors.DockerException, requests.exceptions.RequestException) as e:
            raise DockerError(f"cannot create the build container from {spec.image}: {e}") from e
        lines: list[str] = []
        try:
            container.start()
            reader = threading.Thread(target=self._follow, args=(container, lines, log),
                                      daemon=True)
            reader.start()
            try:
                status = container.wait(timeout=spec.timeout_seconds)
            except requests.exceptions.RequestException as e:
                container.kill()
                raise DockerError(
                    f"the build did not finish within {spec.timeout_seconds} s and was stopped. "
                    "Raise bundling.timeout_seconds if it needs longer.") from e
            reader.join(timeout=10)
            container.reload()
            oom = bool(container.attrs.get("State", {}).get("OOMKilled"))
            return RunResult(int(status.get("StatusCode", 1)), "".join(lines), oom)
        except docker.errors.DockerException as e:
            raise DockerError(f"the build container failed: {e}") from e
        finally:
            with contextlib.suppress(docker.errors.DockerException):
                container.remove(force=True)

    @staticmethod
    def _follow(container: Any, lines: list[str], log: Log) -> None:
        buffer = b""
        try:
            for chunk in container.logs(stream=True, follow=True):
                buffer += chunk
                while b"\n" in buffer:
                    raw, buffer = buffer.split(b"\n", 1)
                    line = raw.decode("utf-8", "replace")
                    lines.append(line + "\n")
                    log(line)
        except Exception:  # the container went away; the result says why
            pass
        if buffer:
            lines.append(buffer.decode("utf-8", "replace"))
