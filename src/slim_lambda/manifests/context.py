"""What every manifest reader gets (the entry, the manifest, the runtime) and how it fails.

Readers report problems as ConfigurationError naming the file and the option that chooses
it; the option names and the file-reading errors are spelled once, here.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from typing import Any

from ..errors import ConfigurationError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]

__all__ = ["GROUPS_OPTION", "MANIFEST_OPTION", "Ctx", "load_toml", "read_text"]

MANIFEST_OPTION = "bundling.manifest (CLI --manifest)"
GROUPS_OPTION = "bundling.groups (CLI --group)"


@dataclass(frozen=True, kw_only=True)
class Ctx:
    """One manifest being read."""

    entry: str
    """The function's entry directory."""
    rel: str
    """The manifest's path relative to ``entry``."""
    python_version: str
    """The runtime's Python (``"3.11"``), as in ``slim_lambda.platform.RUNTIMES``."""

    @property
    def path(self) -> str:
        return os.path.join(self.entry, self.rel)

    @property
    def dir_rel(self) -> str:
        """The manifest's directory relative to the entry (``.`` for the entry itself)."""
        return os.path.dirname(self.rel) or "."

    def beside(self, name: str) -> str:
        """The entry-relative path of ``name`` in the manifest's directory."""
        return os.path.join(self.dir_rel, name)

    def error(self, *problems: str) -> ConfigurationError:
        return ConfigurationError(self.entry, list(problems))


def read_text(entry: str, rel: str, fix: str) -> str:
    """The text of ``entry/rel``; a file that cannot be read is an error saying ``fix``."""
    path = os.path.join(entry, rel)
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigurationError(entry, [f"{path}: cannot be read ({e}); {fix}"]) from e


def load_toml(entry: str, rel: str, fix: str) -> dict[str, Any]:
    """The TOML document ``entry/rel``; invalid TOML is an error with its position."""
    text = read_text(entry, rel, fix)
    try:
        data: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        path = os.path.join(entry, rel)
        raise ConfigurationError(entry, [f"{path}: not valid TOML: {e}; {fix}"]) from e
    return data
