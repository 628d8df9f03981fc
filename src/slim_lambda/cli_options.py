"""The ``build`` subcommand's option flags, generated from the option dataclasses.

:mod:`slim_lambda.options` owns every option, default and explanation; flags written by
hand were a second copy, and it drifted (``slim_user_code``, ``fail_on_zipped``,
``pass_environment`` had no flag). So every field of BundlingOptions, SlimOptions and
SizeLimits is one flag: its name in kebab case, its kind from its annotation, its help
from the field's docstring (parsed with :mod:`ast` only when help is printed, so start-up
stays fast), and no default of its own: a flag not given leaves the field out, and the
dataclass's default applies.
"""

from __future__ import annotations

import argparse
import ast
import dataclasses
import functools
import inspect
import itertools
import typing
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from .options import (
    BYTECODE_MODES,
    FILE_ACCESS,
    INSTALLERS,
    MODES,
    BundlingOptions,
    SizeLimits,
    SlimOptions,
)

__all__ = ["GROUPS", "Flag", "HelpFormatter", "add_option_flags", "field_docs",
           "option_flags", "options_from_args"]

#: The option dataclasses, by the name the constructs give their keyword.
GROUPS: dict[str, type] = {"bundling": BundlingOptions, "slim": SlimOptions,
                           "size_limits": SizeLimits}
#: Flags not named after their field (``--enabled`` would not say what is enabled).
NAMES = {"enabled": "slim"}
#: Names the flags had before they were generated; they keep working.
ALIASES = {"groups": ("--group",), "extra_index_urls": ("--extra-index-url",),
           "patterns": ("--pattern",), "disable_rules": ("--disable-rule",),
           "timeout_seconds": ("--timeout",), "unzipped_bytes": ("--unzipped-limit",),
           "zipped_bytes": ("--zipped-limit",)}
CHOICES = {"mode": MODES, "bytecode": BYTECODE_MODES, "file_access": FILE_ACCESS,
           "installer": INSTALLERS}
#: Annotation → how the flag reads its value.
KINDS: dict[Any, str] = {bool: "bool", int: "int", int | None: "int", str: "str",
                         str | None: "str", tuple[str, ...]: "list", Mapping[str, str]: "map"}


@dataclasses.dataclass(frozen=True)
class Flag:
    """One option field's flag: ``names[0]`` is its name (the field's, in kebab case,
    unless :data:`NAMES` says otherwise), then the :data:`ALIASES`."""

    group: str
    field: str
    kind: str
    names: tuple[str, ...]

    @property
    def dest(self) -> str:
        return f"{self.group}.{self.field}"


@functools.cache
def option_flags() -> tuple[Flag, ...]:
    """A flag for every field of every option dataclass."""
    flags = []
    for group, cls in GROUPS.items():
        hints = typing.get_type_hints(cls)
        for field in dataclasses.fields(cls):
            kind = KINDS.get(hints[field.name])
            if kind is None:
                raise TypeError(f"{cls.__name__}.{field.name}: no CLI flag for a "
                                f"{hints[field.name]}; add the annotation to KINDS")
            name = "--" + NAMES.get(field.name, field.name).replace("_", "-")
            flags.append(Flag(group, field.name, kind, (name, *ALIASES.get(field.name, ()))))
    return tuple(flags)


def _key_value(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"{text!r} is not KEY=VALUE")
    return key, value


def add_option_flags(parser: argparse.ArgumentParser) -> None:
    """Add every option flag, one argument group per dataclass."""
    for group, cls in GROUPS.items():
        section = parser.add_argument_group(f"{group} ({cls.__name__})")
        for flag in (f for f in option_flags() if f.group == group):
            # help is the dest: HelpFormatter looks the docstring up when help is shown
            kw: dict[str, Any] = {"dest": flag.dest, "default": argparse.SUPPRESS,
                                  "help": flag.dest}
            if flag.kind == "bool" and flag.field.startswith("no_"):
                kw.update(action="store_const", const=True)
            elif flag.kind == "bool":
                kw.update(action=argparse.BooleanOptionalAction)
            elif flag.kind == "map":
                kw.update(action="append", metavar="KEY=VALUE", type=_key_value)
            elif flag.field in CHOICES:
                kw.update(choices=CHOICES[flag.field])
            elif flag.kind == "int":
                kw.update(type=int, metavar="N")
            else:
                kw.update(action="append" if flag.kind == "list" else "store",
                          metavar=flag.field.upper().removesuffix("S"))
            section.add_argument(*flag.names, **kw)


def options_from_args(args: argparse.Namespace
                      ) -> tuple[BundlingOptions, SlimOptions, SizeLimits]:
    """The option dataclasses with the fields given on the command line."""
    values = vars(args)
    given: dict[str, dict[str, Any]] = {group: {} for group in GROUPS}
    for flag in option_flags():
        if flag.dest in values:
            raw = values[flag.dest]
            given[flag.group][flag.field] = (
                tuple(v for v in raw if v) if flag.kind == "list"
                else MappingProxyType(dict(raw)) if flag.kind == "map" else raw)
    return (BundlingOptions(**given["bundling"]), SlimOptions(**given["slim"]),
            SizeLimits(**given["size_limits"]))


@functools.cache
def field_docs(cls: type) -> dict[str, str]:
    """Each field's docstring (the string after it in the class body), as one line;
    none when the source is not installed."""
    try:
        source = inspect.getsource(cls)
    except (OSError, TypeError):
        return {}
    (node,) = ast.parse(source).body
    assert isinstance(node, ast.ClassDef)
    docs = {}
    for stmt, after in itertools.pairwise(node.body):
        if (isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name)
                and isinstance(after, ast.Expr) and isinstance(after.value, ast.Constant)
                and isinstance(after.value.value, str)):
            docs[stmt.target.id] = " ".join(after.value.value.replace("``", "").split())
    return docs


class HelpFormatter(argparse.HelpFormatter):
    """Shows a generated flag's field docstring as its help."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        group, _, field = action.dest.partition(".")
        if action.help != action.dest or group not in GROUPS:
            return action.help
        doc = field_docs(GROUPS[group]).get(field, "")
        if any(f.dest == action.dest and f.kind in ("list", "map") for f in option_flags()):
            doc += " Repeatable."
            if _default(GROUPS[group], field):
                doc += f" Values given replace the default; {action.option_strings[0]}= gives none."
        return doc.replace("%", "%%")


def _default(cls: type, name: str) -> Any:
    (field,) = [f for f in dataclasses.fields(cls) if f.name == name]
    if field.default_factory is not dataclasses.MISSING:
        return field.default_factory()
    return field.default
