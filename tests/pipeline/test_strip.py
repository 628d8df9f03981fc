"""strip.py removes debug info, leaves vendored libraries alone and never installs a bad copy."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest

from slim_lambda.pipeline import elf, strip
from slim_lambda.pipeline.errors import BuildError
from slim_lambda.pipeline.fsguard import Root
from tests.pipeline.helpers import (
    MACHINE,
    helper_lib,
    readelf_sections,
    run_python,
    snapshot,
    speedup_so,
)

REPO = Path(__file__).resolve().parents[2]


def _imports_and_adds(tree: Path) -> None:
    proc = run_python("-c", "import sys; sys.path.insert(0, sys.argv[1]); "
                      "import slimfix_cext; print(slimfix_cext.add(2, 3))", str(tree))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "5"


def _fake_strip(tmp_path: Path, body: str) -> str:
    """An executable standing in for binutils' strip (the seam strip_tree offers)."""
    script = tmp_path / "fake-strip"
    script.write_text(f"#!{sys.executable}\nimport subprocess, sys\n"
                      f"sys.path.insert(0, {str(REPO)!r})\n{body}")
    script.chmod(0o755)
    return str(script)


def test_strips_debug_info_and_leaves_vendored_libraries(installed_tree: Path) -> None:
    so, lib = speedup_so(installed_tree), helper_lib(installed_tree)
    so_rel = so.relative_to(installed_tree).as_posix()
    lib_before = lib.read_bytes()
    size_before = so.stat().st_size
    mode_before = stat.S_IMODE(so.stat().st_mode)

    result = strip.strip_tree(str(installed_tree))

    assert result.available
    assert [rel for rel, _b, _a in result.stripped] == [so_rel]
    (_rel, before, after), = result.stripped
    assert before == size_before and after == so.stat().st_size < size_before
    assert result.saved_bytes == before - after
    assert result.changed == {so_rel}
    assert not any(s.startswith(".debug_") for s in readelf_sections(so))
    info = elf.read_elf(str(so))
    assert info is not None and not info.has_debug_info and not info.has_symbols
    assert stat.S_IMODE(so.stat().st_mode) == mode_before

    assert lib.read_bytes() == lib_before
    assert ("slimfix_cext.libs/libslimfixhelper.so",
            "excluded by slim.strip_exclude") in result.skipped
    assert result.machines == {MACHINE: 2}
    assert not [p for p in snapshot(installed_tree) if p.endswith(".slim-strip")]
    _imports_and_adds(installed_tree)

    again = strip.strip_tree(str(installed_tree))
    assert again.stripped == [] and again.already_stripped == 1


def test_vendored_libraries_are_stripped_when_not_excluded(installed_tree: Path) -> None:
    lib = helper_lib(installed_tree)
    result = strip.strip_tree(str(installed_tree), exclude=())
    assert {rel for rel, _b, _a in result.stripped} == {
        speedup_so(installed_tree).relative_to(installed_tree).as_posix(),
        "slimfix_cext.libs/libslimfixhelper.so"}
    assert not any(s.startswith(".debug_") for s in readelf_sections(lib))
    _imports_and_adds(installed_tree)


def test_a_stripped_copy_the_loader_would_refuse_is_not_installed(
        installed_tree: Path, tmp_path: Path) -> None:
    so = speedup_so(installed_tree)
    original = so.read_bytes()
    broken_strip = _fake_strip(tmp_path, (
        "from tests.pipeline.helpers import break_load_alignment\n"
        "from pathlib import Path\n"
        "subprocess.run(['strip', *sys.argv[1:]], check=True)\n"
        "break_load_alignment(Path(sys.argv[sys.argv.index('-o') + 1]))\n"))

    result = strip.strip_tree(str(installed_tree), strip_cmd=broken_strip)

    assert result.stripped == []
    reasons = dict(result.skipped)
    reason = reasons[so.relative_to(installed_tree).as_posix()]
    assert reason.startswith("stripping would break it: ")
    assert "not congruent" in reason
    assert so.read_bytes() == original
    assert not [p for p in snapshot(installed_tree) if p.endswith(".slim-strip")]
    _imports_and_adds(installed_tree)


def test_a_failing_strip_leaves_the_file(installed_tree: Path, tmp_path: Path) -> None:
    so = speedup_so(installed_tree)
    original = so.read_bytes()
    failing = _fake_strip(tmp_path, "sys.stderr.write('strip: unknown format'); sys.exit(1)\n")
    result = strip.strip_tree(str(installed_tree), strip_cmd=failing)
    assert dict(result.skipped)[so.relative_to(installed_tree).as_posix()] == (
        "strip failed: strip: unknown format")
    assert so.read_bytes() == original


def test_no_strip_command(installed_tree: Path) -> None:
    so = speedup_so(installed_tree)
    original = so.read_bytes()
    result = strip.strip_tree(str(installed_tree), strip_cmd="slim-lambda-no-such-strip")
    assert not result.available
    assert dict(result.skipped)[so.relative_to(installed_tree).as_posix()] == (
        "no 'slim-lambda-no-such-strip' in the build image")
    assert so.read_bytes() == original


def test_files_reached_through_symlinks_outside_the_root_are_not_touched(
        installed_tree: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    target = outside / "_outside.so"
    target.write_bytes(speedup_so(installed_tree).read_bytes())
    original = target.read_bytes()
    (installed_tree / "linked_dir").symlink_to(outside, target_is_directory=True)
    (installed_tree / "linked_file.so").symlink_to(target)

    result = strip.strip_tree(str(installed_tree))

    assert target.read_bytes() == original
    assert all(not rel.startswith("linked") for rel, _b, _a in result.stripped)
    # the one function that replaces files refuses a path that leaves the root
    with pytest.raises(BuildError, match="resolves outside"):
        strip._strip_one(Root(str(installed_tree)), "linked_dir/_outside.so", "strip")
    assert target.read_bytes() == original
    assert os.path.islink(installed_tree / "linked_file.so")
