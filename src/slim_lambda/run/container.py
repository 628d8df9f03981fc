"""The only module that runs containers and builds images. Docker SDK errors become
DockerError here.

The SDK is imported on first use only: the read-only questions a cached synth asks (does
the engine answer, which image does a tag name) go to the engine's socket without it
(:mod:`.engine_socket`). What a run is, as data: :mod:`.container_spec`.
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import threading
from collections.abc import Callable, Iterable
from typing import Any

from ..errors import DockerError
from ..platform import ARCHITECTURES
from .container_exit import ExitWatch
from .container_spec import (
    BuiltImage,
    ContainerRun,
    ImageBuild,
    RunResult,
    UnseenMount,
)
from .engine import engine_host
from .engine_socket import EngineSocket

__all__ = ["DockerRunner"]

Log = Callable[[str], None]


_ANSI = re.compile(r"\x1b\[[0-9;]*m")
"""The colours a build's output carries (a RUN step's stderr is red)."""
PIDS_LIMIT = 4096
"""Processes a build container may run: far above what pip and the import checks use,
far below what a fork bomb in a package's setup.py wants."""
LABEL = "slim-lambda"
PID_LABEL = "slim-lambda.pid"
HOST_LABEL = "slim-lambda.host"


def owner_labels() -> dict[str, str]:
    """Which process made a build container, so that one created but never started (a
    synth killed in between) is found and removed later (:meth:`DockerRunner.remove_leftovers`)."""
    return {LABEL: "build", PID_LABEL: str(os.getpid()), HOST_LABEL: socket.gethostname()}


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):
        return True
    return True


# PID 1 of every build container: runs the command, and ends the container (PID 1 exiting
# kills everything in it) when stdin closes, i.e. when the process that started it is gone.
# First it checks it sees the file its first argument names (none when empty): where it
# does not, it runs nothing and exits with UNSEEN_EXIT, saying so.
UNSEEN_EXIT = 120
UNSEEN_MARK = "slim-lambda: not in this container: "
WATCHDOG = (
    "import os, subprocess, sys, threading\n"
    "if sys.argv[1] and not os.path.isfile(sys.argv[1]):\n"
    f"    print({UNSEEN_MARK!r} + sys.argv[1], flush=True)\n"
    f"    sys.exit({UNSEEN_EXIT})\n"
    "child = subprocess.Popen(sys.argv[2:], stdin=subprocess.DEVNULL)\n"
    "def watch():\n"
    "    while os.read(0, 4096):\n"
    "        pass\n"
    "    os._exit(137)\n"
    "threading.Thread(target=watch, daemon=True).start()\n"
    "code = child.wait()\n"
    "sys.exit(128 - code if code < 0 else code)\n")


def _docker_host() -> str:
    return engine_host(os.environ).host


def _sdk() -> Any:
    """The Docker SDK, imported on first use."""
    import docker
    import docker.errors
    import docker.types
    import docker.utils.socket
    return docker


def _sdk_errors() -> tuple[type[BaseException], ...]:
    """What the SDK raises when the engine cannot do what was asked."""
    import requests.exceptions
    return _sdk().errors.DockerException, requests.exceptions.RequestException


def _mounts(spec: ContainerRun) -> list[Any]:
    """The SDK's mounts for ``spec``'s volumes."""
    mount = _sdk().types.Mount
    return [mount(target=v.target, source=v.source, type=v.kind, read_only=v.read_only)
            for v in spec.volumes]


def _not_created(e: BaseException, what: str) -> DockerError:
    """A refused container create, translated: a bind source the engine does not have
    (named by the engine's message) is UnseenMount."""
    if "bind source path does not exist" in str(e):
        return UnseenMount(str(e).rpartition("does not exist: ")[2].strip('")\' '))
    return DockerError(f"cannot create {what}: {e}")


