"""The HTML report: built from real bundles, rendered by a real headless Chromium.

Chromium (Debian's ``chromium``) is required on CI and skipped without it locally.
Each browser test prints the path of its screenshot, to be looked at.
"""

from __future__ import annotations

import fnmatch
import html
import importlib.metadata
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import zipfile
import zlib
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

import slim_lambda.report
from slim_lambda.cli import main
from slim_lambda.report.html import render_html, static_text, write_html
from slim_lambda.report.load import load_report

from .browser import assert_not_blank, colour_counts, dump_dom, find_chromium, screenshot

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]

# real distributions of this interpreter (slim-lambda's own dependencies) that make a
# bundle with a few packages of different sizes, bytecode and a shared object or two
REAL_DISTRIBUTIONS = ("docker", "pathspec", "requests", "urllib3", "idna", "certifi",
                      "charset-normalizer", "typeguard", "attrs", "cattrs", "python-dateutil")


@pytest.fixture(scope="session")
def chromium() -> str:
    found = find_chromium()
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("the HTML report must be checked in a browser on CI: install Debian's "
                        "chromium (scripts/dev-env.sh does)")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    return found


def test_png_decoder_knows_a_blank_image(tmp_path: Path) -> None:
    """The check above must fail on a blank image: a one-colour PNG, written here."""
    width, height = 64, 16
    raw = b"".join(b"\x00" + b"\xff\xff\xff" * width for _ in range(height))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body)))

    png = tmp_path / "blank.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw))
                    + chunk(b"IEND", b""))
    _w, _h, counts = colour_counts(png)
    assert counts == Counter({b"\xff\xff\xff": width * height})


# -- bundles ---------------------------------------------------------------------------

@pytest.fixture(scope="session")
def real_bundle(tmp_path_factory: pytest.TempPathFactory, wheels: Path) -> Path:
    """The fixture wheels installed by pip, plus real distributions copied from this
    interpreter's site-packages (files listed in their RECORD, bytecode included)."""
    root = tmp_path_factory.mktemp("bundle") / "bundle"
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-index", "--find-links", str(wheels),
         "--target", str(root), "--disable-pip-version-check", "slimfix-pure", "slimfix-cext"],
        capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    copied = []
    for name in REAL_DISTRIBUTIONS:
        try:
            dist = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            continue
        for file in dist.files or []:
            src = Path(str(dist.locate_file(file)))
            if file.parts[0] == ".." or not src.is_file():
                continue
            dest = root / file
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dest)
        copied.append(name)
    # slim-lambda's own runtime dependencies are always here
    assert {"docker", "pathspec"} <= set(copied), copied
    (root / "index.py").write_text("import docker\n\ndef handler(event, context):\n    return 1\n")
    return root


def tree_packages(dom: str) -> set[str]:
    return {html.unescape(p) for p in re.findall(r'<g class="tm-node[^"]*"[^>]*?'
                                                 r'data-package="([^"]+)"', dom)}


