"""DockerRunner.run with a fake SDK client: nothing holding the build's secrets outlives a
run that fails or is interrupted between create and start, and the engine's failures are
DockerError."""

from __future__ import annotations

import os
import threading
from typing import Any

import pytest

import requests
from slim_lambda.errors import DockerError
from slim_lambda.run.container import DockerRunner
from slim_lambda.run.container_spec import ContainerRun


class FakeContainer:
    id = "c0ffee"

    def __init__(self, client: FakeClient) -> None:
        self.client = client

    def start(self) -> None:
        if self.client.fail_start is not None:
            raise self.client.fail_start

    def remove(self, force: bool = False) -> None:
        self.client.removed.append(self.id)

    def wait(self, timeout: int, condition: str) -> dict[str, Any]:
        self.client.waited.append(condition)
        if self.client.wait_blocks:  # an engine still cleaning up after the exit
            assert self.client.released.wait(10)
        return {"StatusCode": 0}

    def kill(self) -> None:
        pass


class FakeClient:
    def __init__(self, *, fail_attach: BaseException | None = None,
                 fail_start: BaseException | None = None) -> None:
        self.fail_attach = fail_attach
        self.fail_start = fail_start
        self.removed: list[str] = []
        self.created: dict[str, Any] = {}
        self.listed: list[dict[str, Any]] = []
        self.waited: list[str] = []
        self.events_asked: list[dict[str, Any]] = []
        self.exit_events: list[dict[str, Any]] = []
        self.wait_blocks = False
        self.fail_events: BaseException | None = None
        self.released = threading.Event()
        outer = self

        class Containers:
            def create(self, image: str, **kw: Any) -> FakeContainer:
                outer.created = kw
                return FakeContainer(outer)

            def list(self, **kw: Any) -> list[Any]:
                outer.listed.append(kw)
                return []

        class Api:
            def attach_socket(self, cid: str, params: dict[str, Any]) -> Any:
                if outer.fail_attach is not None:
                    raise outer.fail_attach
                return _Socket()

        self.containers = Containers()
        self.api = Api()

    def ping(self) -> bool:
        return True

    def events(self, **kw: Any) -> list[dict[str, Any]]:
        self.events_asked.append(kw)
        if self.fail_events is not None:
            raise self.fail_events
        return self.exit_events


class _Socket:
    def close(self) -> None:
        pass

    def recv(self, n: int) -> bytes:
        return b""


RUN = ContainerRun(image="img", platform="linux/amd64", command=("true",),
                   environment={"PIP_INDEX_URL": "https://u:secret@idx/"})


def test_ctrl_c_between_create_and_start_removes_the_container() -> None:
    client = FakeClient(fail_attach=KeyboardInterrupt())
    with pytest.raises(KeyboardInterrupt):
        DockerRunner(client_factory=lambda: client).run(RUN, log=lambda line: None)
    assert client.removed == ["c0ffee"]


def test_a_lost_connection_at_start_is_a_docker_error() -> None:
    client = FakeClient(fail_start=requests.exceptions.ConnectionError("connection aborted"))
    with pytest.raises(DockerError, match="connection aborted"):
        DockerRunner(client_factory=lambda: client).run(RUN, log=lambda line: None)
    assert client.removed == ["c0ffee"]


def test_the_container_is_confined_and_labelled_with_its_owner() -> None:
    client = FakeClient()
    DockerRunner(client_factory=lambda: client).run(RUN, log=lambda line: None)
    kw = client.created
    assert kw["cap_drop"] == ["ALL"]
    assert kw["security_opt"] == ["no-new-privileges"]
    assert kw["pids_limit"] == 4096
    assert kw["labels"]["slim-lambda"] == "build"
    assert kw["labels"]["slim-lambda.pid"] == str(os.getpid())


class Listed:
    def __init__(self, cid: str, labels: dict[str, str], removed: list[str]) -> None:
        self.id, self.labels, self._removed = cid, labels, removed

    def remove(self, force: bool = False) -> None:
        self._removed.append(self.id)


def test_created_but_never_started_containers_of_dead_synths_are_removed_once() -> None:
    import socket
    client = FakeClient()
    host = socket.gethostname()
    gone: list[str] = []
    leftovers = [
        Listed("dead", {"slim-lambda.pid": "999999999", "slim-lambda.host": host}, gone),
        Listed("live", {"slim-lambda.pid": str(os.getpid()), "slim-lambda.host": host}, gone),
        Listed("elsewhere", {"slim-lambda.pid": "999999999", "slim-lambda.host": "x"}, gone)]
    listed: list[dict[str, Any]] = []

    def list_(**kw: Any) -> list[Any]:
        listed.append(kw)
        return leftovers
    client.containers.list = list_  # type: ignore[method-assign]
    runner = DockerRunner(client_factory=lambda: client)
    assert runner.remove_leftovers() == ["dead"]
    assert gone == ["dead"]
    assert listed == [{"all": True,
                       "filters": {"status": ["created", "exited"],
                                   "label": "slim-lambda=build"}}]
    runner.run(RUN, log=lambda line: None)
    assert len(listed) == 1


class FakeEngine:
    def __init__(self, options: list[str]) -> None:
        self.options = options

    def get(self, path: str) -> tuple[int, Any]:
        assert path == "/info"
        return 200, {"SecurityOptions": self.options}


def test_the_container_runs_as_whoever_owns_the_private_work_dir() -> None:
    """Its files are this user's either way: as this uid on a plain engine; as root on a
    rootless one, whose root is this user (another uid could not write a 0700 directory)."""
    plain = DockerRunner(client_factory=FakeClient,
                         engine=FakeEngine(["name=seccomp,profile=default"]))  # type: ignore[arg-type]
    rootless = DockerRunner(client_factory=FakeClient,
                            engine=FakeEngine(["name=seccomp,profile=default",
                                               "name=rootless"]))  # type: ignore[arg-type]
    assert plain.container_user() == f"{os.getuid()}:{os.getgid()}"
    assert rootless.container_user() == "0:0"


def test_the_exit_event_ends_the_run_while_the_engine_still_cleans_up() -> None:
    """Docker answers the wait only after its cleanup (which syncs the file system the
    build wrote); the die event says the exit first. The engine removes the container."""
    client = FakeClient()
    client.wait_blocks = True
    client.exit_events = [{"Action": "die",
                           "Actor": {"ID": "c0ffee", "Attributes": {"exitCode": "3"}}}]
    try:
        result = DockerRunner(client_factory=lambda: client).run(RUN, log=lambda line: None)
    finally:
        client.released.set()
    assert result.exit_code == 3
    assert client.events_asked == [{"decode": True,
                                    "filters": {"container": "c0ffee", "event": "die"}}]
    assert client.removed == []  # auto_remove: the engine's, once it has cleaned up
    assert client.created["auto_remove"] is True


def test_an_engine_whose_events_carry_no_exit_code_is_waited_for() -> None:
    client = FakeClient()
    client.exit_events = [{"Action": "die", "Actor": {"ID": "c0ffee", "Attributes": {}}}]
    result = DockerRunner(client_factory=lambda: client).run(RUN, log=lambda line: None)
    assert result.exit_code == 0 and client.waited == ["removed"]
    assert client.removed == ["c0ffee"]  # waited for: removed as before, harmlessly


def test_ctrl_c_while_subscribing_to_the_exit_removes_the_created_container() -> None:
    client = FakeClient()
    client.fail_events = KeyboardInterrupt()
    with pytest.raises(KeyboardInterrupt):
        DockerRunner(client_factory=lambda: client).run(RUN, log=lambda line: None)
    assert client.removed == ["c0ffee"]
