"""container_exit.py: a build container's exit is known from its die event, before the
engine's cleanup; an engine without such events is waited for as before."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

from slim_lambda.run.container_exit import ExitWatch, exit_code


def _die(cid: str, code: object = "0", **extra: Any) -> dict[str, Any]:
    return {"Type": "container", "Action": "die",
            "Actor": {"ID": cid, "Attributes": {"exitCode": code, **extra}}}


@pytest.mark.parametrize(("event", "code"), [
    (_die("c1", "0"), 0),
    (_die("c1", "137"), 137),
    (_die("c1", 3), 3),
    ({"status": "die", "id": "c1", "Actor": {"Attributes": {"exitCode": "1"}}}, 1),  # old form
    (_die("c2", "0"), None),                       # another container's
    ({**_die("c1"), "Action": "destroy"}, None),   # not the exit
    (_die("c1", None), None),                      # no code: the wait says it
    (_die("c1", "zero"), None),
    ({"Action": "die", "Actor": "c1"}, None),
    ({"Action": "die", "id": "c1", "Actor": {"Attributes": []}}, None),
])
def test_the_exit_code_of_a_die_event(event: dict[str, Any], code: int | None) -> None:
    assert exit_code(event, "c1") == code


class Stream:
    """Events as the SDK yields them, until closed (then the read fails, as a closed
    connection's does)."""

    def __init__(self, events: list[Any], *, hold: bool = False) -> None:
        self.events, self.hold, self.closed = events, hold, threading.Event()

    def __iter__(self) -> Iterator[Any]:
        yield from self.events
        if self.hold:
            self.closed.wait(10)
            raise ConnectionError("closed")

    def close(self) -> None:
        self.closed.set()


def test_the_die_event_finishes_the_watch_before_the_wait_answers() -> None:
    stream = Stream([{"Action": "start", "Actor": {"ID": "c1"}}, _die("c2", "9"),
                     _die("c1", "5")], hold=True)
    watch = ExitWatch("c1", stream)
    assert watch.finished.wait(10)
    assert watch.status == {"StatusCode": 5} and watch.by_event
    watch.answered({"StatusCode": 0})  # the wait's later answer changes nothing
    assert watch.status == {"StatusCode": 5}
    watch.close()
    assert stream.closed.is_set()


def test_without_events_or_a_code_in_them_the_wait_answers() -> None:
    for stream in (None, Stream([_die("c1", None)]), Stream(["not an event", 7])):
        watch = ExitWatch("c1", stream)
        assert not watch.finished.wait(0.2)
        watch.answered({"StatusCode": 2, "Error": None})
        assert watch.finished.is_set() and not watch.by_event
        assert watch.status == {"StatusCode": 2, "Error": None}
        watch.close()


def test_a_failed_wait_is_its_answer() -> None:
    watch = ExitWatch("c1", None)
    error = RuntimeError("engine gone")
    watch.answered({"error": error})
    assert watch.status["error"] is error
