"""Reading a report or a dependency meta: every key present, every value of its type.

What is read is often untrusted or old: a CI artefact, a ``cdk.out`` of an earlier version,
a cache written by one. The rules are the types of :mod:`.model` and :mod:`.meta`
themselves: the loader walks their annotations, so a key added there is read, checked and
defaulted without touching this module.

- a missing key, or null where the type does not allow it: the default
  (:data:`~.model.DEFAULTS`, else the zero of its type: 0, "", False, [], {});
- a value of another type: :class:`SlimLambdaError` naming the file and the key
  (``packages[2].bytes``);
- a key the model does not know: dropped;
- defaults that follow from other keys, filled in by :data:`_DERIVED`.
"""

from __future__ import annotations

import functools
import types
from collections.abc import Callable
from typing import Any, Union, cast, get_args, get_origin, get_type_hints, is_typeddict

from ..errors import SlimLambdaError
from .meta import DepsMeta
from .model import DEFAULTS, Report
from .parts import BytecodeChoice, LayerEntry, TreeNode

__all__ = ["load_deps_meta", "load_report", "load_tree"]

_NAMES = {bool: "true or false", int: "an integer", float: "a number", str: "a string",
          list: "a list", dict: "an object"}


class _Invalid(Exception):
    def __init__(self, where: str, expected: type, value: object) -> None:
        shown = repr(value)
        super().__init__(f"{where or 'the top level'} is "
                         f"{shown if len(shown) <= 60 else shown[:57] + '...'}, not "
                         f"{_NAMES[expected]}")


def load_report(data: object, source: str) -> Report:
    """``data`` (parsed JSON from ``source``, a file name) as a complete :class:`Report`."""
    if not isinstance(data, dict) or data.get("unzipped_bytes") is None:
        raise SlimLambdaError(f"report: {source} is not a slim-lambda report (no "
                              "unzipped_bytes); pass what `slim-lambda build --json-report` "
                              "or a synth wrote")
    return cast(Report, _load(Report, data, f"report: {source} is not a valid slim-lambda "
                              "report"))


def load_deps_meta(data: object, source: str) -> DepsMeta:
    """``data`` (parsed JSON from ``source``) as a complete :class:`DepsMeta`."""
    return cast(DepsMeta, _load(DepsMeta, data, f"{source} is not a dependency meta this "
                                "version of slim-lambda can read; delete that cache entry"))


def load_tree(data: object, source: str) -> TreeNode:
    """A size tree (:func:`slim_lambda.pipeline.treemap.tree_summary`) of ``source``."""
    return cast(TreeNode, _load(TreeNode, data, f"report: the size tree of {source}"))


def _load(kind: type, data: object, problem: str) -> object:
    try:
        return _value(kind, data, "")
    except _Invalid as e:
        raise SlimLambdaError(f"{problem}: {e}") from None
    except RecursionError:
        raise SlimLambdaError(f"{problem}: it is nested too deeply") from None


@functools.cache
def _hints(kind: type) -> dict[str, Any]:
    return get_type_hints(kind)


def _optional(hint: Any) -> tuple[bool, Any]:
    """``(True, X)`` for ``X | None``, else ``(False, hint)``."""
    if get_origin(hint) in (Union, types.UnionType):
        args = [a for a in get_args(hint) if a is not type(None)]
        if len(args) == 1 and len(args) < len(get_args(hint)):
            return True, args[0]
    return False, hint


def _default(hint: Any) -> object:
    optional, hint = _optional(hint)
    if optional:
        return None
    if is_typeddict(hint):
        return _object(hint, {}, "")
    return (get_origin(hint) or hint)()


def _value(hint: Any, value: object, where: str) -> object:
    optional, hint = _optional(hint)
    if value is None:
        return None if optional else _default(hint)
    if is_typeddict(hint):
        return _object(hint, _checked(dict, value, where), where)
    origin, args = get_origin(hint), get_args(hint)
    if origin is list:
        return [_value(args[0], v, f"{where}[{i}]")
                for i, v in enumerate(_checked(list, value, where))]
    if origin is dict:
        return {k: _value(args[1], v, f"{where}.{k}")
                for k, v in _checked(dict, value, where).items()}
    if hint is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return _checked(hint, value, where)


def _checked(kind: type, value: Any, where: str) -> Any:
    if isinstance(value, kind) and (kind is bool or not isinstance(value, bool)):
        return value
    raise _Invalid(where, kind, value)


def _object(kind: type, data: dict[str, object], where: str) -> dict[str, object]:
    defaults = DEFAULTS.get(kind, {})
    absent_ok: frozenset[str] = getattr(kind, "__optional_keys__", frozenset())
    out: dict[str, object] = {}
    for key, hint in _hints(kind).items():
        value = data.get(key)
        if value is None and key in absent_ok:  # a key only some have (a step's "beside")
            continue
        if value is None and key in defaults:
            out[key] = defaults[key]
        else:
            out[key] = _value(hint, value, f"{where}.{key}" if where else key)
    derive = _DERIVED.get(kind)
    if derive is not None:
        derive(out, data)
    return out


def _layer(layer: dict[str, Any], data: dict[str, object]) -> None:
    if data.get("unzipped_bytes") is None:
        layer["size_known"] = False


def _bytecode(bytecode: dict[str, Any], _data: dict[str, object]) -> None:
    bytecode["choice"] = bytecode["choice"] or bytecode["mode"]  # schema 1 had only the mode


def _report(report: dict[str, Any], data: dict[str, object]) -> None:
    report["label"] = report["label"] or report["labels"].get("function", "")
    report["kind"] = report["kind"] or ("layer" if report["prefix"] else "zip")
    if data.get("combined_unzipped_bytes") is None:
        report["combined_unzipped_bytes"] = report["unzipped_bytes"] + sum(
            layer["unzipped_bytes"] for layer in report["layers"] if layer["size_known"])


_DERIVED: dict[type, Callable[[dict[str, Any], dict[str, object]], None]] = {
    LayerEntry: _layer, BytecodeChoice: _bytecode, Report: _report}
"""Defaults that follow from other keys, by type: run once the object is complete."""
