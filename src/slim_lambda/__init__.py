"""slim-lambda: AWS CDK constructs for Python Lambda functions that fit.

``SlimPythonFunction`` is a drop-in ``aws_lambda.Function`` whose dependencies are
installed in a Lambda build image, slimmed, stripped, compiled to hash-based
bytecode, import-checked and measured against Lambda's limits at synth.

``SlimPythonImageFunction`` deploys the same bundle as a container image, past 250 MiB.

The constructs are imported on first use, so the CLI and the build pipeline
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
    IMAGE_UNZIPPED_LIMIT_BYTES,
    UNZIPPED_LIMIT_BYTES,
    ZIPPED_LIMIT_BYTES,
    BundlingOptions,
    SizeLimits,
    SlimOptions,
)
from .pipeline import __version__

__all__ = [
    "IMAGE_UNZIPPED_LIMIT_BYTES",
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
    "SlimPythonImageFunction",
    "SlimPythonLayerVersion",
    "__version__",
]

if TYPE_CHECKING:
    from .cdk.function import SlimPythonFunction
    from .cdk.image import SlimPythonImageFunction
    from .cdk.layer import SlimPythonLayerVersion


def __getattr__(name: str) -> Any:
    if name == "SlimPythonFunction":
        from .cdk.function import SlimPythonFunction

        return SlimPythonFunction
    if name == "SlimPythonImageFunction":
        from .cdk.image import SlimPythonImageFunction

        return SlimPythonImageFunction
    if name == "SlimPythonLayerVersion":
        from .cdk.layer import SlimPythonLayerVersion

        return SlimPythonLayerVersion
    raise AttributeError(f"module 'slim_lambda' has no attribute {name!r}")
