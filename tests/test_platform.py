from __future__ import annotations

import pytest

from slim_lambda.platform import ARCHITECTURES, DEFAULT_IMAGE, RUNTIMES, image_for, manylinux_tags


def test_every_runtime_and_architecture_has_a_default_image() -> None:
    for runtime in RUNTIMES:
        for arch in ARCHITECTURES:
            image = image_for(DEFAULT_IMAGE, runtime, arch)
            assert image == f"public.ecr.aws/sam/build-{runtime}:latest-{arch}"


def test_glibc_by_runtime_decides_the_manylinux_tags() -> None:
    al2 = manylinux_tags("python3.11", "x86_64")
    assert al2[0] == "manylinux_2_26_x86_64" and "manylinux_2_28_x86_64" not in al2
    al2023 = manylinux_tags("python3.12", "arm64")
    assert al2023[0] == "manylinux_2_34_aarch64" and al2023[-1] == "manylinux2014_aarch64"
    assert "manylinux_2_17_aarch64" in al2023


def test_unknown_placeholder_is_named() -> None:
    with pytest.raises(ValueError, match="'tag'"):
        image_for("repo:{tag}", "python3.11", "x86_64")
