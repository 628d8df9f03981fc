"""What a build container run and an image build are, as data (:mod:`.container` acts on
them): the mounts, the copies in and out, the limits, the result. Pure, so the runners and
their tests build and compare them without an engine."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from ..errors import DockerError

__all__ = ["BuiltImage", "ContainerRun", "Fetch", "ImageBuild", "RunResult", "Transfer",
           "UnseenMount", "Volume"]

Fetch = Callable[[str], "Iterable[bytes] | None"]
"""Reads a path out of a stopped container as tar chunks (None: not there)."""


class UnseenMount(DockerError):
    """The engine has no such path to bind-mount: it does not see this host's files."""


@dataclass(frozen=True)
class Volume:
    source: str
    """A host path; for ``kind="volume"`` the name of a Docker volume."""
    target: str
    read_only: bool = True
    kind: str = "bind"


@dataclass(frozen=True)
class Transfer:
    """Files shipped through the Docker API instead of bind mounts (``file_access='copy'``)."""

    upload: Callable[[], Iterable[bytes]]
    """A tar stream, unpacked at ``/`` in the created container before it starts."""
    collect: Callable[[Fetch], None]
    """Called once the container has exited, before it is removed, with a function that
    streams a path of the container as a tar (None when it does not exist)."""


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
    transfer: Transfer | None = None
    """Inputs and outputs by copy; the container is then removed here, not by the engine."""
    expects: str = ""
    """A file the container must see, bind-mounted (the work directory's spec): where it
    does not, nothing runs and the run raises :class:`UnseenMount` (the engine does not
    see this host's files)."""


@dataclass(frozen=True)
class ImageBuild:
    """One ``docker build``, as data."""

    context: str
    dockerfile: str
    """Relative to ``context``."""
    tag: str
    platform: str
    build_args: dict[str, str] = field(default_factory=dict)
    network: str = "host"
    timeout_seconds: int = 1800


@dataclass(frozen=True)
class BuiltImage:
    image_id: str | None
    """None when a step failed."""
    error: str = ""
    lines: tuple[str, ...] = ()
    """The build's output."""


@dataclass(frozen=True)
class RunResult:
    exit_code: int
    logs: str
    oom_killed: bool = False
    """Killed by a SIGKILL this runner did not send (exit 137): the memory limit, as a rule."""
