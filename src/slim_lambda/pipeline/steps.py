"""Timed build steps, logged as they start so a long build shows where it is."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

__all__ = ["Steps"]

Log = Callable[[str], None]


class Steps:
    """Timed steps, logged as they start so a long build shows where it is."""

    def __init__(self, log: Log) -> None:
        self.log = log
        self.done: list[dict[str, Any]] = []
        self.started = time.monotonic()

    def start(self, name: str) -> Callable[[], None]:
        t0 = time.monotonic()
        self.log(f"{name} ...")

        def finish() -> None:
            seconds = round(time.monotonic() - t0, 3)
            self.done.append({"name": name, "seconds": seconds})
        return finish
