"""Which dependency manifest a function's entry has, and the exact install plan it means.

Detection order (the first one present wins): ``requirements.txt``, ``uv.lock``,
``poetry.lock``, ``Pipfile.lock``, ``pyproject.toml`` (PEP 621 dependencies, no lock).
When several are present and disagree, that is an error; when they agree, the first is
used and a note says so. ``bundling.manifest`` names one explicitly.

Lock files are read here (TOML / JSON), never by uv, poetry or pipenv: the plan is a
pip requirements file pinning the lock's whole closure with its hashes, installed with
``--no-deps`` (and ``--require-hashes`` when every package has hashes).
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from ..errors import ConfigurationError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]

__all__ = ["DETECTION_ORDER", "InstallPlan", "resolve_manifest"]

DETECTION_ORDER = ("requirements.txt", "uv.lock", "poetry.lock", "Pipfile.lock", "pyproject.toml")
"""Manifest kinds in the order an entry is searched for them."""

_STRONG_HASHES = ("sha256:", "sha384:", "sha512:")
_OPTION = "bundling.manifest (CLI --manifest)"
_GROUPS = "bundling.groups (CLI --group)"


@dataclass(frozen=True, kw_only=True)
class InstallPlan:
    """What to install for a function, as data: a requirements file and options."""

    kind: str
    """``requirements.txt``, ``uv.lock``, ``poetry.lock``, ``Pipfile.lock``,
    ``pyproject.toml`` or ``none``."""
    manifest: str | None
    """The manifest's path relative to the entry; None when there is none."""
    requirements: str
    """pip requirements-file text; for locks one ``name==version`` line per package, sorted
    by normalized name, with its markers and every ``--hash`` the lock has. "" when nothing
    is to be installed."""
    require_hashes: bool = False
    """Every line carries hashes: pip runs with ``--require-hashes``."""
    no_deps: bool = False
    """The lines are a complete closure (locks): pip runs with ``--no-deps``."""
    project: str | None = None
    """Entry-relative directory of a project to install as a package (a ``pyproject.toml``
    with a build backend), after ``requirements`` and with ``--no-deps``; else None."""
    groups: tuple[str, ...] = ()
    """The dependency groups and extras included besides the main dependencies."""
    notes: tuple[str, ...] = ()
    """Human notes for the report."""


def resolve_manifest(entry: str, *, manifest: str | None = None, groups: Sequence[str] = (),
                     python_version: str = "3.11") -> InstallPlan:
    """The install plan for the function in ``entry``.

    ``manifest`` names the manifest (relative to ``entry``); else it is detected in
    ``DETECTION_ORDER``. ``groups`` are dependency groups or extras to include;
    ``python_version`` (``"3.11"``) is the runtime's, checked against the lock's or the
    project's ``requires-python``. Raises ConfigurationError, naming the file, the option
    and the fix.
    """
    selected = tuple(dict.fromkeys(g.strip() for g in groups if g.strip()))
    if manifest is not None:
        path = os.path.join(entry, manifest)
        if not os.path.isfile(path):
            raise ConfigurationError(entry, [
                f"{_OPTION}: {path} does not exist; name a file relative to the entry "
                f"({entry}), or leave it unset to detect one of {', '.join(DETECTION_ORDER)}"])
        kind = _kind_of(entry, manifest)
        plan, _ = _READERS[kind](_Ctx(entry, manifest, python_version), selected)
        ignored = [k for k in DETECTION_ORDER if os.path.isfile(os.path.join(entry, k))
                   and os.path.normpath(k) != os.path.normpath(manifest)
                   and not (k == "pyproject.toml" and kind in ("uv.lock", "poetry.lock"))]
        if ignored:
            plan = _with_notes(plan, f"{_OPTION} names {manifest}; ignored: {', '.join(ignored)}")
        return plan

    present = _present(entry)
    if not present:
        _no_manifest(entry, selected)
        return InstallPlan(kind="none", manifest=None, requirements="", notes=(
            "no dependency manifest in the entry (looked for "
            f"{', '.join(DETECTION_ORDER)}): only the function's own files are bundled",))
    first = present[0]
    plan, summary = _READERS[first](_Ctx(entry, first, python_version), selected)
    if len(present) > 1 and selected:
        _, summary = _READERS[first](_Ctx(entry, first, python_version), ())
    notes: list[str] = []
    problems: list[str] = []
    for other in present[1:]:
        _, other_summary = _READERS[other](_Ctx(entry, other, python_version), ())
        if summary.incomplete or other_summary.incomplete:
            why = summary.incomplete or other_summary.incomplete
            notes.append(f"{other} is also present but was not compared with {first} ({why}); "
                         f"using {first}, the first in the detection order")
            continue
        reasons = _disagreements(first, summary, other, other_summary)
        if reasons:
            shown = "; ".join(reasons[:6]) + ("; …" if len(reasons) > 6 else "")
            problems.append(
                f"{_OPTION}: {os.path.join(entry, first)} and {os.path.join(entry, other)} "
                f"disagree ({shown}). Keep one of them (delete the other), or choose one with "
                f'bundling.manifest="{other}" (CLI --manifest {other})')
        else:
            notes.append(f"{other} agrees with {first}; using {first}, the first in the "
                         "detection order")
    if problems:
        raise ConfigurationError(entry, problems)
    return _with_notes(plan, *notes)


# -- detection ---------------------------------------------------------------------------------

def _kind_of(entry: str, manifest: str) -> str:
    base = os.path.basename(manifest)
    if base in DETECTION_ORDER[1:]:
        return base
    if base == "Pipfile":
        raise ConfigurationError(entry, [
            f"{_OPTION}: {os.path.join(entry, manifest)} is a Pipfile; name its lock instead "
            "(Pipfile.lock, created by `pipenv lock`)"])
    return "requirements.txt"