class DockerRunner:
    """Runs build containers through the Docker SDK."""

    def __init__(self, client_factory: Callable[[], Any] | None = None,
                 engine: EngineSocket | None = None) -> None:
        """``client_factory`` makes the SDK client (default: ``docker.from_env``);
        ``engine`` answers the read-only questions first (default: the local socket
        ``DOCKER_HOST`` names, unless a ``client_factory`` is given)."""
        self._factory = client_factory or (lambda: _sdk().from_env(timeout=120))
        self._engine = engine if engine is not None or client_factory else EngineSocket.from_env()
        self._client: Any = None
        self._swept = False
        self._rootless: bool | None = None

    @property
    def client(self) -> Any:
        if self._client is None:
            try:
                self._client = self._factory()
                self._client.ping()
            except _sdk_errors() as e:
                self._client = None
                raise DockerError(
                    f"cannot reach the Docker engine at {_docker_host()}: {e}. Start Docker "
                    "(or set DOCKER_HOST), then synth again.") from e
        return self._client

    def available(self) -> bool:
        """True when a Docker engine answers (for ``mode="auto"``)."""
        if self._engine is not None and self._engine.ping():
            return True
        try:
            _ = self.client
            return True
        except DockerError:
            return False

    def ensure_image(self, image: str, platform: str, log: Log) -> str:
        """The local image's ID, pulling it first when absent. Checks its architecture."""
        attrs = self._engine.image(image) if self._engine is not None else None
        if attrs is not None and isinstance(attrs.get("Id"), str):
            return self._checked(image, platform, attrs.get("Architecture"), attrs["Id"])
        sdk = _sdk()
        try:
            found = self.client.images.get(image)
        except sdk.errors.ImageNotFound:
            log(f"pulling {image} ({platform}) ...")
            repo, _, tag = image.rpartition(":") if ":" in image.rsplit("/", 1)[-1] else (
                image, "", "latest")
            try:
                found = self.client.images.pull(repo, tag=tag or "latest", platform=platform)
            except _sdk_errors() as e:
                raise DockerError(
                    f"build image {image} is not on this machine and could not be pulled: "
                    f"{e}. Pull or build it yourself, or point bundling.image / "
                    "SLIM_LAMBDA_IMAGE / the 'slim-lambda:image' context key at an image "
                    "you can reach.") from e
        except _sdk_errors() as e:
            raise DockerError(f"cannot inspect build image {image}: {e}") from e
        return self._checked(image, platform, found.attrs.get("Architecture"), str(found.id))

    def has_image(self, image_id: str) -> bool:
        """Whether the engine still has the image (it may have been pruned)."""
        if self._engine is not None and self._engine.image(image_id) is not None:
            return True
        try:
            self.client.images.get(image_id)
            return True
        except _sdk_errors():
            return False

    def build_image(self, spec: ImageBuild, log: Log) -> BuiltImage:
        """``docker build`` of ``spec``, its output streamed to ``log``; a failing step is
        a result with its error, not an exception (the caller names the Dockerfile)."""
        lines: list[str] = []
        image_id: str | None = None
        try:
            chunks = self.client.api.build(
                path=spec.context, dockerfile=spec.dockerfile, tag=spec.tag,
                buildargs=dict(spec.build_args), network_mode=spec.network,
                platform=spec.platform, rm=True, forcerm=True, decode=True,
                timeout=spec.timeout_seconds)
            for chunk in chunks:
                for line in _ANSI.sub("", str(chunk.get("stream") or "")).splitlines():
                    if line.strip():
                        lines.append(line)
                        log(line)
                aux = chunk.get("aux")
                if isinstance(aux, dict) and isinstance(aux.get("ID"), str):
                    image_id = aux["ID"]
                if chunk.get("error"):
                    return BuiltImage(None, str(chunk["error"]).strip(), tuple(lines))
            if image_id is None:  # engines that do not say it: ask for the tag
                image_id = str(self.client.images.get(spec.tag).id)
        except _sdk_errors() as e:
            return BuiltImage(None, str(e), tuple(lines))
        return BuiltImage(image_id, "", tuple(lines))

    def container_user(self) -> str | None:
        """Who a build container runs as: this user, who owns the ``0700`` work directory
        and staging tree, so the container writes them and its files are this user's. On a
        rootless engine the container's root is this user (another uid there is a
        subordinate one that could not write them): ``0:0``. None where there are no uids
        (Windows)."""
        if not hasattr(os, "getuid"):
            return None
        if self._rootless is None:
            reply = self._engine.get("/info") if self._engine is not None else None
            try:
                info = reply[1] if reply is not None and reply[0] == 200 else self.client.info()
            except _sdk_errors():
                info = {}
            options = info.get("SecurityOptions") if isinstance(info, dict) else None
            self._rootless = any("name=rootless" in str(o) for o in options or ())
        return "0:0" if self._rootless else f"{os.getuid()}:{os.getgid()}"

    @staticmethod
    def _checked(image: str, platform: str, arch: str | None, image_id: str) -> str:
        wanted = next((a.docker_arch for a in ARCHITECTURES.values()
                       if a.docker_platform == platform), None)
        if wanted and arch and arch != wanted:
            raise DockerError(
                f"build image {image} is for {arch}, but the function needs {platform}. "
                "Use an image for the function's architecture.")
        return image_id

    def run(self, spec: ContainerRun, log: Log) -> RunResult:
        """Run to completion (or timeout), streaming output lines to ``log``.

        Nothing outlives the run: the container removes itself when it exits, and
        its stdin is attached here, so when this process dies (a killed synth) the
        watchdog in the container sees stdin close and ends the build."""
        errors = _sdk_errors()
        mounts = _mounts(spec)
        transfer = spec.transfer
        memory = ({"mem_limit": spec.memory_bytes, "memswap_limit": spec.memory_bytes}
                  if spec.memory_bytes else {})
        container: Any = None
        events: Any = None
        self.remove_leftovers()
        try:
            container = self.client.containers.create(
                spec.image, command=["python3", "-c", WATCHDOG, spec.expects, *spec.command],
                entrypoint=[],
                platform=spec.platform, mounts=mounts, environment=spec.environment,
                user=spec.user, network_mode=spec.network, working_dir=spec.working_dir,
                stdin_open=True, auto_remove=transfer is None, cap_drop=["ALL"],
                security_opt=["no-new-privileges"], pids_limit=PIDS_LIMIT,
                labels=owner_labels(), **memory)
            if transfer is not None:
                self.client.api.put_archive(container.id, "/", transfer.upload())
            stream = self.client.api.attach_socket(
                container.id, params={"stdin": 1, "stdout": 1, "stderr": 1, "stream": 1})
            if transfer is None:  # its exit event says it first (:mod:`.container_exit`)
                events = self._exit_events(container)
        except BaseException as e:  # Ctrl-C too: a created container holds the secrets
            if container is not None:
                with contextlib.suppress(*errors):
                    container.remove(force=True)
            if isinstance(e, errors):
                raise _not_created(e, f"the build container from {spec.image}") from e
            raise
        lines: list[str] = []
        # copied files come back after the exit, so then the container outlives it: wait
        # for "not-running" once started (for a created one that is at once true)
        condition = "removed" if transfer is None else "not-running"
        exits = ExitWatch(container.id, events)
        waiter = threading.Thread(target=self._wait, daemon=True,
                                  args=(container, spec.timeout_seconds + 60, condition, exits))
        reader = threading.Thread(target=self._follow, args=(stream, lines, log), daemon=True)
        try:
            if transfer is None:
                waiter.start()  # before start: the container may be gone soon after it exits
            container.start()
            if transfer is not None:
                waiter.start()
            reader.start()
            if not exits.finished.wait(timeout=spec.timeout_seconds):
                with contextlib.suppress(*errors):
                    container.kill()
                raise DockerError(
                    f"the build did not finish within {spec.timeout_seconds} s and was stopped. "
                    "Raise bundling.timeout_seconds if it needs longer.")
            reader.join(timeout=10)
            waited = exits.status
            if isinstance(waited.get("error"), _sdk().errors.NotFound):
                code = -1  # it exited and was removed before the wait reached the engine
            elif "error" in waited:
                raise DockerError(f"the build container failed: {waited['error']}")
            else:
                code = int(waited.get("StatusCode", 1))
            if spec.expects and code == UNSEEN_EXIT and UNSEEN_MARK in "".join(lines):
                raise UnseenMount(spec.expects)
            if transfer is not None:
                transfer.collect(lambda path: self._fetch(container, path))
            # the kernel's SIGKILL that we did not send: the memory limit, as a rule
            return RunResult(code, "".join(lines), oom_killed=code == 137)
        except errors as e:  # a lost connection (requests) too
            raise DockerError(f"the build container failed: {e}") from e
        finally:
            exits.close()
            if not exits.by_event:  # else the engine removes it once it has cleaned up
                with contextlib.suppress(*errors):
                    container.remove(force=True)
            with contextlib.suppress(OSError):
                stream.close()

    def _exit_events(self, container: Any) -> Any:
        """The engine's events of ``container``'s exit, subscribed before it starts; None
        where the engine refuses (it is then waited for)."""
        try:
            return self.client.events(decode=True, filters={"container": container.id,
                                                            "event": "die"})
        except _sdk_errors():
            return None

    def remove_leftovers(self) -> list[str]:
        """Remove build containers of a process of this host that is gone: created but
        never started, or (copy mode: no ``auto_remove``) exited; a started one ends itself
        (its watchdog). Once per runner; the IDs removed."""
        if self._swept:
            return []
        self._swept = True
        removed: list[str] = []
        try:
            found = self.client.containers.list(
                all=True, filters={"status": ["created", "exited"],
                                   "label": f"{LABEL}=build"})
        except _sdk_errors():
            return removed
        host = socket.gethostname()
        for container in found:
            labels = getattr(container, "labels", None) or {}
            pid = labels.get(PID_LABEL, "")
            if labels.get(HOST_LABEL) != host or not pid.isdigit() or _pid_alive(int(pid)):
                continue
            with contextlib.suppress(*_sdk_errors()):
                container.remove(force=True)
                removed.append(str(container.id))
        return removed

    def _fetch(self, container: Any, path: str) -> Iterable[bytes] | None:
        """``path`` of the container as a tar stream; None when it does not exist."""
        try:
            chunks, _stat = self.client.api.get_archive(container.id, path,
                                                        chunk_size=1 << 20)
        except _sdk().errors.NotFound:
            return None
        return chunks  # type: ignore[no-any-return]

    @staticmethod
    def _wait(container: Any, timeout: int, condition: str, exits: ExitWatch) -> None:
        try:
            status = container.wait(timeout=timeout, condition=condition)
        except Exception as e:  # reported by run()
            exits.answered({"error": e})
            return
        exits.answered(status if isinstance(status, dict) else {})

    @staticmethod
    def _follow(stream: Any, lines: list[str], log: Log) -> None:
        buffer = b""
        try:
            for _kind, chunk in _sdk().utils.socket.frames_iter(stream, False):
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
