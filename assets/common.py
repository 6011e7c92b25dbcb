"""Small helpers the episode assets share: their template, their checks, describing outputs."""

from __future__ import annotations

import base64
import os
import socket
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg

from assets.partitions import episode_partitions, episodes_of
from microdrama.media import MediaStore
from microdrama.models.device import MODELS, ModelError, ModelUse
from microdrama.quality.gates import CHECKS, NON_BLOCKING, Gate, GateFailure
from microdrama.stages import Episode, Staged
from microdrama.words.template import GenreTemplate
from microdrama.words.template_table import template_from_table
from resources import MediaStoreResource
from resources.config import value
from resources.executors import queue_tags

EPISODE_GROUP = "episode"

# A backfill sends up to this many episodes to one run, so each model loads once per batch.
# `backfill_policy` is marked beta in Dagster 1.13; we rely on it knowingly, so say it once here.
warnings.filterwarnings("ignore", "Parameter `backfill_policy`", dg.BetaWarning)
EPISODE_BATCH = dg.BackfillPolicy.multi_run(
    max_partitions_per_run=int(value("MICRODRAMA_EPISODES_PER_RUN"))
)

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


def model_step_tags(gpu_nodes: str | None = None) -> dict[str, object]:
    """Where a step whose backend may run a model goes: the `gpu` queue of the cluster's Celery
    workers, and with MICRODRAMA_GPU_NODES=1 (the Helm values set it, with
    MICRODRAMA_EXECUTOR=k8s so each step is a pod) one GPU on a GPU node. The in-process
    executor ignores both; every other step goes to the `cpu` queue, Celery's default here."""
    if gpu_nodes is None:
        gpu_nodes = value("MICRODRAMA_GPU_NODES")
    tags: dict[str, object] = queue_tags(runs_a_model=True)
    if gpu_nodes in ("1", "true"):
        tags["dagster-k8s/config"] = GPU_NODE
    return tags


@contextmanager
def model_errors(context: dg.AssetExecutionContext) -> Iterator[None]:
    """A model that is missing or cannot run here fails the step with its message, untried
    again; the models the step used are in its metadata, loaded (and in how many seconds) or
    reused warm, with the worker that ran it."""
    with MODELS.recording() as uses:
        try:
            yield
        except ModelError as exc:
            raise dg.Failure(description=str(exc), allow_retries=False) from None
    if uses:
        described = model_metadata(uses)
        for key in context.partition_keys:
            context.add_asset_metadata(described, partition_key=key)


def model_metadata(uses: list[ModelUse]) -> dict[str, object]:
    """Per model, `loaded` or `reused`; the seconds spent loading; the process that ran it."""
    state: dict[str, str] = {}
    for use in uses:
        state[use.name] = "loaded" if use.loaded or state.get(use.name) == "loaded" else "reused"
    return {
        "models": dg.MetadataValue.json(state),
        "model_load_seconds": round(sum(u.seconds for u in uses), 3),
        "worker": f"{socket.gethostname()}:{os.getpid()}",
    }


def genre_template(store: MediaStore, genre: str) -> tuple[GenreTemplate, str]:
    """The genre's validated template and its content hash, from the genre_templates table."""
    return template_from_table(store.read_table(store.template_table(genre)), genre)


def episode_batch(
    context: dg.AssetExecutionContext, media: MediaStoreResource
) -> list[tuple[Episode, GenreTemplate]]:
    """Every episode of the run's partitions (one, or a backfill's batch), with its template:
    its own (a concept genre's premise wrote it) or its genre's."""
    store = media.store()
    batch = []
    for key in episodes_of(context):
        ep = Episode(store, key)
        batch.append((ep, ep.own_template() or genre_template(store, key.genre)[0]))
    return batch


def episode_asset(
    *,
    deps: list[object],
    code_version: str,
    kinds: set[str],
    model: bool = False,
    retry: bool = True,
) -> Callable[[Callable[..., object]], dg.AssetsDefinition]:
    """What every stage of an episode is as an asset, said once: a partition per episode, its
    gates as checks, batched in backfills; a `model` step goes to the GPU queue and pool, and a
    `retry` step gets another try when a process crashes (never when a gate fails)."""

    def decorate(fn: Callable[..., object]) -> dg.AssetsDefinition:
        placement = {"op_tags": model_step_tags(), "pool": "gpu"} if model else {}
        return dg.asset(
            partitions_def=episode_partitions,
            deps=deps,
            group_name=EPISODE_GROUP,
            code_version=code_version,
            kinds=kinds,
            check_specs=gate_checks(fn.__name__),
            backfill_policy=EPISODE_BATCH,
            retry_policy=TRANSIENT_RETRY if retry else None,
            **placement,
        )(fn)

    return decorate


def gate_checks(artifact: str) -> list[dg.AssetCheckSpec]:
    """The artifact's quality gates as asset checks: a failed blocking one stops downstream
    work; a warning (a locale left out) is shown and lets the rest ship."""
    return [
        dg.AssetCheckSpec(
            name, asset=artifact, description=description, blocking=name not in NON_BLOCKING
        )
        for name, description in CHECKS[artifact].items()
    ]


