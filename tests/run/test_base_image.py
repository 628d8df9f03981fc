"""python_problem: how a run of pythonX.Y in the base image is read. The runner is a seam:
these fakes answer as the engine does; tests/test_image_function.py runs the real one."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from slim_lambda.errors import DockerError
from slim_lambda.run.base_image import python_problem
from slim_lambda.run.container import DockerRunner
from slim_lambda.run.container_spec import ContainerRun, RunResult


class FakeRunner(DockerRunner):
    def __init__(self, answer: RunResult | DockerError) -> None:
        super().__init__(client_factory=lambda: None)
        self.answer = answer
        self.runs: list[ContainerRun] = []

    def run(self, spec: ContainerRun, log: Callable[[str], None]) -> RunResult:
        self.runs.append(spec)
        if isinstance(self.answer, DockerError):
            raise self.answer
        return self.answer


def test_the_runtime_python_runs_without_network() -> None:
    runner = FakeRunner(RunResult(0, "3.11.2\n"))
    assert python_problem("base", "python3.11", "arm64", runner) is None
    (run,) = runner.runs
    assert run.command[0] == "python3.11" and run.network == "none"
    assert run.platform == "linux/arm64" and run.image == "base"


def test_another_python_only() -> None:
    problem = python_problem("py313", "python3.11", "x86_64", FakeRunner(RunResult(1, "")))
    assert problem == ("base_image: py313 has no python3.11 (`python3.11 -c ...` failed in it "
                       "(exit status 1)), so Lambda could not run the handler in it; use a "
                       "Lambda base image for python3.11 (leave base_image unset for the "
                       "default, or point it at a mirror of that image)")


def test_no_python_at_all() -> None:
    refused = DockerError('the build container failed: 400 Client Error: OCI runtime create '
                          'failed: exec: "python3": executable file not found in $PATH')
    problem = python_problem("busybox", "python3.11", "x86_64", FakeRunner(refused))
    assert problem is not None and "has no python3.11 (it has no python3 at all)" in problem


def test_other_engine_errors_are_not_read_as_no_python() -> None:
    with pytest.raises(DockerError, match="disk quota"):
        python_problem("b", "python3.11", "x86_64",
                       FakeRunner(DockerError("the build container failed: disk quota")))
