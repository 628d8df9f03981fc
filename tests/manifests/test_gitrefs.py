"""manifests/gitrefs.py: git requirements and their refs, read from the text only."""

from __future__ import annotations

from slim_lambda.manifests.gitrefs import git_requirements, pin

C = "0123456789abcdef0123456789abcdef01234567"


def test_every_form_pip_takes() -> None:
    found = git_requirements([
        "git+https://git.example/org/lib.git@v1.2#egg=lib",
        "-e git+ssh://git@git.example/org/tool.git",
        f"other @ git+https://ci:tok@git.example/org/other.git@{C} ; python_version>'3'",
        "git+git://127.0.0.1:9418/pkg.git@feature/x#egg=pkg&subdirectory=src",
        "requests==2.32.3",
    ])
    assert [(g.url, g.ref, g.fragment, g.commit) for g in found] == [
        ("https://git.example/org/lib.git", "v1.2", "#egg=lib", None),
        ("ssh://git@git.example/org/tool.git", None, "", None),
        ("https://ci:tok@git.example/org/other.git", C, "", C),
        ("git://127.0.0.1:9418/pkg.git", "feature/x", "#egg=pkg&subdirectory=src", None),
    ]
    assert pin(found[0], C) == f"git+https://git.example/org/lib.git@{C}#egg=lib"
    assert pin(found[1], C) == f"git+ssh://git@git.example/org/tool.git@{C}"
