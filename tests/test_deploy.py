"""The scale-out files parse and carry what matters: image, launcher, queue, Postgres, GPU nodes."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
VALUES = yaml.safe_load((REPO / "deploy" / "helm" / "values.yaml").read_text())
DOCKERFILE = (REPO / "Dockerfile").read_text()


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) per Dockerfile instruction, continuation lines joined."""
    joined = re.sub(r"\\\n\s*", " ", DOCKERFILE)
    lines = [ln.strip() for ln in joined.splitlines() if ln.strip() and not ln.startswith("#")]
    return [(ln.split(None, 1)[0].upper(), ln.split(None, 1)[1]) for ln in lines]


def test_dockerfile_builds_the_code_location() -> None:
    steps = instructions()
    assert steps[0] == ("FROM", "python:3.11-slim-bookworm")
    runs = " ".join(args for op, args in steps if op == "RUN")
    for package in ("ffmpeg", "espeak-ng", "apertium-eng-spa", "fonts-noto-cjk"):
        assert package in runs
    torch_at = runs.index("torch==2.13.0")
    assert torch_at < runs.index('pip install ".[k8s,')  # the pinned torch before the project
    copied = {args.split()[0].rstrip("/") for op, args in steps if op == "COPY"}
    packages = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]
    for pattern in packages["packages"]["find"]["include"]:
        assert pattern.rstrip("*") in copied
    assert {"templates", "data"} <= copied
    assert steps[-1][0] == "CMD" and '"-m", "definitions"' in steps[-1][1]


def test_helm_values_use_k8s_launcher_queue_and_external_postgres() -> None:
    assert VALUES["runLauncher"]["type"] == "K8sRunLauncher"
    coordinator = VALUES["dagsterDaemon"]["runCoordinator"]
    assert coordinator["enabled"] and coordinator["type"] == "QueuedRunCoordinator"
    assert coordinator["config"]["queuedRunCoordinator"]["maxConcurrentRuns"] > 1
    assert VALUES["dagsterDaemon"]["runMonitoring"]["freeSlotsAfterRunEndSeconds"] > 0
    assert VALUES["dagsterDaemon"]["runRetries"]["enabled"]
    assert VALUES["postgresql"]["enabled"] is False and VALUES["postgresql"]["postgresqlHost"]
    (deployment,) = VALUES["dagster-user-deployments"]["deployments"]
    assert deployment["dagsterApiGrpcArgs"] == ["-m", "definitions"]
    env = {item["name"]: item["value"] for item in deployment["env"]}
    assert re.match(r"^(s3|gs)://", env["MICRODRAMA_STORAGE"])
    assert env["MICRODRAMA_EXECUTOR"] == "k8s" and env["MICRODRAMA_GPU_NODES"] == "1"


def model_step_tags(gpu_nodes: str) -> dict[str, dict[str, dict]]:
    """asset -> op tags, as a fresh code location process sees them."""
    probe = (
        "import json; from definitions import defs; "
        "print(json.dumps({a.key.to_user_string(): dict(a.op.tags) for a in defs.assets "
        "if hasattr(a, 'op')}))"
    )
    env = {**os.environ, "MICRODRAMA_GPU_NODES": gpu_nodes}
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=REPO, env=env, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_model_steps_request_a_gpu_node_only_when_asked() -> None:
    tagged = model_step_tags("1")
    placed = {name for name, tags in tagged.items() if "dagster-k8s/config" in tags}
    assert placed == {"premise", "script", "frames", "voice", "motion", "music"}
    config = json.loads(tagged["frames"]["dagster-k8s/config"])  # as dagster-k8s reads it
    container, pod = config["container_config"], config["pod_spec_config"]
    assert container["resources"]["limits"]["nvidia.com/gpu"] == "1"
    assert pod["node_selector"] and pod["tolerations"][0]["key"] == "nvidia.com/gpu"
    assert not any("dagster-k8s/config" in tags for tags in model_step_tags("0").values())


def test_production_instance_config_is_valid_for_dagster() -> None:
    from dagster._core.instance.config import dagster_instance_config

    config, _ = dagster_instance_config(str(REPO / "deploy"))
    assert config["run_coordinator"]["class"] == "QueuedRunCoordinator"
    assert config["storage"]["postgres"]["postgres_db"]["scheme"] == "postgresql+psycopg2"
    assert config["run_monitoring"]["free_slots_after_run_end_seconds"] > 0
    assert config["concurrency"]["pools"]["default_limit"] == 1