def _present(entry: str) -> list[str]:
    """The manifests present in ``entry``, in detection order. A pyproject.toml counts
    when no uv.lock or poetry.lock is there to lock it and it declares dependencies (not
    only tool settings); with dynamic dependencies only when nothing else is there."""
    found = [k for k in DETECTION_ORDER[:4] if os.path.isfile(os.path.join(entry, k))]
    if any(k in found for k in ("uv.lock", "poetry.lock")):
        return found
    if os.path.isfile(os.path.join(entry, "pyproject.toml")):
        data = _load_toml(entry, "pyproject.toml", "fix the file")
        project = data.get("project")
        if isinstance(project, dict):
            dynamic = "dependencies" in project.get("dynamic", [])
            declares = dynamic or "build-system" in data or any(
                k in project for k in ("dependencies", "optional-dependencies"))
            if declares and not (dynamic and found):
                found.append("pyproject.toml")
        elif "dependency-groups" in data:
            found.append("pyproject.toml")
    return found


def _no_manifest(entry: str, selected: tuple[str, ...]) -> None:
    pyproject = os.path.join(entry, "pyproject.toml")
    if os.path.isfile(os.path.join(entry, "Pipfile")):
        raise ConfigurationError(entry, [
            f"{_OPTION}: {os.path.join(entry, 'Pipfile')} has no Pipfile.lock beside it; run "
            "`pipenv lock` and keep Pipfile.lock in the entry (slim-lambda installs locks only)"])
    if os.path.isfile(pyproject) and set(_load_toml(entry, "pyproject.toml", "fix the file").get(
            "tool", {}).get("poetry", {}).get("dependencies", {})) - {"python"}:
        raise ConfigurationError(entry, [
            f"{_OPTION}: {pyproject} lists its dependencies only in [tool.poetry.dependencies], "
            "which need poetry.lock: run `poetry lock` and keep poetry.lock beside it, or list "
            "them in [project].dependencies"])
    if selected:
        raise ConfigurationError(entry, [
            f"{_GROUPS}: {', '.join(selected)} selected, but {entry} has no dependency manifest "
            f"({', '.join(DETECTION_ORDER)}); remove the groups or add a manifest"])


def _with_notes(plan: InstallPlan, *notes: str) -> InstallPlan:
    return replace(plan, notes=plan.notes + notes) if notes else plan


# -- shared pieces -----------------------------------------------------------------------------

@dataclass(frozen=True)
class _Ctx:
    entry: str
    rel: str
    python_version: str

    @property
    def path(self) -> str:
        return os.path.join(self.entry, self.rel)

    @property
    def dir_rel(self) -> str:
        return os.path.dirname(self.rel) or "."

    def error(self, *problems: str) -> ConfigurationError:
        return ConfigurationError(self.entry, list(problems))


@dataclass(frozen=True)
class _Summary:
    """What a manifest installs by default, to compare two manifests."""

    top: Mapping[str, str | None] | None = None
    """Top-level names → pinned version (None when not pinned); None when unknown."""
    closure: Mapping[str, frozenset[str]] | None = None
    """Locks: every package installed → its locked versions."""
    incomplete: str = ""
    """Why this manifest cannot be compared ("" when it can)."""


def _normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _load_toml(entry: str, rel: str, fix: str) -> dict[str, Any]:
    path = os.path.join(entry, rel)
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigurationError(entry, [f"{path}: cannot be read ({e}); {fix}"]) from e
    try:
        data: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ConfigurationError(entry, [f"{path}: not valid TOML: {e}; {fix}"]) from e
    return data


_REQ = re.compile(r"^\s*(?P<name>[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*"
                  r"(?:\[(?P<extras>[^\]]*)\])?\s*(?P<rest>.*)$", re.DOTALL)


@dataclass(frozen=True)
class _Req:
    """One PEP 508 requirement, parsed as far as a plan needs."""

    name: str
    extras: tuple[str, ...]
    spec: str
    marker: str | None
    url: str | None

    @property
    def pin(self) -> str | None:
        m = re.fullmatch(r"===?\s*([^\s,*]+)", self.spec)
        return m.group(1) if m else None


def _parse_req(text: str) -> _Req | None:
    m = _REQ.match(text)
    if not m:
        return None
    rest = m.group("rest").strip()
    spec, _, marker = rest.partition(";")
    spec = spec.strip()
    url = None
    if spec.startswith("@"):
        url, spec = spec[1:].strip(), ""
    elif spec and not re.match(r"^[(<>=!~^*0-9]", spec):
        return None
    spec = spec.strip("() ")
    extras = tuple(_normalize(x) for x in (m.group("extras") or "").split(",") if x.strip())
    return _Req(_normalize(m.group("name")), extras, spec, marker.strip() or None, url)


def _release(version: str) -> tuple[int, ...]:
    """The release numbers of a version (``1.10.0rc1`` → ``(1, 10, 0)``)."""
    m = re.match(r"\s*v?(\d+(?:\.\d+)*)", version)
    return tuple(int(p) for p in m.group(1).split(".")) if m else (0,)


def _version_key(version: str) -> tuple[int, ...]:
    parts = list(_release(version))
    while len(parts) > 1 and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


def _same_version(a: str, b: str) -> bool:
    def norm(v: str) -> tuple[tuple[int, ...], str]:
        v = v.strip().lower().lstrip("=v")
        m = re.match(r"(\d+(?:\.\d+)*)(.*)", v)
        return (_version_key(m.group(1)), m.group(2)) if m else ((), v)
    return norm(a) == norm(b)


def _cmp(a: tuple[int, ...], b: tuple[int, ...]) -> int:
    n = max(len(a), len(b))
    pa, pb = a + (0,) * (n - len(a)), b + (0,) * (n - len(b))
    return (pa > pb) - (pa < pb)


def _clause_ok(version: str, op: str, target: str) -> bool:
    v = _version_key(version)
    if target.endswith(".*"):
        prefix = tuple(int(p) for p in target[:-2].split(".") if p.isdigit())
        padded = v + (0,) * len(prefix)
        match = padded[:len(prefix)] == prefix
        return not match if op == "!=" else match
    t = _release(target)
    c = _cmp(v, t)
    if op == "^":
        i = next((k for k, p in enumerate(t) if p), len(t) - 1)
        return c >= 0 and _cmp(v, (*t[:i], t[i] + 1)) < 0
    if op == "~":
        upper = (t[0], t[1] + 1) if len(t) >= 2 else (t[0] + 1,)
        return c >= 0 and _cmp(v, upper) < 0
    if op == "~=":
        return c >= 0 and (len(t) < 2 or _cmp(v[:len(t) - 1], t[:-1]) == 0)
    return {"": c == 0, "=": c == 0, "==": c == 0, "===": c == 0, "!=": c != 0,
            ">=": c >= 0, "<=": c <= 0, ">": c > 0, "<": c < 0}.get(op, True)


