"""Bad input and faults: each case a test asserting the exact error a user sees.

Every error says what is wrong, where, and how to fix it, and comes from slim-lambda
(a ``SlimLambdaError``), never a traceback from deep inside: at construct time for bad
options (cheap, no Docker), at synth for what only a build can find (then CDK wraps it
as ``Failed to bundle asset S/F/Code/Stage, ...: <our message>``), or from the CLI as
``slim-lambda: error: <our message>`` with exit code 1.

Builds use the local build image (Python 3.11, no C compiler) and a local find-links
directory holding the fixture wheels plus packages that fail on purpose
(:mod:`tests.fixtures.faulty`).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_lambda as lambda_

from slim_lambda import (
    BuildError,
    BundlingOptions,
    ConfigurationError,
    DockerError,
    SizeLimitError,
    SizeLimits,
    SlimOptions,
    SlimPythonFunction,
    SlimPythonLayerVersion,
)
from slim_lambda.cli import main as cli
from slim_lambda.errors import SlimLambdaError
from slim_lambda.pipeline.sources import list_sources
from slim_lambda.plan.keys import fingerprint
from slim_lambda.plan.resolve import resolve_request
from slim_lambda.run.container import DockerRunner
from slim_lambda.run.container_spec import ContainerRun
from tests.fixtures import faulty

PY311 = lambda_.Runtime.PYTHON_3_11
RUNTIMES = "python3.10, python3.11, python3.12, python3.13, python3.14"
HANDLER = "def handler(event, context):\n    return 1\n"


# -- fixtures and helpers --------------------------------------------------------------------

@pytest.fixture(autouse=True)
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test its own dependency cache, and no image or mode from the caller."""
    monkeypatch.setenv("SLIM_LAMBDA_CACHE_DIR", str(tmp_path / "cache"))
    for var in ("SLIM_LAMBDA_IMAGE", "SLIM_LAMBDA_CA_BUNDLE", "SLIM_LAMBDA_MODE"):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture(scope="module")
