"""Every input of the deps key and the asset hash, mutated one at a time: a mutation that
changes the installed or shipped bytes changes the key or hash, one that does not leaves it.

The option fields come from the dataclasses themselves: a new option added without a
decision in :data:`FIELDS` fails :func:`test_every_option_field_has_a_decision`.
"""

from __future__ import annotations

import dataclasses
import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from slim_lambda.options import BundlingOptions, SizeLimits, SlimOptions
from slim_lambda.plan.keys import deps_key, fingerprint
from slim_lambda.plan.resolve import resolve_request
from slim_lambda.run.engine_socket import EngineSocket
from slim_lambda.run.target import pin_request


class FakeEngine(EngineSocket):
    """An engine that answers a ping and knows a fixed set of images."""

    def __init__(self, images: Mapping[str, str], answers: bool = True) -> None:
        super().__init__("/nonexistent")
        self.images = dict(images)
        self.answers = answers

    def ping(self) -> bool:
        return self.answers

    def image(self, ref: str) -> dict[str, Any] | None:
        found = self.images.get(ref) if self.answers else None
        return {"Id": found, "Architecture": "amd64"} if found else None


IMAGES = {"img:python3.11-x86_64": "sha256:aaa", "other:python3.11-x86_64": "sha256:bbb"}


@dataclass(frozen=True)
class Inputs:
    bundling: Mapping[str, Any] = field(default_factory=dict)
    slim: Mapping[str, Any] = field(default_factory=dict)
    limits: Mapping[str, Any] = field(default_factory=dict)
    environ: Mapping[str, str] = field(default_factory=dict)
    request: Mapping[str, Any] = field(default_factory=dict)
    files: Mapping[str, str] = field(default_factory=lambda: {
        "extra.py": "x = 1\n", "requirements.txt": "requests==2.31.0\n"})
    """Files of the entry, written before hashing."""
    images: Mapping[str, str] = field(default_factory=lambda: IMAGES)

    def but(self, **changes: Mapping[str, Any]) -> Inputs:
        return dataclasses.replace(self, **{name: {**getattr(self, name), **value}
                                            for name, value in changes.items()})


BASE = Inputs(bundling={"mode": "docker", "exclude": ()},
              environ={"PIP_INDEX_URL": "https://u:pw1@idx.example/simple",
                       "PIP_TIMEOUT": "60"})


@dataclass(frozen=True)
class Case:
    """One mutation: the inputs before and after, and what it must change."""

    name: str
    deps: bool
    asset: bool
    after: Inputs
    before: Inputs = BASE


AGENT = {"SSH_AUTH_SOCK": "AGENT", "HOME": "HOMEDIR"}
"""A running agent, and a home with a known_hosts file."""


def b(**kw: Any) -> Inputs:
    return BASE.but(bundling=kw)


def s(**kw: Any) -> Inputs:
    return BASE.but(slim=kw)


def lim(**kw: Any) -> Inputs:
    return BASE.but(limits=kw)


PYPROJECT = Inputs(bundling={"mode": "docker", "manifest": "pyproject.toml"})