_CLAUSE = re.compile(r"(===|==|!=|~=|>=|<=|>|<|\^|~|=)?\s*([0-9][A-Za-z0-9.*+!-]*|\*)")


def _satisfies(version: str, constraint: str) -> bool:
    """Whether ``version`` meets a PEP 440 or Poetry constraint (``||`` alternatives,
    ``,`` or space conjunctions; release numbers only)."""
    for alternative in re.split(r"\|\|?", constraint):
        clauses = _CLAUSE.findall(alternative)
        if all(t == "*" or _clause_ok(version, op, t) for op, t in clauses):
            return True
    return False


def _check_python(ctx: _Ctx, spec: object, where: str, fix: str) -> None:
    if not isinstance(spec, str) or not spec.strip():
        return
    pyv = ctx.python_version
    if not any(_satisfies(f"{pyv}.{micro}", spec) for micro in range(40)):
        raise ctx.error(f"{ctx.path}: {where} = {spec!r} excludes the function's runtime "
                        f"python{pyv}: choose a runtime it allows, or {fix}")


def _python_marker(constraint: str) -> str | None:
    """A Poetry ``python = "..."`` constraint as a PEP 508 marker (None: any Python)."""
    alternatives = []
    for alternative in re.split(r"\|\|?", constraint):
        parts = []
        for op, target in _CLAUSE.findall(alternative):
            if target == "*":
                continue
            t = None if target.endswith(".*") else _release(target)
            var = "python_full_version" if target.count(".") >= 2 and t else "python_version"
            if op in ("^", "~") and t is not None:
                i = next((k for k, p in enumerate(t) if p), len(t) - 1) if op == "^" else min(
                    1, len(t) - 1)
                upper = ".".join(str(p) for p in (*t[:i], t[i] + 1))
                parts += [f"{var} >= '{target}'", f"python_version < '{upper}'"]
            else:
                parts.append(f"{var} {op if op not in ('', '=') else '=='} '{target}'")
        if not parts:
            return None
        alternatives.append(" and ".join(parts))
    if len(alternatives) == 1:
        return alternatives[0]
    return " or ".join(f"({a})" for a in alternatives)


def _drop_extra(marker: str | None) -> str | None:
    """``marker`` without its ``extra == "..."`` clauses (they only say which extra
    pulled the package in, and pip cannot evaluate them in a requirements file)."""
    if not marker or "extra" not in marker:
        return marker
    clause = r"""extra\s*==\s*["'][^"']*["']"""
    out = re.sub(rf"\s*\band\s+{clause}|{clause}\s+and\s+", "", marker)
    out = re.sub(rf"^\s*\(?\s*{clause}\s*\)?\s*$", "", out)
    return None if not out.strip() or "extra" in out else out.strip()


# -- markers along dependency paths ---------------------------------------------------------------

_Conj = frozenset[str]
_Key = tuple[str, str]  # normalized name, version


@dataclass(frozen=True)
class _Edge:
    name: str
    marker: str | None = None
    extras: tuple[str, ...] = ()
    version: str | None = None
    """Exact version that picks one of several locked releases (uv)."""
    constraint: str | None = None
    """Version constraint that picks among several locked releases (Poetry)."""


def _walk(roots: Iterable[_Edge], resolve: Callable[[_Edge], list[_Key]],
          edges_of: Callable[[_Key, str | None], list[_Edge]]) -> dict[_Key, list[_Conj]]:
    """The closure from ``roots``: every package reached, with the markers of the paths
    that reach it (a disjunction of conjunctions; an empty conjunction means always)."""
    reached: dict[tuple[_Key, str | None], list[_Conj]] = {}
    todo: list[tuple[_Key, str | None, _Conj]] = []

    def follow(edge: _Edge, conj: _Conj) -> None:
        path = conj | _atoms(edge.marker)
        for key in resolve(edge):
            todo.append((key, None, path))
            todo.extend((key, extra, path) for extra in edge.extras)

    for edge in roots:
        follow(edge, frozenset())
    while todo:
        key, extra, conj = todo.pop()
        known = reached.setdefault((key, extra), [])
        if any(c <= conj for c in known):
            continue
        known[:] = [c for c in known if not conj <= c] + [conj]
        for edge in edges_of(key, extra):
            follow(edge, conj)
    return {key: conjs for (key, extra), conjs in reached.items() if extra is None}


def _atoms(marker: str | None) -> _Conj:
    """A marker as a conjunction of clauses (split where that is plain ``a and b``), each
    with single quotes, so that the same clause from two paths is one clause."""
    if not marker:
        return frozenset()
    marker = re.sub(r"\s+", " ", marker.replace('"', "'")).strip()
    if "(" in marker or " or " in marker:
        return frozenset({marker})
    return frozenset(part.strip() for part in marker.split(" and "))


def _render_marker(conjs: list[_Conj]) -> str | None:
    if not conjs or any(not c for c in conjs):
        return None
    conjs = [c for c in conjs if not any(other < c for other in conjs)]

    def atom(m: str) -> str:
        return f"({m})" if " or " in m else m
    rendered = sorted(" and ".join(atom(m) for m in sorted(c)) for c in conjs)
    if len(rendered) == 1:
        return rendered[0]
    return " or ".join(f"({r})" if " and " in r else r for r in rendered)


@dataclass(frozen=True)
class _Pin:
    name: str
    version: str
    hashes: tuple[str, ...]
    marker: str | None