def test_report_of_a_directory_renders_in_chromium(
        tmp_path: Path, real_bundle: Path, chromium: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    page = tmp_path / "report.html"
    assert main(["report", str(real_bundle), "--html", str(page)]) == 0
    assert "wrote" in capsys.readouterr().err
    text = page.read_text()
    assert "http://" not in text.replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in text  # nothing fetched: one self-contained file

    dom = dump_dom(chromium, tmp_path, page.as_uri())
    rects = re.findall(r'<rect class="tm-rect"', dom)
    assert len(rects) > 30, "the treemap was not drawn"
    packages = tree_packages(dom)
    assert {"docker", "pathspec", "slimfix-pure", "slimfix-cext"} <= packages
    # by package: each package is a labelled box of its own
    tops = re.findall(r'<g class="tm-node[^"]*" data-name="([^"]+)"[^>]*data-kind="package"',
                      dom)
    assert "docker" in tops and "(your code)" not in tops  # index.py is no package's...
    assert "(no package)" in tops                          # ...and nothing says it is yours
    labels = re.findall(r'<text class="tm-head-label"[^>]*>([^<]+)</text>', dom)
    assert any(label.startswith("docker ") for label in labels), labels

    with capsys.disabled():
        png = screenshot(chromium, tmp_path, page.as_uri(), tmp_path / "report.png")
    assert_not_blank(png)


def test_directory_view_in_chromium(tmp_path: Path, real_bundle: Path, chromium: str) -> None:
    page = tmp_path / "report.html"
    assert main(["report", str(real_bundle), "--json", "--html", str(page)]) == 0
    dom = dump_dom(chromium, tmp_path, page.as_uri() + "#view=directory")
    assert re.search(r'<button[^>]*data-view="directory"[^>]*class="on"', dom)
    paths = set(re.findall(r'data-path="([^"]+)"', dom))
    assert {"docker", "slimfix_cext.libs", "pathspec"} <= paths
    assert any(p.startswith("docker/") for p in paths)  # directories open inside
    assert 'data-kind="package"' not in dom

    dom = dump_dom(chromium, tmp_path, page.as_uri() + "#view=directory&zoom=docker")
    paths = set(re.findall(r'data-path="([^"]+)"', dom))
    assert len(paths) > 10 and all(p.startswith("docker/") for p in paths), paths
    crumbs = re.search(r'<nav class="crumbs" id="crumbs-0">(.*?)</nav>', dom)
    assert crumbs is not None and re.search(r"<a>[^<]+</a>\s*›\s*<span>docker ", crumbs[1])


def test_report_of_a_zip_and_of_a_saved_json_report(
        tmp_path: Path, real_bundle: Path, chromium: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    archive = tmp_path / "bundle.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for p in sorted(real_bundle.rglob("*")):
            if p.is_file():
                zf.write(p, p.relative_to(real_bundle).as_posix())
    assert main(["report", str(archive), "--json", "--html", str(tmp_path / "zip.html")]) == 0
    saved = json.loads(capsys.readouterr().out)
    assert saved["tree"]["bytes"] == saved["unzipped_bytes"]
    (tmp_path / "saved.json").write_text(json.dumps(saved))
    assert main(["report", str(tmp_path / "saved.json"), "--html",
                 str(tmp_path / "saved.html")]) == 0
    for page in ("zip.html", "saved.html"):
        dom = dump_dom(chromium, tmp_path, (tmp_path / page).as_uri())
        assert {"docker", "slimfix-cext"} <= tree_packages(dom), page


def test_cdk_out_with_a_function_and_its_layer(
        tmp_path: Path, real_bundle: Path, chromium: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Saved reports without a tree: the tree comes from the asset beside each report."""
    out = tmp_path / "cdk.out"
    out.mkdir()
    (out / "manifest.json").write_text("{}")
    layer_asset = out / "asset.layer"
    shutil.copytree(real_bundle, layer_asset / "python")
    fn_asset = out / "asset.fn"
    fn_asset.mkdir()
    (fn_asset / "index.py").write_text("def handler(e, c):\n    return 1\n")
    layer_bytes = sum(p.stat().st_size for p in layer_asset.rglob("*") if p.is_file())
    fn = {"label": "App/Fn", "labels": {"function": "App/Fn"}, "runtime": "python3.11",
          "architecture": "x86_64", "unzipped_bytes": 33, "zipped_bytes": 200,
          "installed_bytes": 33, "removed_bytes": 0, "removed_by_rule": [], "packages": [],
          "user_code_bytes": 33, "combined_unzipped_bytes": 33 + layer_bytes,
          "layers": [{"label": "App/Deps", "unzipped_bytes": layer_bytes, "zipped_bytes": None,
                      "declared": False, "size_known": True,
                      "packages": [{"name": "docker", "version": "7"}]},
                     {"label": "arn:aws:lambda:us-east-1:1:layer:x:1", "unzipped_bytes": 0,
                      "declared": False, "size_known": False, "packages": []}],
          "deduplicated": [{"name": "docker", "version": "7"}],
          "limits": {"unzipped_bytes": 262144000, "zipped_bytes": 52428800, "ok": True},
          "warnings": ["layer arn:aws:lambda:us-east-1:1:layer:x:1: size unknown"]}
    layer = {"label": "App/Deps", "labels": {"function": "App/Deps"}, "prefix": "python/",
             "runtime": "python3.11", "architecture": "x86_64", "unzipped_bytes": layer_bytes,
             "zipped_bytes": 1000, "packages": [{"name": "docker", "version": "7", "bytes": 5,
                                                 "files": 1}],
             "limits": {"unzipped_bytes": 262144000, "zipped_bytes": 52428800, "ok": True}}
    (out / "asset.fn.slim-report.json").write_text(json.dumps(fn))
    (out / "asset.layer.slim-report.json").write_text(json.dumps(layer))
    page = tmp_path / "cdk.html"
    assert main(["report", str(out), "--html", str(page)]) == 0
    text_report = capsys.readouterr().out
    assert "function plus layers" in text_report and "size unknown" in text_report

    dom = dump_dom(chromium, tmp_path, page.as_uri())
    assert dom.count('<section class="report"') == 2
    assert "Function plus layers" in dom and "App/Deps" in dom
    assert "size unknown, not counted" in dom
    assert "Provided by a layer, not bundled again: docker 7" in dom
    layer_section = dom[dom.index('id="report-1"'):]
    assert {"docker", "slimfix-pure"} <= tree_packages(layer_section)
    with capsys.disabled():
        png = screenshot(chromium, tmp_path, page.as_uri(), tmp_path / "cdk.png")
    assert_not_blank(png)


# -- the page itself, without a browser -------------------------------------------------

def test_names_cannot_break_out_of_the_page(tmp_path: Path) -> None:
    evil = '</script><script>alert(1)</script><b x="'
    report: dict[str, Any] = {
        "label": evil, "unzipped_bytes": 100, "zipped_bytes": 50,
        "packages": [{"name": evil, "version": evil, "bytes": 60, "files": 1}],
        "warnings": [evil],
        "tree": {"name": "", "kind": "dir", "bytes": 100, "files": 2, "children": [
            {"name": evil, "kind": "file", "bytes": 60, "files": 1, "package": evil},
            {"name": "x", "kind": "file", "bytes": 40, "files": 1}]}}
    page = tmp_path / "evil.html"
    write_html([load_report(report, "evil.json")], str(page))
    text = page.read_text()
    assert text.count("<script") == 2 and text.count("</script>") == 2
    assert "<b x=" not in text
    data = re.search(r'<script type="application/json" id="slim-data">(.*?)</script>', text,
                     re.DOTALL)
    assert data is not None
    assert json.loads(data.group(1))[0]["views"]["directory"]["children"][0]["name"] == evil


def test_a_report_without_a_tree_shows_its_packages() -> None:
    report = {"label": "F", "unzipped_bytes": 100,
              "packages": [{"name": "a", "version": "1", "bytes": 70, "files": 3}],
              "user_code_bytes": 30}
    text = render_html([load_report(report, "f.json")])
    assert "treemap shows packages only" in text and 'data-view="directory"' not in text
    data = json.loads(re.findall(r'id="slim-data">(.*?)</script>', text)[0])
    names = [c["name"] for c in data[0]["views"]["package"]["children"]]
    assert names == ["a", "(your code)"]


def test_no_reports() -> None:
    with pytest.raises(ValueError, match="no reports"):
        render_html([])


def test_the_styles_and_the_script_are_inlined() -> None:
    text = render_html([load_report({"unzipped_bytes": 1}, "one.json")])
    css, js = static_text("report.css"), static_text("report.js")
    assert f"<style>\n{css}</style>" in text and f"<script>\n{js}</script>" in text
    assert ".treemap svg" in css and "function Treemap(data)" in js
    assert text.count("<style") == 1 and text.count("<script") == 2


# -- what `slim-lambda report` says about paths it cannot read --------------------------

def test_a_file_that_is_neither_zip_nor_report(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("hello")
    assert main(["report", str(notes)]) == 1
    err = capsys.readouterr().err
    assert f"{notes} is not a zip file" in err and "JSON report ending in .json" in err
    other = tmp_path / "package.json"
    other.write_text('{"name": "x"}')
    assert main(["report", str(other), "--html", str(tmp_path / "x.html")]) == 1
    assert f"{other} is not a slim-lambda report" in capsys.readouterr().err
    assert not (tmp_path / "x.html").exists()
    broken = tmp_path / "broken.json"
    broken.write_text("{")
    assert main(["report", str(broken)]) == 1
    assert f"cannot read the JSON report {broken}" in capsys.readouterr().err


def test_a_saved_report_over_the_limit_exits_1_and_still_writes_the_page(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    saved = tmp_path / "model.json"
    saved.write_text(json.dumps({
        "label": "Model", "unzipped_bytes": 300_000_000, "zipped_bytes": 90_000_000,
        "packages": [{"name": "torch", "version": "2", "bytes": 290_000_000, "files": 9}],
        "limits": {"unzipped_bytes": 262_144_000, "zipped_bytes": 52_428_800, "ok": False}}))
    page = tmp_path / "model.html"
    assert main(["report", str(saved), "--html", str(page)]) == 1
    assert "OVER by" in capsys.readouterr().out
    text = page.read_text()
    assert "over the limit" in text and "over by 36.1 MiB" in text


def test_the_static_files_are_package_data() -> None:
    """A wheel without them would render a page without styles or treemap."""
    config = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["package-data"]["slim_lambda"]
    static = Path(slim_lambda.report.__file__).parent / "static"
    files = [f"report/static/{p.name}" for p in static.iterdir()]
    assert files and all(any(fnmatch.fnmatch(f, pat) for pat in patterns) for f in files)