def links(wheels: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A find-links directory: the fixture wheels and the faulty packages."""
    d = tmp_path_factory.mktemp("links")
    for w in wheels.iterdir():
        shutil.copy(w, d)
    for name in ("cfix", "slowfix", "memfix"):
        faulty.sdist(d, name)
    faulty.broken_wheel(d)
    return d


@pytest.fixture
def fn(tmp_path: Path) -> Path:
    """An entry whose handler imports nothing; its requirements are set per test."""
    d = tmp_path / "fn"
    d.mkdir()
    (d / "index.py").write_text(HANDLER)
    (d / "requirements.txt").write_text("slimfix-pure\n")
    return d


def root_only() -> None:
    if os.geteuid() != 0:
        if os.environ.get("CI"):
            pytest.fail("this test mounts a tmpfs and must run as root on CI")
        pytest.skip("mounting a tmpfs needs root")


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Callable[[str], Path]]:
    """Mount small tmpfs file systems (a disk that fills up); unmounted afterwards."""
    root_only()
    mounted: list[Path] = []

    def mount(size: str) -> Path:
        d = tmp_path / f"tmpfs{len(mounted)}"
        d.mkdir()
        subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(d)],
                       check=True)
        mounted.append(d)
        return d

    yield mount
    for d in mounted:
        subprocess.run(["umount", "-l", str(d)], check=False)


def ours(e: BaseException) -> SlimLambdaError:
    """The SlimLambdaError behind what CDK/jsii raised (or the error itself)."""
    seen: BaseException | None = e
    while seen is not None:
        if isinstance(seen, SlimLambdaError):
            return seen
        seen = seen.__context__ or seen.__cause__
    raise AssertionError(f"not a slim-lambda error: {type(e).__name__}: {e}")


def stack(outdir: Path, *, bundle: bool = True) -> cdk.Stack:
    context: dict[str, Any] = {} if bundle else {"aws:cdk:bundling-stacks": []}
    return cdk.Stack(cdk.App(outdir=str(outdir), context=context), "S")


def construct_error(entry: Path, tmp_path: Path, **kw: Any) -> SlimLambdaError:
    """The error SlimPythonFunction raises at construct time (bundling never runs)."""
    kw.setdefault("runtime", PY311)
    with pytest.raises(SlimLambdaError) as info:
        SlimPythonFunction(stack(tmp_path / "cdk.out", bundle=False), "F", entry=str(entry),
                           **kw)
    return info.value


def synth_error(entry: Path, tmp_path: Path, **kw: Any) -> tuple[SlimLambdaError, str]:
    """The error a synth (asset staging) raises: ours, and the text CDK shows."""
    kw.setdefault("runtime", PY311)
    with pytest.raises(Exception) as info:
        SlimPythonFunction(stack(tmp_path / "cdk.out"), "F", entry=str(entry), **kw)
    err = ours(info.value)
    shown = str(info.value)
    assert str(err).splitlines()[0] in shown, "CDK shows our message"
    assert "Traceback (most recent call last)" not in str(err)
    return err, shown


def docker_opts(image: str, links: Path, **kw: Any) -> BundlingOptions:
    """The image's pip, whose messages these tests pin (uv's are local mode's:
    ``local_opts``; tests/test_docker_uv.py has uv's no-wheel case in the image)."""
    kw.setdefault("installer", "pip")
    return BundlingOptions(mode="docker", image=image, find_links=(str(links),), no_index=True,
                           **kw)


def local_opts(links: Path, **kw: Any) -> BundlingOptions:
    return BundlingOptions(mode="local", find_links=(str(links),), no_index=True, **kw)


def one_problem(where: str, problem: str) -> str:
    return f"{where}: 1 problem(s) with the options:\n  - {problem}"


def headline(err: BaseException) -> str:
    return str(err).splitlines()[0]


# -- construct time: bad options, each reported exactly ---------------------------------------

def _layer(scope: cdk.Stack, runtime: lambda_.Runtime, tmp_path: Path) -> SlimPythonLayerVersion:
    layer_entry = tmp_path / "layer"
    layer_entry.mkdir(exist_ok=True)
    (layer_entry / "requirements.txt").write_text("slimfix-pure\n")
    return SlimPythonLayerVersion(scope, "L", entry=str(layer_entry),
                                  compatible_runtimes=[runtime])


def _write(path: Path, text: str) -> dict[str, Any]:
    """Write a file of the entry; no options."""
    path.write_text(text)
    return {}


CONFIG_CASES: dict[str, tuple[Callable[[Path], dict[str, Any]], Callable[[Path], str]]] = {
    "entry directory missing": (
        lambda e: {"entry": e / "nope"},
        lambda e: f"entry: directory {e / 'nope'} does not exist; pass the directory that "
                  "holds your handler's sources"),
    "index file missing": (
        lambda e: {"index": "app.py"},
        lambda e: f"index: cannot find {e / 'app.py'}; create it or pass index=..."),
    "index not a .py file": (
        lambda e: {"index": "index.txt"},
        lambda e: "index: 'index.txt' must be a .py file relative to entry"),
    "handler not defined (static check)": (
        lambda e: {"handler": "main"},
        lambda e: f"handler: {e / 'index.py'} defines no 'main' at module level; define "
                  "`def main(event, context):` or pass handler=..."),
    "handler not an identifier": (
        lambda e: {"handler": "my-handler"},
        lambda e: "handler: 'my-handler' is not a Python identifier"),
    "index with a syntax error": (
        lambda e: _write(e / "index.py", "def handler(event, context)\n    pass\n"),
        lambda e: f"index: {e / 'index.py'} has a syntax error at line 1: expected ':'; fix it "
                  "(the handler is checked by parsing the file, never running it)"),
    "handler path with a dot": (
        lambda e: {"index": "my.handler.py"},
        lambda e: "index: 'my.handler.py' cannot be imported by the Lambda runtime: it imports "
                  "the file as module 'my.handler', and the dot in 'my.handler' reads as a "
                  "package boundary; rename it"),
    "handler directory with a dot": (
        lambda e: {"index": "api.v2/index.py"},
        lambda e: "index: 'api.v2/index.py' cannot be imported by the Lambda runtime: it "
                  "imports the file as module 'api.v2.index', and the dot in 'api.v2' reads as "
                  "a package boundary; rename it"),
    "handler path with a space": (
        lambda e: {"index": "my handler.py"},
        lambda e: "index: 'my handler.py' contains whitespace, which Lambda's handler setting "
                  "does not allow; rename it"),
    "non-Python runtime": (
        lambda e: {"runtime": lambda_.Runtime.NODEJS_20_X},
        lambda e: f"runtime: nodejs20.x is not a Python runtime; use one of {RUNTIMES}"),
    "unsupported Python runtime": (
        lambda e: {"runtime": lambda_.Runtime.PYTHON_3_9},
        lambda e: f"runtime: python3.9 is not supported; use one of {RUNTIMES}"),
    "invalid gitignore pattern in bundling.exclude": (
        lambda e: {"bundling": BundlingOptions(exclude=("!",))},
        lambda e: "bundling.exclude: '!' is not a valid gitignore pattern (Invalid git "
                  "pattern: '!')"),
    "invalid gitignore pattern in slim.patterns": (
        lambda e: {"slim": SlimOptions(patterns=("data/[z-a]",))},
        lambda e: "slim.patterns: 'data/[z-a]' is not a valid gitignore pattern (bad character "
                  "range z-a at position 7)"),
    "invalid gitignore pattern in slim.keep": (
        lambda e: {"slim": SlimOptions(keep=("scipy\\",))},
        lambda e: "slim.keep: 'scipy\\\\' is not a valid gitignore pattern (Invalid git "
                  "pattern: 'scipy\\\\')"),
    "patterns given as one string": (
        lambda e: {"slim": SlimOptions(patterns="tests/")},  # type: ignore[arg-type]
        lambda e: "slim.patterns must be a list of patterns, not the string 'tests/'"),
    "unknown slim rule": (
        lambda e: {"slim": SlimOptions(disable_rules=("test",))},
        lambda e: "slim.disable_rules: unknown rule(s) ['test']; rules are tests, pycache, "
                  "stubs, sources, scripts, dist-info"),
    "unknown bytecode mode": (
        lambda e: {"slim": SlimOptions(bytecode="some")},
        lambda e: "slim.bytecode: 'some' is not one of auto, imported, all, none"),
    "unknown bundling mode": (
        lambda e: {"bundling": BundlingOptions(mode="podman")},
        lambda e: "bundling.mode: 'podman' is not one of docker, local, auto"),
    "image template with an unknown placeholder": (
        lambda e: {"bundling": BundlingOptions(image="repo/build-{python}:{arch}")},
        lambda e: "image: unknown placeholder(s) ['python'] in image template "
                  "'repo/build-{python}:{arch}'; use {runtime} and {arch}"),
    "CA bundle missing": (
        lambda e: {"bundling": BundlingOptions(ca_bundle=str(e / "corp-ca.pem"))},
        lambda e: f"bundling.ca_bundle: {e / 'corp-ca.pem'} does not exist"),
    "find-links directory missing": (
        lambda e: {"bundling": BundlingOptions(find_links=(str(e / "wheels"),))},
        lambda e: f"bundling.find_links: {e / 'wheels'} is neither a URL nor a directory"),
    "timeout not positive": (
        lambda e: {"bundling": BundlingOptions(timeout_seconds=0)},
        lambda e: "bundling.timeout_seconds must be positive"),
    "size limit not positive": (
        lambda e: {"size_limits": SizeLimits(unzipped_bytes=0)},
        lambda e: "size_limits: limits must be positive byte counts"),
    "manifest option naming a missing file": (
        lambda e: {"bundling": BundlingOptions(manifest="requirements/prod.txt")},
        lambda e: f"bundling.manifest (CLI --manifest): {e}/requirements/prod.txt does not "
                  f"exist; name a file relative to the entry ({e}), or leave it unset to detect "
                  "one of requirements.txt, uv.lock, poetry.lock, Pipfile.lock, pyproject.toml"),
    "manifests that disagree": (
        lambda e: _write(e / "pyproject.toml", '[project]\nname = "fn"\nversion = "1"\n'
                         'dependencies = ["slimfix-cext"]\n'),
        lambda e: f"bundling.manifest (CLI --manifest): {e}/requirements.txt and "
                  f"{e}/pyproject.toml disagree (pyproject.toml lists slimfix-cext, "
                  "requirements.txt does not). Keep one of them (delete the other), or choose "
                  'one with bundling.manifest="pyproject.toml" (CLI --manifest pyproject.toml)'),
}


@pytest.mark.parametrize("case", sorted(CONFIG_CASES))
def test_bad_option_is_reported_at_construct_time(case: str, fn: Path, tmp_path: Path) -> None:
    setup, expected = CONFIG_CASES[case]
    kwargs = setup(fn)
    err = construct_error(kwargs.pop("entry", fn), tmp_path, **kwargs)
    assert isinstance(err, ConfigurationError)
    assert str(err) == one_problem("SlimPythonFunction S/F", expected(fn))


def test_every_problem_is_reported_at_once(fn: Path, tmp_path: Path) -> None:
    err = construct_error(fn, tmp_path, handler="main", runtime=lambda_.Runtime.NODEJS_20_X,
                          bundling=BundlingOptions(mode="dock", timeout_seconds=-1),
                          slim=SlimOptions(keep=("!",)))
    assert isinstance(err, ConfigurationError)
    assert err.problems == [
        f"runtime: nodejs20.x is not a Python runtime; use one of {RUNTIMES}",
        f"handler: {fn / 'index.py'} defines no 'main' at module level; define "
        "`def main(event, context):` or pass handler=...",
        "bundling.mode: 'dock' is not one of docker, local, auto",
        "bundling.timeout_seconds must be positive",
        "slim.keep: '!' is not a valid gitignore pattern (Invalid git pattern: '!')",
    ]
    assert str(err).startswith("SlimPythonFunction S/F: 5 problem(s) with the options:\n")


def test_layer_for_another_runtime(fn: Path, tmp_path: Path) -> None:
    s = stack(tmp_path / "cdk.out", bundle=False)
    layer = _layer(s, lambda_.Runtime.PYTHON_3_12, tmp_path)
    with pytest.raises(ConfigurationError) as info:
        SlimPythonFunction(s, "F", entry=str(fn), runtime=PY311, layers=[layer])
    assert str(info.value) == one_problem(
        "SlimPythonFunction S/F", "layers[0] S/L is built for python3.12, but the function "
        "runs python3.11; build the layer for the function's runtime")


def test_more_than_five_layers(fn: Path, tmp_path: Path) -> None:
    s = stack(tmp_path / "cdk.out", bundle=False)
    layers = [lambda_.LayerVersion.from_layer_version_arn(
        s, f"L{i}", f"arn:aws:lambda:us-east-1:123456789012:layer:l{i}:1") for i in range(6)]
    with pytest.raises(ConfigurationError) as info:
        SlimPythonFunction(s, "F", entry=str(fn), runtime=PY311, layers=layers)
    assert str(info.value) == one_problem(
        "SlimPythonFunction S/F", "layers: 6 layers given; a Lambda function can use at most 5. "
        "Merge some (one SlimPythonLayerVersion can hold many packages)")


# -- the entry's files --------------------------------------------------------------------------

def test_symlink_pointing_outside_the_entry(fn: Path, tmp_path: Path) -> None:
    secret = tmp_path / "elsewhere" / "id_rsa"
    secret.parent.mkdir()
    secret.write_text("PRIVATE KEY")
    (fn / "config").mkdir()
    (fn / "config" / "key").symlink_to(secret)
    err = construct_error(fn, tmp_path)
    assert isinstance(err, BuildError)
    assert str(err) == (f"sources: {fn}/config/key is a symlink to {secret}, outside the entry "
                        "directory\nCopy the file into the entry, or add it to bundling.exclude.")
    # the fix works: excluded, it is neither hashed nor copied
    assert "config/key" not in list_sources(str(fn), ("config/key",))


def test_symlink_loop_in_the_entry(fn: Path, tmp_path: Path) -> None:
    (fn / "pkg").mkdir()
    (fn / "pkg" / "again").symlink_to(fn / "pkg")
    err = construct_error(fn, tmp_path)
    assert str(err) == (f"sources: {fn}/pkg/again is a symlink to {fn / 'pkg'}, which contains "
                        "it: copying it would never end\nRemove the symlink, or add it to "
                        "bundling.exclude.")


def _drop_read_override() -> list[str]:
    """A command prefix under which this user cannot read what permissions forbid: root
    loses CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH; any other user needs nothing."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("needs setpriv (util-linux) to drop root's read override")
    return [setpriv, "--bounding-set=-dac_override,-dac_read_search", "--"]


def test_file_the_build_user_cannot_read(fn: Path, tmp_path: Path) -> None:
    secret = fn / "model.bin"
    secret.write_bytes(b"weights")
    secret.chmod(0)
    proc = subprocess.run(
        [*_drop_read_override(), sys.executable, "-m", "slim_lambda.cli", "build", str(fn),
         "--runtime", "python3.11", "--mode", "local", "--out", str(tmp_path / "out")],
        capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr == (f"slim-lambda: error: sources: cannot read {secret}\n"
                           "Make it readable (chmod a+r) or add it to bundling.exclude.\n")
    assert not (tmp_path / "out").exists()


def test_fifo_in_the_entry_is_left_out_and_never_read(fn: Path, tmp_path: Path) -> None:
    """Reading a FIFO would hang the synth: special files are not sources."""
    os.mkfifo(fn / "events.pipe")
    request, _ = resolve_request(
        where="t", entry=str(fn), runtime="python3.11", architecture="x86_64",
        index="index.py", handler="handler", bundling=BundlingOptions(), slim=SlimOptions(),
        limits=SizeLimits())
    assert fingerprint(request)
    assert list_sources(str(fn)) == ["index.py", "requirements.txt"]


def test_entry_with_cdk_out_and_virtualenvs_is_hashed_and_copied_without_them(
        fn: Path, tmp_path: Path) -> None:
    """Silently left out (they never belong in a function): ``cdk.out`` (the entry may be
    the app itself), virtualenvs by name or by their ``pyvenv.cfg``, node_modules, .git."""
    for rel in ("cdk.out/asset.1/index.py", ".venv/lib/site.py", "lambda-env/lib/x.py",
                "node_modules/a/index.js", ".git/config", "__pycache__/index.cpython-311.pyc"):
        (fn / rel).parent.mkdir(parents=True, exist_ok=True)
        (fn / rel).write_text("x = 1\n")
    (fn / "lambda-env" / "pyvenv.cfg").write_text("home = /usr/bin\n")
    (fn / "lib").mkdir()
    (fn / "lib" / "util.py").write_text("y = 2\n")
    assert list_sources(str(fn)) == ["index.py", "lib/util.py", "requirements.txt"]

    def hash_now() -> str:
        request, _ = resolve_request(
            where="t", entry=str(fn), runtime="python3.11", architecture="x86_64",
            index="index.py", handler="handler", bundling=BundlingOptions(),
            slim=SlimOptions(), limits=SizeLimits())
        return fingerprint(request)

    before = hash_now()
    (fn / "cdk.out" / "asset.2").mkdir()
    (fn / "cdk.out" / "asset.2" / "big.bin").write_bytes(b"\0" * 1000)
    (fn / "lambda-env" / "lib" / "y.py").write_text("")
    assert hash_now() == before, "a synth's own output never changes the asset hash"
    (fn / "lib" / "util.py").write_text("y = 3\n")
    assert hash_now() != before


# -- at synth: what only a build can find -----------------------------------------------------



@pytest.mark.docker
def test_requirements_syntax_error(fn: Path, links: Path, build_image: str,
                                   tmp_path: Path) -> None:
    (fn / "requirements.txt").write_text("slimfix-pure\nslimfix_cext[speedups\n")
    err, _ = synth_error(fn, tmp_path, bundling=docker_opts(build_image, links))
    assert isinstance(err, BuildError)
    assert headline(err) == (
        "install: pip could not install the requirements: invalid line 2 of requirements.txt: "
        "'slimfix_cext[speedups'; fix its syntax (PEP 508, e.g. name[extra]>=1.0)")


@pytest.mark.docker
def test_package_that_does_not_exist(fn: Path, links: Path, build_image: str,
                                     tmp_path: Path) -> None:
    (fn / "requirements.txt").write_text("slimfix-nonexistent\n")
    err, _ = synth_error(fn, tmp_path, bundling=docker_opts(build_image, links))
    assert headline(err) == (
        "install: pip could not install the requirements: no installable distribution for "
        "slimfix-nonexistent: check the name and version, and that a wheel exists for this "
        "runtime and architecture")


@pytest.mark.docker
def test_version_that_does_not_exist(fn: Path, links: Path, build_image: str,
                                     tmp_path: Path) -> None:
    (fn / "requirements.txt").write_text("slimfix-pure==9.9.9\n")
    err, _ = synth_error(fn, tmp_path, bundling=docker_opts(build_image, links))
    assert headline(err) == (
        "install: pip could not install the requirements: no installable distribution for "
        "slimfix-pure==9.9.9: check the name and version, and that a wheel exists for this "
        "runtime and architecture")
    assert "(from versions: 1.0.0)" in str(err), "the details show the versions there are"


@pytest.mark.docker
def test_no_wheel_for_the_target_and_no_compiler(fn: Path, links: Path, build_image: str,
                                                 tmp_path: Path) -> None:
    (fn / "requirements.txt").write_text("cfix\n")
    err, _ = synth_error(fn, tmp_path, bundling=docker_opts(build_image, links))
    assert headline(err) == (
        "install: pip could not install the requirements: cfix has no wheel for this runtime "
        "and architecture, and building it from source failed: the build image has no C "
        "compiler (x86_64-linux-gnu-gcc). Pin a version that ships a manylinux wheel, put a "
        "wheel in bundling.find_links, or use a build image that can compile it "
        "(bundling.image)")
    assert 'File "' not in str(err), "pip's traceback frames are left out of the details"


@pytest.mark.docker
def test_pip_failing_midway(fn: Path, links: Path, build_image: str, tmp_path: Path) -> None:
    (fn / "requirements.txt").write_text("slimfix-pure\nbrokenfix\n")
    err, _ = synth_error(fn, tmp_path, bundling=docker_opts(build_image, links))
    assert headline(err) == (
        "install: pip could not install the requirements: the wheel of brokenfix "
        "(brokenfix-1.0.0-py3-none-any.whl) is invalid (truncated, or not a zip file): replace "
        "it where it came from (the index or bundling.find_links)")
    assert not list((tmp_path / "cdk.out").glob("asset.*[0-9a-f]"))


def test_docker_daemon_unreachable(fn: Path, tmp_path: Path,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/no-docker.sock")
    err, _ = synth_error(fn, tmp_path, bundling=BundlingOptions(mode="docker"))
    assert isinstance(err, DockerError)
    text = str(err)
    assert text.startswith(f"cannot reach the Docker engine at unix://{tmp_path}/no-docker.sock: ")
    assert text.endswith(". Start Docker (or set DOCKER_HOST), then synth again.")


@pytest.mark.docker
def test_image_missing_and_not_pullable(fn: Path, links: Path, build_image: str,
                                        tmp_path: Path) -> None:
    err, _ = synth_error(fn, tmp_path,
                         bundling=docker_opts("slim-lambda-test/no-such-image:1", links))
    assert isinstance(err, DockerError)
    text = str(err)
    assert text.startswith("build image slim-lambda-test/no-such-image:1 is not on this machine "
                           "and could not be pulled: ")
    assert text.endswith(". Pull or build it yourself, or point bundling.image / "
                         "SLIM_LAMBDA_IMAGE / the 'slim-lambda:image' context key at an image "
                         "you can reach.")


@pytest.mark.docker
def test_image_python_differs_from_the_runtime(fn: Path, links: Path, build_image: str,
                                               tmp_path: Path) -> None:
    err, _ = synth_error(fn, tmp_path, runtime=lambda_.Runtime.PYTHON_3_12,
                         bundling=docker_opts(build_image, links))
    assert isinstance(err, BuildError)
    assert str(err) == ("image: the build image runs Python 3.11, but the function's runtime is "
                        "python3.12\nUse a build image for python3.12 (bundling.image), or an "
                        "image template with {runtime} in it.")


@pytest.mark.docker
def test_image_architecture_differs_from_the_function(fn: Path, links: Path, build_image: str,
                                                      tmp_path: Path) -> None:
    err, _ = synth_error(fn, tmp_path, architecture=lambda_.Architecture.ARM_64,
                         bundling=docker_opts(build_image, links))
    assert isinstance(err, DockerError)
    assert str(err) == (f"build image {build_image} is for amd64, but the function needs "
                        "linux/arm64. Use an image for the function's architecture.")


@pytest.mark.docker
def test_build_timeout_kills_the_container(fn: Path, links: Path, build_image: str,
                                           tmp_path: Path) -> None:
    (fn / "requirements.txt").write_text("slowfix\n")
    err, _ = synth_error(fn, tmp_path, bundling=docker_opts(build_image, links,
                                                            timeout_seconds=5))
    assert isinstance(err, DockerError)
    assert str(err) == ("the build did not finish within 5 s and was stopped. Raise "
                        "bundling.timeout_seconds if it needs longer.")
    _wait_for(lambda: not faulty.build_containers(tmp_path), "the killed container to go")


def _wait_for(condition: Callable[[], bool], what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.5)


@pytest.mark.docker
def test_container_out_of_memory_is_reported_as_such(build_image: str) -> None:
    """The runner: a container killed by its memory limit comes back as ``oom_killed``."""
    result = DockerRunner().run(ContainerRun(
        image=build_image, platform="linux/amd64", network="none", memory_bytes=64 << 20,
        command=("python3", "-c", "hog = b'x' * (512 << 20)")), log=lambda _line: None)
    assert result.exit_code == 137 and result.oom_killed


@pytest.mark.docker
def test_build_out_of_memory(fn: Path, links: Path, build_image: str, tmp_path: Path) -> None:
    (fn / "requirements.txt").write_text("memfix\n")
    err, _ = synth_error(fn, tmp_path, bundling=docker_opts(
        build_image, links, memory_bytes=256 << 20,
        environment={"MEMFIX_MB": "1024"}))
    assert headline(err) == (
        "install: pip could not install the requirements: a process was killed (SIGKILL) "
        "while installing, most likely for running out of memory: give the build more memory, "
        "or use packages with wheels (building from source takes the most)")


@pytest.mark.docker
def test_disk_fills_up_during_install(fn: Path, links: Path, build_image: str, tmp_path: Path,
                                      tmpfs: Callable[[str], Path],
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    big = tmp_path / "big"
    faulty.big_wheel(big, 8)
    monkeypatch.setenv("SLIM_LAMBDA_CACHE_DIR", str(tmpfs("5m")))
    (fn / "requirements.txt").write_text("bigfix\n")
    err, _ = synth_error(fn, tmp_path, bundling=docker_opts(build_image, big))
    assert headline(err) == DISK_FULL.format(installer="pip")
    assert 'File "' not in str(err)


DISK_FULL = (
    "install: {installer} could not install the requirements: the disk filled up (no space "
    "left on device): free space on the disk of the dependency cache (SLIM_LAMBDA_CACHE_DIR or "
    "bundling.cache_dir; `slim-lambda cache prune` drops old trees) and of Docker's data "
    "directory, or point the cache at a bigger disk")


def test_disk_fills_up_during_install_local_mode(fn: Path, tmp_path: Path,
                                                 tmpfs: Callable[[str], Path],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    big = tmp_path / "big"
    faulty.big_wheel(big, 8)
    monkeypatch.setenv("SLIM_LAMBDA_CACHE_DIR", str(tmpfs("5m")))
    (fn / "requirements.txt").write_text("bigfix\n")
    err, _ = synth_error(fn, tmp_path, bundling=local_opts(big))
    assert headline(err) == DISK_FULL.format(installer="uv")


def test_disk_fills_up_while_writing_the_asset(fn: Path, tmp_path: Path,
                                               tmpfs: Callable[[str], Path]) -> None:
    big = tmp_path / "big"
    faulty.big_wheel(big, 3)
    (fn / "requirements.txt").write_text("bigfix\n")
    out = tmpfs("2m") / "cdk.out"
    with pytest.raises(Exception) as info:
        SlimPythonFunction(cdk.Stack(cdk.App(outdir=str(out)), "S"), "F", entry=str(fn),
                           runtime=PY311, bundling=local_opts(big))
    err = ours(info.value)
    assert headline(err).startswith(f"assemble: the disk filled up (no space left on device) "
                                    f"while writing {out}/asset.")


@pytest.mark.docker
def test_bundle_over_the_unzipped_limit(fn: Path, links: Path, build_image: str,
                                        tmp_path: Path) -> None:
    err, _ = synth_error(fn, tmp_path, bundling=docker_opts(build_image, links),
                         size_limits=SizeLimits(unzipped_bytes=1_000))
    assert isinstance(err, SizeLimitError)
    first = headline(err)
    assert re.fullmatch(r"unzipped size [\d,]+ bytes \([\d.]+ KiB\) is over the limit of 1,000 "
                        r"bytes \(1\.0 KiB\) by [\d.]+ KiB", first), first
    assert "slimfix-pure 1.0.0" in str(err) and "Next steps:" in str(err)
    assert re.search(r"Past it, deploy the function as a container image: "
                     r"SlimPythonImageFunction takes the same options, and this bundle would "
                     r"be an image layer of [\d.]+ KiB \(every module compiled\)",
                     " ".join(str(err).split()))


@pytest.mark.docker
def test_keep_pattern_that_keeps_nothing_is_a_warning(
        fn: Path, links: Path, build_image: str, tmp_path: Path,
        capfd: pytest.CaptureFixture[str]) -> None:
    app = cdk.App(outdir=str(tmp_path / "cdk.out"))
    SlimPythonFunction(cdk.Stack(app, "S"), "F", entry=str(fn), runtime=PY311,
                       bundling=docker_opts(build_image, links),
                       slim=SlimOptions(keep=("slimfix_pure/tests/", "scipy/misc/*.dat")))
    (report,) = (tmp_path / "cdk.out").glob("asset.*.slim-report.json")
    warning = "slim.keep pattern 'scipy/misc/*.dat' matched no file that a rule removes"
    warnings = json.loads(report.read_text())["warnings"]
    assert warning in warnings
    assert not [w for w in warnings if "slimfix_pure/tests/" in w], "that one kept files"
    assert f"  warning: {warning}" in capfd.readouterr().err, "printed at synth"


@pytest.mark.docker
def test_slim_rule_that_breaks_an_import(fn: Path, links: Path, build_image: str,
                                         tmp_path: Path) -> None:
    (fn / "requirements.txt").write_text("slimfix-cext\n")
    err, _ = synth_error(fn, tmp_path, bundling=docker_opts(build_image, links),
                         slim=SlimOptions(patterns=("slimfix_cext/_speedup*",), repair=False))
    assert isinstance(err, BuildError)
    assert headline(err) == "verify: 1 module(s) no longer import after slimming"
    text = str(err)
    assert "- slimfix_cext: ModuleNotFoundError: No module named 'slimfix_cext._speedup'" in text
    assert "(the 'patterns' rule removed slimfix_cext/_speedup.cpython-311-" in text
    assert "the import needs it)" in text
    assert text.endswith("Keep the files with slim.keep, disable the rule with "
                         "slim.disable_rules, or skip the module with slim.verify_skip. "
                         "slim.repair (off here) keeps the removed files an import needs.")


@pytest.mark.docker
def test_own_binary_for_another_architecture(fn: Path, links: Path, build_image: str,
                                             tmp_path: Path) -> None:
    (fn / "native").mkdir()
    (fn / "native" / "helper.so").write_bytes(faulty.elf_header(183))  # aarch64
    err, _ = synth_error(fn, tmp_path, bundling=docker_opts(build_image, links))
    assert isinstance(err, BuildError)
    assert str(err) == (
        "architecture: 1 of your own file(s) are ELF binaries for another architecture than "
        "x86_64 (x86_64): native/helper.so (aarch64)\nBuild for the architecture these files "
        "were made for, or replace them with x86_64 builds (a wheel for the right platform, or "
        "exclude the file).")


@pytest.mark.docker
@pytest.mark.parametrize("installer", ["pip", "uv"])
def test_wrong_index_credentials(installer: str, fn: Path, wheels: Path, build_image: str,
                                 tmp_path: Path) -> None:
    from tests.fixtures.index_server import serve_index

    with serve_index(wheels) as index:
        wrong = index.url.replace("http://", "http://ci-bot:not-the-password-42@")
        err, shown = synth_error(fn, tmp_path, bundling=BundlingOptions(
            mode="docker", image=build_image, index_url=wrong, installer=installer))
    # pip logs the index's 401 at debug level: the stage reads it from pip's --log file;
    # uv, given the login in a netrc file, reports the package as not found
    assert headline(err) == ((
        "install: pip could not install the requirements: the index refused access "
        "(HTTP 401): check the credentials in bundling.index_url / extra_index_urls (or "
        "PIP_*/UV_* variables)") if installer == "pip" else (
        "install: uv could not install the requirements: no installable distribution for "
        "slimfix-pure: check the name, and that the index (bundling.index_url / find_links) "
        "has it; the index has a login (a refused one looks the same to uv): check the "
        "credentials in bundling.index_url / extra_index_urls"))
    assert "not-the-password-42" not in shown


def test_bad_mode_in_the_environment(fn: Path, tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLIM_LAMBDA_MODE", "dockr")
    err, _ = synth_error(fn, tmp_path)
    assert isinstance(err, ConfigurationError)
    assert str(err) == one_problem("SLIM_LAMBDA_MODE",
                                   "'dockr' is not one of docker, local, auto")


@pytest.mark.docker
def test_two_functions_sharing_one_entry_with_different_options(
        fn: Path, links: Path, build_image: str, tmp_path: Path) -> None:
    """Not an error: each option set is its own asset; identical options share one."""
    outdir = tmp_path / "cdk.out"
    app = cdk.App(outdir=str(outdir))
    s = cdk.Stack(app, "S")
    opts = docker_opts(build_image, links)
    a = SlimPythonFunction(s, "A", entry=str(fn), runtime=PY311, bundling=opts)
    b = SlimPythonFunction(s, "B", entry=str(fn), runtime=PY311, bundling=opts,
                           slim=SlimOptions(disable_rules=("tests",)))
    c = SlimPythonFunction(s, "C", entry=str(fn), runtime=PY311, bundling=opts)
    assert fingerprint(a.build_request) == fingerprint(c.build_request)
    assert fingerprint(a.build_request) != fingerprint(b.build_request)
    assets = sorted(p for p in outdir.iterdir() if p.is_dir() and p.name.startswith("asset."))
    assert len(assets) == 2
    assert len([p for p in assets if (p / "slimfix_pure" / "tests").is_dir()]) == 1


# -- local mode ------------------------------------------------------------------------------

def test_local_mode_without_a_compatible_wheel_suggests_docker(fn: Path, links: Path,
                                                               tmp_path: Path) -> None:
    (fn / "requirements.txt").write_text("cfix\n")
    err, _ = synth_error(fn, tmp_path, bundling=local_opts(links))
    assert headline(err) == (
        "install: uv could not install the requirements: cfix has no wheel for this runtime and "
        "architecture, and local mode never builds from source: use bundling.mode='docker' "
        "(CLI --mode docker) to build it in the Lambda build image, or pin a version that "
        "ships such a wheel")


def test_local_mode_requirements_syntax_error(fn: Path, links: Path, tmp_path: Path) -> None:
    (fn / "requirements.txt").write_text("slimfix_pure[extra\n")
    err, _ = synth_error(fn, tmp_path, bundling=local_opts(links))
    assert headline(err) == (
        f"install: uv could not install the requirements: invalid line in "
        f"{fn}/requirements.txt: 'slimfix_pure[extra' (Missing closing bracket (expected ']', "
        "found end of dependency specification)); fix its syntax (PEP 508, e.g. "
        "name[extra]>=1.0)")


def test_local_mode_package_that_does_not_exist(fn: Path, links: Path, tmp_path: Path) -> None:
    (fn / "requirements.txt").write_text("slimfix-nonexistent\n")
    err, _ = synth_error(fn, tmp_path, bundling=local_opts(links))
    assert headline(err) == (
        "install: uv could not install the requirements: no installable distribution for "
        "slimfix-nonexistent: check the name, and that the index (bundling.index_url / "
        "find_links) has it")


def test_local_mode_version_that_does_not_exist(fn: Path, links: Path, tmp_path: Path) -> None:
    (fn / "requirements.txt").write_text("slimfix-pure==9.9.9\n")
    err, _ = synth_error(fn, tmp_path, bundling=local_opts(links))
    assert headline(err) == (
        "install: uv could not install the requirements: no installable distribution for "
        "slimfix-pure==9.9.9: check the version exists and has a wheel for this runtime and "
        "architecture")


def test_local_mode_corrupt_wheel(fn: Path, links: Path, tmp_path: Path) -> None:
    (fn / "requirements.txt").write_text("brokenfix\n")
    err, _ = synth_error(fn, tmp_path, bundling=local_opts(links))
    assert headline(err) == (
        "install: uv could not install the requirements: the wheel of brokenfix 1.0.0 is "
        "invalid (truncated, or not a zip file): replace it where it came from (the index or "
        "bundling.find_links)")


class _Stall(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        time.sleep(120)

    def log_message(self, format: str, *args: object) -> None:
        pass


def test_local_mode_timeout(fn: Path, tmp_path: Path) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Stall)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        err, _ = synth_error(fn, tmp_path, bundling=BundlingOptions(
            mode="local", index_url=f"http://127.0.0.1:{server.server_address[1]}/simple",
            timeout_seconds=3, environment={"UV_HTTP_TIMEOUT": "5"}))
    finally:
        server.shutdown()
        server.server_close()
    assert str(err) == ("local: the build did not finish within 3 s and was stopped\n"
                        "Raise bundling.timeout_seconds if it needs longer.")


# -- the CLI -------------------------------------------------------------------------------------

def test_cli_output_directory_exists(fn: Path, tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    out.mkdir()
    assert cli(["build", str(fn), "--runtime", "python3.11", "--out", str(out)]) == 2
    assert capsys.readouterr().err == (f"slim-lambda: --out {out} already exists; remove it or "
                                       "pick another directory\n")


def test_cli_bad_input_lists_the_problems(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "missing"
    assert cli(["build", str(missing), "--runtime", "python3.11", "--out",
                str(tmp_path / "out"), "--exclude", "!"]) == 1
    assert capsys.readouterr().err == (
        "slim-lambda: error: slim-lambda build: 2 problem(s) with the options:\n"
        f"  - entry: directory {missing} does not exist; pass the directory that holds your "
        "handler's sources\n"
        "  - bundling.exclude: '!' is not a valid gitignore pattern (Invalid git pattern: '!')\n")


def test_cli_build_failure_is_one_message_and_no_output(fn: Path, links: Path, tmp_path: Path
                                                        ) -> None:
    (fn / "requirements.txt").write_text("slimfix-nonexistent\n")
    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "slim_lambda.cli", "build", str(fn), "--runtime", "python3.11",
         "--mode", "local", "--no-index", "--find-links", str(links), "--out", str(out)],
        capture_output=True, text=True, timeout=300,
        env=dict(os.environ, SLIM_LAMBDA_PROGRESS="0"))
    assert proc.returncode == 1
    assert proc.stderr.startswith(
        "slim-lambda: error: install: uv could not install the requirements: no installable "
        "distribution for slimfix-nonexistent: ")
    assert "Traceback" not in proc.stderr
    assert not out.exists() and not Path(f"{out}.partial").exists()
