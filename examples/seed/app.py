"""The seed workload as a CDK app: `npx aws-cdk@2 synth` at the repository root."""

import os

import aws_cdk as cdk
from aws_cdk import aws_lambda as lambda_

from slim_lambda import SlimPythonFunction

HERE = os.path.dirname(os.path.abspath(__file__))

app = cdk.App()
stack = cdk.Stack(app, "SlimLambdaSeed")
SlimPythonFunction(
    stack,
    "Seed",
    entry=os.path.join(HERE, "function"),
    runtime=lambda_.Runtime.PYTHON_3_11,
    memory_size=1024,
    timeout=cdk.Duration.seconds(30),
)
app.synth()
