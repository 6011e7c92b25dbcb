"""Small helpers the episode assets share: their template, their checks, describing outputs."""

from __future__ import annotations

import base64
import os
from collections.abc import Callable, Generator
from pathlib import Path
from typing import TypeVar

import dagster as dg

from assets.partitions import episode_of
from microdrama.episode import Episode
from microdrama.gates import CHECKS, Gate, GateFailure
from microdrama.media import Manifest
from microdrama.tables import template_from_table
from microdrama.template import GenreTemplate
from resources import MediaStoreResource

EPISODE_GROUP = "episode"
T = TypeVar("T")

# ffmpeg or espeak crashing, or memory running out, is worth another try; a failed gate is not.
TRANSIENT_RETRY = dg.RetryPolicy(max_retries=2, delay=2, backoff=dg.Backoff.EXPONENTIAL)


GPU_NODE = {
    "container_config": {
        "resources": {"requests": {"nvidia.com/gpu": "1"}, "limits": {"nvidia.com/gpu": "1"}}
    },
    "pod_spec_config": {
        "node_selector": {"nvidia.com/gpu.present": "true"},
        "tolerations": [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}],
    },
}


def model_step_tags() -> dict[str, object]:
    """Kubernetes placement of a step whose backend may run a model: one GPU, on a GPU node.

    Only with MICRODRAMA_GPU_NODES=1 (the Helm values set it, with MICRODRAMA_EXECUTOR=k8s so
    each step is a pod); elsewhere these steps run wherever the run runs.
    """
    if os.environ.get("MICRODRAMA_GPU_NODES", "0") not in ("1", "true"):
        return {}
    return {"dagster-k8s/config": GPU_NODE}


def open_episode(
    context: dg.AssetExecutionContext, media: MediaStoreResource
) -> tuple[Episode, GenreTemplate]:
    """The partition's episode folder and its genre template (from the templates table)."""
    genre, episode = episode_of(context)
    store = media.store()
    template, _ = template_from_table(store.read_table(store.template_table(genre)), genre)
    return Episode(store, genre, episode), template


def gate_checks(artifact: str) -> list[dg.AssetCheckSpec]:
    """The artifact's quality gates as blocking asset checks: a failure stops downstream work."""
    return [
        dg.AssetCheckSpec(name, asset=artifact, description=description, blocking=True)
        for name, description in CHECKS[artifact].items()
    ]


def check_results(gates: list[Gate]) -> list[dg.AssetCheckResult]:
    return [
        dg.AssetCheckResult(
            check_name=g.name,
            passed=g.passed,
            description=g.reason,
            metadata=g.metadata,
            severity=dg.AssetCheckSeverity.ERROR,
        )
        for g in gates
    ]


def gated(build: Callable[[], T]) -> Generator[dg.AssetCheckResult, None, T]:
    """Run an episode stage; if its gates refuse the artifact, report them and fail the step.

    Use as `made = yield from gated(lambda: make_x(...))`. A refused artifact was never
    swapped in, so the last good one stays, and the failure is not retried.
    """
    try:
        return build()
    except GateFailure as failure:
        yield from check_results(failure.gates)
        raise dg.Failure(
            description=str(failure),
            metadata={"failed_checks": ", ".join(g.name for g in failure.gates if not g.passed)},
            allow_retries=False,
        ) from None


def result(
    manifest: Manifest, folder: Path, gates: list[Gate], **metadata: object
) -> dg.MaterializeResult:
    """A materialization whose data version is the artifact's content digest."""
    return dg.MaterializeResult(
        data_version=dg.DataVersion(manifest.digest),
        check_results=check_results(gates),
        metadata={
            "path": dg.MetadataValue.path(str(folder)),
            "files": len(manifest.files),
            "digest": manifest.digest,
            **metadata,
        },
    )


def image_markdown(path: Path, alt: str) -> dg.MetadataValue:
    """An image the Dagster UI shows inline in the asset's metadata."""
    data = base64.b64encode(path.read_bytes()).decode()
    return dg.MetadataValue.md(f"![{alt}](data:image/jpeg;base64,{data})")
