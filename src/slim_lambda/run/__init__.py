"""Acting on a plan: the cache, the runners (container, subprocess, in-process), the
build environment and its secrets, zip sizes, and the orchestration that ties them."""