def _pins_plan(ctx: _Ctx, kind: str, pins: list[_Pin], *, selected: tuple[str, ...],
               project: str | None, notes: list[str]) -> InstallPlan:
    """The plan for a lock's closure: hashes for all or, if some package has none, for
    none (pip checks every line or no line)."""
    pins = sorted(pins, key=lambda p: (p.name, _version_key(p.version), p.version))
    unhashed = [p.name for p in pins if not p.hashes]
    use_hashes = bool(pins) and not unhashed
    if pins and unhashed and len(unhashed) < len(pins):
        notes.append(f"{ctx.rel}: no hashes for {', '.join(sorted(set(unhashed)))}, so hashes "
                     "are not checked for any package (pip checks every line or none)")
    lines = []
    for p in pins:
        line = f"{p.name}=={p.version}"
        if p.marker:
            line += f" ; {p.marker}"
        if use_hashes:
            line += "".join(f" --hash={h}" for h in p.hashes)
        lines.append(line)
    return InstallPlan(kind=kind, manifest=ctx.rel, requirements="".join(f"{x}\n" for x in lines),
                       require_hashes=use_hashes, no_deps=True, project=project,
                       groups=selected, notes=tuple(notes))


def _lock_summary(top: Mapping[str, str | None] | None, pins: list[_Pin]) -> _Summary:
    closure: dict[str, set[str]] = {}
    for p in pins:
        closure.setdefault(p.name, set()).add(p.version)
    return _Summary(top=top, closure={k: frozenset(v) for k, v in closure.items()})


def _select(ctx: _Ctx, selected: tuple[str, ...], *, extras: Iterable[str],
            groups: Iterable[str], aliases: Mapping[str, str] | None = None,
            normalize: bool = True) -> tuple[set[str], set[str], list[str]]:
    """Split the selected names into extras and groups; unknown ones are an error that
    lists what the manifest has. Also returns the note about what stays out."""
    def key(n: str) -> str:
        return _normalize(n) if normalize else n
    extras_by = {key(e): e for e in extras}
    groups_by = {key(g): g for g in groups}
    aliases = aliases or {}
    chosen_extras, chosen_groups, unknown = set(), set(), []
    for name in selected:
        k = aliases.get(key(name), key(name))
        if k in extras_by:
            chosen_extras.add(extras_by[k])
        if k in groups_by:
            chosen_groups.add(groups_by[k])
        if k not in extras_by and k not in groups_by:
            unknown.append(name)
    if unknown:
        have = "; ".join(part for part in (
            "groups " + ", ".join(sorted(groups_by.values())) if groups_by else "",
            "extras " + ", ".join(sorted(extras_by.values())) if extras_by else "") if part)
        raise ctx.error(f"{_GROUPS}: {ctx.path} has no group or extra named "
                        f"{', '.join(repr(u) for u in unknown)}; it has "
                        f"{have or 'none (only its main dependencies)'}")
    left = [_plural(kind, sorted(set(names.values()) - chosen)) for kind, names, chosen in (
        ("group", groups_by, chosen_groups), ("extra", extras_by, chosen_extras))]
    excluded = "; ".join(x for x in left if x)
    notes = [f"{ctx.rel}: excluded {excluded} (include with {_GROUPS})"] if excluded else []
    return chosen_extras, chosen_groups, notes


def _plural(kind: str, names: list[str]) -> str:
    if not names:
        return ""
    return f"{kind}{'s' if len(names) > 1 else ''} {', '.join(names)}"


def _is_package(ctx: _Ctx, pyproject: Mapping[str, Any], notes: list[str]) -> bool:
    """Whether the project is a package to install (a build backend, not opted out)."""
    if "build-system" not in pyproject:
        return False
    tool = pyproject.get("tool", {})
    poetry = tool.get("poetry", {})
    if tool.get("uv", {}).get("package") is False or poetry.get("package-mode") is False:
        return False
    backend = str(pyproject["build-system"].get("build-backend", ""))
    if backend.startswith("poetry.core") and "packages" not in poetry:
        name = str(poetry.get("name") or pyproject.get("project", {}).get("name") or "")
        module = re.sub(r"[-.]+", "_", name).lower()
        base = os.path.join(ctx.entry, ctx.dir_rel)
        if not module or not any(os.path.exists(os.path.join(base, p)) for p in (
                module, os.path.join("src", module), f"{module}.py")):
            pyproject_rel = os.path.normpath(os.path.join(ctx.dir_rel, "pyproject.toml"))
            notes.append(f"{pyproject_rel}: Poetry project {name!r} has no "
                         f"package directory {module or '?'}/, so it is not installed as a "
                         "package (set [tool.poetry] package-mode = false to say so)")
            return False
    return True


def _unsupported_source(ctx: _Ctx, name: str, kind: str, where: object) -> str:
    return (f"{ctx.path}: {name} has source {kind} = {where!r}, which slim-lambda does not "
            "install from a lock yet: publish it to an index (bundling.index_url / "
            f"bundling.find_links), or use a requirements file with {_OPTION}")


def _project_dir(ctx: _Ctx) -> str:
    d = os.path.normpath(ctx.dir_rel)
    if d == ".." or d.startswith(".." + os.sep) or os.path.isabs(d):
        raise ctx.error(f"{_OPTION}: {ctx.path} belongs to a project outside the entry, which "
                        "is installed as a package but is not mounted into the build; move "
                        "the function's entry to the project's directory")
    return d


# -- requirements.txt --------------------------------------------------------------------------

_INCLUDE = re.compile(r"^(-r|--requirement|-c|--constraint)(\s|=|$)")
_EDITABLE = re.compile(r"^(-e|--editable)(\s|=)")
_HASH = re.compile(r"\s--hash[=\s]")


def _requirement_lines(text: str) -> list[str]:
    """Logical lines: continuations joined, comments and blank lines dropped."""
    lines, pending = [], ""
    for raw in text.splitlines():
        if raw.endswith("\\"):
            pending += raw[:-1] + " "
            continue
        line = re.sub(r"(^|\s)#.*$", "", pending + raw).strip()
        pending = ""
        if line:
            lines.append(re.sub(r"\s+", " ", line))
    if pending.strip():
        lines.append(re.sub(r"(^|\s)#.*$", "", pending).strip())
    return [x for x in lines if x]


