"""Errors a user can act on. One base class, one subclass per kind of failure."""

from __future__ import annotations

from .pipeline.errors import BuildError, SlimLambdaError

__all__ = [
    "BuildError",
    "ConfigurationError",
    "DockerError",
    "RemoteCacheError",
    "SizeLimitError",
    "SlimLambdaError",
]


class ConfigurationError(SlimLambdaError):
    """The construct's or the CLI's input is wrong. Lists every problem at once."""

    def __init__(self, where: str, problems: list[str]) -> None:
        self.where = where
        self.problems = list(problems)
        bullet = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{where}: {len(self.problems)} problem(s) with the options:\n{bullet}")


class DockerError(SlimLambdaError):
    """The Docker engine or the build image could not be used."""


class SizeLimitError(SlimLambdaError):
    """The bundle exceeds a Lambda size limit. The message carries the size table."""


class RemoteCacheError(SlimLambdaError):
    """The remote dependency cache could not be used (down, denied, slow). A warning and a
    local build, unless the remote is required."""
