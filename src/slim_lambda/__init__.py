"""slim-lambda: AWS CDK constructs for Python Lambda functions that fit.

``SlimPythonFunction`` is a drop-in ``aws_lambda.Function`` whose dependencies are
installed in a Lambda build image, slimmed, stripped, compiled to hash-based
bytecode, import-checked and measured against Lambda's limits at synth.

``SlimPythonFunction`` is imported on first use, so the CLI and the build pipeline
do not load the CDK.
"""

from typing import TYPE_CHECKING, Any

from .errors import (
    BuildError,
    ConfigurationError,
    DockerError,
    SizeLimitError,
    SlimLambdaError,
)
from .options import (
    UNZIPPED_LIMIT_BYTES,
    ZIPPED_LIMIT_BYTES,
    BundlingOptions,
    SizeLimits,
    SlimOptions,
)
from .pipeline import __version__

__all__ = [
    "UNZIPPED_LIMIT_BYTES",
    "ZIPPED_LIMIT_BYTES",
    "BuildError",
    "BundlingOptions",
    "ConfigurationError",
    "DockerError",
    "SizeLimitError",
    "SizeLimits",
    "SlimLambdaError",
    "SlimOptions",
    "SlimPythonFunction",
    "SlimPythonLayerVersion",
    "__version__",
]

if TYPE_CHECKING:
    from .cdk.function import SlimPythonFunction
    from .cdk.layer import SlimPythonLayerVersion


def __getattr__(name: str) -> Any:
    if name == "SlimPythonFunction":
        from .cdk.function import SlimPythonFunction

        return SlimPythonFunction
    if name == "SlimPythonLayerVersion":
        from .cdk.layer import SlimPythonLayerVersion

        return SlimPythonLayerVersion
    raise AttributeError(f"module 'slim_lambda' has no attribute {name!r}")