def _read_requirements(ctx: _Ctx, selected: tuple[str, ...]) -> tuple[InstallPlan, _Summary]:
    if selected:
        raise ctx.error(f"{_GROUPS}: {ctx.path} is a requirements file, which has no groups "
                        f"or extras ({', '.join(selected)} selected); remove them, or name a "
                        f"lock file or pyproject.toml with {_OPTION}")
    try:
        with open(ctx.path, encoding="utf-8") as f:
            text = f.read()
    except (OSError, UnicodeDecodeError) as e:
        raise ctx.error(f"{ctx.path}: cannot be read ({e}); fix the file") from e
    lines = _requirement_lines(text)
    top: dict[str, str | None] = {}
    incomplete = ""
    hashed = includes = 0
    requirement_lines = 0
    for line in lines:
        if _INCLUDE.match(line):
            includes += 1
            incomplete = incomplete or f"{ctx.rel} includes other files ({line})"
            continue
        editable = _EDITABLE.match(line)
        if line.startswith("-") and not editable:
            continue
        requirement_lines += 1
        hashed += bool(_HASH.search(line))
        body = line[editable.end():] if editable else line
        body = re.split(r"\s--?[A-Za-z]", " " + body, maxsplit=1)[0].strip()
        egg = re.search(r"#egg=([A-Za-z0-9._-]+)", body)
        if editable and not egg:
            continue  # a local project, installed from the entry: nothing to compare
        req = _parse_req(egg.group(1) if egg else body)
        if req is not None:
            top[req.name] = None if egg else req.pin
        elif not re.match(r"^(\.|/|file:)", body):
            incomplete = incomplete or f"{ctx.rel} has a line slim-lambda does not compare: {body}"
    plan = InstallPlan(
        kind="requirements.txt", manifest=ctx.rel,
        requirements="".join(f"{x}\n" for x in lines),
        require_hashes=requirement_lines > 0 and hashed == requirement_lines and not includes,
        no_deps=False)
    return plan, _Summary(top=top, incomplete=incomplete)


# -- uv.lock -------------------------------------------------------------------------------------

def _read_uv(ctx: _Ctx, selected: tuple[str, ...]) -> tuple[InstallPlan, _Summary]:
    data = _load_toml(ctx.entry, ctx.rel, "re-create it with `uv lock`")
    _check_python(ctx, data.get("requires-python"), "requires-python",
                  "change requires-python in pyproject.toml and run `uv lock`")
    packages: list[dict[str, Any]] = data.get("package", [])
    by_name: dict[str, list[dict[str, Any]]] = {}
    for p in packages:
        by_name.setdefault(_normalize(p["name"]), []).append(p)
    roots = [p for p in packages
             if p.get("source", {}).get("editable") == "."
             or p.get("source", {}).get("virtual") == "."]
    if not roots:
        raise ctx.error(f"{ctx.path}: no package is the project itself (source editable = "
                        "\".\" or virtual = \".\"); run `uv lock` in the directory of the "
                        f"project's pyproject.toml, or name a requirements file with {_OPTION}")
    root = roots[0]
    root_key = (_normalize(root["name"]), str(root.get("version", "")))
    extras_avail = root.get("optional-dependencies", {})
    groups_avail = root.get("dev-dependencies", {})
    extras, groups, notes = _select(ctx, selected, extras=extras_avail, groups=groups_avail)
    _check_uv_fresh(ctx, root)

    def edge(d: Mapping[str, Any]) -> _Edge:
        return _Edge(_normalize(d["name"]), d.get("marker"),
                     tuple(_normalize(x) for x in d.get("extra", [])), d.get("version"))

    def resolve(e: _Edge) -> list[_Key]:
        found = [p for p in by_name.get(e.name, [])
                 if e.version is None or str(p.get("version")) == e.version]
        if not found:
            raise ctx.error(f"{ctx.path}: a dependency on {e.name} has no [[package]] entry; "
                            "the lock is damaged: re-create it with `uv lock`")
        return [(e.name, str(p.get("version", ""))) for p in found]

    def package(key: _Key) -> dict[str, Any]:
        return next(p for p in by_name[key[0]] if str(p.get("version", "")) == key[1])

    def edges_of(key: _Key, extra: str | None) -> list[_Edge]:
        p = package(key)
        deps = p.get("dependencies", []) if extra is None else {
            _normalize(k): v for k, v in p.get("optional-dependencies", {}).items()
        }.get(extra, [])
        return [edge(d) for d in deps]

    start = [edge(d) for d in root.get("dependencies", [])]
    start += [edge(d) for x in sorted(extras) for d in extras_avail[x]]
    start += [edge(d) for g in sorted(groups) for d in groups_avail[g]]
    reached = _walk(start, resolve, edges_of)

    pins, problems = [], []
    for key, conjs in reached.items():
        if key == root_key:
            continue
        p = package(key)
        source = p.get("source", {})
        if "registry" not in source:
            kind = next(iter(source), "unknown")
            problems.append(_unsupported_source(ctx, key[0], kind, source.get(kind)))
            continue
        files = [p.get("sdist", {}), *p.get("wheels", [])]
        hashes = sorted({str(f["hash"]) for f in files
                         if str(f.get("hash", "")).startswith(_STRONG_HASHES)})
        pins.append(_Pin(key[0], key[1], tuple(hashes), _render_marker(conjs)))
    if problems:
        raise ctx.error(*problems)

    project = None
    if root.get("source", {}).get("editable") == ".":
        project = _project_dir(ctx)
        notes.append(f"{ctx.rel}: the project {root['name']} is installed as a package "
                     "(after its locked dependencies, without resolving)")
    versions = {p.name: p.version for p in pins}
    top = {e.name: versions.get(e.name) for e in start[:len(root.get("dependencies", []))]}
    plan = _pins_plan(ctx, "uv.lock", pins, selected=selected, project=project, notes=notes)
    return plan, _lock_summary(top, pins)