# field -> cases (affects deps key? affects asset hash?)
FIELDS: dict[str, tuple[Case, ...]] = {
    # BundlingOptions
    "mode": (Case("mode", True, True, b(mode="local")),),
    "image": (Case("image", True, True, b(image="other:{runtime}-{arch}")),),
    "dockerfile": (
        Case("dockerfile", True, True, b(dockerfile="DOCKERFILE")),
        Case("dockerfile: its content", True, True, b(dockerfile="DOCKERFILE2"),
             b(dockerfile="DOCKERFILE")),
    ),
    "build_args": (Case("build_args: values may be secrets, the image ID names them", False,
                        False, b(dockerfile="DOCKERFILE", build_args={"TOKEN": "two"}),
                        b(dockerfile="DOCKERFILE", build_args={"TOKEN": "one"})),),
    "installer": (Case("installer", True, True, b(installer="pip")),),
    "manifest": (Case("manifest", True, True, b(manifest="requirements-other.txt")),),
    "groups": (Case("groups", True, True, PYPROJECT.but(bundling={"groups": ("dev",)}),
                    PYPROJECT),),
    "exclude": (Case("exclude", False, True, b(exclude=("notes/",))),),
    "extra_sources": (
        Case("extra_sources: a shared directory", False, True,
             b(extra_sources={"common": "LIB"})),
        Case("extra_sources: a file of it", False, True,
             b(extra_sources={"common": "LIB2"}), b(extra_sources={"common": "LIB"})),
        Case("extra_sources: the name it ships under", False, True,
             b(extra_sources={"shared": "LIB"}), b(extra_sources={"common": "LIB"})),
    ),
    "index_url": (Case("index_url", True, True, b(index_url="https://other.example/s")),),
    "extra_index_urls": (Case("extra_index_urls", True, True,
                              b(extra_index_urls=("https://more.example/s",))),),
    "find_links": (Case("find_links", True, True, b(find_links=("https://l.example/",))),),
    "no_index": (Case("no_index", True, True, b(no_index=True)),),
    "provided": (Case("provided", True, True, b(provided=("runtime",))),),
    "require_commit": (Case("require_commit", False, False, b(require_commit=True)),),
    "before_install": (Case("before_install", True, True, b(before_install=("echo x",))),),
    "after_install": (Case("after_install", True, True, b(after_install=("rm -rf x",))),),
    "ssh": (Case("ssh: the agent says how to fetch, not what", False, False,
                 b(ssh=True).but(environ=AGENT)),),
    "ssh_known_hosts": (Case("ssh_known_hosts", False, False,
                             b(ssh=True, ssh_known_hosts="KNOWN").but(
                                 environ=AGENT),
                             b(ssh=True).but(environ=AGENT)),),
    "allow_outside_repository": (Case("allow_outside_repository", False, False,
                                      b(allow_outside_repository=True)),),
    "ca_bundle": (Case("ca_bundle", False, False, b(ca_bundle="CA")),),
    "environment": (
        Case("environment: not a resolution setting", False, False,
             b(environment={"DEPLOY_PASSWORD": "x", "PIP_TIMEOUT": "5"})),
        Case("environment: a resolution setting", True, True,
             b(environment={"PIP_PRE": "1"})),
    ),
    "pass_environment": (Case("pass_environment: PIP_INDEX_URL no longer passed", True, True,
                              b(pass_environment=("HTTPS_PROXY",))),),
    "cache": (Case("cache", False, False, b(cache=False)),),
    "cache_dir": (Case("cache_dir", False, False, b(cache_dir="/elsewhere")),),
    "cache_max_bytes": (Case("cache_max_bytes", False, False, b(cache_max_bytes=1 << 20)),),
    # where a cache lives never changes what is built (the remote holds the same keys)
    "remote_cache": (Case("remote_cache", False, False, b(remote_cache="s3://team-cache/x")),),
    "remote_cache_required": (Case("remote_cache_required", False, False,
                                   b(remote_cache_required=True)),),
    "network": (Case("network", False, False, b(network="bridge")),),
    "timeout_seconds": (Case("timeout_seconds", False, False, b(timeout_seconds=60)),),
    "memory_bytes": (Case("memory_bytes", False, False, b(memory_bytes=1 << 30)),),
    # how the files reach the container, not which: the same tree and asset either way
    "file_access": (Case("file_access", False, False, b(file_access="copy")),),
    # SlimOptions
    "enabled": (Case("enabled", True, True, s(enabled=False)),),
    "patterns": (Case("patterns", True, True, s(patterns=("*.txt",))),),
    "replace_defaults": (Case("replace_defaults", True, True, s(replace_defaults=True)),),
    "disable_rules": (Case("disable_rules", True, True, s(disable_rules=("tests",))),),
    "keep": (Case("keep", True, True, s(keep=("*.md",))),),
    "slim_user_code": (Case("slim_user_code", False, True, s(slim_user_code=True)),),
    "strip": (Case("strip", True, True, s(strip=False)),),
    "strip_exclude": (Case("strip_exclude", True, True, s(strip_exclude=())),),
    "bytecode": (Case("bytecode", False, True, s(bytecode="none")),),
    "verify": (Case("verify", True, True, s(verify=False)),),
    "verify_skip": (Case("verify_skip", True, True, s(verify_skip=("x",))),),
    "repair": (Case("repair", True, True, s(repair=False)),),
    # SizeLimits
    "unzipped_bytes": (Case("unzipped_bytes: bytecode stops at it", False, True,
                            lim(unzipped_bytes=1 << 20)),),
    "zipped_bytes": (Case("zipped_bytes", False, False, lim(zipped_bytes=1 << 20)),),
    "fail_on_zipped": (Case("fail_on_zipped", False, False, lim(fail_on_zipped=True)),),
}
"""Why the slim checks (``verify``, ``verify_skip``, ``repair``) are in the deps key: a
cached tree carries what was checked and repaired with it."""

