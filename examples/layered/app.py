"""The seed workload with numpy and scipy in a slim layer: the function bundles only
scikit-learn and what it needs beyond the layer, and the 250 MiB check covers both.

    cdk synth --app "python3 examples/layered/app.py"
"""

import os

import aws_cdk as cdk
from aws_cdk import aws_lambda as lambda_

from slim_lambda import SlimPythonFunction, SlimPythonLayerVersion

HERE = os.path.dirname(os.path.abspath(__file__))
RUNTIME = lambda_.Runtime.PYTHON_3_11

app = cdk.App()
stack = cdk.Stack(app, "SlimLambdaLayered")
scientific = SlimPythonLayerVersion(
    stack,
    "Scientific",
    entry=os.path.join(HERE, "layer"),
    compatible_runtimes=[RUNTIME],
    description="numpy and scipy, slimmed",
)
SlimPythonFunction(
    stack,
    "Model",
    entry=os.path.join(HERE, "..", "seed", "function"),
    runtime=RUNTIME,
    layers=[scientific],
    memory_size=1024,
    timeout=cdk.Duration.seconds(30),
)
app.synth()
