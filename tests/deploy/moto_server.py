"""``python -m moto.server`` with Lambda layers wired through CloudFormation, as on AWS.

moto runs a function that has layers with each layer's zip extracted into a volume
at ``/opt`` (``_DockerDataVolumeLayerContext`` in ``moto/awslambda/models.py``), as
Lambda does. But a function created by moto's CloudFormation never gets its layers
(moto 5.2.5, the newest release when this was written), for two reasons:

1. ``LambdaFunction.create_from_cloudformation_json`` copies a fixed list of
   properties into the ``CreateFunction`` request; ``Layers`` is not on it, so the
   template's ``"Layers": [{"Ref": "Layer..."}]`` is dropped.
2. ``LayerVersion`` has no ``physical_resource_id``, so ``{"Ref": "Layer..."}``
   resolves to moto's Python object instead of the layer version ARN that
   CloudFormation returns for it (and the stack resource's PhysicalResourceId is "").

This script fills both gaps (and tolerates one engine race, see
:func:`tolerate_removal_in_progress`) and then runs moto's own server. ``Ref`` of a layer
version becomes its ARN, and a function created from a template gets the template's
``Layers`` through moto's own ``update_configuration`` (what ``UpdateFunctionConfiguration``
calls), which looks each ARN up and fails for an unknown one. Nothing else changes:
the layer's content is what the CDK CLI uploaded, and moto extracts it to ``/opt`` and
runs the function as it does for any function with layers. When moto handles
``Layers`` itself, the second patch finds them set and does nothing.

    python tests/deploy/moto_server.py -H 127.0.0.1 -p PORT
"""

from __future__ import annotations

import sys
from typing import Any


def patch_moto_cloudformation_layers() -> None:
    """Make moto's CloudFormation resolve layer version refs and keep a function's Layers."""
    from moto.awslambda import models

    layer_version: Any = models.LayerVersion
    function: Any = models.LambdaFunction
    if not hasattr(layer_version, "physical_resource_id"):
        layer_version.physical_resource_id = property(lambda self: self.arn)

    create = function.create_from_cloudformation_json.__func__

    def create_with_layers(cls: Any, /, resource_name: str, cloudformation_json: dict[str, Any],
                           account_id: str, region_name: str, **kwargs: Any) -> Any:
        fn = create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)
        layers = cloudformation_json["Properties"].get("Layers")
        if layers and not fn.layers:
            fn.update_configuration({"Layers": layers})
        return fn

    function.create_from_cloudformation_json = classmethod(create_with_layers)


def tolerate_removal_in_progress() -> None:
    """Let a container removal that the engine already has under way count as done.

    moto removes each container it ran (``container.remove()`` after an invoke, and its
    busybox helper after filling a code volume). On a loaded machine the engine can
    answer that call with 409 "removal of container ... is already in progress" (seen
    here twice in one suite run, failing a deploy test inside moto); the container is
    going away either way, so this waits for it to be gone instead of failing the invoke.
    """
    import time

    import docker.errors
    from docker.models.containers import Container

    remove = Container.remove

    def remove_or_wait(self: Container, **kwargs: Any) -> None:
        try:
            remove(self, **kwargs)
        except docker.errors.APIError as e:
            if e.status_code != 409 or "already in progress" not in str(e):
                raise
            for _ in range(100):
                try:
                    self.reload()
                except docker.errors.NotFound:
                    return
                time.sleep(0.1)
            raise

    Container.remove = remove_or_wait  # type: ignore[method-assign]


def main(argv: list[str]) -> None:
    from moto.server import main as moto_main

    patch_moto_cloudformation_layers()
    tolerate_removal_in_progress()
    moto_main(argv)


if __name__ == "__main__":
    main(sys.argv[1:])
