"""Zipped sizes exactly as the CDK CLI will produce them.

The CLI zips an asset with yazl: raw deflate at level 6 by Node's own zlib (a
Chromium fork), whose matches differ from the zlib Python links against — about
1 % on a scientific bundle. So the exact figure comes from the same engine: one
``node`` process deflates every file and reports the lengths. Node is always
present where CDK runs (the CLI and jsii both run on it); without it, the
figure is Python's estimate and the report says so.
"""

from __future__ import annotations

import functools
import json
import shutil
import subprocess

__all__ = ["deflated_sizes", "engine"]

_SCRIPT = r"""
const fs = require('fs'), zlib = require('zlib'), path = require('path');
let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (d) => { input += d; });
process.stdin.on('end', () => {
  const job = JSON.parse(input);
  const out = {};
  for (const rel of job.files) {
    const data = fs.readFileSync(path.join(job.root, rel));
    out[rel] = zlib.deflateRawSync(data, { level: 6 }).length;
  }
  process.stdout.write(JSON.stringify(out));
});
"""


@functools.cache
def engine() -> str | None:
    """``node v20.20.2 zlib 1.3.1-...``, or None when there is no usable node."""
    node = shutil.which("node")
    if node is None:
        return None
    try:
        script = "process.stdout.write(process.version + ' zlib ' + process.versions.zlib)"
        proc = subprocess.run([node, "-e", script], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return f"node {proc.stdout.strip()}" if proc.returncode == 0 and proc.stdout else None


def deflated_sizes(root: str, rels: list[str]) -> dict[str, int] | None:
    """Raw-deflate length of each file (relative to ``root``) by Node's zlib at level 6,
    as yazl writes it; None when node is not available."""
    if not rels:
        return {}
    node = shutil.which("node")
    if node is None or engine() is None:
        return None
    proc = subprocess.run([node, "-e", _SCRIPT], input=json.dumps({"root": root, "files": rels}),
                          capture_output=True, text=True, timeout=3600)
    if proc.returncode != 0:
        return None
    data: dict[str, int] = json.loads(proc.stdout)
    return data
