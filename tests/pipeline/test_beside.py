"""beside.py: the probe runs beside verify on a spare CPU; a stale answer is taken again."""

from __future__ import annotations

import threading

import pytest

from slim_lambda.pipeline.beside import Beside
from slim_lambda.pipeline.steps import Steps


def _counting(answers: list[str], gate: threading.Event | None = None):  # type: ignore[no-untyped-def]
    calls: list[str] = []

    def work() -> str:
        if gate is not None:
            assert gate.wait(10)
        calls.append(threading.current_thread().name)
        return answers[len(calls) - 1]
    return work, calls


def test_with_two_cpus_it_runs_beside_on_another_thread_and_leaves_the_other_one_cpu() -> None:
    log: list[str] = []
    steps = Steps(log.append)
    gate = threading.Event()
    work, calls = _counting(["first"], gate)
    done = steps.start("verify imports")
    beside = Beside(steps, "probe handler imports", work, beside="verify imports")
    assert beside.start(4) == 3
    assert calls == []  # it waits for the gate: verify's step goes on meanwhile
    gate.set()
    done()
    assert beside.result() == "first"
    assert len(calls) == 1 and calls[0] != threading.current_thread().name
    assert log == ["verify imports ...", "probe handler imports ..."]
    assert [s["name"] for s in steps.done] == ["verify imports", "probe handler imports"]
    assert steps.done[1]["beside"] == "verify imports"
    assert "beside" not in steps.done[0]


def test_with_one_cpu_it_runs_after_as_a_step_of_its_own() -> None:
    log: list[str] = []
    steps = Steps(log.append)
    work, calls = _counting(["only"])
    beside = Beside(steps, "probe handler imports", work, beside="verify imports")
    assert beside.start(1) == 1
    assert calls == []
    assert beside.result() == "only"
    assert calls == [threading.current_thread().name]
    assert steps.done[0]["name"] == "probe handler imports" and "beside" not in steps.done[0]


def test_a_stale_answer_is_taken_again_after_the_other_step() -> None:
    steps = Steps(lambda _line: None)
    work, calls = _counting(["before repair", "after repair"])
    beside = Beside(steps, "probe handler imports", work, beside="verify imports")
    beside.start(2)
    assert beside.result(stale=True) == "after repair"
    assert len(calls) == 2 and calls[1] == threading.current_thread().name
    assert [s.get("beside") for s in steps.done] == [None]  # only the answer kept is timed


def test_an_error_beside_is_raised_by_result_unless_the_answer_is_stale() -> None:
    def fails() -> str:
        raise RuntimeError("probe broke")
    beside = Beside(Steps(lambda _line: None), "probe", fails, beside="verify")
    beside.start(2)
    with pytest.raises(RuntimeError, match="probe broke"):
        beside.result()
    attempts: list[int] = []

    def fails_once() -> str:
        attempts.append(1)
        if len(attempts) == 1:
            raise RuntimeError("first attempt")
        return "second"
    again = Beside(Steps(lambda _line: None), "probe", fails_once, beside="verify")
    again.start(2)
    assert again.result(stale=True) == "second"
