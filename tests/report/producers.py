"""The keys the build writes into a report or a dependency meta, read from its source.

The stages build both as dict literals (``{"schema": 2, ...}``) and the host adds keys
(``report["mode"] = ...``, ``meta.setdefault("steps", [])``). The loader keeps only the
keys the model knows, so a key the build writes and the model lacks would vanish from
every saved report: the model's tests compare the two.
"""

from __future__ import annotations

import ast
from pathlib import Path

import slim_lambda

SRC = Path(slim_lambda.__file__).parent


def _trees(*packages: str) -> list[ast.Module]:
    return [ast.parse(path.read_text(encoding="utf-8"))
            for package in packages for path in sorted((SRC / package).rglob("*.py"))]


def _keys(node: ast.Dict) -> set[str]:
    return {k.value for k in node.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)}


def literal_keys(marker: str) -> list[set[str]]:
    """The keys of every dict literal in the pipeline with ``schema`` and ``marker``."""
    found = [_keys(node) for tree in _trees("pipeline") for node in ast.walk(tree)
             if isinstance(node, ast.Dict)]
    return [keys for keys in found if {"schema", marker} <= keys]


def added_keys(name: str) -> set[str]:
    """Keys the host sets on a variable called ``name``: ``name["k"] = ...`` and
    ``name.setdefault("k", ...)``."""
    keys: set[str] = set()
    for tree in _trees("run", "cdk"):
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign | ast.AugAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                keys |= {t.slice.value for t in targets if isinstance(t, ast.Subscript)
                         and isinstance(t.value, ast.Name) and t.value.id == name
                         and isinstance(t.slice, ast.Constant) and isinstance(t.slice.value, str)}
            elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                  and node.func.attr == "setdefault" and isinstance(node.func.value, ast.Name)
                  and node.func.value.id == name and node.args
                  and isinstance(node.args[0], ast.Constant)):
                keys.add(str(node.args[0].value))
    return keys