def severity(name: str) -> dg.AssetCheckSeverity:
    return dg.AssetCheckSeverity.WARN if name in NON_BLOCKING else dg.AssetCheckSeverity.ERROR


def check_results(gates: list[Gate]) -> list[dg.AssetCheckResult]:
    return [
        dg.AssetCheckResult(
            check_name=g.name,
            passed=g.passed,
            description=g.reason,
            metadata=g.metadata,
            severity=severity(g.name),
        )
        for g in gates
    ]


def batch_check_results(
    artifact: str, keys: list[str], outcomes: list[Staged | GateFailure]
) -> list[dg.AssetCheckResult]:
    """One result per check for a batch: passed only if it passed for every episode."""
    results = []
    for name in CHECKS[artifact]:
        failed = [
            f"{key}: {g.reason}"
            for key, outcome in zip(keys, outcomes, strict=True)
            for g in outcome.gates
            if g.name == name and not g.passed
        ]
        results.append(
            dg.AssetCheckResult(
                check_name=name,
                passed=not failed,
                description="; ".join(failed) or f"passed for all {len(keys)} episodes",
                metadata={"episodes": len(keys), "failed": len(failed)},
                severity=severity(name),
            )
        )
    return results


def refused(failures: dict[str, GateFailure]) -> dg.Failure:
    """The step's failure when gates refused artifacts: not retried, nothing downstream runs."""
    return dg.Failure(
        description="; ".join(f"{key}: {failure}" for key, failure in failures.items()),
        metadata={
            "failed_checks": ", ".join(
                sorted({g.name for f in failures.values() for g in f.gates if not g.passed})
            )
        },
        allow_retries=False,
    )


def metadata(staged: Staged, folder: Path, described: dict[str, object]) -> dict[str, object]:
    return {
        "path": dg.MetadataValue.path(str(folder)),
        "files": len(staged.manifest.files),
        "digest": staged.manifest.digest,
        **described,
        **staged.notes,
    }


def materialized(
    context: dg.AssetExecutionContext,
    batch: list[tuple[Episode, GenreTemplate]],
    outcomes: list[Staged | GateFailure],
    describe: Callable[[Episode, Staged], dict[str, object]],
) -> Iterator[dg.AssetCheckResult | dg.MaterializeResult]:
    """Report a stage over the run's episodes: checks, per-episode metadata, the materialization.

    One episode: its data version is the artifact's content digest. A batch: each partition gets
    its own metadata (digest included) and each check passes only if it passed everywhere. If
    gates refused any artifact, the step fails after reporting; refused artifacts were never
    swapped in, so the last good ones stay.
    """
    artifact = context.assets_def.key.path[-1]
    keys = [str(key) for key in context.partition_keys]
    for key, outcome in zip(keys, outcomes, strict=True):
        stood_in = {
            note: value
            for note, value in (outcome.notes if isinstance(outcome, Staged) else {}).items()
            if note != "model_texts" and value not in (0, "none")
        }
        if stood_in:
            context.log.warning(
                f"{key}: model output failed its checks; the embedded default stands in "
                f"({stood_in})"
            )
    failures = {k: o for k, o in zip(keys, outcomes, strict=True) if isinstance(o, GateFailure)}
    if len(batch) == 1:
        ((ep, _),), (outcome,) = batch, outcomes
        if isinstance(outcome, GateFailure):
            yield from check_results(outcome.gates)
            raise refused(failures)
        yield dg.MaterializeResult(
            data_version=dg.DataVersion(outcome.manifest.digest),
            check_results=check_results(outcome.gates),
            metadata=metadata(outcome, ep.dir(artifact), describe(ep, outcome)),
        )
        return
    for key, (ep, _), outcome in zip(keys, batch, outcomes, strict=True):
        if isinstance(outcome, Staged):
            described = metadata(outcome, ep.dir(artifact), describe(ep, outcome))
            context.add_asset_metadata(described, partition_key=key)
    checks = batch_check_results(artifact, keys, outcomes)
    if failures:
        yield from checks
        raise refused(failures)
    yield dg.MaterializeResult(check_results=checks, metadata={"episodes": len(batch)})


def image_markdown(path: Path, alt: str) -> dg.MetadataValue:
    """An image the Dagster UI shows inline in the asset's metadata."""
    data = base64.b64encode(path.read_bytes()).decode()
    return dg.MetadataValue.md(f"![{alt}](data:image/jpeg;base64,{data})")


def left_out(context: dg.AssetExecutionContext, ep: Episode, staged: Staged) -> str:
    """Which locales the episode was made without, and why (logged as a warning); "" if none."""
    gate = next(g for g in staged.gates if g.name == "all_locales")
    if gate.passed:
        return ""
    context.log.warning(f"{ep.key}: {gate.reason}")
    return gate.reason
