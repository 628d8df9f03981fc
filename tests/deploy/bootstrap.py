"""A Lambda-like Python runtime entry point, for the local emulator (moto).

moto runs the image named by ``MOTO_DOCKER_LAMBDA_IMAGE`` as
``<entrypoint> <handler> <event JSON>`` with the function's code in a volume at
``/var/task`` and takes the last line of the output as the response. This script
imports the handler the way Lambda's Python runtime does (``/var/task`` first on
``sys.path``, then the layer directories), calls it with the event and prints the
JSON result, or a Lambda-style error object with exit status 1, as the last line.
The stand-in Lambda base image of the image function's tests runs it the same way, as
``<entrypoint> <handler from CMD>`` with the event in ``$LAMBDA_EVENT``.

``/var/task`` is read-only on Lambda. moto mounts it read-write, so the image runs
as a non-root user that owns nothing there, and this script refuses to run the
handler if it can write to ``/var/task`` anyway: a bundle that writes next to
itself fails here as it would on Lambda.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import time
import traceback
import uuid
from typing import Any

TASK_ROOT = os.environ.get("LAMBDA_TASK_ROOT", "/var/task")
EVENT_ENV = "LAMBDA_EVENT"
"""The event when none is given after the handler: an image function's stand-in base image
(scripts/build-base-image.sh) gets its handler from the image's ``CMD``."""
PYTHON = f"python{sys.version_info[0]}.{sys.version_info[1]}"
LAYER_PATHS = (f"/opt/python/lib/{PYTHON}/site-packages", "/opt/python")


class Context:
    """The attributes of Lambda's context object that handlers commonly read."""

    def __init__(self, timeout_seconds: float) -> None:
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "")
        self.invoked_function_arn = ""
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{self.function_name}"
        self.log_stream_name = ""
        self._deadline = time.monotonic() + timeout_seconds

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def error(exc: BaseException, kind: str | None = None) -> dict[str, Any]:
    """Lambda's error payload for an exception."""
    return {
        "errorMessage": str(exc),
        "errorType": kind or type(exc).__name__,
        "stackTrace": traceback.format_tb(exc.__traceback__),
    }


def respond(payload: Any, status: int) -> int:
    """Print ``payload`` as the last line of the output (on a line of its own)."""
    line = json.dumps(payload)
    sys.stderr.flush()
    sys.stdout.write("\n" + line + "\n")
    sys.stdout.flush()
    return status


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        return respond(error(ValueError("usage: bootstrap.py HANDLER [EVENT_JSON]"),
                             "Runtime.InvalidArguments"), 2)
    handler_name = argv[1]
    event = json.loads(argv[2] if len(argv) > 2 else os.environ.get(EVENT_ENV) or "{}")
    if os.access(TASK_ROOT, os.W_OK):
        return respond(error(PermissionError(
            f"{TASK_ROOT} is writable by uid {os.getuid()}; Lambda mounts it read-only. "
            "Run this image as a user that owns nothing there "
            "(USER in scripts/build-runtime-images.sh)"), "Runtime.TaskRootWritable"), 1)
    sys.path[:0] = [TASK_ROOT, *LAYER_PATHS]
    os.chdir(TASK_ROOT)
    module_name, _, function_name = handler_name.rpartition(".")
    try:
        module = importlib.import_module(module_name.replace("/", "."))
        handler = getattr(module, function_name)
    except Exception as exc:
        return respond(error(exc, "Runtime.ImportModuleError"), 1)
    timeout = float(os.environ.get("AWS_LAMBDA_FUNCTION_TIMEOUT", "3"))
    try:
        result = handler(event, Context(timeout))
    except Exception as exc:
        return respond(error(exc), 1)
    try:
        return respond(result, 0)
    except (TypeError, ValueError) as exc:
        return respond(error(exc, "Runtime.MarshalError"), 1)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
