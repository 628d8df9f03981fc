"""Which Lambda base image an image function starts from, and what can be known of it cheaply.

The same precedence as the build image (``base_image=`` > ``$SLIM_LAMBDA_BASE_IMAGE`` >
context ``slim-lambda:base-image`` > the platform table's default), so one flag points a
whole app at a mirror. What the engine's inspect data says (the image is on this machine)
is checked here, purely: its architecture. Whether it has the runtime's Python needs a
container (:mod:`slim_lambda.run.base_image`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..platform import ARCHITECTURES, DEFAULT_BASE_IMAGE, base_image_for

__all__ = ["architecture_problem", "resolve_base_image"]


def resolve_base_image(given: str | None, env: str | None, context: Any, runtime: str,
                       architecture: str, problems: list[str]) -> str:
    """The base image for the runtime and architecture; "" with a problem appended when the
    template is not an image name or has an unknown placeholder."""
    template = given or env or context or DEFAULT_BASE_IMAGE
    if not isinstance(template, str) or not template.strip() or any(
            c.isspace() for c in template):
        problems.append(f"base_image: {template!r} is not an image name; pass a name like "
                        "'registry.example.com/lambda/python:{version}-{arch}'")
        return ""
    try:
        return base_image_for(template, runtime, architecture)
    except ValueError as e:
        problems.append(f"base_image: {e}")
        return ""


def architecture_problem(image: str, attrs: Mapping[str, Any] | None,
                         architecture: str) -> str | None:
    """A problem when the local image (``attrs``: the engine's inspect data, None when the
    image is not on this machine) is for another architecture than the function's."""
    arch = ARCHITECTURES[architecture]
    have = attrs.get("Architecture") if attrs is not None else None
    if not isinstance(have, str) or have == arch.docker_arch:
        return None
    return (f"base_image: {image} is for {have}, but the function's architecture is "
            f"{architecture} ({arch.docker_platform}); use the base image for "
            f"{architecture} (keep {{arch}} in the template), or pass architecture= to "
            "match the image")
