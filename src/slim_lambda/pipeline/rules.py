"""The default slim rules, as data.

Each rule is a name, a one-line reason and gitignore-syntax patterns evaluated
against paths relative to the dependency root (the top of the asset). They only
ever apply to installed dependencies, never to the function's own code unless
the user asks for it. The ``dist-info`` rule is not a pattern rule: metadata
directories are trimmed, never deleted (see :mod:`.distinfo`).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DEFAULT_RULES", "DIST_INFO_RULE", "NEEDED", "USER_RULE", "Needed", "Rule",
           "rule_names"]


@dataclass(frozen=True)
class Rule:
    name: str
    reason: str
    patterns: tuple[str, ...]


DEFAULT_RULES: tuple[Rule, ...] = (
    Rule("tests", "test suites and pytest configuration are never imported by a handler",
         ("tests/", "test/", "conftest.py")),
    Rule("pycache", "bytecode compiled at install time has timestamps CDK's zip invalidates",
         ("__pycache__/", "*.pyc", "*.pyo")),
    Rule("stubs", "type stubs are read by type checkers, not by Python",
         ("*.pyi",)),
    Rule("sources", "C, C++, Cython and Fortran sources, headers and static libraries "
         "are only needed to compile extensions",
         ("*.c", "*.cc", "*.cpp", "*.cxx", "*.h", "*.hh", "*.hpp", "*.pyx", "*.pxd", "*.pxi",
          "*.f", "*.f90", "*.f95", "*.a")),
    Rule("scripts", "console scripts under bin/ cannot run on Lambda (no PATH entry, "
         "build-image shebangs)",
         ("/bin/",)),
)

@dataclass(frozen=True)
class Needed:
    pattern: str
    reason: str


NEEDED: tuple[Needed, ...] = (
    Needed("numpy/_core/tests/_natype.py",
           "numpy.testing imports it (numpy 2.1 and 2.2): removed, verify puts it back only "
           "after importing numpy.testing and every package that imports it again, and warns"),
)
"""Files a default rule matches that their own package imports: no default rule removes
them (a user's ``slim.patterns`` still may)."""

DIST_INFO_RULE = "dist-info"
USER_RULE = "patterns"


def rule_names() -> tuple[str, ...]:
    """Every rule name a user can disable, in the order the rules apply."""
    return (*(r.name for r in DEFAULT_RULES), DIST_INFO_RULE)
