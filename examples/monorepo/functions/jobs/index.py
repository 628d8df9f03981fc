"""A scheduled job: uses only the shared library, so a change to libs/formats leaves it be."""

from common import greeting


def handler(event, context):
    return {"done": greeting("jobs")}
