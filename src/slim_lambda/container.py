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
from docker.utils.socket import frames_iter

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
    memory_bytes: int | None = None
    """Memory limit (swap included); None: the engine's default."""


@dataclass(frozen=True)
class RunResult:
    exit_code: int
    logs: str
    oom_killed: bool = False
    """Killed by a SIGKILL this runner did not send (exit 137): the memory limit, as a rule."""


# PID 1 of every build container: runs the command, and ends the container (PID 1 exiting
# kills everything in it) when stdin closes, i.e. when the process that started it is gone.
WATCHDOG = (
    "import os, subprocess, sys, threading\n"
    "child = subprocess.Popen(sys.argv[1:], stdin=subprocess.DEVNULL)\n"
    "def watch():\n"
    "    while os.read(0, 4096):\n"
    "        pass\n"
    "    os._exit(137)\n"
    "threading.Thread(target=watch, daemon=True).start()\n"
    "code = child.wait()\n"
    "sys.exit(128 - code if code < 0 else code)\n")


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
        """Run to completion (or timeout), streaming output lines to ``log``.

        Nothing outlives the run: the container removes itself when it exits, and
        its stdin is attached here, so when this process dies (a killed synth) the
        watchdog in the container sees stdin close and ends the build."""
        mounts = [Mount(target=v.target, source=v.source, type="bind", read_only=v.read_only)
                  for v in spec.volumes]
        memory = ({"mem_limit": spec.memory_bytes, "memswap_limit": spec.memory_bytes}
                  if spec.memory_bytes else {})
        container: Any = None
        try:
            container = self.client.containers.create(
                spec.image, command=["python3", "-c", WATCHDOG, *spec.command], entrypoint=[],
                platform=spec.platform, mounts=mounts, environment=spec.environment,
                user=spec.user, network_mode=spec.network, working_dir=spec.working_dir,
                stdin_open=True, auto_remove=True, cap_drop=["ALL"],
                security_opt=["no-new-privileges"], labels={"slim-lambda": "build"}, **memory)
            stream = self.client.api.attach_socket(
                container.id, params={"stdin": 1, "stdout": 1, "stderr": 1, "stream": 1})
        except (docker.errors.DockerException, requests.exceptions.RequestException) as e:
            if container is not None:
                with contextlib.suppress(docker.errors.DockerException):
                    container.remove(force=True)
            raise DockerError(f"cannot create the build container from {spec.image}: {e}") from e
        lines: list[str] = []
        waited: dict[str, Any] = {}
        waiter = threading.Thread(target=self._wait, daemon=True,
                                  args=(container, spec.timeout_seconds + 60, waited))
        reader = threading.Thread(target=self._follow, args=(stream, lines, log), daemon=True)
        try:
            waiter.start()  # before start: the container may be gone soon after it exits
            container.start()
            reader.start()
            waiter.join(timeout=spec.timeout_seconds)
            if waiter.is_alive():
                with contextlib.suppress(docker.errors.DockerException):
                    container.kill()
                raise DockerError(
                    f"the build did not finish within {spec.timeout_seconds} s and was stopped. "
                    "Raise bundling.timeout_seconds if it needs longer.")
            reader.join(timeout=10)
            if isinstance(waited.get("error"), docker.errors.NotFound):
                code = -1  # it exited and was removed before the wait reached the engine
            elif "error" in waited:
                raise DockerError(f"the build container failed: {waited['error']}")
            else:
                code = int(waited["status"].get("StatusCode", 1))
            # the kernel's SIGKILL that we did not send: the memory limit, as a rule
            return RunResult(code, "".join(lines), oom_killed=code == 137)
        except docker.errors.DockerException as e:
            raise DockerError(f"the build container failed: {e}") from e
        finally:
            with contextlib.suppress(docker.errors.DockerException):
                container.remove(force=True)
            with contextlib.suppress(OSError):
                stream.close()

    @staticmethod
    def _wait(container: Any, timeout: int, into: dict[str, Any]) -> None:
        try:
            into["status"] = container.wait(timeout=timeout, condition="removed")
        except Exception as e:  # reported by run()
            into["error"] = e

    @staticmethod
    def _follow(stream: Any, lines: list[str], log: Log) -> None:
        buffer = b""
        try:
            for _kind, chunk in frames_iter(stream, False):
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
