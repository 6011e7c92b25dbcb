"""Where models run, in which precision, and the per-process cache that keeps them loaded.

Whatever process runs the steps (one run in process, or a Celery worker serving many runs)
loads each model once and keeps it warm within a memory budget.
"""

from __future__ import annotations

import gc
import threading
import time
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
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


@dataclass(frozen=True)
class ModelUse:
    """One request for a model: loaded now (with its seconds) or reused warm."""

    key: tuple
    loaded: bool
    seconds: float

    @property
    def name(self) -> str:
        """`modality:model`, as the step's metadata shows it."""
        return f"{self.key[0]}:{self.key[1]}"


def footprint(model: Any) -> int:
    """Bytes of the tensors a loaded model holds (a tuple of parts, a pipeline, a module)."""
    if isinstance(model, tuple | list):
        return sum(footprint(part) for part in model)
    parameters = getattr(model, "parameters", None)
    if callable(parameters):
        try:
            return sum(p.numel() * p.element_size() for p in parameters())
        except (TypeError, AttributeError):
            return 0
    components = getattr(model, "components", None)  # a diffusers pipeline
    if isinstance(components, dict):
        return sum(footprint(part) for part in components.values())
    return 0


class ModelCache:
    """Loaded models by key, kept warm across steps and runs within a memory budget.

    A process that runs many steps (a Celery worker, a long CLI run) loads each model once and
    evicts the least recently used when a new one would pass `budget_bytes`. `loads` counts
    real loads and `load_seconds` times them; `recording()` lists a step's requests, so the
    step can say which models it loaded and which it reused.
    """

    def __init__(self, budget_bytes: int | None = None) -> None:
        self._models: OrderedDict[tuple, Any] = OrderedDict()
        self._sizes: dict[tuple, int] = {}
        self._lock = threading.Lock()
        self.budget_bytes = budget_bytes
        self.keep_between_runs = False  # a worker process keeps its models for the next run
        self.loads: Counter[tuple] = Counter()
        self.load_seconds: Counter[tuple] = Counter()
        self._recorders: list[list[ModelUse]] = []

    def get(self, key: tuple, load: Callable[[], T]) -> T:
        with self._lock:
            if key in self._models:
                self._models.move_to_end(key)
                self._record(ModelUse(key, False, 0.0))
                return self._models[key]
            started = time.perf_counter()
            try:
                model = load()
            except MemoryError as exc:
                self._evict_all()
                raise ModelError(
                    f"{key[0]} model {key[1]}: out of memory while loading; lower "
                    "MICRODRAMA_MODEL_MEMORY, use a smaller model or MICRODRAMA_DTYPE, or give "
                    "the worker more memory"
                ) from exc
            except RuntimeError as exc:
                if "out of memory" not in str(exc).lower():
                    raise
                self._evict_all()
                raise ModelError(
                    f"{key[0]} model {key[1]}: the device ran out of memory while loading; "
                    "set MICRODRAMA_OFFLOAD=model, a smaller MICRODRAMA_DTYPE, or "
                    "MICRODRAMA_MODEL_MEMORY below the GPU's memory"
                ) from exc
            seconds = time.perf_counter() - started
            self._models[key], self._sizes[key] = model, footprint(model)
            self.load_seconds[key] += seconds
            self.loads[key] += 1
            self._record(ModelUse(key, True, seconds))
            self._fit_budget(keep=key)
            return model

    @contextmanager
    def recording(self) -> Iterator[list[ModelUse]]:
        """Every request for a model while the block runs, in order."""
        uses: list[ModelUse] = []
        with self._lock:
            self._recorders.append(uses)
        try:
            yield uses
        finally:
            with self._lock:
                self._recorders.remove(uses)

    def _record(self, use: ModelUse) -> None:
        for uses in self._recorders:
            uses.append(use)

    def keys(self) -> list[tuple]:
        """The models loaded now, least recently used first."""
        return list(self._models)

    def evict(self, key: tuple) -> None:
        """Forget one model (it failed, or the budget needs its memory)."""
        with self._lock:
            self._drop(key)
        _free_memory()

    def release(self) -> None:
        """Drop every model and hand the GPU memory back (a run's end, outside workers)."""
        with self._lock:
            self._evict_all()

    def _fit_budget(self, keep: tuple) -> None:
        if self.budget_bytes is None:
            return
        while sum(self._sizes.values()) > self.budget_bytes and len(self._models) > 1:
            oldest = next(k for k in self._models if k != keep)
            self._drop(oldest)
        _free_memory()

    def _drop(self, key: tuple) -> None:
        self._models.pop(key, None)
        self._sizes.pop(key, None)

    def _evict_all(self) -> None:
        self._models.clear()
        self._sizes.clear()
        _free_memory()


def _free_memory() -> None:
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


def load_pretrained(
    reader: Any, model_class: Any, source: str, variable: str, device: DeviceConfig
) -> tuple[Any, Any]:
    """A transformers model with what reads its input (tokenizer or processor), in the
    device's precision, on the device and ready to infer."""
    prepared = from_pretrained(reader.from_pretrained, source, variable)
    model = from_pretrained(
        model_class.from_pretrained, source, variable, dtype=device.torch_dtype()
    )
    return prepared, model.to(device.torch_device()).eval()


def load_pipeline(pipeline_class: Any, name: str, variable: str, device: DeviceConfig) -> Any:
    """A diffusers pipeline in the device's precision, without progress bars (not yet placed:
    the caller checks what it is first)."""
    source = model_source(name, variable)
    pipe = from_pretrained(
        pipeline_class.from_pretrained, source, variable, dtype=device.torch_dtype()
    )
    pipe.set_progress_bar_config(disable=True)
    return pipe


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
