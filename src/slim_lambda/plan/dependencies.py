"""``dependencies="layer"``: one resolved function request split in two, as data.

A handler change should upload kilobytes, not the whole dependency tree. So in layer mode
the request becomes a *dependency layer* request (the install plan under ``python/``,
none of the function's sources) and a *code* request (the sources, nothing to install,
the layer counted with the function). The layer's asset hash is then
:func:`~slim_lambda.plan.keys.fingerprint` of a request that holds nothing of the
handler: known at construct time, before any resolution, and unchanged by a handler
change. Pure: no CDK, no Docker; :mod:`slim_lambda.cdk.deps_layer` acts on it.
"""

from __future__ import annotations

from dataclasses import replace

from ..manifests import InstallPlan
from ..options import DEPENDENCIES, MAX_LAYERS
from .request import LAYER_PREFIX, BuildRequest, LayerShare

__all__ = ["code_request", "dependencies_problems", "layer_count_problem", "layer_id",
           "layer_request"]

LAYER_ID = "Dependencies"
"""Construct id of a dependency layer in its stack, before the first characters of its
asset hash: one layer per set of dependencies and options, whatever function asks."""
HASH_CHARS = 12


def dependencies_problems(dependencies: object) -> list[str]:
    if dependencies in DEPENDENCIES:
        return []
    return [f"dependencies: {dependencies!r} is not one of {', '.join(DEPENDENCIES)}"]


def layer_count_problem(user_layers: int) -> str | None:
    """Lambda's layer limit, with the dependency layer counted."""
    if user_layers + 1 <= MAX_LAYERS:
        return None
    return (f"layers: {user_layers} layers given, and dependencies='layer' adds one: "
            f"{user_layers + 1} layers, but a Lambda function can use at most {MAX_LAYERS}. "
            "Merge two of your layers (one SlimPythonLayerVersion can hold many packages), "
            "or keep the dependencies in the function with dependencies='bundle'")


def layer_id(asset_hash: str) -> str:
    return f"{LAYER_ID}{asset_hash[:HASH_CHARS]}"


def _layer_plan(plan: InstallPlan) -> InstallPlan:
    """What the layer installs: the plan without the project itself (the function's code)."""
    return replace(plan, project=None)


def layer_request(request: BuildRequest) -> BuildRequest | None:
    """The dependency layer's request, or None when there is nothing to install (no
    layer is made). Shared sources (``extra_sources``) are the function's code and stay
    with it; a lock's path packages are dependencies and go to the layer. The user's
    layers stay in it, so it does not install what their slim layers provide; a different
    version than theirs is an error (``strict``), since two copies of a package in
    ``/opt/python`` would be merged file by file."""
    plan = _layer_plan(request.plan)
    if not plan.requirements.strip() and not plan.paths:
        return None
    # no sources: their excludes (and the output directories among them) would only make
    # the layers of two entries differ
    return replace(request, plan=plan, prefix=LAYER_PREFIX, copy_sources=False,
                   handler_module="", strict_layer_versions=True, extra_sources=(),
                   bundling=replace(request.bundling, exclude=(), extra_sources={}))


def code_request(request: BuildRequest, dependencies: LayerShare) -> BuildRequest:
    """The function's own request: its sources (and its project, if it is one), nothing
    else to install, the dependency layer last among its layers."""
    plan = request.plan
    code = replace(plan, manifest=None, requirements="", require_hashes=False, paths=(),
                   notes=(*plan.notes, f"dependencies in layer {dependencies.label}"))
    return replace(request, plan=code, layers=(*request.layers, dependencies))
