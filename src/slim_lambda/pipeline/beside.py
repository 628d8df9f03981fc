"""A step run beside another on a spare CPU: the handler-import probe beside verify.

Verify imports its groups along the chains of their distributions (numpy, then scipy,
then scikit-learn: :mod:`.verify_plan`), so for most of it one CPU imports and the others
wait. The probe, one interpreter importing the handler's modules, used to run after it on
an idle machine: a second of every cold build on the seed workload. Beside verify it costs
no time of its own where there is a CPU to spare, and verify keeps the rest.

What the probe reports must describe the finished tree. Verify leaves the tree as it found
it unless it diagnosed a failure (held files put back, some of them kept), so a result
taken beside such a verify is dropped and the probe runs again after it, as before. With
one CPU the probe only ever runs after verify.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from .steps import Steps

__all__ = ["Beside"]

T = TypeVar("T")


class Beside(Generic[T]):
    """``work``, the step ``name``, to run beside the step ``beside``: :meth:`start` it once
    that step has started; :meth:`result` gives its answer once that step is done, running
    it then, as a step of its own, when it was not started or its answer is stale. Its
    thread is a daemon: a build that fails meanwhile does not wait for it."""

    def __init__(self, steps: Steps, name: str, work: Callable[[], T], *, beside: str) -> None:
        self.steps, self.name, self.work, self.beside = steps, name, work, beside
        self._outcome: dict[str, Any] = {}
        self._thread: threading.Thread | None = None

    def start(self, cpus: int) -> int:
        """Start it when there are at least two ``cpus``; the CPUs left for the other."""
        if cpus < 2:
            return cpus
        self.steps.log(f"{self.name} ...")
        self._thread = threading.Thread(target=self._timed, daemon=True)
        self._thread.start()
        return cpus - 1

    def _timed(self) -> None:
        started = time.monotonic()
        try:
            self._outcome["answer"] = self.work()
        except BaseException as e:  # raised again by result()
            self._outcome["error"] = e
        self._outcome["seconds"] = round(time.monotonic() - started, 3)

    def result(self, *, stale: bool = False) -> T:
        """Its answer; run again now when the one taken beside is ``stale``."""
        if self._thread is not None:
            self._thread.join()
            if not stale:
                if "error" in self._outcome:
                    raise self._outcome["error"]
                self.steps.done.append({"name": self.name, "seconds": self._outcome["seconds"],
                                        "beside": self.beside})
                taken: T = self._outcome["answer"]
                return taken
        done = self.steps.start(self.name)
        answer = self.work()
        done()
        return answer
