"""Fixtures: a resolved request without Docker."""

from tests.requests import entry, make_request

__all__ = ["entry", "make_request"]