OTHER: tuple[Case, ...] = (
    Case("SLIM_LAMBDA_MODE", True, True, BASE.but(environ={"SLIM_LAMBDA_MODE": "local"})),
    Case("SLIM_LAMBDA_FILE_ACCESS", False, False,
         BASE.but(environ={"SLIM_LAMBDA_FILE_ACCESS": "copy"})),
    Case("index password", False, False,
         BASE.but(environ={"PIP_INDEX_URL": "https://u:pw2@idx.example/simple"})),
    Case("index user", True, True,
         BASE.but(environ={"PIP_INDEX_URL": "https://v:pw1@idx.example/simple"})),
    Case("index host", True, True,
         BASE.but(environ={"PIP_INDEX_URL": "https://u:pw1@idx2.example/simple"})),
    Case("PIP_EXTRA_INDEX_URL", True, True,
         BASE.but(environ={"PIP_EXTRA_INDEX_URL": "https://x.example/s"})),
    Case("PIP_FIND_LINKS", True, True, BASE.but(environ={"PIP_FIND_LINKS": "https://l/"})),
    Case("PIP_NO_INDEX", True, True, BASE.but(environ={"PIP_NO_INDEX": "1"})),
    Case("PIP_ONLY_BINARY", True, True, BASE.but(environ={"PIP_ONLY_BINARY": ":all:"})),
    Case("PIP_NO_BINARY", True, True, BASE.but(environ={"PIP_NO_BINARY": ":all:"})),
    Case("PIP_CONSTRAINT", True, True, BASE.but(environ={"PIP_CONSTRAINT": "CONSTRAINTS"})),
    Case("UV_INDEX_URL", True, True, BASE.but(environ={"UV_INDEX_URL": "https://uv/s"})),
    Case("UV_EXTRA_INDEX_URL", True, True,
         BASE.but(environ={"UV_EXTRA_INDEX_URL": "https://uv/s"})),
    Case("UV_PRERELEASE", True, True, BASE.but(environ={"UV_PRERELEASE": "allow"})),
    Case("PIP_RETRIES", False, False, BASE.but(environ={"PIP_RETRIES": "9"})),
    Case("a proxy", False, False, BASE.but(environ={"HTTPS_PROXY": "http://proxy:3128"})),
    Case("image ID behind the same tag", True, True,
         BASE.but(images={"img:python3.11-x86_64": "sha256:ccc"})),
    Case("image absent (not pulled at construct time)", True, True,
         dataclasses.replace(BASE, images={})),
    Case("handler module (index)", False, True, BASE.but(request={"index": "other.py"})),
    Case("a source file", False, True, BASE.but(files={"extra.py": "x = 2\n"})),
    Case("a requirement", True, True,
         BASE.but(files={"requirements.txt": "requests==2.32.3\n"})),
    Case("label", False, False, BASE.but(request={"label": "Stack/Other"})),
    Case("prefix", False, True, BASE.but(request={"prefix": "python/"})),
    Case("runtime", True, True, BASE.but(request={"runtime": "python3.12"},
                                         images={"img:python3.12-x86_64": "sha256:aaa"})),
)


