"""Which modules the function imports, and importing them in a clean interpreter.

:func:`scan_imports` reads the function's own sources with :mod:`ast` (never
executing them) and lists the absolute imports that are not guarded by ``try``
or ``if TYPE_CHECKING``. :func:`probe` imports modules in a fresh interpreter
whose ``sys.path`` starts with the bundle, the way Lambda's does, writing no
bytecode, and reports what loaded, what failed (with the error) and how long it
took.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["ProbeResult", "child_environment", "handler_imports", "probe", "probe_key",
           "run_probe", "scan_imports"]

CHILD_VARIABLES = ("PATH", "HOME", "LANG", "LANGUAGE", "TZ", "TMPDIR", "TEMP", "TMP",
                   "LD_LIBRARY_PATH", "SYSTEMROOT")
"""What an interpreter importing the dependencies keeps of the stage's environment (with
``LC_*``): enough to find libraries and write temporary files. Importing runs third-party
code, so it gets no AWS keys, no index credentials, no passed-through secrets."""

PROBE_SCRIPT = r"""
import importlib, json, sys, time, traceback
root, names = sys.argv[1], json.loads(sys.argv[2])
sys.path[0:0] = [root] + json.loads(sys.argv[3])
out = {"ok": [], "failed": {}, "seconds": 0.0, "files": []}
start = time.perf_counter()
for name in names:
    try:
        importlib.import_module(name)
        out["ok"].append(name)
    except BaseException as e:
        tb = traceback.format_exception(type(e), e, e.__traceback__)
        out["failed"][name] = "".join(tb[-6:]).strip()
out["seconds"] = time.perf_counter() - start
prefix = root.rstrip("/") + "/"
for mod in list(sys.modules.values()):
    f = getattr(mod, "__file__", None)
    if isinstance(f, str) and f.startswith(prefix):
        out["files"].append(f[len(prefix):])
sys.stdout.write("\n@@slim-lambda-probe@@" + json.dumps(out))
"""


@dataclass
class ProbeResult:
    ok: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    files: list[str] = field(default_factory=list)


def child_environment(environ: Mapping[str, str]) -> dict[str, str]:
    """The environment of an importing interpreter: :data:`CHILD_VARIABLES` and ``LC_*``
    of ``environ``, writing no bytecode."""
    env = {k: v for k, v in environ.items() if k in CHILD_VARIABLES or k.startswith("LC_")}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def probe(root: str, names: list[str], *, python: str = sys.executable,
          timeout: float = 300.0, cwd: str | None = None,
          extra_paths: tuple[str, ...] = ()) -> ProbeResult:
    """Import ``names`` (in order) in a fresh ``python -I -B`` with ``root`` first on sys.path,
    then ``extra_paths`` (the layers' ``python/`` directories, as Lambda's /opt/python)."""
    env = child_environment(os.environ)
    try:
        proc = subprocess.run(
            [python, "-I", "-B", "-c", PROBE_SCRIPT, root, json.dumps(names),
             json.dumps(list(extra_paths))],
            capture_output=True, text=True, timeout=timeout, env=env, cwd=cwd or "/")
    except subprocess.TimeoutExpired:
        return ProbeResult(failed={n: f"import did not finish within {timeout:.0f} s"
                                   for n in names})
    marker = "@@slim-lambda-probe@@"
    if marker not in proc.stdout:
        reason = (proc.stderr.strip().splitlines() or [f"exit code {proc.returncode}"])[-1]
        if proc.returncode < 0:
            reason = f"the interpreter died with signal {-proc.returncode} ({reason})"
        return ProbeResult(failed={n: reason for n in names})
    data = json.loads(proc.stdout.split(marker, 1)[1])
    return ProbeResult(ok=data["ok"], failed=data["failed"], seconds=data["seconds"],
                       files=data["files"])


def probe_key(modules: tuple[str, ...] | list[str]) -> str:
    return ",".join(sorted(set(modules)))


def run_probe(root: str, modules: tuple[str, ...] | list[str], layer_paths: tuple[str, ...],
              python: str, *, warm: bool = False) -> dict[str, Any]:
    """Import the handler's third-party modules in a fresh interpreter: what loads, how long.

    The figure to quote is a warm-disk import: unless the tree was just read (``warm``:
    verify has imported every module of it), a first import warms the page cache."""
    names = sorted(set(modules))
    first = ProbeResult() if warm else probe(root, names, python=python,
                                             extra_paths=layer_paths)
    timed = probe(root, names, python=python, extra_paths=layer_paths)
    return {"modules": names, "ok": timed.ok, "failed": sorted(timed.failed),
            "seconds": round(timed.seconds, 3),
            "files": sorted(set(first.files) | set(timed.files))}


def _is_type_checking(test: ast.expr) -> bool:
    """``if TYPE_CHECKING:`` or ``if typing.TYPE_CHECKING:``: never true at run time."""
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _guarded_lines(tree: ast.AST) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Try) or (
                isinstance(node, ast.If) and _is_type_checking(node.test)):
            for inner in node.body:
                for sub in ast.walk(inner):
                    if hasattr(sub, "lineno"):
                        lines.add(sub.lineno)
    return lines


def scan_imports(root: str, files: list[str]) -> list[str]:
    """Absolute imports in ``files`` (relative to ``root``) outside try / if TYPE_CHECKING."""
    found: dict[str, None] = {}
    for rel in files:
        try:
            with open(os.path.join(root, rel), "rb") as f:
                tree = ast.parse(f.read(), filename=rel)
        except (SyntaxError, ValueError, OSError):
            continue
        guarded = _guarded_lines(tree)
        for node in ast.walk(tree):
            if getattr(node, "lineno", None) in guarded:
                continue
            if isinstance(node, ast.Import):
                for alias in node.names:
                    found.setdefault(alias.name, None)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.setdefault(node.module, None)
    return list(found)


def handler_imports(root: str, files: list[str]) -> list[str]:
    """The third-party modules the function's own ``files`` import: not the standard
    library, not the function's own top-level modules."""
    tops = {f.split("/")[0].removesuffix(".py") for f in files}
    return [m for m in scan_imports(root, [f for f in files if f.endswith(".py")])
            if m.split(".")[0] not in tops and m.split(".")[0] not in sys.stdlib_module_names]