def _check_uv_fresh(ctx: _Ctx, root: Mapping[str, Any]) -> None:
    """uv.lock against its pyproject.toml's [project].dependencies (names only)."""
    pyproject = os.path.join(ctx.entry, ctx.dir_rel, "pyproject.toml")
    locked = root.get("metadata", {}).get("requires-dist")
    if not os.path.isfile(pyproject) or locked is None:
        return
    project = _load_toml(ctx.entry, os.path.join(ctx.dir_rel, "pyproject.toml"),
                         "fix the file").get("project", {})
    if "dependencies" not in project:
        return
    declared = {r.name for r in map(_parse_req, project["dependencies"]) if r}
    in_lock = {_normalize(d["name"]) for d in locked
               if "extra ==" not in str(d.get("marker", "")).replace("extra==", "extra ==")}
    if declared != in_lock:
        diff = sorted(declared ^ in_lock)
        raise ctx.error(f"{ctx.path} is out of date with pyproject.toml ({', '.join(diff)} "
                        "differ in [project].dependencies): run `uv lock` and commit uv.lock")


# -- poetry.lock ---------------------------------------------------------------------------------

def _poetry_edges(name: str, value: Any) -> list[_Edge]:
    """Edges of a Poetry-style dependency (``"^1.0"``, a table, or a list of tables)."""
    out = []
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, str):
            out.append(_Edge(_normalize(name), None, (), None, item))
            continue
        markers = [m for m in (
            item.get("markers"),
            _python_marker(str(item["python"])) if "python" in item else None,
            f'sys_platform == "{item["platform"]}"' if "platform" in item else None) if m]
        marker = " and ".join(f"({m})" if " or " in m else m for m in markers) or None
        out.append(_Edge(_normalize(name), marker,
                         tuple(_normalize(x) for x in item.get("extras", [])), None,
                         str(item.get("version", "*"))))
    return out


def _req_edge(req: _Req) -> _Edge:
    return _Edge(req.name, req.marker, req.extras, None, req.spec or "*")


def _read_poetry(ctx: _Ctx, selected: tuple[str, ...]) -> tuple[InstallPlan, _Summary]:
    lock = _load_toml(ctx.entry, ctx.rel, "re-create it with `poetry lock`")
    pyproject_rel = os.path.join(ctx.dir_rel, "pyproject.toml")
    if not os.path.isfile(os.path.join(ctx.entry, pyproject_rel)):
        raise ctx.error(f"{ctx.path} has no pyproject.toml beside it, which says what the "
                        "lock's top-level dependencies are; keep both files in the entry")
    pyproject = _load_toml(ctx.entry, pyproject_rel, "fix the file")
    project = pyproject.get("project", {})
    poetry = pyproject.get("tool", {}).get("poetry", {})
    python = project.get("requires-python") or poetry.get("dependencies", {}).get("python")
    _check_python(ctx, python or lock.get("metadata", {}).get("python-versions"),
                  "the project's Python constraint",
                  "change it in pyproject.toml and run `poetry lock`")
    own_name = _normalize(str(project.get("name") or poetry.get("name") or ""))

    # top-level dependencies: main, extras, groups
    main: list[_Edge] = []
    extra_edges: dict[str, list[_Edge]] = {}
    optional: dict[str, list[_Edge]] = {}
    if "dependencies" in project:
        main = [_req_edge(r) for r in map(_parse_req, project["dependencies"]) if r]
        for extra, reqs in project.get("optional-dependencies", {}).items():
            extra_edges[extra] = [_req_edge(r) for r in map(_parse_req, reqs) if r]
    for name, value in poetry.get("dependencies", {}).items():
        if name == "python" or "dependencies" in project:
            continue
        is_optional = isinstance(value, dict) and value.get("optional")
        (optional.setdefault(_normalize(name), []) if is_optional else main).extend(
            _poetry_edges(name, value))
    for extra, names in poetry.get("extras", {}).items():
        extra_edges[extra] = [e for n in names for e in optional.get(_normalize(n), [])]
    group_edges: dict[str, list[_Edge]] = {}
    if poetry.get("dev-dependencies"):
        group_edges["dev"] = [e for n, v in poetry["dev-dependencies"].items()
                              for e in _poetry_edges(n, v)]
    for group, table in poetry.get("group", {}).items():
        group_edges.setdefault(group, []).extend(
            e for n, v in table.get("dependencies", {}).items() for e in _poetry_edges(n, v))
    extras, groups, notes = _select(ctx, selected, extras=extra_edges, groups=group_edges,
                                    normalize=False)

    # the locked packages
    by_name: dict[str, list[dict[str, Any]]] = {}
    for p in lock.get("package", []):
        by_name.setdefault(_normalize(p["name"]), []).append(p)
    metadata_files = {_normalize(k): v
                      for k, v in lock.get("metadata", {}).get("files", {}).items()}
    problems: list[str] = []

    def resolve(e: _Edge) -> list[_Key]:
        if e.name == own_name:
            return [("", "")]
        found = by_name.get(e.name, [])
        if not found:
            problems.append(f"{ctx.path} has no package {e.name}, which pyproject.toml or a "
                            "locked package requires: the lock is out of date; run "
                            "`poetry lock`")
            return []
        if len(found) > 1:
            found = [p for p in found if _satisfies(str(p["version"]), e.constraint or "*")]
            found = _pick_poetry_release(found, ctx.python_version)
        return [(e.name, str(p["version"])) for p in found]

    def package(key: _Key) -> dict[str, Any]:
        return next(p for p in by_name[key[0]] if str(p["version"]) == key[1])

    def edges_of(key: _Key, extra: str | None) -> list[_Edge]:
        if key == ("", ""):  # the project itself, named in a group with extras
            return [] if extra is None else [
                e for x, es in extra_edges.items() if _normalize(x) == extra for e in es]
        p = package(key)
        deps = p.get("dependencies", {})
        if extra is None:
            return [_Edge(e.name, _drop_extra(e.marker), e.extras, None, e.constraint)
                    for n, v in deps.items() if not _is_optional(v)
                    for e in _poetry_edges(n, v)]
        wanted = {_req_name(s) for x, names in p.get("extras", {}).items()
                  if _normalize(x) == extra for s in names}
        return [_Edge(e.name, _drop_extra(e.marker), e.extras, None, e.constraint)
                for n, v in deps.items() if _normalize(n) in wanted
                for e in _poetry_edges(n, v)]

    start = main + [e for x in sorted(extras) for e in extra_edges[x]]
    start += [e for g in sorted(groups) for e in group_edges[g]]
    reached = _walk(start, resolve, edges_of)
    pins = []
    for key, conjs in reached.items():
        if key == ("", ""):
            continue
        p = package(key)
        source_type = p.get("source", {}).get("type", "legacy")
        if source_type not in ("legacy", "pypi", "", None):
            problems.append(_unsupported_source(ctx, key[0], source_type,
                                                p["source"].get("url", "")))
            continue
        files = p.get("files") or metadata_files.get(key[0], [])
        hashes = sorted({str(f["hash"]) for f in files
                         if str(f.get("hash", "")).startswith(_STRONG_HASHES)})
        if len(by_name[key[0]]) > 1:  # one of several releases: its own markers pick it
            own = _poetry_package_marker(p, {"main", *groups})
            conjs = [c | _atoms(own) for c in conjs]
        pins.append(_Pin(key[0], key[1], tuple(hashes), _render_marker(conjs)))
    if problems:
        raise ctx.error(*dict.fromkeys(problems))
    project_dir = None
    if _is_package(ctx, pyproject, notes):
        project_dir = _project_dir(ctx)
        notes.append(f"{ctx.rel}: the project {own_name} is installed as a package "
                     "(after its locked dependencies, without resolving)")
    versions = {p.name: p.version for p in pins}
    top = {e.name: versions.get(e.name) for e in main}
    plan = _pins_plan(ctx, "poetry.lock", pins, selected=selected, project=project_dir,
                      notes=notes)
    return plan, _lock_summary(top, pins)


