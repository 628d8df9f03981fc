"""The benchmark's CDK app: N functions of one workload, each bundled by slim-lambda's
``SlimPythonFunction`` or by aws-lambda-python-alpha's ``PythonFunction``, both in the
same build image. Configured by the environment:

    BENCH_TOOL       slim | alpha
    BENCH_ENTRY      a directory; function i's entry is BENCH_ENTRY/f<i> (index.py with
                     handler(), requirements.txt)
    BENCH_FUNCTIONS  how many functions (default 1; 0 gives an empty stack: CDK's own cost)
    BENCH_IMAGE      the build image (default slim-lambda-test/build-python3.11:latest-x86_64)
    BENCH_CA         a host CA bundle for pip in PythonFunction's container (optional; a
                     TLS-inspecting proxy needs it; slim-lambda finds PIP_CERT itself)
    BENCH_TIMING     a file to write the tool's own time to (JSON: own_s = import_s +
                     construct_s, seconds measured inside the app with perf_counter)
    BENCH_DEPENDENCIES  slim-lambda's ``dependencies=``: bundle (default) or layer
"""

from __future__ import annotations

import json
import os
import time

import aws_cdk as cdk
from aws_cdk import aws_lambda as lambda_

TOOLS = ("slim", "alpha")
CA_IN_CONTAINER = "/slim-bench/ca-bundle.pem"


def slim_function(stack: cdk.Stack, name: str, entry: str, image: str) -> None:
    from slim_lambda import BundlingOptions, SlimPythonFunction

    SlimPythonFunction(stack, name, entry=entry, runtime=lambda_.Runtime.PYTHON_3_11,
                       bundling=BundlingOptions(mode="docker", image=image),
                       dependencies=os.environ.get("BENCH_DEPENDENCIES", "bundle"),
                       memory_size=1024, timeout=cdk.Duration.seconds(30))


def alpha_function(stack: cdk.Stack, name: str, entry: str, image: str, ca: str | None) -> None:
    from aws_cdk import aws_lambda_python_alpha as alpha

    # Passing `image` makes PythonFunction run its command (rsync the entry, then
    # `python -m pip install -r requirements.txt -t /asset-output`) in that image as is,
    # instead of building its own image FROM the SAM build image.
    volumes = [cdk.DockerVolume(host_path=ca, container_path=CA_IN_CONTAINER)] if ca else []
    environment = {"PIP_CERT": CA_IN_CONTAINER} if ca else {}
    # The stand-in image picks wheels as Amazon Linux 2 does (glibc 2.26), where plain pip
    # takes scikit-learn's newest release as an sdist and fails to build it: a
    # PythonFunction user there has to ask for wheels first, as slim-lambda always does.
    environment["PIP_PREFER_BINARY"] = "1"
    alpha.PythonFunction(stack, name, entry=entry, runtime=lambda_.Runtime.PYTHON_3_11,
                         index="index.py", handler="handler",
                         bundling=alpha.BundlingOptions(
                             image=cdk.DockerImage.from_registry(image), network="host",
                             environment=environment, volumes=volumes),
                         memory_size=1024, timeout=cdk.Duration.seconds(30))


def main() -> None:
    tool = os.environ["BENCH_TOOL"]
    if tool not in TOOLS:
        raise SystemExit(f"BENCH_TOOL={tool!r}: use one of {', '.join(TOOLS)}")
    count = int(os.environ.get("BENCH_FUNCTIONS", "1"))
    entry = os.environ.get("BENCH_ENTRY", "")
    if count and not os.path.isdir(entry):
        raise SystemExit(f"BENCH_ENTRY={entry!r} is not a directory")
    image = os.environ.get("BENCH_IMAGE", "slim-lambda-test/build-python3.11:latest-x86_64")
    ca = os.environ.get("BENCH_CA") or None

    app = cdk.App()
    stack = cdk.Stack(app, "Bench")
    # "own" time: what the tool itself costs in the app, from importing it (loaded even with
    # no function, so that the no-function synth is the same app) to its last construct,
    # asset staging (bundling) included
    started = time.perf_counter()
    if tool == "slim":
        import slim_lambda.cdk.function  # noqa: F401
    else:
        from aws_cdk import aws_lambda_python_alpha  # noqa: F401
    imported = time.perf_counter()
    for i in range(count):
        fn_entry = os.path.join(entry, f"f{i}")
        if tool == "slim":
            slim_function(stack, f"F{i}", fn_entry, image)
        else:
            alpha_function(stack, f"F{i}", fn_entry, image, ca)
    constructed = time.perf_counter()
    timing = os.environ.get("BENCH_TIMING")
    if timing:
        with open(timing, "w") as f:
            json.dump({"own_s": constructed - started, "import_s": imported - started,
                       "construct_s": constructed - imported, "functions": count}, f)
    app.synth()


if __name__ == "__main__":
    main()
