"""Nothing half-done, nothing leaked, nothing written outside the build.

- A synth or CLI build killed midway leaves no asset a later synth could take for a good
  one and no container behind; the next synth of the same asset builds it properly.
- Asset files belong to the invoking user (tested as a non-root user) and have
  Lambda-safe permissions.
- Build containers run as the invoking user with no extra privileges, see the entry
  read-only, and only the dependency stage has a network.
- Planted secrets (environment variables, index credentials, a ``.env`` file, git
  config) never reach ``cdk.out`` or the logs.
- Slim never removes or writes outside the tree it works on, whatever the patterns and
  symlinks (with property-based tests of the pattern handling).
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_lambda as lambda_
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from slim_lambda import BundlingOptions, SizeLimits, SlimOptions, SlimPythonFunction
from slim_lambda.pipeline.slim import apply_removals, compile_patterns, plan_removals
from slim_lambda.pipeline.sources import copy_sources, exclude_spec, list_sources
from slim_lambda.plan.keys import fingerprint
from slim_lambda.plan.resolve import resolve_request
from slim_lambda.run.build import build
from slim_lambda.run.container import DockerRunner
from tests.fixtures import faulty
from tests.fixtures.grep import files_containing
from tests.fixtures.index_server import serve_index

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLIM_LAMBDA_CACHE_DIR", str(tmp_path / "cache"))
    for var in ("SLIM_LAMBDA_IMAGE", "SLIM_LAMBDA_CA_BUNDLE", "SLIM_LAMBDA_MODE"):
        monkeypatch.delenv(var, raising=False)


def _wait_for(condition: Callable[[], bool], what: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.3)


def _processes(container: str) -> str:
    proc = subprocess.run(["docker", "top", container, "-eo", "pid,args"], capture_output=True,
                          text=True)
    return proc.stdout


# -- killed midway -------------------------------------------------------------------------------

SYNTH = textwrap.dedent("""
    import sys
    import aws_cdk as cdk
    from aws_cdk import aws_lambda as lambda_
    from slim_lambda import BundlingOptions, SlimPythonFunction

    entry, links, image, outdir, sleep = sys.argv[1:]
    app = cdk.App(outdir=outdir)
    SlimPythonFunction(cdk.Stack(app, "S"), "F", entry=entry,
                       runtime=lambda_.Runtime.PYTHON_3_11,
                       bundling=BundlingOptions(mode="docker", image=image, find_links=(links,),
                                                no_index=True,
                                                environment={"SLOWFIX_SLEEP": sleep}))
    app.synth()