def _poetry_package_marker(package: Mapping[str, Any], groups: set[str]) -> str | None:
    """A Poetry 2 package's own markers for the groups installed (None: always)."""
    markers = package.get("markers")
    if isinstance(markers, str):
        return _drop_extra(markers)
    if not isinstance(markers, dict):
        return None
    mine = [_drop_extra(str(m)) for g, m in markers.items() if g in groups]
    if not mine or any(m is None for m in mine) or len(mine) < len(
            set(package.get("groups", [])) & groups):
        return None
    return " or ".join(f"({m})" for m in sorted({m for m in mine if m}))


def _req_name(text: str) -> str:
    req = _parse_req(text)
    return req.name if req else _normalize(text.split()[0])


def _is_optional(value: Any) -> bool:
    items = value if isinstance(value, list) else [value]
    return all(isinstance(i, dict) and i.get("optional") for i in items)


def _pick_poetry_release(found: list[dict[str, Any]], python_version: str) -> list[dict[str, Any]]:
    """Of several locked releases that meet a constraint, the ones for this Python: by
    their own markers (Poetry 2 locks), else the newest whose python-versions allows it."""
    if len(found) <= 1 or any("markers" in p for p in found):
        return found
    fits = [p for p in found if any(_satisfies(f"{python_version}.{m}",
                                               str(p.get("python-versions", "*")))
                                    for m in range(40))]
    return sorted(fits or found, key=lambda p: _version_key(str(p["version"])))[-1:]


# -- Pipfile.lock --------------------------------------------------------------------------------

def _read_pipfile(ctx: _Ctx, selected: tuple[str, ...]) -> tuple[InstallPlan, _Summary]:
    try:
        with open(ctx.path, encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, UnicodeDecodeError) as e:
        raise ctx.error(f"{ctx.path}: cannot be read ({e}); re-create it with `pipenv lock`") from e
    except json.JSONDecodeError as e:
        raise ctx.error(f"{ctx.path}: not valid JSON: {e.msg} (at line {e.lineno}, column "
                        f"{e.colno}); re-create it with `pipenv lock`") from e
    if not isinstance(data, dict) or not isinstance(data.get("default", {}), dict):
        raise ctx.error(f"{ctx.path}: not a Pipfile.lock (no \"default\" section); "
                        "re-create it with `pipenv lock`")
    sections = [k for k in data if k not in ("_meta", "default") and isinstance(data[k], dict)]
    _, groups, notes = _select(ctx, selected, extras=(), groups=sections, normalize=False,
                               aliases={"dev": "develop", "dev-packages": "develop"})
    wanted = ["default", *sorted(groups)]
    locked_python = data.get("_meta", {}).get("requires", {}).get("python_version")
    if locked_python and str(locked_python) != ctx.python_version:
        notes.append(f"{ctx.rel} was locked for Python {locked_python}; the runtime is "
                     f"python{ctx.python_version}")
    pins: dict[str, _Pin] = {}
    problems = []
    for section in wanted:
        for name, entry in sorted(data.get(section, {}).items()):
            key = _normalize(name)
            unsupported = [k for k in ("git", "path", "file", "editable") if entry.get(k)]
            version = str(entry.get("version", "")).lstrip("=")
            if unsupported or not version:
                what = (f"has {unsupported[0]} = {entry[unsupported[0]]!r}" if unsupported
                        else "has no pinned version")
                problems.append(
                    f"{ctx.path}: {name} ({section}) {what}, which slim-lambda does not "
                    "install from Pipfile.lock yet: "
                    f"export a requirements file (`pipenv requirements > requirements.txt`) "
                    f"and name it with {_OPTION}")
                continue
            if key in pins and not _same_version(pins[key].version, version):
                problems.append(f"{ctx.path}: {name} is {pins[key].version} in one section "
                                f"and {version} in {section}; re-create it with `pipenv lock`")
                continue
            hashes = tuple(sorted(str(h) for h in entry.get("hashes", [])
                                  if str(h).startswith(_STRONG_HASHES)))
            pins.setdefault(key, _Pin(key, version, hashes, entry.get("markers") or None))
    if problems:
        raise ctx.error(*problems)
    top = None
    pipfile = os.path.join(ctx.entry, ctx.dir_rel, "Pipfile")
    if os.path.isfile(pipfile):
        declared = _load_toml(ctx.entry, os.path.join(ctx.dir_rel, "Pipfile"), "fix the file")
        top = {_normalize(n): pins[_normalize(n)].version if _normalize(n) in pins else None
               for n in declared.get("packages", {})}
    default_pins = [pins[n] for n in map(_normalize, data.get("default", {})) if n in pins]
    plan = _pins_plan(ctx, "Pipfile.lock", list(pins.values()), selected=selected,
                      project=None, notes=notes)
    return plan, _lock_summary(top, default_pins)


