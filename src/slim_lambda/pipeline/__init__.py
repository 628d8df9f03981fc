"""The build pipeline that runs inside the build image.

Standard library and pathspec only, relative imports only: the host mounts this
directory read-only into the container and runs it as a top-level package with
the image's own Python. The same code runs on the host for tests and the CLI.
"""

__version__ = "0.1.1"

__all__ = ["__version__"]
