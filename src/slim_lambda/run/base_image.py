"""Does an image function's base image have the runtime's Python? Asked of the image itself.

A base image that is not a Lambda Python image (an OS image, a Node.js one, the Python
image of another version) builds fine with ``docker build`` and fails only when Lambda
starts the function. The one honest cheap answer is to run ``pythonX.Y`` in it: a
container of a second or so, with no network and every capability dropped, run when the
asset is built (not on every synth) and only when the image is on this machine: one that
is not is pulled by ``docker build`` at deploy, and the report says it was not checked.
"""

from __future__ import annotations

import re

from ..errors import DockerError
from ..platform import ARCHITECTURES, RUNTIMES
from .container import DockerRunner
from .container_spec import ContainerRun

__all__ = ["python_problem"]

#: How the engine says the container's first process (the runner's ``python3``) is missing.
_NO_EXECUTABLE = re.compile(r"executable file not found|no such file or directory", re.I)


def python_problem(image: str, runtime: str, architecture: str, runner: DockerRunner
                   ) -> str | None:
    """A problem when ``image`` (on this machine) has no ``pythonX.Y`` of ``runtime``."""
    python = f"python{RUNTIMES[runtime].python}"
    run = ContainerRun(image=image, platform=ARCHITECTURES[architecture].docker_platform,
                       command=(python, "-c", "import sys; print(sys.version)"),
                       network="none", timeout_seconds=120)
    try:
        result = runner.run(run, log=lambda _line: None)
    except DockerError as e:
        if not _NO_EXECUTABLE.search(str(e)):
            raise
        found = "it has no python3 at all"
    else:
        if result.exit_code == 0:
            return None
        found = f"`{python} -c ...` failed in it (exit status {result.exit_code})"
    return (f"base_image: {image} has no {python} ({found}), so Lambda could not run the "
            f"handler in it; use a Lambda base image for {runtime} (leave base_image unset "
            "for the default, or point it at a mirror of that image)")
