"""``bundling.ssh``: when it is needed, what it checks, what the deps container gets."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from slim_lambda import BundlingOptions, ConfigurationError
from slim_lambda.run.sshagent import SshAgent, container_forwarding, ssh_agent, ssh_command

SSH_URL = "ssh://git@git.example/team/lib.git"


@pytest.fixture
def agent(tmp_path: Path) -> Iterator[str]:
    path = tmp_path / "agent.sock"
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(path))
    yield str(path)
    sock.close()


@pytest.fixture
def home(tmp_path: Path) -> Path:
    (tmp_path / "home/.ssh").mkdir(parents=True)
    (tmp_path / "home/.ssh/known_hosts").write_text("git.example ssh-ed25519 AAAA\n")
    return tmp_path / "home"


def test_a_git_ssh_url_without_the_option_says_to_set_it() -> None:
    with pytest.raises(ConfigurationError) as raised:
        ssh_agent(BundlingOptions(), {}, "S/F", ["https://git.example/a.git", SSH_URL])
    assert raised.value.problems == [
        "bundling.ssh: ssh://***@git.example/team/lib.git is fetched over SSH, and the build "
        "gets no SSH agent unless asked: set BundlingOptions(ssh=True) (or SLIM_LAMBDA_SSH=1) "
        "to forward your agent (SSH_AUTH_SOCK) into the dependency install"]


def test_nothing_is_forwarded_unless_asked() -> None:
    assert ssh_agent(BundlingOptions(), {"SSH_AUTH_SOCK": "/x"}, "S/F",
                     ["https://git.example/a.git"]) is None


def test_the_option_without_an_agent_or_known_hosts_lists_every_problem(tmp_path: Path
                                                                        ) -> None:
    with pytest.raises(ConfigurationError) as raised:
        ssh_agent(BundlingOptions(ssh=True), {"HOME": str(tmp_path)}, "S/F", [SSH_URL])
    assert raised.value.problems == [
        "bundling.ssh: SSH_AUTH_SOCK is not set, so there is no SSH agent to forward; start "
        "an agent and add your key (`eval $(ssh-agent); ssh-add`), or leave bundling.ssh off",
        f"bundling.ssh_known_hosts: {tmp_path}/.ssh/known_hosts does not exist, and host keys "
        "are always checked: add the git host's key to it (`ssh-keyscan -p PORT HOST >> "
        "FILE`, after checking its fingerprint), or name another file"]


def test_a_stale_agent_socket_is_an_error(tmp_path: Path, home: Path) -> None:
    (tmp_path / "gone.sock").write_text("")
    with pytest.raises(ConfigurationError) as raised:
        ssh_agent(BundlingOptions(ssh=True), {"HOME": str(home),
                                              "SSH_AUTH_SOCK": str(tmp_path / "gone.sock")},
                  "S/F")
    assert raised.value.problems == [
        f"bundling.ssh: SSH_AUTH_SOCK={tmp_path}/gone.sock is not a socket (the agent has "
        "stopped?); start an agent and add your key (`eval $(ssh-agent); ssh-add`), or leave "
        "bundling.ssh off"]


def test_the_environment_variable_turns_it_on(agent: str, home: Path) -> None:
    found = ssh_agent(BundlingOptions(), {"SLIM_LAMBDA_SSH": "1", "SSH_AUTH_SOCK": agent,
                                          "HOME": str(home)}, "S/F", [SSH_URL])
    assert found == SshAgent(socket=agent, known_hosts=str(home / ".ssh/known_hosts"))
    assert ssh_agent(BundlingOptions(), {"SLIM_LAMBDA_SSH": "0"}, "S/F") is None


def test_a_known_hosts_option_replaces_the_default(agent: str, tmp_path: Path) -> None:
    known = tmp_path / "ci_known_hosts"
    known.write_text("")
    found = ssh_agent(BundlingOptions(ssh=True, ssh_known_hosts=str(known)),
                      {"SSH_AUTH_SOCK": agent, "HOME": str(tmp_path / "nohome")}, "S/F")
    assert found is not None and found.known_hosts == str(known)


def test_host_keys_are_always_checked_against_the_given_file() -> None:
    assert ssh_command("/h/known hosts") == (
        "ssh -o BatchMode=yes -o StrictHostKeyChecking=yes "
        "-o UserKnownHostsFile='/h/known hosts' -o GlobalKnownHostsFile=/dev/null")


def test_the_deps_container_gets_the_socket_known_hosts_and_config_read_only(
        tmp_path: Path) -> None:
    volumes, env = container_forwarding(SshAgent("/run/agent.sock", "/h/known_hosts"),
                                        "/slim-lambda", "0:0", str(tmp_path))
    assert [(v.source, v.target, v.read_only) for v in volumes] == [
        ("/run/agent.sock", "/slim-lambda/ssh/agent.sock", True),
        ("/h/known_hosts", "/slim-lambda/ssh/known_hosts", True),
        (str(tmp_path / "ssh_config"), "/etc/ssh/ssh_config", True)]
    assert env == {"SSH_AUTH_SOCK": "/slim-lambda/ssh/agent.sock"}
    assert (tmp_path / "ssh_config").read_text() == (
        "Host *\n    BatchMode yes\n    StrictHostKeyChecking yes\n"
        "    UserKnownHostsFile /slim-lambda/ssh/known_hosts\n"
        "    GlobalKnownHostsFile /dev/null\n")


def test_a_user_the_image_does_not_know_gets_a_passwd_entry(tmp_path: Path) -> None:
    volumes, _env = container_forwarding(SshAgent("/a.sock", "/k"), "/slim-lambda",
                                         "1000:1001", str(tmp_path))
    assert (str(tmp_path / "passwd"), "/etc/passwd", True) in [
        (v.source, v.target, v.read_only) for v in volumes]
    assert "build:x:1000:1001:" in (tmp_path / "passwd").read_text()
