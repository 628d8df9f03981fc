"""The two read-only questions a cached synth asks Docker, without the Docker SDK.

The SDK (and requests under it) takes a tenth of a second to import, more than a cached
synth spends on everything else it asks Docker: whether the engine answers and which image
a tag names. Those go straight to the engine's socket (a unix socket, or a plain
``tcp://`` address); :mod:`.container` imports the SDK only when a container runs, an
image is pulled, ``DOCKER_HOST`` is an ``ssh://`` or TLS one, or the short answer is not a
clear one.
"""

from __future__ import annotations

import json
import os
import socket
from typing import Any
from urllib.parse import quote, urlsplit

from .engine import engine_host

__all__ = ["EngineSocket"]


class EngineSocket:
    """``GET`` requests to the Docker Engine API on its unix socket (or a plain
    ``tcp://`` address: a CI job's Docker-in-Docker service), nothing else.

    Answers ``(status, JSON body)``, or None whenever the answer is not a clean one (no
    socket, a refused connection, a time-out, a malformed reply): the caller then asks
    the SDK, which explains the failure properly.
    """

    def __init__(self, path: str, timeout: float = 10.0) -> None:
        """``path``: a unix socket's path, or ``tcp://host:port``."""
        self.path = path
        self.timeout = timeout

    @classmethod
    def from_env(cls) -> EngineSocket | None:
        """The socket ``DOCKER_HOST`` names (or Docker's default), if it is a unix socket
        or a ``tcp://`` address without TLS (``DOCKER_TLS_VERIFY``: the SDK's)."""
        host = engine_host(os.environ).host
        if host.startswith("tcp://") and not os.environ.get("DOCKER_TLS_VERIFY"):
            return cls(host)
        if not host.startswith("unix://"):
            return None
        return cls(host.removeprefix("unix://"))

    @property
    def remote(self) -> bool:
        """A ``tcp://`` engine: meant to be used when named, even while it does not answer."""
        return self.path.startswith("tcp://")

    def _connect(self) -> socket.socket:
        if self.path.startswith("tcp://"):
            split = urlsplit(self.path)  # a bad port: ValueError, the SDK explains it
            return socket.create_connection((split.hostname or "localhost", split.port or 2375),
                                            timeout=self.timeout)
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        try:
            sock.connect(self.path)
        except OSError:
            sock.close()
            raise
        return sock

    def get(self, path: str) -> tuple[int, Any] | None:
        request = f"GET {path} HTTP/1.0\r\nHost: docker\r\n\r\n".encode("ascii")
        chunks = []
        try:
            with self._connect() as sock:
                sock.sendall(request)
                while data := sock.recv(1 << 16):
                    chunks.append(data)
        except (OSError, ValueError):
            return None
        head, sep, body = b"".join(chunks).partition(b"\r\n\r\n")
        status_line = head.split(b"\r\n", 1)[0].split(b" ", 2)
        if not sep or len(status_line) < 2 or not status_line[1].isdigit():
            return None
        try:
            payload = json.loads(body) if body.strip() else None
        except ValueError:
            payload = body.decode("utf-8", "replace")
        return int(status_line[1]), payload

    def ping(self) -> bool:
        reply = self.get("/_ping")
        return reply is not None and reply[0] == 200

    def image(self, ref: str) -> dict[str, Any] | None:
        """The image's inspect data; None when absent or unclear (the SDK decides)."""
        reply = self.get(f"/images/{quote(ref, safe='/:@')}/json")
        if reply is None or reply[0] != 200 or not isinstance(reply[1], dict):
            return None
        return reply[1]
