"""git requirements (``git+https://…@ref``, ``name @ git+ssh://…``) and the commit each
one names.

A branch or a tag moves; a cache keyed by the text ``@main`` would serve last week's code.
So every git requirement of a requirements file is found here (pure: the text only), its
ref resolved to a commit at synth (:mod:`slim_lambda.run.gitpins`), and the file the build
reads names that commit, which the deps key and the asset hash cover. A ref that is
already a full commit needs no resolution. A lock file's git package already names its
commit: :func:`locked_requirement` turns it into the same kind of line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["GitRequirement", "git_requirements", "locked_requirement", "pin"]

_TOKEN = re.compile(r"git\+[A-Za-z][A-Za-z0-9+.-]*://[^\s;]+")
_COMMIT = re.compile(r"[0-9a-f]{40}")


@dataclass(frozen=True)
class GitRequirement:
    token: str
    """The URL as written: ``git+https://host/repo.git@v1#egg=x``."""
    url: str
    """What git fetches: ``https://host/repo.git`` (credentials, if any, kept)."""
    ref: str | None
    """``v1``, ``main``, a commit, or None (the remote's HEAD)."""
    fragment: str
    """``#egg=x&subdirectory=y``, or ""."""

    @property
    def commit(self) -> str | None:
        """The ref when it is a full commit."""
        return self.ref if self.ref is not None and _COMMIT.fullmatch(self.ref) else None


def _parse(token: str) -> GitRequirement:
    body, _, fragment = token.partition("#")
    scheme, _, rest = body.removeprefix("git+").partition("://")
    host, slash, path = rest.partition("/")
    ref = None
    if "@" in path:
        path, ref = path.rsplit("@", 1)
    return GitRequirement(token=token, url=f"{scheme}://{host}{slash}{path}", ref=ref or None,
                          fragment=f"#{fragment}" if fragment else "")


def git_requirements(lines: list[str]) -> list[GitRequirement]:
    """The git requirements of logical requirement lines, in order, each once."""
    found: dict[str, GitRequirement] = {}
    for line in lines:
        for token in _TOKEN.findall(line):
            found.setdefault(token, _parse(token))
    return list(found.values())


def pin(requirement: GitRequirement, commit: str) -> str:
    """The requirement's URL naming ``commit`` instead of its ref."""
    return f"git+{requirement.url}@{commit}{requirement.fragment}"


def locked_requirement(name: str, url: str, commit: object,
                       subdirectory: object = None) -> str | None:
    """A lock's git package as a requirement naming its commit (``name @ git+URL@commit``);
    None when the lock names no full commit (a moving ref is never installed)."""
    if not isinstance(commit, str) or not _COMMIT.fullmatch(commit):
        return None
    fragment = f"#subdirectory={subdirectory}" if subdirectory else ""
    return f"{name} @ git+{url.removeprefix('git+')}@{commit}{fragment}"
