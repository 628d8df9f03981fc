"""The large stack (pandas, pyarrow, scikit-learn) as a container image function: slimmed
it is still over 250 MiB, so it cannot be a zip.

    cdk synth --app "python3 examples/image/app.py"

The base image is the Lambda base image for the runtime unless SLIM_LAMBDA_BASE_IMAGE or
the context key slim-lambda:base-image names another (a mirror, or the local stand-in of
scripts/build-base-image.sh).
"""

import os

import aws_cdk as cdk
from aws_cdk import aws_lambda as lambda_

from slim_lambda import SlimPythonImageFunction

HERE = os.path.dirname(os.path.abspath(__file__))

app = cdk.App()
stack = cdk.Stack(app, "SlimLambdaImage")
SlimPythonImageFunction(
    stack,
    "Frames",
    entry=os.path.join(HERE, "function"),
    runtime=lambda_.Runtime.PYTHON_3_11,
    memory_size=2048,
    timeout=cdk.Duration.seconds(60),
)
app.synth()
