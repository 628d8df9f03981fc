"""The mount layout: where the pipeline sees each host directory, and how it is mounted."""

from __future__ import annotations

import dataclasses
import json
import os
import stat
from pathlib import Path

import pytest

from slim_lambda.errors import DockerError
from slim_lambda.pipeline.spec import NETRC_FILE, PRIVATE_ENV_FILE, AssembleSpec, DepsSpec
from slim_lambda.run import runners
from slim_lambda.run.container import DockerRunner
from slim_lambda.run.credentials import Login
from slim_lambda.run.environment import BuildEnvironment
from slim_lambda.run.runners import ContainerRunner, InProcessRunner, Mounts, _write_inputs
from slim_lambda.run.sshagent import SshAgent


def _runner(ca: str | None = None) -> ContainerRunner:
    env = BuildEnvironment(variables={"PIP_INDEX_URL": "https://idx/s", "DEPLOY_TOKEN": "t0k"},
                           ca_bundle=ca, secrets=(), private=frozenset({"DEPLOY_TOKEN"}))
    return ContainerRunner(docker=DockerRunner(), image="img", platform="linux/amd64", env=env,
                           timeout_seconds=60, memory_bytes=None, log=print)


def test_the_deps_stage_holds_removed_files_in_the_mount_of_its_output() -> None:
    # two bind mounts are two file systems to rename(): holding 4,000 files was a copy each
    mounts = Mounts(entry="/src/fn", work="/tmp/w", output="/cache/.tmp-k/tree",
                    held="/cache/.tmp-k/slim-held")
    runner = _runner()
    seen = runner.view(mounts)
    assert (seen.output, seen.held) == ("/slim-lambda/staging/tree",
                                        "/slim-lambda/staging/slim-held")
    volumes = {v.target: (v.source, v.read_only) for v in runner.volumes(mounts)}
    assert volumes["/slim-lambda/staging"] == ("/cache/.tmp-k", False)
    assert "/asset-output" not in volumes
    assert runner.view(Mounts(entry="/e", work="/w", output="/o")).held == ""
    with pytest.raises(ValueError, match="not beside the output"):
        runner.volumes(Mounts(entry="/e", work="/w", output="/a/tree", held="/b/held"))


def test_container_view_and_volumes(tmp_path: Path) -> None:
    links = tmp_path / "wheels"
    links.mkdir()
    mounts = Mounts(entry="/src/fn", work="/tmp/w", output="/cache/tree", pip_cache="/cache/pip",
                    find_links=(str(links), "https://links.example/"), layers=("/cdk/L/python",),
                    extra_sources=("/repo/libs/common",))
    runner = _runner()
    seen = runner.view(mounts)
    assert (seen.entry, seen.output, seen.deps) == ("/asset-input", "/asset-output", "")
    assert seen.find_links == ("/slim-lambda/find-links/0", "https://links.example/")
    assert seen.layers == ("/slim-lambda/layers/0",)
    volumes = {v.target: (v.source, v.read_only) for v in runner.volumes(mounts)}
    assert volumes["/asset-input"] == ("/src/fn", True)
    assert volumes["/asset-output"] == ("/cache/tree", False)
    assert volumes["/slim-lambda/work"] == ("/tmp/w", False)
    assert volumes["/slim-lambda/find-links/0"] == (str(links.resolve()), True)
    assert volumes["/slim-lambda/layers/0"] == ("/cdk/L/python", True)
    assert seen.extra_sources == ("/slim-lambda/extra/0",)
    assert volumes["/slim-lambda/extra/0"] == ("/repo/libs/common", True)
    assert volumes["/slim-lambda/lib/slim_lambda"][1] is True
    assert "/slim-lambda/deps" not in volumes
    env = runner.environment(mounts)
    assert env["PIP_CACHE_DIR"] == "/slim-lambda/pip-cache"
    assert env["PIP_INDEX_URL"] == "https://idx/s" and "PIP_CERT" not in env
    assert "DEPLOY_TOKEN" not in env, "docker inspect would show it: it goes in a file"


def test_credentials_reach_the_stage_as_private_files_only(tmp_path: Path) -> None:
    env = BuildEnvironment(variables={"PIP_INDEX_URL": "https://idx/s", "DEPLOY_TOKEN": "t0k"},
                           ca_bundle=None, secrets=(), private=frozenset({"DEPLOY_TOKEN"}),
                           logins=(Login("idx.example", "u", "pw"),))
    deps = DepsSpec(runtime="python3.11", architecture="x86_64", output_dir="/o",
                    work_dir="/w")
    (tmp_path / "deps").mkdir()
    _write_inputs(deps, str(tmp_path / "deps"), env)
    assert sorted(p.name for p in (tmp_path / "deps").iterdir()) == [
        NETRC_FILE, PRIVATE_ENV_FILE, "spec.json"]
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in (tmp_path / "deps").iterdir())
    assert json.loads((tmp_path / "deps" / PRIVATE_ENV_FILE).read_text()) == {
        "DEPLOY_TOKEN": "t0k"}
    assemble = AssembleSpec(runtime="python3.11", architecture="x86_64", output_dir="/o",
                            work_dir="/w")
    (tmp_path / "assemble").mkdir()
    _write_inputs(assemble, str(tmp_path / "assemble"), env)  # it installs nothing
    assert not (tmp_path / "assemble" / NETRC_FILE).exists()


