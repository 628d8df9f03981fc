"""``git+ssh://`` requirements against a real sshd on loopback, with a key that lives only
in a test ssh-agent: ``bundling.ssh`` forwards the agent into the deps container (and no
other), the branch is resolved at synth over SSH, host keys are checked against the given
known_hosts, and the agent's socket reaches neither the deps key, the asset nor the report.
Without ``bundling.ssh`` the requirement is a clear error at synth."""

from __future__ import annotations

import getpass
import json
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from slim_lambda import BundlingOptions, ConfigurationError
from slim_lambda.options import SizeLimits, SlimOptions
from slim_lambda.plan.keys import deps_key
from slim_lambda.plan.resolve import resolve_request
from slim_lambda.run.build import build
from slim_lambda.run.cache import META_SUFFIX
from slim_lambda.run.container import DockerRunner
from slim_lambda.run.sshagent import ssh_command
from slim_lambda.run.target import pin_request
from slim_lambda.run.uvbin import host_uv
from tests.fixtures.gitrepo import GIT, free_port, git_entry, git_project
from tests.fixtures.gitrepo import commit as _commit
from tests.test_docker_build import handler_answer, synth
from tests.test_errors import ours
from tests.test_hygiene import _RecordingClient

pytestmark = [pytest.mark.docker, pytest.mark.slow]

SSHD = "/usr/sbin/sshd"


@dataclass(frozen=True)
class SshRemote:
    url: str
    """``ssh://user@127.0.0.1:PORT/…/gitlib.git``"""
    repo: Path
    agent: str
    known_hosts: Path


def _wait_for(port: int) -> None:
    import socket
    for _ in range(100):
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise AssertionError(f"nothing listens on 127.0.0.1:{port}")


@pytest.fixture
def ssh_remote(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SshRemote]:
    """sshd with its own host key and config on a loopback port, accepting one key that is
    only in a test ssh-agent (its file is deleted); a setuptools project as the repo."""
    if not os.path.exists(SSHD) or os.geteuid() != 0:
        if os.environ.get("CI"):
            pytest.fail("the SSH tests need openssh-server and root on CI (scripts/dev-env.sh)")
        pytest.skip("needs openssh-server and root")
    ssh = tmp_path / "ssh"
    ssh.mkdir(mode=0o700)
    for name in ("host_key", "user_key"):
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f",
                        str(ssh / name)], check=True)
    (ssh / "authorized_keys").write_text((ssh / "user_key.pub").read_text())
    port = free_port()
    (ssh / "sshd_config").write_text(
        f"Port {port}\nListenAddress 127.0.0.1\nHostKey {ssh / 'host_key'}\n"
        f"AuthorizedKeysFile {ssh / 'authorized_keys'}\nPidFile {ssh / 'sshd.pid'}\n"
        "PasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM no\n"
        "PubkeyAuthentication yes\nPermitRootLogin prohibit-password\nStrictModes no\n")
    os.makedirs("/run/sshd", exist_ok=True)  # sshd's privilege separation directory
    sshd = subprocess.Popen([SSHD, "-D", "-e", "-f", str(ssh / "sshd_config")],
                            stderr=subprocess.DEVNULL)
    agent_sock = str(ssh / "agent.sock")
    agent = subprocess.Popen(["ssh-agent", "-D", "-a", agent_sock], stdout=subprocess.DEVNULL)
    try:
        for _ in range(100):
            if os.path.exists(agent_sock):
                break
            time.sleep(0.05)
        subprocess.run(["ssh-add", "-q", str(ssh / "user_key")], check=True,
                       env=dict(os.environ, SSH_AUTH_SOCK=agent_sock))
        (ssh / "user_key").unlink()  # the key is in the agent only
        host_key = (ssh / "host_key.pub").read_text().split()[:2]
        (ssh / "known_hosts").write_text(f"[127.0.0.1]:{port} {' '.join(host_key)}\n")
        repo = tmp_path / "served" / "gitlib.git"
        git_project(repo, "over ssh")
        _wait_for(port)
        monkeypatch.setenv("SSH_AUTH_SOCK", agent_sock)
        monkeypatch.delenv("SLIM_LAMBDA_SSH", raising=False)
        yield SshRemote(url=f"ssh://{getpass.getuser()}@127.0.0.1:{port}{repo}", repo=repo,
                        agent=agent_sock, known_hosts=ssh / "known_hosts")
    finally:
        for proc in (sshd, agent):
            proc.terminate()
            proc.wait(timeout=10)


