"""`slim-lambda build`'s option flags: one per field of BundlingOptions, SlimOptions and
SizeLimits, named after it, defaulting to the dataclass's own default, documented by the
field's docstring; the names the flags had before still work. Nothing here builds."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from slim_lambda import BundlingOptions, SizeLimits, SlimOptions
from slim_lambda.cli import _parser, main
from slim_lambda.cli_options import NAMES, field_docs, options_from_args

GROUPS: dict[str, type] = {"bundling": BundlingOptions, "slim": SlimOptions,
                           "size_limits": SizeLimits}
FIELDS = [(group, f) for group, cls in GROUPS.items() for f in dataclasses.fields(cls)]
BASE = ["build", "fn", "--runtime", "python3.11", "--out", "out"]


def parse(*argv: str) -> tuple[BundlingOptions, SlimOptions, SizeLimits]:
    return options_from_args(_parser().parse_args([*BASE, *argv]))


def default(f: dataclasses.Field[Any]) -> Any:
    return f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default


def flag(f: dataclasses.Field[Any]) -> str:
    return "--" + NAMES.get(f.name, f.name).replace("_", "-")


def other_value(f: dataclasses.Field[Any]) -> tuple[list[str], Any]:
    """Command-line words that set the field to a value that is not its default."""
    name, value = flag(f), default(f)
    if f.type == "bool":
        if f.name.startswith("no_"):
            assert value is False
            return [name], True
        return ([f"--no-{name[2:]}"], False) if value else ([name], True)
    if f.type in ("int", "int | None"):
        return [name, str((value or 100_000_000) + 1)], (value or 100_000_000) + 1
    if f.type in ("str", "str | None"):
        choice = {"mode": "docker", "bytecode": "none", "file_access": "copy",
                  "installer": "pip"}.get(
            f.name, "some-value")
        assert choice != value
        return [name, choice], choice
    if f.type == "tuple[str, ...]":
        return [name, "a/", name, "b/"], ("a/", "b/")
    if f.type == "Mapping[str, str]":
        return [name, "K=V", name, "EMPTY="], {"K": "V", "EMPTY": ""}
    raise AssertionError(f"{f.name}: no test value for a {f.type}; extend other_value()")


@pytest.mark.parametrize(("group", "field"), FIELDS, ids=[f.name for _g, f in FIELDS])
def test_every_option_field_has_a_flag(group: str, field: dataclasses.Field[Any]) -> None:
    words, value = other_value(field)
    options = dict(zip(GROUPS, parse(*words), strict=True))[group]
    assert getattr(options, field.name) == value
    assert options == dataclasses.replace(GROUPS[group](), **{field.name: value}), \
        "the flag sets its own field and no other"


def test_no_flag_leaves_every_dataclass_default() -> None:
    assert parse() == (BundlingOptions(), SlimOptions(), SizeLimits())


# a default the command line can spell (None and {} are the flag not given; --no-index
# only ever sets True)
SPELLED = [(g, f) for g, f in FIELDS if default(f) is not None and default(f) != {}
           and not f.name.startswith("no_")]


@pytest.mark.parametrize(("group", "field"), SPELLED, ids=[f.name for _g, f in SPELLED])
def test_a_flag_given_its_default_gives_the_dataclass_default(
        group: str, field: dataclasses.Field[Any]) -> None:
    value, name = default(field), flag(field)
    if isinstance(value, bool):
        words = [name] if value else [f"--no-{name[2:]}"]
    elif isinstance(value, tuple):
        words = [w for v in value for w in (name, v)] or [f"{name}="]
    else:
        words = [name, str(value)]
    options = dict(zip(GROUPS, parse(*words), strict=True))[group]
    assert getattr(options, field.name) == value


@pytest.mark.parametrize(("words", "group", "name", "value"), [
    (["--group", "ml", "--group", "fast"], "bundling", "groups", ("ml", "fast")),
    (["--extra-index-url", "https://x/simple"], "bundling", "extra_index_urls",
     ("https://x/simple",)),
    (["--no-cache"], "bundling", "cache", False),
    (["--no-index"], "bundling", "no_index", True),
    (["--timeout", "60"], "bundling", "timeout_seconds", 60),
    (["--pattern", "*.md"], "slim", "patterns", ("*.md",)),
    (["--disable-rule", "tests"], "slim", "disable_rules", ("tests",)),
    (["--no-slim"], "slim", "enabled", False),
    (["--no-strip"], "slim", "strip", False),
    (["--no-verify"], "slim", "verify", False),
    (["--strip-exclude", "numpy/"], "slim", "strip_exclude", ("numpy/",)),
    (["--unzipped-limit", "1000"], "size_limits", "unzipped_bytes", 1000),
    (["--zipped-limit", "2_000"], "size_limits", "zipped_bytes", 2000),
    (["--mode", "local", "--manifest", "uv.lock", "--image", "i:{arch}", "--exclude", "d/",
      "--find-links", "w", "--index-url", "u", "--ca-bundle", "c", "--network", "none",
      "--memory-bytes", "99", "--cache-dir", "d", "--keep", "k", "--replace-defaults",
      "--bytecode", "all", "--verify-skip", "m"], "bundling", "mode", "local"),
])
def test_the_names_flags_had_before_still_work(words: list[str], group: str, name: str,
                                               value: Any) -> None:
    options = dict(zip(GROUPS, parse(*words), strict=True))[group]
    assert getattr(options, name) == value


def test_list_flags_replace_the_default_and_an_empty_value_clears_it() -> None:
    _b, slim, _l = parse("--strip-exclude", "a/", "--strip-exclude", "b/")
    assert slim.strip_exclude == ("a/", "b/")
    bundling, slim, _l = parse("--pass-environment=", "--strip-exclude=")
    assert bundling.pass_environment == () and slim.strip_exclude == ()


def test_environment_needs_key_value(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        parse("--environment", "NOPE")
    assert info.value.code == 2
    assert "--environment: 'NOPE' is not KEY=VALUE" in capsys.readouterr().err


def test_help_is_each_fields_docstring(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["build", "--help"])
    out = capsys.readouterr().out
    squeezed = "".join(out.split())  # help is wrapped, at spaces and after hyphens
    for group, f in FIELDS:
        doc = field_docs(GROUPS[group]).get(f.name)
        assert doc, f"{GROUPS[group].__name__}.{f.name} has no docstring in options.py"
        assert f"{flag(f)} " in out or f"{flag(f)}," in out
        assert "".join(doc.split()) in squeezed, f.name
    assert "--pass-environment=givesnone" in squeezed


def test_docstrings_are_read_only_for_help() -> None:
    field_docs.cache_clear()
    parse("--slim-user-code")
    assert field_docs.cache_info().currsize == 0


def test_cache_prune_default_is_the_bundling_default() -> None:
    args = _parser().parse_args(["cache", "prune"])
    assert args.max_bytes == BundlingOptions().cache_max_bytes


def test_build_checks_the_options_the_flags_give(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["build", str(tmp_path / "missing"), "--runtime", "python3.11", "--out",
                 str(tmp_path / "out"), "--timeout-seconds", "0", "--memory-bytes", "10",
                 "--cache-max-bytes", "0"]) == 1
    err = capsys.readouterr().err
    assert "bundling.timeout_seconds must be positive" in err
    assert "bundling.memory_bytes: 10 is below 64 MiB" in err
    assert "bundling.cache_max_bytes must be positive" in err
    assert not (tmp_path / "out").exists()