def test_the_ca_bundle_is_mounted_read_only_and_named_to_every_client(tmp_path: Path) -> None:
    ca = tmp_path / "ca.pem"
    ca.write_text("pem")
    runner = _runner(str(ca))
    mounts = Mounts(entry="/e", work="/w", output="/o")
    volumes = {v.target: (v.source, v.read_only) for v in runner.volumes(mounts)}
    assert volumes["/slim-lambda/ca-bundle.pem"] == (str(ca), True)
    env = runner.environment(mounts)
    assert {env[k] for k in ("PIP_CERT", "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE")} == {
        "/slim-lambda/ca-bundle.pem"}
    assert "PIP_CACHE_DIR" not in env


def test_host_runners_see_host_paths(tmp_path: Path) -> None:
    mounts = Mounts(entry="/e", work="/w", output="/o", find_links=(str(tmp_path), "https://x/"))
    seen = InProcessRunner(log=print).view(mounts)
    assert seen.entry == "/e" and seen.find_links == (str(tmp_path.resolve()), "https://x/")


def test_every_mount_source_is_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                        ) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "wheels").mkdir()
    mounts = Mounts(entry="fn", work="w", output="cdk.out/asset.x", deps="tree",
                    deps_meta="tree.json", find_links=("wheels",),
                    layers=("cdk.out/asset.y/python",))
    volumes = _runner().volumes(mounts)
    assert all(os.path.isabs(v.source) for v in volumes), volumes
    sources = {v.target: v.source for v in volumes}
    assert sources["/slim-lambda/layers/0"] == str(tmp_path / "cdk.out/asset.y/python")
    assert sources["/asset-input"] == str(tmp_path / "fn")


def test_uv_and_its_cache_are_mounted_for_the_deps_stage(tmp_path: Path) -> None:
    mounts = Mounts(entry="/src/fn", work="/tmp/w", output="/cache/tree",
                    pip_cache="/cache/pip", uv="/venv/bin/uv", uv_cache="/cache/uv")
    runner = _runner()
    seen = runner.view(mounts)
    assert (seen.uv, seen.uv_cache) == ("/slim-lambda/bin/uv", "/slim-lambda/uv-cache")
    volumes = {v.target: (v.source, v.read_only) for v in runner.volumes(mounts)}
    assert volumes["/slim-lambda/bin/uv"] == ("/venv/bin/uv", True)
    assert volumes["/slim-lambda/uv-cache"] == ("/cache/uv", False)
    assert runner.environment(mounts)["UV_CACHE_DIR"] == "/slim-lambda/uv-cache"
    without = runner.view(Mounts(entry="/src/fn", work="/tmp/w", output="/cache/tree"))
    assert (without.uv, without.uv_cache) == ("", "")


def test_the_staging_and_uv_cache_share_one_mount_so_uv_hard_links() -> None:
    """The cache keeps uv's cache beside the staging directories: mounted as one, uv
    hard-links what it installs (across two mounts ``link`` fails and uv copies)."""
    mounts = Mounts(entry="/src/fn", work="/tmp/w", output="/c/build/.tmp-k/tree",
                    held="/c/build/.tmp-k/slim-held", pip_cache="/c/pip", uv="/venv/bin/uv",
                    uv_cache="/c/build/uv")
    runner = _runner()
    seen = runner.view(mounts)
    assert (seen.output, seen.held, seen.uv_cache, seen.uv_links) == (
        "/slim-lambda/build/.tmp-k/tree", "/slim-lambda/build/.tmp-k/slim-held",
        "/slim-lambda/build/uv", True)
    volumes = {v.target: (v.source, v.read_only) for v in runner.volumes(mounts)}
    assert volumes["/slim-lambda/build"] == ("/c/build", False)
    assert not {"/slim-lambda/staging", "/slim-lambda/uv-cache", "/asset-output"} & set(volumes)
    assert runner.environment(mounts)["UV_CACHE_DIR"] == "/slim-lambda/build/uv"
    # uv's cache elsewhere, or files copied through the API: two places, uv copies
    apart = dataclasses.replace(mounts, uv_cache="/elsewhere/uv")
    assert runner.view(apart).uv_links is False
    assert runner.view(apart).uv_cache == "/slim-lambda/uv-cache"
    copied = dataclasses.replace(runner, file_access="copy")
    assert copied.view(mounts).uv_links is False
    assert {s.target for s in copied.shares(mounts)} >= {"/slim-lambda/staging"}
    assert "/slim-lambda/build" not in {s.target for s in copied.shares(mounts)}


class _NoRuns:
    """An engine that must not be asked to run anything."""

    def container_user(self) -> str:
        return "1000:1000"

    def run(self, *_args: object, **_kwargs: object) -> None:
        raise AssertionError("a container ran")


def test_the_ssh_agent_cannot_go_to_an_engine_reached_by_copy(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """bundling.ssh forwards a unix socket: an engine that gets its files by copy (another
    machine, Docker-in-Docker) cannot be handed one, so the build stops before any
    container runs, saying what to do."""
    monkeypatch.setattr(runners, "_write_inputs", lambda *_args: None)
    monkeypatch.setenv("DOCKER_HOST", "tcp://127.0.0.1:2375")
    runner = dataclasses.replace(_runner(), docker=_NoRuns(), file_access="copy",
                                 ssh=SshAgent(str(tmp_path / "agent.sock"),
                                              str(tmp_path / "known_hosts")))
    (tmp_path / "w").mkdir()
    (tmp_path / "out").mkdir()
    mounts = Mounts(entry=str(tmp_path), work=str(tmp_path / "w"), output=str(tmp_path / "out"))
    with pytest.raises(DockerError) as info:
        runner.run(None, mounts)  # type: ignore[arg-type]
    text = str(info.value)
    assert "tcp://127.0.0.1:2375" in text and "bundling.ssh" in text
    assert "file_access='bind'" in text and "git+https://" in text