""")


@pytest.fixture
def slow_entry(tmp_path: Path, wheels: Path) -> tuple[Path, Path]:
    """An entry requiring ``slowfix`` (its build sleeps ``$SLOWFIX_SLEEP`` s), and its links."""
    links = tmp_path / "links"
    links.mkdir()
    for w in wheels.iterdir():
        shutil.copy(w, links)
    faulty.sdist(links, "slowfix")
    entry = tmp_path / "fn"
    entry.mkdir()
    (entry / "index.py").write_text("import slowfix\n\n\ndef handler(event, context):\n"
                                    "    return slowfix.VALUE\n")
    (entry / "requirements.txt").write_text("slowfix\nslimfix-pure\n")
    return entry, links


def _start_and_kill(cmd: list[str], tmp_path: Path) -> str:
    """Start a build, wait until pip is inside slowfix's (sleeping) build, SIGKILL it.
    Returns the ID of the container it had started."""
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            cwd=tmp_path)
    container = ""
    try:
        def sleeping() -> bool:
            nonlocal container
            assert proc.poll() is None, "the build ended before it was killed"
            ids = faulty.build_containers(tmp_path)
            container = ids[0] if ids else ""
            # pip runs the sdist's build backend: its in-process hook is sleeping
            return bool(container) and "_in_process.py build_wheel" in _processes(container)
        _wait_for(sleeping, "the build to reach slowfix")
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    return container


def _gone(container: str) -> bool:
    return subprocess.run(["docker", "inspect", container], capture_output=True).returncode != 0


@pytest.mark.docker
def test_synth_killed_midway_leaves_nothing_a_later_synth_could_trust(
        slow_entry: tuple[Path, Path], build_image: str, tmp_path: Path) -> None:
    entry, links = slow_entry
    script = tmp_path / "synth.py"
    script.write_text(SYNTH)
    outdir = tmp_path / "cdk.out"
    cache = tmp_path / "cache"
    cmd = [sys.executable, str(script), str(entry), str(links), build_image, str(outdir)]
    env_cmd = ["env", f"SLIM_LAMBDA_CACHE_DIR={cache}", f"PYTHONPATH={REPO}"]

    container = _start_and_kill([*env_cmd, *cmd, "3600"], tmp_path)
    _wait_for(lambda: _gone(container), "the orphaned container to end and be removed", 60)
    assert faulty.build_containers(tmp_path) == []

    # no finished-looking asset, no report, no committed cache entry
    left = sorted(p.name for p in outdir.iterdir())
    assert [n for n in left if n.startswith("asset.") and not n.endswith("-building")] == [], left
    assert all(name.startswith(".tmp-") for name in os.listdir(cache / "deps"))

    # the next synth of the very same asset (the environment is not hashed) builds it whole
    subprocess.run([*env_cmd, *cmd, "0"], check=True, capture_output=True, cwd=tmp_path,
                   timeout=600)
    (building,) = [n for n in left if n.endswith("-building")]
    asset = outdir / building.removesuffix("-building")
    assert (asset / "slowfix" / "__init__.py").is_file()
    assert (asset / "slimfix_pure" / "__init__.py").is_file()
    assert Path(f"{asset}.slim-report.json").is_file()
    assert [n for n in os.listdir(cache / "deps") if not n.startswith(".")], "now cached"


@pytest.mark.docker
def test_cli_build_killed_midway_leaves_no_output(slow_entry: tuple[Path, Path],
                                                  build_image: str, tmp_path: Path,
                                                  wheels: Path) -> None:
    entry, links = slow_entry
    out = tmp_path / "bundle"
    args = ["build", str(entry), "--runtime", "python3.11", "--mode", "docker", "--image",
            build_image, "--no-index", "--find-links", str(links), "--out", str(out)]
    container = _start_and_kill(
        ["env", f"SLIM_LAMBDA_CACHE_DIR={tmp_path / 'cache'}", f"PYTHONPATH={REPO}",
         sys.executable, "-m", "slim_lambda.cli", *args], tmp_path)
    _wait_for(lambda: _gone(container), "the orphaned container to end and be removed", 60)
    assert not out.exists()
    # a rerun into the same --out (here without the slow package) clears the leftovers
    (entry / "requirements.txt").write_text("slimfix-pure\n")
    (entry / "index.py").write_text("def handler(event, context):\n    return 1\n")
    proc = subprocess.run([sys.executable, "-m", "slim_lambda.cli", *args], capture_output=True,
                          text=True, timeout=600, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (out / "index.py").is_file() and not Path(f"{out}.partial").exists()


# -- who owns the asset, and what the containers may do -----------------------------------------

def _docker_gid() -> int:
    host = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")
    if not host.startswith("unix://"):
        pytest.skip("building as another user needs the engine's unix socket")
    return os.stat(host.removeprefix("unix://")).st_gid


@pytest.mark.docker
def test_asset_belongs_to_the_invoking_user_with_lambda_safe_modes(
        entry: Path, wheels: Path, build_image: str, request: pytest.FixtureRequest) -> None:
    """Built by a non-root user (uid 4242): every file of the asset and of the cache is
    theirs, files are world-readable, executables world-executable, directories 755."""
    if os.geteuid() != 0:
        uid, cmd_prefix = os.getuid(), []
    else:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("needs setpriv to build as another user")
        uid = 4242
        # read access to this venv (under /root) without any write privilege
        cmd_prefix = [setpriv, f"--reuid={uid}", f"--regid={uid}", f"--groups={_docker_gid()}",
                      "--inh-caps=+dac_read_search", "--ambient-caps=+dac_read_search", "--"]
    # under /tmp itself: access(2) checks every parent with the real user's rights
    work = Path(tempfile.mkdtemp(prefix="slim-lambda-owner-"))
    request.addfinalizer(lambda: shutil.rmtree(work, ignore_errors=True))
    for name in ("home", "cache", "wheels"):
        (work / name).mkdir(parents=True)
    shutil.copytree(entry, work / "fn")
    for w in wheels.iterdir():
        shutil.copy(w, work / "wheels")
    (work / "fn" / "run.sh").write_text("#!/bin/sh\necho hi\n")
    (work / "fn" / "run.sh").chmod(0o700)
    (work / "fn" / "private.py").write_text("X = 1\n")
    (work / "fn" / "private.py").chmod(0o600)
    for path in [work, *work.rglob("*")]:
        if not path.is_symlink():
            path.chmod(path.stat().st_mode | 0o555 if path.is_dir() else
                       path.stat().st_mode | 0o444)
    for d in (work, work / "home", work / "cache"):
        os.chown(d, uid, uid)
    out = work / "out"
    proc = subprocess.run(
        [*cmd_prefix, "env", f"HOME={work / 'home'}", f"SLIM_LAMBDA_CACHE_DIR={work / 'cache'}",
         f"PYTHONPATH={REPO}", sys.executable, "-m", "slim_lambda.cli", "build",
         str(work / "fn"), "--runtime", "python3.11", "--mode", "docker", "--image",
         build_image, "--no-index", "--find-links", str(work / "wheels"), "--out", str(out)],
        capture_output=True, text=True, timeout=600, cwd=work)
    assert proc.returncode == 0, proc.stderr

    paths = [out, *out.rglob("*")]
    assert any(p.suffix == ".so" for p in paths)
    own = {p.relative_to(work / "fn") for p in (work / "fn").rglob("*")}
    own |= {rel.parent / "__pycache__" / f"{rel.stem}.cpython-311.pyc"
            for rel in own if rel.suffix == ".py"}  # compiled per synth, not cached
    for p in paths:
        st_ = p.lstat()
        assert st_.st_uid == uid, f"{p} belongs to uid {st_.st_uid}"
        mode = stat.S_IMODE(st_.st_mode)
        if p.is_dir() or p.name == "run.sh":  # the script was executable (by its owner)
            assert mode == 0o755, (p, oct(mode))
        elif p.relative_to(out) in own:  # private.py was 0600: Lambda could not read it
            assert mode == 0o644, (p, oct(mode))
        elif p.suffix == ".so":  # dependencies are the cache's sealed, read-only inodes
            assert mode in (0o444, 0o555), (p, oct(mode))
        else:
            assert mode == 0o444, (p, oct(mode))
    for p in (work / "cache").rglob("*"):
        assert p.lstat().st_uid == uid, f"cache file {p} belongs to uid {p.lstat().st_uid}"


class _RecordingClient:
    """A real Docker client that records every build container as the engine created it."""

    def __init__(self) -> None:
        import docker

        self._client = docker.from_env(timeout=120)
        self.created: list[dict[str, Any]] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    @property
    def containers(self) -> Any:
        recorder = self

        class Containers:
            def __getattr__(self, name: str) -> Any:
                return getattr(recorder._client.containers, name)

            def create(self, *args: Any, **kwargs: Any) -> Any:
                container = recorder._client.containers.create(*args, **kwargs)
                recorder.created.append(container.attrs)  # the engine's own inspect
                return container

        return Containers()


@pytest.mark.docker
def test_containers_run_unprivileged_as_the_invoking_user_and_offline_after_install(
        entry: Path, wheels: Path, build_image: str, tmp_path: Path) -> None:
    client = _RecordingClient()
    runner = DockerRunner(client_factory=lambda: client)

    def request() -> Any:
        req, _ = resolve_request(
            where="t", entry=str(entry), runtime="python3.11", architecture="x86_64",
            index="index.py", handler="handler", slim=SlimOptions(), limits=SizeLimits(),
            bundling=BundlingOptions(mode="docker", image=build_image,
                                     find_links=(str(wheels),), no_index=True))
        return req

    handler = (entry / "index.py").read_text()
    (entry / "index.py").write_text("import slimfix_pure\n\n\ndef handler(event, context):\n"
                                    "    return slimfix_pure.VERSION\n")
    for out in ("out1", "out2"):  # build() fills a directory its caller made
        (tmp_path / out).mkdir()
    build(request(), str(tmp_path / "out1"), runner=runner, log=lambda _line: None)
    # a new import in the handler, the dependencies from the cache: the import probe runs
    # in the image, in the assemble stage's container
    (entry / "index.py").write_text(handler)
    report = build(request(), str(tmp_path / "out2"), runner=runner, log=lambda _line: None)
    assert report["cache"]["hit"] is True and report["assembled_on"] == "image"

    # (the file-access probe's container, when this process has not probed the engine yet,
    # runs first: only the two stages' containers are looked at)
    deps, assemble = [c for c in client.created if "slim_lambda.pipeline" in c["Config"]["Cmd"]]
    assert deps["HostConfig"]["NetworkMode"] == "host"
    assert assemble["HostConfig"]["NetworkMode"] == "none"
    for attrs in (deps, assemble):
        host = attrs["HostConfig"]
        assert attrs["Config"]["User"] == f"{os.getuid()}:{os.getgid()}"
        assert host["Privileged"] is False
        assert not host.get("CapAdd")
        assert host["CapDrop"] == ["ALL"]
        assert host["SecurityOpt"] == ["no-new-privileges"]
        assert host["AutoRemove"] is True
        # its stdin is this process's: when the synth dies, the container's watchdog ends it
        assert attrs["Config"]["OpenStdin"] is True and attrs["Config"]["StdinOnce"] is True
        assert attrs["Config"]["Labels"]["slim-lambda"] == "build"  # (the image adds its own)
        mounts = {m["Target"]: m for m in host["Mounts"]}
        assert mounts["/asset-input"]["Source"] == str(entry)
        assert mounts["/asset-input"]["ReadOnly"] is True, "the entry is read-only"
        writable = sorted(t for t, m in mounts.items() if not m.get("ReadOnly"))
        # the deps stage writes its tree and holds removed files beside it, in one mount
        # and uv's cache beside it (the cache's build directory): uv hard-links from it
        assert writable == sorted(["/slim-lambda/work"] + (
            ["/slim-lambda/build", "/slim-lambda/pip-cache"]
            if attrs is deps else ["/asset-output"])), writable
        if attrs is deps:  # uv itself is mounted read-only
            assert mounts["/slim-lambda/bin/uv"]["ReadOnly"] is True
    assert faulty.builds_gone(tmp_path)


# -- nothing leaked -------------------------------------------------------------------------------

@pytest.mark.docker
def test_planted_secrets_never_reach_cdk_out_or_the_logs(
        entry: Path, wheels: Path, build_image: str, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]) -> None:
    secrets = {
        "dotenv": "PLANTED-dotenv-sk-live-0001",
        "git": "PLANTED-git-ghp-0002",
        "venv": "PLANTED-venv-0003",
        "host_env": "PLANTED-host-env-token-0004",
        "build_env": "PLANTED-build-env-password-0005",
        "index": "PLANTED-index-password-0006",
    }
    (entry / ".env").write_text(f"API_KEY={secrets['dotenv']}\n")
    (entry / ".env.production").write_text(f"API_KEY={secrets['dotenv']}\n")
    (entry / ".git").mkdir()
    (entry / ".git" / "config").write_text(
        f"[remote]\n  url = https://bot:{secrets['git']}@git.example/x.git\n")
    (entry / ".venv" / "lib").mkdir(parents=True)
    (entry / ".venv" / "lib" / "settings.py").write_text(f"KEY = '{secrets['venv']}'\n")
    monkeypatch.setenv("MY_SERVICE_TOKEN", secrets["host_env"])
    outdir = tmp_path / "cdk.out"

    with serve_index(wheels, password=secrets["index"]) as index:
        app = cdk.App(outdir=str(outdir))
        fn = SlimPythonFunction(
            cdk.Stack(app, "S"), "F", entry=str(entry), runtime=lambda_.Runtime.PYTHON_3_11,
            bundling=BundlingOptions(
                mode="docker", image=build_image, index_url=index.authed_url,
                pass_environment=("PIP_*", "MY_SERVICE_TOKEN"),
                environment={"DEPLOY_PASSWORD": secrets["build_env"]}))
        app.synth()
        assert any(ok for _p, ok in index.requests), "the build used the index"
    assert files_containing(outdir, *secrets.values()) == []
    out, err = capfd.readouterr()
    for secret in secrets.values():
        assert secret not in out and secret not in err
    (asset,) = [p for p in outdir.iterdir() if p.is_dir() and p.name.startswith("asset.")]
    assert (asset / "index.py").is_file() and not (asset / ".env").exists()

    # credentials and the environment are not part of the asset hash
    other = dataclasses.replace(
        fn.build_request.bundling, environment={"DEPLOY_PASSWORD": "another"},
        index_url=index.authed_url.replace(secrets["index"], "another-password"))
    assert fingerprint(dataclasses.replace(fn.build_request, bundling=other)) == \
        fingerprint(fn.build_request)
    assert fingerprint(dataclasses.replace(fn.build_request, bundling=dataclasses.replace(
        other, index_url=index.url.replace("127.0.0.1", "localhost")))) != \
        fingerprint(fn.build_request), "another index is another asset"


# -- the write boundary ----------------------------------------------------------------------------

HOSTILE = ("../*", "../../**", "/../", "**/../**", "..", "../outside/", "/*", "**",
           "*/../../outside/precious.txt", "link/", "link/**", "filelink", "../../../../etc/")


def _sandbox(tmp_path: Path) -> tuple[Path, Path, dict[str, bytes]]:
    """A tree with symlinks (to a directory and a file) that escape to ``outside``."""
    root, outside = tmp_path / "root", tmp_path / "outside"
    (root / "pkg" / "tests").mkdir(parents=True)
    (root / "pkg" / "__init__.py").write_text("x = 1\n")
    (root / "pkg" / "tests" / "test_x.py").write_text("def test(): pass\n")
    outside.mkdir()
    (outside / "precious.txt").write_text("keep me\n")
    (outside / "tests").mkdir()
    (outside / "tests" / "test_y.py").write_text("keep me too\n")
    (root / "link").symlink_to(outside, target_is_directory=True)
    (root / "pkg" / "filelink").symlink_to(outside / "precious.txt")
    before = {str(p.relative_to(tmp_path)): p.read_bytes() for p in outside.rglob("*")
              if p.is_file()}
    return root, outside, before


def _outside_intact(tmp_path: Path, outside: Path, before: dict[str, bytes]) -> None:
    after = {str(p.relative_to(tmp_path)): p.read_bytes() for p in outside.rglob("*")
             if p.is_file()}
    assert after == before


@pytest.mark.parametrize("pattern", HOSTILE)
def test_hostile_slim_patterns_never_reach_outside(tmp_path: Path, pattern: str) -> None:
    root, outside, before = _sandbox(tmp_path)
    plan = plan_removals(str(root), SlimOptions(patterns=(pattern,)))
    assert all(not r.rel.startswith(("/", "..")) and ".." not in r.rel.split("/")
               for r in plan.removals)
    apply_removals(str(root), plan)
    _outside_intact(tmp_path, outside, before)
    # a removed symlink is gone as a link; its target stays
    assert (outside / "precious.txt").read_text() == "keep me\n"


@pytest.mark.parametrize("pattern", HOSTILE)
def test_hostile_exclude_patterns_copy_only_inside(tmp_path: Path, pattern: str) -> None:
    entry = tmp_path / "entry"
    (entry / "app").mkdir(parents=True)
    (entry / "index.py").write_text("def handler(e, c): pass\n")
    (entry / "app" / "core.py").write_text("x = 1\n")
    (entry / "app" / "alias.py").symlink_to(entry / "app" / "core.py")
    dest = tmp_path / "dest"
    copied = copy_sources(str(entry), str(dest), (pattern,))
    written = sorted(str(p.relative_to(dest)) for p in dest.rglob("*") if p.is_file())
    assert written == sorted(copied)
    assert not (dest / "app" / "alias.py").is_symlink(), "copied as its content"
    assert {p.name for p in tmp_path.iterdir()} <= {"dest", "entry"}


@pytest.mark.docker
def test_hostile_patterns_in_a_real_build_touch_nothing_outside(
        entry: Path, wheels: Path, build_image: str, tmp_path: Path) -> None:
    sentinel = tmp_path / "cache" / "precious.txt"
    sentinel.parent.mkdir(parents=True, exist_ok=True)
    sentinel.write_text("keep me\n")
    (entry / "helpers").mkdir()
    (entry / "helpers" / "util.py").write_text("x = 1\n")
    (entry / "util_link.py").symlink_to(entry / "helpers" / "util.py")
    entry_before = {str(p): (p.read_bytes() if p.is_file() else b"") for p in entry.rglob("*")}
    app = cdk.App(outdir=str(tmp_path / "cdk.out"))
    SlimPythonFunction(cdk.Stack(app, "S"), "F", entry=str(entry),
                       runtime=lambda_.Runtime.PYTHON_3_11,
                       bundling=BundlingOptions(mode="docker", image=build_image,
                                                find_links=(str(wheels),), no_index=True),
                       slim=SlimOptions(patterns=("../*", "/../", "**/../**", "../cache/"),
                                        slim_user_code=True))
    assert sentinel.read_text() == "keep me\n"
    assert {str(p): (p.read_bytes() if p.is_file() else b"")
            for p in entry.rglob("*")} == entry_before, "the entry is never written"


# -- pattern handling, property-based --------------------------------------------------------------

_NAMES = st.sampled_from(["a", "b", "tests", "data", "x.py", "y.pyi", "z.c", "__pycache__",
                          "m.pyc", ".env", "lib.so", "A B", "é"])
_TREES = st.lists(st.lists(_NAMES, min_size=1, max_size=4).map("/".join), min_size=1,
                  max_size=25)
_PIECES = st.sampled_from(["a", "b", "tests", "data", "*", "**", "?", "[ab]", "*.py", "*.pyi",
                           "..", ".", "", "é", "x.py", "__pycache__"])
_PATTERNS = st.builds(
    lambda neg, lead, parts, trail: ("!" if neg else "") + ("/" if lead else "")
    + "/".join(parts) + ("/" if trail else ""),
    st.booleans(), st.booleans(), st.lists(_PIECES, min_size=1, max_size=4), st.booleans(),
).filter(lambda p: p.strip("!/") != "")


def _valid(patterns: list[str]) -> list[str]:
    ok = []
    for p in patterns:
        try:
            compile_patterns([p], "t")
            ok.append(p)
        except Exception:
            pass
    return ok


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    yield tmp_path_factory.mktemp("prop")


def _make_tree(base: Path, files: list[str]) -> tuple[Path, Path, set[str]]:
    if base.exists():
        shutil.rmtree(base)
    root, outside = base / "root", base / "outside"
    outside.mkdir(parents=True)
    (outside / "tests").mkdir()
    (outside / "tests" / "keep.py").write_text("outside\n")
    made: set[str] = set()
    for rel in files:
        path = root / rel
        if any(str(path).startswith(str(root / m) + "/") for m in made) or path.is_dir():
            continue  # a file where a directory is needed
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(rel)
        made.add(rel)
    (root / "escape").symlink_to(outside, target_is_directory=True)
    return root, outside, made


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(files=_TREES, patterns=st.lists(_PATTERNS, max_size=4),
       keep=st.lists(_PATTERNS, max_size=2))
def test_slim_plan_properties(scratch: Path, files: list[str], patterns: list[str],
                              keep: list[str]) -> None:
    """Whatever the tree and the patterns: only existing files inside the root are removed,
    keep-patterns always win, and nothing outside changes."""
    root, outside, made = _make_tree(scratch / "t", files)
    patterns, keep = _valid(patterns), _valid(keep)
    plan = plan_removals(str(root), SlimOptions(patterns=tuple(patterns), keep=tuple(keep)))
    removed = {r.rel for r in plan.removals}
    assert removed <= made | {"escape"}
    keeper = compile_patterns(keep, "keep")
    assert not [rel for rel in removed if keeper.match_file(rel)]
    apply_removals(str(root), plan)
    for rel in made - removed:
        assert (root / rel).read_text() == rel, f"{rel} was not planned for removal"
    for rel in removed:
        assert not os.path.lexists(root / rel)
    assert (outside / "tests" / "keep.py").read_text() == "outside\n"


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(files=_TREES, excludes=st.lists(_PATTERNS, max_size=4))
def test_source_listing_properties(scratch: Path, files: list[str],
                                   excludes: list[str]) -> None:
    """Whatever the excludes: the listing holds only files of the entry, none excluded, and
    a ``.env`` file only when a pattern re-includes it explicitly."""
    root, outside, made = _make_tree(scratch / "s", files)
    (root / "escape").unlink()  # the listing refuses escaping symlinks (tested elsewhere)
    excludes = _valid(excludes)
    listed = list_sources(str(root), tuple(excludes))
    assert listed == sorted(listed)
    assert set(listed) <= made
    spec = exclude_spec(tuple(excludes))
    assert not [rel for rel in listed if spec.match_file(rel)]
    reincluded = any(p.startswith("!") for p in excludes)
    assert reincluded or not [rel for rel in listed if rel.split("/")[-1] == ".env"]
    assert (outside / "tests" / "keep.py").read_text() == "outside\n"
