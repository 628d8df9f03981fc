"""SlimPythonFunction at construct time: validation, handler, image, hash, template, and
the aws_lambda.Function props it passes through.

None of these tests build: the stack is left out of bundlingStacks, and a broken
DOCKER_HOST proves Docker is never contacted.
"""

from __future__ import annotations

import inspect
import os
from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk import assertions
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sqs as sqs

from slim_lambda import (
    BundlingOptions,
    ConfigurationError,
    SizeLimits,
    SlimOptions,
    SlimPythonFunction,
)
from slim_lambda.cdk.props import accepted_keywords
from slim_lambda.pipeline.errors import BuildError
from slim_lambda.pipeline.sources import list_sources
from slim_lambda.plan.keys import fingerprint


@pytest.fixture(autouse=True)
def no_docker(monkeypatch: pytest.MonkeyPatch, clean_env: None) -> None:
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")


def stack(**context: object) -> cdk.Stack:
    app = cdk.App(context={"aws:cdk:bundling-stacks": [], **context})
    return cdk.Stack(app, "S")


def fn(s: cdk.Stack, entry: Path, name: str = "F", **kw: object) -> SlimPythonFunction:
    kw.setdefault("runtime", lambda_.Runtime.PYTHON_3_11)
    return SlimPythonFunction(s, name, entry=str(entry), **kw)  # type: ignore[arg-type]


def test_template_is_an_ordinary_lambda_function(entry: Path) -> None:
    s = stack()
    fn(s, entry, memory_size=1024, timeout=cdk.Duration.seconds(30),
       environment={"MODE": "test"}, architecture=lambda_.Architecture.ARM_64)
    t = assertions.Template.from_stack(s)
    t.resource_count_is("AWS::Lambda::Function", 1)
    t.has_resource_properties("AWS::Lambda::Function", {
        "Handler": "index.handler",
        "Runtime": "python3.11",
        "MemorySize": 1024,
        "Timeout": 30,
        "Architectures": ["arm64"],
        "Environment": {"Variables": {"MODE": "test"}},
    })


def test_handler_in_a_subpackage(entry: Path) -> None:
    (entry / "app").mkdir()
    (entry / "app" / "main.py").write_text("def run(event, context):\n    return 1\n")
    s = stack()
    f = fn(s, entry, index="app/main.py", handler="run")
    assert f.build_request.entry == str(entry)
    assertions.Template.from_stack(s).has_resource_properties(
        "AWS::Lambda::Function", {"Handler": "app.main.run"})


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError) as info:
        SlimPythonFunction(
            stack(), "Bad", entry=str(tmp_path / "missing"), runtime=lambda_.Runtime.NODEJS_20_X,
            slim=SlimOptions(patterns=("a/***/[",), disable_rules=("nope",), bytecode="fast"),
            size_limits=SizeLimits(unzipped_bytes=0))
    text = str(info.value)
    assert "SlimPythonFunction S/Bad" in text
    assert f"directory {tmp_path / 'missing'} does not exist" in text
    assert "nodejs20.x is not a Python runtime" in text
    assert "unknown rule(s) ['nope']" in text
    assert "slim.bytecode: 'fast'" in text
    assert "size_limits" in text
    assert len(info.value.problems) >= 5


def test_missing_index_and_undefined_handler(entry: Path) -> None:
    with pytest.raises(ConfigurationError, match=r"cannot find .*main\.py"):
        fn(stack(), entry, index="main.py")
    with pytest.raises(ConfigurationError, match=r"defines no 'main' at module level"):
        fn(stack(), entry, handler="main")


@pytest.mark.parametrize("index", ["my-handler.py", "v1.2/index.py", "index.txt"])
def test_index_that_cannot_be_imported(entry: Path, index: str) -> None:
    with pytest.raises(ConfigurationError, match="index"):
        fn(stack(), entry, index=index)


def test_default_image_is_the_sam_build_image(entry: Path) -> None:
    f = fn(stack(), entry, runtime=lambda_.Runtime.PYTHON_3_12,
           architecture=lambda_.Architecture.ARM_64)
    assert f.build_request.image == "public.ecr.aws/sam/build-python3.12:latest-arm64"
    assert f.build_request.platform == "linux/arm64"


