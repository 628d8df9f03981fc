"""The build spec: everything the pipeline needs, as plain JSON-able data.

The host writes it, the pipeline reads it, inside the build image or on the
host, so both sides agree on one contract. Paths are as the pipeline sees them.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from typing import Any

__all__ = ["BuildSpec"]


@dataclass(frozen=True)
class BuildSpec:
    runtime: str
    architecture: str
    source_dir: str
    output_dir: str
    work_dir: str
    requirements: str | None = None
    index_url: str | None = None
    extra_index_urls: tuple[str, ...] = ()
    find_links: tuple[str, ...] = ()
    no_index: bool = False
    exclude: tuple[str, ...] = ()
    slim: bool = True
    patterns: tuple[str, ...] = ()
    replace_defaults: bool = False
    disable_rules: tuple[str, ...] = ()
    keep: tuple[str, ...] = ()
    trim_dist_info: bool = True
    slim_user_code: bool = False
    strip: bool = True
    strip_exclude: tuple[str, ...] = ("*.libs/",)
    bytecode: str = "imported"
    verify: bool = True
    verify_skip: tuple[str, ...] = ()
    unzipped_limit: int = 262_144_000
    image: str = ""
    labels: dict[str, str] = field(default_factory=dict)

    @property
    def python_version(self) -> str:
        """``python3.11`` → ``3.11``."""
        return self.runtime.removeprefix("python")

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> BuildSpec:
        data = json.loads(text)
        known = {f.name for f in fields(cls)}
        kwargs: dict[str, Any] = {}
        for key, value in data.items():
            if key in known:
                kwargs[key] = tuple(value) if isinstance(value, list) else value
        return cls(**kwargs)