def _request(fn: Path, bundling: BundlingOptions, **environ: str) -> Any:
    request, _handler = resolve_request(
        where="t", entry=str(fn), runtime="python3.13", architecture="x86_64",
        index="index.py", handler="handler", bundling=bundling, slim=SlimOptions(),
        limits=SizeLimits())
    return pin_request(request, None, {**os.environ, **environ})


def test_a_git_ssh_branch_builds_with_the_agent_in_the_deps_container_only(
        ssh_remote: SshRemote, build_image_al2023: str, tmp_path: Path,
        clean_env: None) -> None:
    """python3.13 on this python3.11 host: the assemble stage runs in the image too, so
    both containers can be inspected."""
    fn = git_entry(tmp_path, f"gitlib @ git+{ssh_remote.url}@main")
    bundling = BundlingOptions(mode="docker", image=build_image_al2023, ssh=True,
                               ssh_known_hosts=str(ssh_remote.known_hosts))
    request = _request(fn, bundling)
    commit = subprocess.run([*GIT, "rev-parse", "HEAD"], cwd=ssh_remote.repo, check=True,
                            capture_output=True, text=True).stdout.strip()
    assert list(request.git_pins.values()) == [f"git+{ssh_remote.url}@{commit}"]  # over SSH

    client = _RecordingClient()
    out = tmp_path / "out"
    out.mkdir()
    report = build(request, str(out), runner=DockerRunner(client_factory=lambda: client),
                   log=lambda _line: None)
    assert handler_answer(build_image_al2023, out) == "over ssh"
    assert report["assembled_on"] == "image"

    deps, assemble = client.created
    deps_mounts = {m["Destination"]: m for m in deps["Mounts"]}
    assert deps_mounts["/slim-lambda/ssh/agent.sock"]["Source"] == ssh_remote.agent
    assert deps_mounts["/slim-lambda/ssh/agent.sock"]["RW"] is False
    assert deps_mounts["/slim-lambda/ssh/known_hosts"]["RW"] is False
    assert deps_mounts["/etc/ssh/ssh_config"]["RW"] is False
    assert "SSH_AUTH_SOCK=/slim-lambda/ssh/agent.sock" in deps["Config"]["Env"]
    assert "/slim-lambda/deps" in {m["Destination"] for m in assemble["Mounts"]}
    assemble_text = json.dumps(assemble)
    assert "agent.sock" not in assemble_text and "SSH_AUTH_SOCK" not in assemble_text

    shipped = [p for p in out.rglob("*") if p.is_file()]
    assert not [p for p in shipped if ssh_remote.agent.encode() in p.read_bytes()]
    assert "agent.sock" not in json.dumps(report)
    metas = list(Path(os.environ["SLIM_LAMBDA_CACHE_DIR"]).rglob(f"*{META_SUFFIX}"))
    assert metas and not [m for m in metas if "agent.sock" in m.read_text()]
    # the agent is how, not what: another socket is the same dependency tree
    other = tmp_path / "other.sock"
    shutil.copy(ssh_remote.known_hosts, tmp_path / "known_hosts_copy")
    with _listening(other):
        again = _request(fn, BundlingOptions(
            mode="docker", image=build_image_al2023, ssh=True,
            ssh_known_hosts=str(tmp_path / "known_hosts_copy")), SSH_AUTH_SOCK=str(other))
    assert request.pinned is not None
    assert deps_key(again, request.pinned) == deps_key(request, request.pinned)


