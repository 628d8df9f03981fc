"""Credentials never leave a build: ``user:password@`` in URLs is hidden in every log."""

from __future__ import annotations

import re

__all__ = ["redact"]

_CREDENTIALS = re.compile(r"(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*://)[^/@\s:]+(:[^/@\s]*)?@")


def redact(text: str) -> str:
    """Hide ``user:password@`` in any URL of ``text``."""
    return _CREDENTIALS.sub(r"\g<scheme>***@", text)
