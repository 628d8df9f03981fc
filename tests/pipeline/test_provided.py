"""provided.py and provided_step.py: what the runtime provides is left out with what only
it requires; verify can still import it; versions the runtime ships differently warn."""

from __future__ import annotations

from pathlib import Path

from slim_lambda.pipeline.distinfo import Distribution, find_distributions
from slim_lambda.pipeline.provided import plan_provided, requirements, runtime_versions
from slim_lambda.pipeline.provided_step import remove_provided

SDK = {"boto3": {"botocore", "jmespath", "s3transfer"},
       "botocore": {"jmespath", "python-dateutil", "urllib3"},
       "s3transfer": {"botocore"}, "python-dateutil": {"six"}, "jmespath": set(),
       "six": set(), "urllib3": set(), "requests": {"urllib3", "idna"}, "idna": set(),
       "numpy": set()}


def _dists(names: dict[str, set[str]]) -> list[Distribution]:
    return [Distribution(name=n, version="1.0", dist_info=f"{n}-1.0.dist-info")
            for n in names]


def _removed(given: list[str], installed: dict[str, set[str]],
             runtime: dict[str, str] | None = None) -> list[str]:
    plan = plan_provided(_dists(installed), installed, given, runtime or {})
    return [d.name for d in plan.remove]


def test_requirements_skip_extras_and_stop_at_the_body() -> None:
    text = ("Metadata-Version: 2.1\nName: botocore\nRequires-Dist: jmespath<2.0.0,>=0.7.1\n"
            "Requires-Dist: python_dateutil (<3.0.0,>=2.1)\n"
            "Requires-Dist: urllib3<1.27,>=1.25.4; python_version < \"3.10\"\n"
            "Requires-Dist: awscrt==0.21.2; extra == \"crt\"\n\nRequires-Dist: body\n")
    assert requirements(text) == {"jmespath", "python-dateutil", "urllib3"}


def test_requirements_read_past_a_whitespace_only_continuation_line() -> None:
    text = ("Metadata-Version: 2.1\nName: scipy\nLicense: Copyright\n         \n"
            "         All rights reserved.\nRequires-Dist: numpy<2.6,>=1.25.2\n\nbody\n")
    assert requirements(text) == {"numpy"}


def test_what_only_removed_ones_require_goes_too() -> None:
    # urllib3 stays: requests needs it; six goes with python-dateutil
    assert _removed(["boto3"], SDK) == ["boto3", "botocore", "jmespath", "python-dateutil",
                                        "s3transfer", "six"]
    assert _removed(["Boto3"], {k: v for k, v in SDK.items() if k != "requests"}) == [
        "boto3", "botocore", "jmespath", "python-dateutil", "s3transfer", "six", "urllib3"]


def test_the_runtime_preset_is_what_the_image_holds_else_the_sdk() -> None:
    installed = {"botocore": set(), "numpy": set(), "six": set()}
    assert _removed(["runtime"], installed, {"botocore": "1.34.1"}) == ["botocore"]
    assert _removed(["runtime"], installed) == ["botocore", "six"]


def test_a_name_not_installed_is_reported_missing_not_an_error() -> None:
    plan = plan_provided(_dists({"numpy": set()}), {"numpy": set()}, ["boto3", "runtime"], {})
    assert plan.remove == () and plan.missing == ("boto3",)


def _install(root: Path, name: str, version: str, requires: tuple[str, ...] = ()) -> None:
    info = root / f"{name}-{version}.dist-info"
    info.mkdir(parents=True)
    (root / name).mkdir()
    (root / name / "__init__.py").write_text(f"VERSION = {version!r}\n")
    lines = "".join(f"Requires-Dist: {r}\n" for r in requires)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
                                   f"{lines}\n")
    (info / "RECORD").write_text(f"{name}/__init__.py,,\n{info.name}/METADATA,,\n"
                                 f"{info.name}/RECORD,,\n")


def test_removed_files_are_held_for_verify_and_versions_compared(tmp_path: Path) -> None:
    tree, runtime, held = tmp_path / "tree", tmp_path / "runtime", tmp_path / "held"
    _install(tree, "botox", "2.0", ("corelib",))
    _install(tree, "corelib", "2.0")
    _install(tree, "app", "1.0")
    _install(runtime, "botox", "1.5")
    lines: list[str] = []
    done = remove_provided(str(tree), find_distributions(str(tree)), ("botox", "nothere"),
                           str(held), lines.append, runtime_dir=str(runtime))
    assert sorted(p.name for p in tree.iterdir()) == ["app", "app-1.0.dist-info"]
    assert (held / "botox/__init__.py").is_file() and (held / "corelib/__init__.py").is_file()
    assert [(p["name"], p["version"], p["runtime_version"], p["top_level"])
            for p in done.removed] == [("botox", "2.0", "1.5", ["botox"]),
                                       ("corelib", "2.0", None, ["corelib"])]
    assert done.removed[0]["bytes"] > 0 and done.removed[0]["files"] == 3
    assert done.import_path == str(runtime)  # the runtime's copy is what Lambda imports
    assert done.warnings == [
        "provided: nothere is not installed, so there is nothing to leave out for it; remove "
        "it from bundling.provided",
        "provided: botox 2.0 was resolved, but the runtime ships 1.5, which is what Lambda "
        "imports; pin botox==1.5 to build and verify against the same version, or bundle it "
        "(drop it from bundling.provided)"]
    assert runtime_versions(str(runtime)) == {"botox": "1.5"}


def test_without_a_runtime_directory_verify_imports_the_held_copies(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    _install(tree, "botox", "2.0")
    done = remove_provided(str(tree), find_distributions(str(tree)), ("runtime", "botox"),
                           str(tmp_path / "held"), print,
                           runtime_dir=str(tmp_path / "no-runtime"))
    assert done.import_path == str(tmp_path / "held") and done.warnings == []
    assert [p["runtime_version"] for p in done.removed] == [None]


def test_a_version_given_with_the_name_is_what_the_provider_has(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    _install(tree, "powertools", "3.0")
    done = remove_provided(str(tree), find_distributions(str(tree)), ("powertools==2.9",),
                           str(tmp_path / "held"), print,
                           runtime_dir=str(tmp_path / "no-runtime"))
    assert [(p["name"], p["runtime_version"]) for p in done.removed] == [("powertools", "2.9")]
    assert done.warnings == [
        "provided: powertools 3.0 was resolved, but its provider (a layer) has 2.9, which is "
        "what Lambda imports; pin powertools==2.9 to build and verify against the same "
        "version, or bundle it (drop it from bundling.provided)"]
