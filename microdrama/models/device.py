"""Where models run, in which precision, and the per-process cache that loads each one once.

A run's steps share one process (see definitions.py), so a model cached here is loaded once
per run, and once per batch of partitions when a backfill sends several to one run.
"""

from __future__ import annotations

import gc
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

DEVICES = ("auto", "cuda", "mps", "cpu")
DTYPES = ("auto", "bf16", "fp16", "fp32")
OFFLOADS = ("none", "model", "sequential")
T = TypeVar("T")


class ModelError(RuntimeError):
    """A model or device problem the user can fix by configuration; no traceback needed."""


@dataclass(frozen=True)
class DeviceConfig:
    device: str = "auto"  # auto: cuda, then mps, then cpu
    dtype: str = "auto"  # auto: bf16 on cuda (fp16 without bf16 support), fp16 on mps, fp32 on cpu
    offload: str = "none"  # model: whole sub-models move to the GPU in turn; sequential: layers

    def __post_init__(self) -> None:
        if self.device not in DEVICES and not self.device.startswith("cuda:"):
            raise ModelError(
                f"MICRODRAMA_DEVICE={self.device!r}: use one of {', '.join(DEVICES)} or cuda:N"
            )
        if self.dtype not in DTYPES:
            raise ModelError(f"MICRODRAMA_DTYPE={self.dtype!r}: use one of {', '.join(DTYPES)}")
        if self.offload not in OFFLOADS:
            raise ModelError(
                f"MICRODRAMA_OFFLOAD={self.offload!r}: use one of {', '.join(OFFLOADS)}"
            )

    def torch_device(self) -> Any:
        import torch

        cuda, mps = torch.cuda.is_available(), torch.backends.mps.is_available()
        if self.device == "auto":
            return torch.device("cuda" if cuda else "mps" if mps else "cpu")
        if self.device.startswith("cuda") and not cuda:
            raise ModelError(
                f"MICRODRAMA_DEVICE={self.device}: torch sees no CUDA GPU here; "
                "use auto or cpu, or install a CUDA build of torch"
            )
        if self.device == "mps" and not mps:
            raise ModelError("MICRODRAMA_DEVICE=mps: this torch build has no MPS backend")
        return torch.device(self.device)

    def torch_dtype(self) -> Any:
        import torch

        kind = self.torch_device().type
        if self.dtype == "auto":
            if kind == "cuda":
                return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
            return torch.float16 if kind == "mps" else torch.float32
        if self.dtype == "fp16" and kind == "cpu":
            raise ModelError("MICRODRAMA_DTYPE=fp16 needs a GPU; on the CPU use bf16 or fp32")
        return {"bf16": torch.bfloat16, "fp16": torch.float16, "fp32": torch.float32}[self.dtype]


class ModelCache:
    """Loaded models by key. `loads` counts real loads (a test can see a model load once) and
    `load_seconds` times them (the benchmark reports loading apart from warm work)."""

    def __init__(self) -> None:
        self._models: dict[tuple, Any] = {}
        self._lock = threading.Lock()
        self.loads: Counter[tuple] = Counter()
        self.load_seconds: Counter[tuple] = Counter()

    def get(self, key: tuple, load: Callable[[], T]) -> T:
        with self._lock:
            if key not in self._models:
                started = time.perf_counter()
                self._models[key] = load()
                self.load_seconds[key] += time.perf_counter() - started
                self.loads[key] += 1
            return self._models[key]

    def release(self) -> None:
        """Drop every model and hand the GPU memory back (teardown of the run's resources)."""
        with self._lock:
            self._models.clear()
        gc.collect()
        import sys

        torch = sys.modules.get("torch")  # nothing to free if no backend ever imported torch
        if torch is not None and torch.cuda.is_available():
            torch.cuda.empty_cache()


MODELS = ModelCache()


def model_source(name: str, variable: str) -> str:
    """A local directory (as an absolute path) or a hub id; refused when empty."""
    if not name.strip():
        raise ModelError(f"{variable} is not set: name a hub id or a local model directory")
    path = Path(name).expanduser()
    return str(path.resolve()) if path.exists() else name


def from_pretrained(load: Callable[..., T], source: str, variable: str, **kwargs: Any) -> T:
    """`load(source, **kwargs)` with a missing or unreadable model reported by its variable."""
    try:
        return load(source, **kwargs)
    except (OSError, ValueError) as exc:
        where = "directory" if Path(source).is_absolute() else "hub id (no local copy)"
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ModelError(f"{variable}={source}: cannot load this model {where}: {first}") from exc


def place(pipe: Any, device: DeviceConfig) -> Any:
    """A diffusers pipeline on the device, or offloaded to it as `device.offload` asks."""
    target = device.torch_device()
    if device.offload == "none" or target.type == "cpu":
        pipe.to(target)
    elif device.offload == "model":
        pipe.enable_model_cpu_offload(device=target)
    else:
        pipe.enable_sequential_cpu_offload(device=target)
    return pipe
