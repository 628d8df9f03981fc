"""Which image a Dockerfile's content built on this machine: a small local index.

An unchanged ``bundling.dockerfile`` is never sent to the engine again: its
:attr:`~slim_lambda.plan.build_image.DockerfileBuild.index_key` names the image ID it
built, kept in the cache directory (``images/<key>.json``, one file per key, written
atomically, so concurrent synths never see half an entry). The engine is still asked
whether that image exists (it may have been pruned); the asset hash pins the ID without
building anything. Build args are in the key by digest only; nothing stored here holds them.
"""

from __future__ import annotations

import json
import os
import tempfile

from .cache import default_cache_dir

__all__ = ["INDEX_DIR", "index_file", "lookup", "record"]

INDEX_DIR = "images"


def index_file(key: str, cache_dir: str | None = None) -> str:
    """Where ``key``'s entry lives (in :func:`~slim_lambda.run.cache.default_cache_dir`)."""
    return os.path.join(default_cache_dir(cache_dir), INDEX_DIR, f"{key}.json")


def lookup(key: str, cache_dir: str | None = None) -> str | None:
    """The image ID built for ``key``, if this machine built one; None if not or unreadable."""
    try:
        with open(index_file(key, cache_dir), encoding="utf-8") as f:
            image_id = json.load(f).get("image_id")
    except (OSError, ValueError, AttributeError):
        return None
    return image_id if isinstance(image_id, str) and image_id.startswith("sha256:") else None


def record(key: str, image_id: str, dockerfile: str, cache_dir: str | None = None) -> None:
    """Remember that ``key`` built ``image_id`` (from ``dockerfile``, for people reading it).
    An index that cannot be written only costs a rebuild next time."""
    path = index_file(key, cache_dir)
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".tmp-")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump({"image_id": image_id, "dockerfile": dockerfile}, f)
        os.replace(tmp, path)
    except OSError:
        pass
