"""An API handler: greets with the shared library, answers in YAML (libs/formats)."""

from common import greeting
from formats import as_yaml


def handler(event, context):
    name = (event or {}).get("name", "world")
    return {"statusCode": 200, "body": as_yaml({"greeting": greeting(name)})}