# -- pyproject.toml without a lock ---------------------------------------------------------------

def _read_pyproject(ctx: _Ctx, selected: tuple[str, ...]) -> tuple[InstallPlan, _Summary]:
    data = _load_toml(ctx.entry, ctx.rel, "fix the file")
    project = data.get("project", {})
    if "dependencies" in project.get("dynamic", []):
        raise ctx.error(f"{ctx.path}: [project].dependencies is dynamic (computed by the build "
                        "backend), so slim-lambda cannot read it: list the dependencies in "
                        f"pyproject.toml, or name a requirements file with {_OPTION}")
    _check_python(ctx, project.get("requires-python"), "requires-python",
                  "change requires-python in pyproject.toml")
    own = _normalize(str(project.get("name", "")))
    optional: dict[str, list[str]] = project.get("optional-dependencies", {})
    dep_groups: dict[str, list[Any]] = data.get("dependency-groups", {})
    extras, groups, notes = _select(ctx, selected, extras=optional, groups=dep_groups)

    lines: list[str] = []
    seen_extras: set[str] = set()

    def add(reqs: Iterable[str]) -> None:
        for text in reqs:
            req = _parse_req(text)
            if req is not None and own and req.name == own:  # the project's own extras
                for x in req.extras:
                    if x not in seen_extras:
                        seen_extras.add(x)
                        add(v for k, vs in optional.items() if _normalize(k) == x for v in vs)
                continue
            lines.append(text.strip())

    def group(name: str, stack: tuple[str, ...] = ()) -> list[str]:
        if name in stack:
            raise ctx.error(f"{ctx.path}: [dependency-groups] {name} includes itself "
                            f"({' -> '.join((*stack, name))}); fix the include-group entries")
        table = {_normalize(k): v for k, v in dep_groups.items()}
        out = []
        for item in table.get(_normalize(name), []):
            if isinstance(item, dict) and "include-group" in item:
                out += group(str(item["include-group"]), (*stack, name))
            elif isinstance(item, str):
                out.append(item)
        return out

    add(project.get("dependencies", []))
    for x in sorted(extras):
        add(optional[x])
    for g in sorted(groups):
        add(group(g))
    unique = sorted(dict.fromkeys(lines), key=lambda s: (_req_name(s), s))
    project_dir = None
    if _is_package(ctx, data, notes):
        project_dir = _project_dir(ctx)
        notes.append(f"{ctx.rel}: the project {own or '.'} is installed as a package (after "
                     "the dependencies listed in it, without resolving again)")
    plan = InstallPlan(kind="pyproject.toml", manifest=ctx.rel,
                       requirements="".join(f"{x}\n" for x in unique), require_hashes=False,
                       no_deps=False, project=project_dir, groups=selected, notes=tuple(notes))
    reqs = [r for r in map(_parse_req, project.get("dependencies", [])) if r]
    return plan, _Summary(top={r.name: r.pin for r in reqs})


# -- comparing two manifests ---------------------------------------------------------------------

def _disagreements(a: str, sa: _Summary, b: str, sb: _Summary) -> list[str]:
    """Why manifests ``a`` and ``b`` would not install the same thing ([] if they agree)."""
    reasons: list[str] = []
    if sa.closure is not None and sb.closure is not None:
        for name in sorted(set(sa.closure) | set(sb.closure)):
            va, vb = sa.closure.get(name), sb.closure.get(name)
            if va is None or vb is None:
                has, lacks = (b, a) if va is None else (a, b)
                reasons.append(f"{has} locks {name}, {lacks} does not")
            elif sorted(va) != sorted(vb):
                reasons.append(f"{name} is {', '.join(sorted(va))} in {a} but "
                               f"{', '.join(sorted(vb))} in {b}")
        return reasons
    if sa.closure is not None or sb.closure is not None:
        (lock, ls), (other, os_) = ((a, sa), (b, sb)) if sa.closure is not None else (
            (b, sb), (a, sa))
        assert ls.closure is not None and os_.top is not None
        for name, pin in sorted(os_.top.items()):
            locked = ls.closure.get(name)
            if locked is None:
                reasons.append(f"{other} lists {name}, {lock} does not install it")
            elif pin is not None and not any(_same_version(pin, v) for v in locked):
                reasons.append(f"{name} is =={pin} in {other} but {', '.join(sorted(locked))} "
                               f"in {lock}")
        for name in sorted(set(ls.top or {}) - set(os_.top)):
            reasons.append(f"{lock} has {name}, {other} does not list it")
        return reasons
    # a requirements file and a pyproject.toml: the requirements file may pin more (a
    # compiled file lists the whole closure), but must have every dependency of the other
    ta, tb = sa.top or {}, sb.top or {}
    for name in sorted(set(tb) - set(ta)):
        reasons.append(f"{b} lists {name}, {a} does not")
    for name in sorted(set(ta) & set(tb)):
        pa, pb = ta[name], tb[name]
        if pa is not None and pb is not None and not _same_version(pa, pb):
            reasons.append(f"{name} is =={pa} in {a} but =={pb} in {b}")
    return reasons


_Reader = Callable[[_Ctx, tuple[str, ...]], tuple[InstallPlan, _Summary]]


def _guarded(reader: _Reader, fix: str) -> _Reader:
    """Lock files are machine-written; one with an unexpected shape is an error that names
    the file, not a traceback."""
    def read(ctx: _Ctx, selected: tuple[str, ...]) -> tuple[InstallPlan, _Summary]:
        try:
            return reader(ctx, selected)
        except (KeyError, TypeError, AttributeError, ValueError, StopIteration) as e:
            raise ctx.error(f"{ctx.path}: unexpected content ({type(e).__name__}: {e}); "
                            f"{fix}") from e
    return read


_READERS: dict[str, _Reader] = {
    "requirements.txt": _read_requirements,
    "uv.lock": _guarded(_read_uv, "re-create it with `uv lock`"),
    "poetry.lock": _guarded(_read_poetry, "re-create it with `poetry lock`"),
    "Pipfile.lock": _guarded(_read_pipfile, "re-create it with `pipenv lock`"),
    "pyproject.toml": _guarded(_read_pyproject, "fix [project] in pyproject.toml"),
}