def all_fields() -> set[str]:
    return {f.name for cls in (BundlingOptions, SlimOptions, SizeLimits)
            for f in dataclasses.fields(cls)}


def test_every_option_field_has_a_decision() -> None:
    assert set(FIELDS) == all_fields()


@pytest.fixture
def identities(entry: Path, tmp_path: Path, request: pytest.FixtureRequest
               ) -> Callable[[Inputs], tuple[str, str]]:
    (entry / "notes").mkdir()
    (entry / "notes" / "todo.txt").write_text("x")
    (entry / "other.py").write_text("def handler(event, context):\n    return 2\n")
    (entry / "requirements-other.txt").write_text("requests==2.32.3\n")
    pyproject = entry.parent / "pyproject"
    pyproject.mkdir()
    (pyproject / "index.py").write_text("def handler(event, context):\n    return 1\n")
    (pyproject / "pyproject.toml").write_text(
        '[project]\nname = "fn"\nversion = "1"\ndependencies = ["requests"]\n'
        '[project.optional-dependencies]\ndev = ["pytest"]\n')
    files = {"CA": tmp_path / "ca.pem", "CONSTRAINTS": tmp_path / "constraints.txt"}
    files["CA"].write_text("-----BEGIN CERTIFICATE-----\n")
    files["CONSTRAINTS"].write_text("urllib3<2\n")
    files["KNOWN"] = tmp_path / "known_hosts"
    files["KNOWN"].write_text("[git.example]:22 ssh-ed25519 AAAA\n")
    files["HOMEDIR"] = tmp_path / "home"
    (files["HOMEDIR"] / ".ssh").mkdir(parents=True)
    (files["HOMEDIR"] / ".ssh/known_hosts").write_text("[git.example]:22 ssh-ed25519 BBBB\n")
    files["AGENT"] = tmp_path / "agent.sock"
    agent = socket.socket(socket.AF_UNIX)
    agent.bind(str(files["AGENT"]))
    request.addfinalizer(agent.close)
    for name, text in (("DOCKERFILE", "FROM img\n"), ("DOCKERFILE2", "FROM img\nRUN x\n")):
        (tmp_path / name.lower()).mkdir()
        files[name] = tmp_path / name.lower() / "Dockerfile"
        files[name].write_text(text)
    for name, text in (("LIB", "X = 1\n"), ("LIB2", "X = 2\n")):  # one file differs
        files[name] = tmp_path / name.lower()
        files[name].mkdir()
        (files[name] / "__init__.py").write_text(text)

    def real(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: real(v) for k, v in value.items()}
        return str(files[value]) if isinstance(value, str) and value in files else value

    def compute(inputs: Inputs) -> tuple[str, str]:
        bundling = {k: real(v) for k, v in inputs.bundling.items()}
        where = pyproject if bundling.get("manifest") == "pyproject.toml" else entry
        for name, text in inputs.files.items():
            (where / name).write_text(text)
        args: dict[str, Any] = dict(
            where="test", entry=str(where), runtime="python3.11", architecture="x86_64",
            index="index.py", handler="handler", bundling=BundlingOptions(**bundling),
            slim=SlimOptions(**inputs.slim), limits=SizeLimits(**inputs.limits),
            image_env="img:{runtime}-{arch}")
        args.update(inputs.request)
        request, _handler = resolve_request(**args)
        environ = {k: real(v) for k, v in inputs.environ.items()}
        pinned = pin_request(request, FakeEngine(inputs.images), environ)
        assert pinned.pinned is not None
        return deps_key(pinned, pinned.pinned), fingerprint(pinned)
    return compute


@pytest.mark.parametrize("case", [c for cases in FIELDS.values() for c in cases] + list(OTHER),
                         ids=lambda c: c.name)
def test_each_input_changes_exactly_what_it_should(
        case: Case, identities: Callable[[Inputs], tuple[str, str]]) -> None:
    deps_before, asset_before = identities(case.before)
    deps_after, asset_after = identities(case.after)
    assert (deps_before != deps_after, asset_before != asset_after) == (case.deps, case.asset)
