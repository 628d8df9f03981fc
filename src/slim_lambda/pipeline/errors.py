"""The one error hierarchy of slim-lambda.

It lives in the build package because the build pipeline runs inside the build
image with nothing but the standard library and pathspec; the host-side modules
import the same classes, so an error raised in the container and re-raised on
the host is the same type.
"""

from __future__ import annotations

import errno

__all__ = ["BuildError", "SlimLambdaError"]


class SlimLambdaError(Exception):
    """Base class of every error slim-lambda raises on purpose.

    The message always says what went wrong, where, and what to do about it.
    """


class BuildError(SlimLambdaError):
    """A step of the build pipeline failed.

    ``step`` names the step (install, slim, strip, bytecode, verify, ...); the
    message is rendered as ``"{step}: {reason}"`` like aws-lambda-builders does.
    """

    def __init__(self, step: str, reason: str, *, details: str = "") -> None:
        self.step = step
        self.reason = reason
        self.details = details
        text = f"{step}: {reason}"
        if details:
            text += "\n" + details
        super().__init__(text)

    def to_json(self) -> dict[str, str]:
        return {"step": self.step, "reason": self.reason, "details": self.details}

    @classmethod
    def from_os_error(cls, step: str, error: OSError) -> BuildError:
        """A file-system failure met while building, said the way a user can act on it."""
        path = error.filename2 or error.filename or "?"
        if error.errno == errno.ENOSPC:
            return cls(step, f"the disk filled up (no space left on device) while writing {path}",
                       details="Free space on that disk, or point cdk.out (cdk synth --output, "
                       "CLI --out) or the dependency cache (SLIM_LAMBDA_CACHE_DIR, "
                       "bundling.cache_dir) at a bigger one.")
        if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            return cls(step, f"no permission to write {path} ({error.strerror})",
                       details="Make the directory writable for the user running the build.")
        return cls(step, f"{error.strerror or error} ({path})")

    @classmethod
    def from_json(cls, data: dict[str, str]) -> BuildError:
        return cls(data.get("step", "build"), data.get("reason", "unknown error"),
                   details=data.get("details", ""))