def test_image_precedence(entry: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ctx = {"slim-lambda:image": "ctx.example/build-{runtime}:{arch}"}
    assert fn(stack(**ctx), entry).build_request.image == "ctx.example/build-python3.11:x86_64"
    monkeypatch.setenv("SLIM_LAMBDA_IMAGE", "env.example/b-{runtime}:latest-{arch}")
    assert fn(stack(**ctx), entry).build_request.image == "env.example/b-python3.11:latest-x86_64"
    own = fn(stack(**ctx), entry, bundling=BundlingOptions(image="mine:{runtime}"))
    assert own.build_request.image == "mine:python3.11"
    with pytest.raises(ConfigurationError, match=r"unknown placeholder.*'version'"):
        fn(stack(), entry, bundling=BundlingOptions(image="x:{version}"))


def _asset_hash(s: cdk.Stack) -> str:
    t = assertions.Template.from_stack(s).to_json()
    (res,) = [r for r in t["Resources"].values() if r["Type"] == "AWS::Lambda::Function"]
    return str(res["Properties"]["Code"]["S3Key"])


def test_asset_hash_follows_every_option_and_the_sources(entry: Path) -> None:
    base = _asset_hash(fn_stack(entry))
    assert base == _asset_hash(fn_stack(entry)), "same input, same hash"
    variants = [
        {"slim": SlimOptions(patterns=("*.md",))},
        {"slim": SlimOptions(keep=("x/",))},
        {"slim": SlimOptions(strip=False)},
        {"slim": SlimOptions(bytecode="all")},
        {"slim": SlimOptions(disable_rules=("tests",))},
        {"bundling": BundlingOptions(exclude=("docs/",))},
        {"architecture": lambda_.Architecture.ARM_64},
        {"size_limits": SizeLimits(unzipped_bytes=100_000_000)},
    ]
    hashes = {_asset_hash(fn_stack(entry, **v)) for v in variants}
    assert base not in hashes and len(hashes) == len(variants)
    (entry / "index.py").write_text((entry / "index.py").read_text() + "\n# change\n")
    assert _asset_hash(fn_stack(entry)) != base


def test_credentials_and_environment_stay_out_of_the_hash(entry: Path) -> None:
    a = _asset_hash(fn_stack(entry, bundling=BundlingOptions(
        index_url="https://alice:s3cret@pypi.example/simple", environment={"TOKEN": "one"})))
    b = _asset_hash(fn_stack(entry, bundling=BundlingOptions(
        index_url="https://bob:other@pypi.example/simple", environment={"TOKEN": "two"})))
    assert a == b


def test_ignored_files_do_not_change_the_hash(entry: Path) -> None:
    base = _asset_hash(fn_stack(entry))
    (entry / ".venv").mkdir()
    (entry / ".venv" / "junk.py").write_text("x = 1\n")
    (entry / "__pycache__").mkdir()
    (entry / "__pycache__" / "index.cpython-311.pyc").write_bytes(b"\0" * 16)
    (entry / ".env").write_text("SECRET=1\n")
    assert _asset_hash(fn_stack(entry)) == base


def fn_stack(entry: Path, **kw: object) -> cdk.Stack:
    s = stack()
    fn(s, entry, **kw)
    return s


# -- aws_lambda.Function props: typed, passed through, rejected -------------------------------

def _function_props(s: cdk.Stack) -> dict[str, object]:
    t = assertions.Template.from_stack(s).to_json()
    (res,) = [r for r in t["Resources"].values() if r["Type"] == "AWS::Lambda::Function"]
    return dict(res["Properties"])


def test_a_typed_prop_and_props_we_do_not_list_reach_the_template(entry: Path) -> None:
    s = stack()
    fn(s, entry, runtime=lambda_.Runtime.PYTHON_3_12, memory_size=2048,
       tenancy_config=lambda_.TenancyConfig.PER_TENANT, recursive_loop=lambda_.RecursiveLoop.ALLOW,
       max_event_age=cdk.Duration.minutes(5))
    props = _function_props(s)
    assert props["MemorySize"] == 2048
    assert props["TenancyConfig"] == {"TenantIsolationMode": "PER_TENANT"}
    assert props["RecursiveLoop"] == "Allow"
    assert props["Handler"] == "index.handler" and props["Runtime"] == "python3.12"
    assertions.Template.from_stack(s).has_resource_properties(
        "AWS::Lambda::EventInvokeConfig", {"MaximumEventAgeInSeconds": 300})


def test_every_typed_prop_reaches_the_template(entry: Path) -> None:
    s = stack()
    vpc = ec2.Vpc(s, "V", max_azs=1, nat_gateways=0, subnet_configuration=[
        ec2.SubnetConfiguration(name="iso", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)])
    group = ec2.SecurityGroup(s, "SG", vpc=vpc)
    role = iam.Role(s, "R", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    queue, dlq = sqs.Queue(s, "Q"), sqs.Queue(s, "DLQ")
    log_group = logs.LogGroup(s, "LG")
    arn = "arn:aws:lambda:us-east-1:123456789012:layer:foreign:3"
    fn(s, entry, memory_size=512, timeout=cdk.Duration.seconds(42),
       environment={"K": "V"}, description="slim", function_name="slim-fn", role=role,
       initial_policy=[iam.PolicyStatement(actions=["s3:GetObject"], resources=["*"])],
       vpc=vpc, vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED),
       security_groups=[group], tracing=lambda_.Tracing.ACTIVE,
       reserved_concurrent_executions=3, ephemeral_storage_size=cdk.Size.mebibytes(1024),
       log_group=log_group, events=[sources.SqsEventSource(queue)],
       dead_letter_queue=dlq,
       layers=[lambda_.LayerVersion.from_layer_version_arn(s, "L", arn)])
    props = _function_props(s)
    assert {k: props[k] for k in ("MemorySize", "Timeout", "Environment", "Description",
                                  "FunctionName", "TracingConfig", "ReservedConcurrentExecutions",
                                  "EphemeralStorage", "Layers")} == {
        "MemorySize": 512, "Timeout": 42, "Environment": {"Variables": {"K": "V"}},
        "Description": "slim", "FunctionName": "slim-fn", "TracingConfig": {"Mode": "Active"},
        "ReservedConcurrentExecutions": 3, "EphemeralStorage": {"Size": 1024}, "Layers": [arn]}
    assert props["Role"] == s.resolve(role.role_arn)
    subnets = [s.resolve(n.subnet_id) for n in vpc.isolated_subnets]
    assert props["VpcConfig"] == {"SubnetIds": subnets,
                                  "SecurityGroupIds": [s.resolve(group.security_group_id)]}
    assert props["LoggingConfig"] == {"LogGroup": s.resolve(log_group.log_group_name)}
    assert props["DeadLetterConfig"] == {"TargetArn": s.resolve(dlq.queue_arn)}
    t = assertions.Template.from_stack(s)
    t.resource_count_is("AWS::Lambda::EventSourceMapping", 1)
    t.has_resource_properties("AWS::IAM::Policy", assertions.Match.object_like({
        "PolicyDocument": {"Statement": assertions.Match.array_with([assertions.Match.object_like(
            {"Action": "s3:GetObject", "Resource": "*"})])}}))


def test_log_retention_is_passed_through(entry: Path) -> None:
    s = stack()
    fn(s, entry, log_retention=logs.RetentionDays.ONE_WEEK)
    assertions.Template.from_stack(s).has_resource_properties(
        "Custom::LogRetention", {"RetentionInDays": 7})


def test_typed_keywords_are_function_props() -> None:
    ours = {"self", "scope", "id", "kwargs", "entry", "index", "bundling", "slim",
            "size_limits", "layer_sizes", "layer_packages", "strict_layer_versions", "dependencies"}
    typed = set(inspect.signature(SlimPythonFunction.__init__).parameters) - ours
    assert {"memory_size", "timeout", "runtime", "handler", "architecture"} <= typed
    assert typed - accepted_keywords(lambda_.Function) == set()


def test_unknown_and_owned_keywords_are_reported_with_the_rest(entry: Path) -> None:
    with pytest.raises(ConfigurationError) as info:
        fn(stack(), entry, handler="main", memory=512, code=lambda_.Code.from_inline("x"))
    problems = info.value.problems
    assert str(info.value).startswith("SlimPythonFunction S/F: 3 problem(s) with the options:")
    assert problems[0].startswith("memory: not an option of aws_lambda.Function (aws-cdk-lib 2.")
    assert problems[0].endswith("); did you mean memory_size=...?")
    assert problems[1] == ("code: SlimPythonFunction builds the code from entry=...; pass the "
                           "directory there (use aws_lambda.Function for code built elsewhere)")
    assert "defines no 'main' at module level" in problems[2]


def test_a_keyword_with_nothing_close_says_to_remove_it(entry: Path) -> None:
    with pytest.raises(ConfigurationError, match=r"zzz_qqq: not an option of "
                       r"aws_lambda\.Function \(aws-cdk-lib [^)]*\); remove it"):
        fn(stack(), entry, zzz_qqq=1)


@pytest.mark.parametrize(("keyword", "value"), [("memory_size", "big"), ("snap_start", 3)])
def test_a_value_cdk_rejects_names_the_keyword_and_the_construct(
        entry: Path, keyword: str, value: object) -> None:
    with pytest.raises(ConfigurationError) as info:
        fn(stack(), entry, **{keyword: value})
    assert str(info.value).startswith("SlimPythonFunction S/F: 1 problem(s) with the options:\n"
                                      f"  - {keyword}: aws_lambda.Function rejects it: ")
    assert isinstance(info.value.__cause__, TypeError)


def test_an_outdir_inside_the_entry_is_not_bundled(tmp_path: Path) -> None:
    (tmp_path / "index.py").write_text("def handler(event, context):\n    return 1\n")
    hashes = []
    for synth in ("one", "two"):
        app = cdk.App(outdir=str(tmp_path / "build-out"),
                      context={"aws:cdk:bundling-stacks": []})
        (tmp_path / "build-out").mkdir(exist_ok=True)
        (tmp_path / "build-out" / f"{synth}.py").write_text(synth)
        fn = SlimPythonFunction(cdk.Stack(app, "S"), "F", entry=str(tmp_path),
                                runtime=lambda_.Runtime.PYTHON_3_12)
        hashes.append(fingerprint(fn.build_request))
        request = fn.build_request
        assert list_sources(request.entry, request.bundling.exclude) == ["index.py"]
    assert hashes[0] == hashes[1]


def test_a_name_that_is_not_utf8_fails_at_construct_time(tmp_path: Path) -> None:
    (tmp_path / "index.py").write_text("def handler(event, context):\n    return 1\n")
    open(os.fsencode(tmp_path) + b"/caf\xe9.txt", "wb").close()
    with pytest.raises(BuildError, match=r"sources.*caf\\xe9\.txt.*not valid UTF-8"):
        SlimPythonFunction(stack(), "F", entry=str(tmp_path), runtime=lambda_.Runtime.PYTHON_3_12)
