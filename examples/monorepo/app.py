"""A monorepo (a uv workspace): two functions sharing libs/common, one of them also
libs/formats. Each function's dependencies, shared libraries included, come from the
workspace's uv.lock; editing a library rebuilds exactly the functions that use it.

    cdk synth --app "python3 examples/monorepo/app.py"
"""

import os

import aws_cdk as cdk
from aws_cdk import aws_lambda as lambda_

from slim_lambda import SlimPythonFunction

HERE = os.path.dirname(os.path.abspath(__file__))

app = cdk.App()
stack = cdk.Stack(app, "SlimLambdaMonorepo")
for name in ("api", "jobs"):
    SlimPythonFunction(stack, name.capitalize(), entry=os.path.join(HERE, "functions", name),
                       runtime=lambda_.Runtime.PYTHON_3_11)
app.synth()
