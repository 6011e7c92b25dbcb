"""The per-process model cache a cluster worker keeps warm: least recently used out first,
within a memory budget; a model that cannot load leaves nothing behind and names the fix."""

from __future__ import annotations

import pytest
import torch

from microdrama.models.device import ModelCache, ModelError, footprint


def linear(n: int) -> torch.nn.Module:
    return torch.nn.Linear(n, n, bias=False)  # n*n float32 weights: 4*n*n bytes


def test_the_least_recently_used_model_leaves_when_the_budget_is_full() -> None:
    cache = ModelCache(budget_bytes=2 * footprint(linear(64)))
    with cache.recording() as uses:
        cache.get(("writer", "a", "cpu"), lambda: linear(64))
        cache.get(("painter", "b", "cpu"), lambda: linear(64))
        cache.get(("writer", "a", "cpu"), lambda: pytest.fail("a is warm: no second load"))
        cache.get(("voice", "c", "cpu"), lambda: linear(64))  # over budget: b is the oldest
    assert cache.keys() == [("writer", "a", "cpu"), ("voice", "c", "cpu")]
    assert [(u.name, u.loaded) for u in uses] == [
        ("writer:a", True),
        ("painter:b", True),
        ("writer:a", False),
        ("voice:c", True),
    ]
    assert cache.loads[("writer", "a", "cpu")] == 1


def test_a_model_that_runs_out_of_memory_names_the_setting_and_frees_the_rest() -> None:
    cache = ModelCache()
    cache.get(("writer", "a", "cpu"), lambda: linear(8))

    def too_big() -> torch.nn.Module:
        raise RuntimeError("CUDA out of memory. Tried to allocate 20.00 GiB")

    with pytest.raises(ModelError, match=r"painter model big.*MICRODRAMA_MODEL_MEMORY"):
        cache.get(("painter", "big", "cuda"), too_big)
    assert cache.keys() == []


def test_a_recording_sees_only_its_own_block() -> None:
    cache = ModelCache()
    cache.get(("writer", "a", "cpu"), lambda: linear(4))
    with cache.recording() as uses:
        cache.get(("writer", "a", "cpu"), lambda: linear(4))
    cache.get(("writer", "a", "cpu"), lambda: linear(4))
    assert [(u.name, u.loaded, u.seconds) for u in uses] == [("writer:a", False, 0.0)]
