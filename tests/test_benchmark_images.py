"""The benchmark's image section (benchmarks/images.py), rendered from numbers made here."""

from __future__ import annotations

from typing import Any

from benchmarks import images


def _image(size: int, runs: bool = True) -> dict[str, Any]:
    return {"bytes": size, "added_bytes": size - 200_000_000, "handler_runs": runs,
            "handler_error": "" if runs else "ImportError: no pyarrow",
            "invoke_s": 2.5 if runs else None, "answer": None}


def test_the_section_compares_both_images_with_and_without_the_base() -> None:
    result = {"base_image": "base:3.11", "base_bytes": 200_000_000, "synth_s": 312.4,
              "bundle_unzipped_bytes": 600_000_000, "bundle_files": 9000,
              "images": {"slim": _image(800_000_000), "plain": _image(1_200_000_000, False)}}
    lines = images.render(result)
    assert lines[0].endswith("FROM base:3.11 (200.0 MB)")
    assert "slim bundle 600.0 MB unzipped, 9000 files" in lines[1]
    slim = next(line for line in lines if "SlimPythonImageFunction" in line)
    assert slim.split()[1:] == ["800.0", "600.0", "runs", "2.50"]
    plain = next(line for line in lines if "plain pip install" in line)
    assert plain.split()[3:] == ["1200.0", "1000.0", "FAILS", "-"]
    assert "    handler error: ImportError: no pyarrow" in lines
    ratio = next(line for line in lines if "slim / plain" in line)
    assert ratio.split()[3:] == ["0.67", "0.60"]