class _listening:
    """A unix socket listening at ``path`` while in the block."""

    def __init__(self, path: Path) -> None:
        import socket
        self.sock = socket.socket(socket.AF_UNIX)
        self.path = path

    def __enter__(self) -> None:
        self.sock.bind(str(self.path))
        self.sock.listen()

    def __exit__(self, *exc: object) -> None:
        self.sock.close()


def test_a_git_ssh_requirement_without_bundling_ssh_is_an_error_at_synth(
        ssh_remote: SshRemote, build_image: str, tmp_path: Path, clean_env: None) -> None:
    fn = git_entry(tmp_path, f"gitlib @ git+{ssh_remote.url}@main")
    with pytest.raises(Exception) as raised:
        synth(fn, tmp_path / "out", bundling=BundlingOptions(mode="docker", image=build_image))
    err = ours(raised.value)
    assert isinstance(err, ConfigurationError)
    assert "is fetched over SSH, and the build gets no SSH agent unless asked: set " \
        "BundlingOptions(ssh=True) (or SLIM_LAMBDA_SSH=1)" in str(err)
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").glob("asset.*"))


def test_an_unknown_host_key_fails_the_synth_it_is_never_accepted(
        ssh_remote: SshRemote, build_image: str, tmp_path: Path, clean_env: None) -> None:
    fn = git_entry(tmp_path, f"gitlib @ git+{ssh_remote.url}@main")
    empty = tmp_path / "empty_known_hosts"
    empty.write_text("")
    with pytest.raises(Exception) as raised:
        synth(fn, tmp_path / "out", bundling=BundlingOptions(
            mode="docker", image=build_image, ssh=True, ssh_known_hosts=str(empty)))
    err = ours(raised.value)
    assert isinstance(err, ConfigurationError)
    assert "cannot ask the git remote which commit main is (" in str(err)
    assert "host key is known for [127.0.0.1]:" in str(err)
    assert "the host's key is not in bundling.ssh_known_hosts (default ~/.ssh/known_hosts)" \
        in str(err)


def test_a_uv_lock_git_source_installs_its_locked_commit(
        ssh_remote: SshRemote, build_image: str, tmp_path: Path, clean_env: None) -> None:
    """uv locks git sources over https, ssh or file only: this one is fetched over SSH. The
    locked commit ships; a new commit, locked again, is a new build that ships it."""
    fn = tmp_path / "fn"
    fn.mkdir()
    (fn / "index.py").write_text("import gitlib\n\n\ndef handler(event, context):\n"
                                 "    return gitlib.WORD\n")
    (fn / "pyproject.toml").write_text(
        '[project]\nname = "fn"\nversion = "0.1.0"\nrequires-python = ">=3.11"\n'
        'dependencies = ["gitlib"]\n\n[tool.uv.sources]\n'
        f'gitlib = {{ git = "{ssh_remote.url}", branch = "main" }}\n')
    env = dict(os.environ, GIT_SSH_COMMAND=ssh_command(str(ssh_remote.known_hosts)),
               UV_CACHE_DIR=str(tmp_path / "uv-cache"))

    def lock(*args: str) -> None:
        proc = subprocess.run([host_uv(), "lock", *args], cwd=fn, env=env,
                              capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr

    lock()
    bundling = BundlingOptions(mode="docker", image=build_image, ssh=True,
                               ssh_known_hosts=str(ssh_remote.known_hosts))
    _t, first, report = synth(fn, tmp_path / "out1", bundling=bundling)
    assert handler_answer(build_image, first) == "over ssh"
    assert any("gitlib is installed from git at its locked commit" in n
               for n in report["manifest"]["notes"]), report["manifest"]

    _commit(ssh_remote.repo, "relocked")
    _t, same, _r = synth(fn, tmp_path / "out2", bundling=bundling)
    assert handler_answer(build_image, same) == "over ssh"  # the lock, not the branch
    lock("--upgrade-package", "gitlib")
    _t, moved, report = synth(fn, tmp_path / "out3", bundling=bundling)
    assert moved.name != first.name and report["cache"]["hit"] is False
    assert handler_answer(build_image, moved) == "relocked"
