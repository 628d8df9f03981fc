"""The generated Dockerfile and the base image's resolution: pure, no Docker, no CDK."""

from __future__ import annotations

from typing import Any

import pytest

from slim_lambda.plan.base_image import architecture_problem, resolve_base_image
from slim_lambda.plan.dockerfile import COPY_INSTRUCTION, dockerfile
from slim_lambda.platform import DEFAULT_BASE_IMAGE


def test_dockerfile_is_from_copy_cmd_and_nothing_else() -> None:
    text = dockerfile("mirror.example/lambda/python:3.11-x86_64", "index.handler")
    instructions = [line for line in text.splitlines() if line and not line.startswith("#")]
    assert instructions == ["FROM mirror.example/lambda/python:3.11-x86_64",
                            "COPY task/ ${LAMBDA_TASK_ROOT}/",
                            'CMD ["index.handler"]']
    assert instructions[1] == COPY_INSTRUCTION


def test_cmd_is_json_whatever_the_module_path() -> None:
    text = dockerfile("base", "api-v2.app.main")
    assert text.endswith('CMD ["api-v2.app.main"]\n')


def resolve(given: str | None = None, env: str | None = None, context: Any = None,
            runtime: str = "python3.12", arch: str = "arm64") -> tuple[str, list[str]]:
    problems: list[str] = []
    return resolve_base_image(given, env, context, runtime, arch, problems), problems


def test_precedence_option_env_context_default() -> None:
    default = DEFAULT_BASE_IMAGE.format(version="3.12", arch="arm64")
    assert resolve() == (default, [])
    assert resolve(context="ctx/{runtime}:{arch}") == ("ctx/python3.12:arm64", [])
    assert resolve(env="env/py:{version}", context="ctx") == ("env/py:3.12", [])
    assert resolve(given="mine:{version}-{arch}", env="env") == ("mine:3.12-arm64", [])


@pytest.mark.parametrize("template, problem", [
    ("repo:{python}", "base_image: unknown placeholder(s) ['python'] in image template "
                      "'repo:{python}'; use {runtime}, {version} and {arch}"),
    ("repo:3.12\nRUN rm -rf /", "is not an image name"),
    (" ", "is not an image name"),
])
def test_a_bad_template_is_a_problem(template: str, problem: str) -> None:
    image, problems = resolve(given=template)
    assert image == "" and len(problems) == 1 and problem in problems[0]


def test_architecture_is_checked_only_when_the_engine_knows_the_image() -> None:
    assert architecture_problem("b", None, "x86_64") is None
    assert architecture_problem("b", {"Architecture": "amd64"}, "x86_64") is None
    assert architecture_problem("b", {"Architecture": "arm64"}, "arm64") is None
    problem = architecture_problem("b:1", {"Architecture": "arm64"}, "x86_64")
    assert problem == ("base_image: b:1 is for arm64, but the function's architecture is "
                       "x86_64 (linux/amd64); use the base image for x86_64 (keep {arch} in "
                       "the template), or pass architecture= to match the image")
