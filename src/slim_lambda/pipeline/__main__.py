"""``python -m <this package> SPEC.json RESULT.json``: run one stage, write the result.

The result file holds either ``{"report": {...}}`` or ``{"error": {...}}``; the
exit code is 0 on success and 1 on a build error.

Credentials reach the stage as files in its work directory, never on a command line or in
the container's configuration: :func:`load_private` puts them where pip and uv look.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import traceback

from .errors import BuildError
from .pipeline import run_stage
from .spec import NETRC_FILE, PRIVATE_ENV_FILE, load_spec


def load_private(work_dir: str) -> None:
    """The private variables into this process's environment (the installer inherits it),
    their file removed once read; ``NETRC`` set to the stage's netrc when there is one."""
    path = os.path.join(work_dir, PRIVATE_ENV_FILE)
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            os.environ.update(json.load(f))
        with contextlib.suppress(OSError):
            os.remove(path)
    netrc = os.path.join(work_dir, NETRC_FILE)
    if os.path.exists(netrc):
        os.environ["NETRC"] = netrc


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python -m slim_lambda.pipeline SPEC.json RESULT.json", file=sys.stderr)
        return 2
    spec_path, result_path = argv
    with open(spec_path, encoding="utf-8") as f:
        spec = load_spec(f.read())
    load_private(spec.work_dir)
    try:
        result: dict[str, object] = {"report": run_stage(spec)}
        code = 0
    except BuildError as e:
        result = {"error": e.to_json()}
        code = 1
    except OSError as e:  # a full disk, no permission: the path and the fix, no traceback
        result = {"error": BuildError.from_os_error(spec.stage, e).to_json()}
        code = 1
    except Exception as e:  # an internal error still reaches the host as data
        result = {"error": BuildError("internal", f"{type(e).__name__}: {e}",
                                      details=traceback.format_exc()).to_json()}
        code = 1
    with open(result_path, "w", encoding="utf-8") as f:
        json.dump(result, f, indent=2)
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
