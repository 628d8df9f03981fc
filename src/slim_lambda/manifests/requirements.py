"""A requirements file: installed as written, read only to compare it with another manifest.

pip understands requirements files better than any reader could, so the plan is the file's
own lines (comments dropped) and pip resolves what it does not pin. Reading goes only as
far as naming the top-level requirements and their pins, and noticing when that is not
possible (includes, plain URLs): such a file is used without comparing it.
"""

from __future__ import annotations

import re

from ..pipeline.redact import redact
from .compare import Summary
from .context import GROUPS_OPTION, MANIFEST_OPTION, Ctx, read_text
from .plan import InstallPlan
from .versions import parse_requirement

__all__ = ["numbered_lines", "read_requirements", "requirement_lines"]

_INCLUDE = re.compile(r"^(-r|--requirement|-c|--constraint)(\s|=|$)")
_EDITABLE = re.compile(r"^(-e|--editable)(\s|=)")
_HASH = re.compile(r"\s--hash[=\s]")
_COMMENT = re.compile(r"(^|\s)#.*$")


def numbered_lines(text: str) -> list[tuple[int, str]]:
    """Logical lines with the number of the physical line each starts on: continuations
    joined, comments and blank lines dropped."""
    lines: list[tuple[int, str]] = []
    pending, start = "", 0
    for number, raw in enumerate(text.splitlines(), 1):
        start = start or number
        if raw.endswith("\\"):
            pending += raw[:-1] + " "
            continue
        line = _COMMENT.sub("", pending + raw).strip()
        if line:
            lines.append((start, re.sub(r"\s+", " ", line)))
        pending, start = "", 0
    if pending.strip() and (line := _COMMENT.sub("", pending).strip()):
        lines.append((start, line))
    return lines


def requirement_lines(text: str) -> list[str]:
    """Logical lines: continuations joined, comments and blank lines dropped."""
    return [line for _number, line in numbered_lines(text)]


def read_requirements(ctx: Ctx, selected: tuple[str, ...]) -> tuple[InstallPlan, Summary]:
    """The plan of a requirements file, and its top-level names for comparing."""
    if selected:
        raise ctx.error(f"{GROUPS_OPTION}: {ctx.path} is a requirements file, which has no "
                        f"groups or extras ({', '.join(selected)} selected); remove them, or "
                        f"name a lock file or pyproject.toml with {MANIFEST_OPTION}")
    lines = requirement_lines(read_text(ctx.entry, ctx.rel, "fix the file"))
    top: dict[str, str | None] = {}
    incomplete = ""
    hashed = includes = requirement_count = 0
    for line in lines:
        if _INCLUDE.match(line):
            includes += 1
            incomplete = incomplete or f"{ctx.rel} includes other files ({redact(line)})"
            continue
        editable = _EDITABLE.match(line)
        if line.startswith("-") and not editable:
            continue
        requirement_count += 1
        hashed += bool(_HASH.search(line))
        body = line[editable.end():] if editable else line
        body = re.split(r"\s--?[A-Za-z]", " " + body, maxsplit=1)[0].strip()
        egg = re.search(r"#egg=([A-Za-z0-9._-]+)", body)
        if editable and not egg:
            continue  # a local project, installed from the entry: nothing to compare
        req = parse_requirement(egg.group(1) if egg else body)
        if req is not None:
            top[req.name] = None if egg else req.pin
        elif not re.match(r"^(\.|/|file:)", body):
            incomplete = incomplete or (
                f"{ctx.rel} has a line slim-lambda does not compare: {redact(body)}")
    plan = InstallPlan(
        kind="requirements.txt", manifest=ctx.rel,
        requirements="".join(f"{x}\n" for x in lines),
        require_hashes=requirement_count > 0 and hashed == requirement_count and not includes,
        no_deps=False)
    return plan, Summary(top=top, incomplete=incomplete)
