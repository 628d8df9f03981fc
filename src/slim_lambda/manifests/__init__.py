"""Which dependency manifest a function's entry has, and the exact install plan it means.

Detection order (the first one present wins): ``requirements.txt``, ``uv.lock``,
``poetry.lock``, ``Pipfile.lock``, ``pyproject.toml`` (PEP 621 dependencies, no lock).
When several are present and disagree, that is an error; when they agree, the first is
used and a note says so. ``bundling.manifest`` names one explicitly.

Lock files are read here (TOML / JSON), never by uv, poetry or pipenv: the plan is a
pip requirements file pinning the lock's whole closure with its hashes, installed with
``--no-deps`` (and ``--require-hashes`` when every package has hashes).

One module per manifest kind (``requirements``, ``uvlock``, ``poetry``, ``pipfile``,
``pyproject``); ``detect`` finds them, ``resolve`` reads and compares them; versions and
markers are ``packaging``'s (``versions``, ``markers``), Poetry's ``^`` / ``~`` our own.
"""

from __future__ import annotations

from .detect import DETECTION_ORDER
from .plan import InstallPlan
from .resolve import resolve_manifest

__all__ = ["DETECTION_ORDER", "InstallPlan", "resolve_manifest"]
