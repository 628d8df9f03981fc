"""inputs.py names everything a requirements file makes pip read besides itself."""

from __future__ import annotations

from pathlib import Path

from slim_lambda.manifests.inputs import Input, requirement_inputs


def _entry(tmp_path: Path, text: str, *files: str) -> Path:
    entry = tmp_path / "entry"
    entry.mkdir()
    (entry / "requirements.txt").write_text(text)
    for rel in files:
        path = entry / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if rel.endswith("/"):
            path.mkdir(exist_ok=True)
        else:
            path.write_text("x\n")
    return entry


def test_every_local_form_is_found_in_order(tmp_path: Path) -> None:
    entry = _entry(tmp_path, "\n".join([
        "-rbase.txt", "--constraint=pins.txt", "-f ./wheels", "-e ./libs/pkg",
        "./dist/a-1.0-py3-none-any.whl ; python_version >= '3.8'",
        f"b @ file://{tmp_path}/entry/dist/b-1.0.tar.gz", "requests==2.32.3 --hash=sha256:ab",
        "--index-url https://u:p@idx.example/simple", "-e git+https://g.example/x.git#egg=x",
    ]) + "\n", "base.txt", "pins.txt", "wheels/", "libs/pkg/", "dist/a-1.0-py3-none-any.whl",
        "dist/b-1.0.tar.gz")
    found = requirement_inputs(str(entry), "requirements.txt")
    assert found.problems == ()
    assert found.inputs == (
        Input("requirements", str(entry / "base.txt")),
        Input("requirements", str(entry / "pins.txt")),
        Input("links", str(entry / "wheels")), Input("tree", str(entry / "libs/pkg")),
        Input("file", str(entry / "dist/a-1.0-py3-none-any.whl")),
        Input("file", str(entry / "dist/b-1.0.tar.gz")))


def test_includes_resolve_next_to_the_including_file_and_cycles_end(tmp_path: Path) -> None:
    entry = _entry(tmp_path, "-r reqs/base.txt\n", "reqs/")
    (entry / "reqs" / "base.txt").write_text("-r ../requirements.txt\n-c pins.txt\n")
    (entry / "reqs" / "pins.txt").write_text("x==1\n")
    found = requirement_inputs(str(entry), "requirements.txt")
    assert [i.path for i in found.inputs] == [str(entry / "reqs/base.txt"),
                                              str(entry / "reqs/pins.txt")]


def test_problems_name_the_file_the_line_and_the_fix(tmp_path: Path) -> None:
    (tmp_path / "outside.whl").write_text("x")
    entry = _entry(tmp_path, "boto3\n-c nope.txt\n../outside.whl\n"
                             "-r https://u:secret@example.com/r.txt\n")
    problems = requirement_inputs(str(entry), "requirements.txt").problems
    path = entry / "requirements.txt"
    assert problems[0].startswith(f"{path} line 2: -c nope.txt: ")
    assert "does not exist" in problems[0]
    assert problems[1].startswith(f"{path} line 4: ") and "cannot be hashed" in problems[1]
    assert "secret" not in problems[1] and len(problems) == 2
    # outside the entry is fine: a monorepo's wheel, mounted for the build
    found = requirement_inputs(str(entry), "requirements.txt")
    assert Input("file", str(tmp_path / "outside.whl")) in found.inputs


def test_an_include_that_is_a_directory_is_a_problem(tmp_path: Path) -> None:
    entry = _entry(tmp_path, "-r reqs\n", "reqs/")
    problems = requirement_inputs(str(entry), "requirements.txt").problems
    assert len(problems) == 1 and "line 1: -r reqs: " in problems[0]
    assert "cannot be read" in problems[0]


def test_extras_and_fragments_are_not_part_of_the_path(tmp_path: Path) -> None:
    entry = _entry(tmp_path, "-e ./libs/pkg[fast]\n./dist/a.whl#egg=a\n-e dist/b.zip\n",
                   "libs/pkg/", "dist/a.whl", "dist/b.zip")
    found = requirement_inputs(str(entry), "requirements.txt")
    assert found.problems == ()
    assert found.inputs == (Input("tree", str(entry / "libs/pkg")),
                            Input("file", str(entry / "dist/a.whl")),
                            Input("file", str(entry / "dist/b.zip")))
