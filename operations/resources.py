"""The code location's resources, configured from the environment, for work outside a run."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import dagster as dg

from definitions import defs


@contextmanager
def resources(*names: str, location: dg.Definitions | None = None) -> Iterator[Any]:
    """The named resources of the code location (`location`, by default `definitions.defs`),
    their EnvVars resolved (`.catalog`, ...)."""
    location = location or defs
    with dg.build_resources({name: location.resources[name] for name in names}) as built:
        yield built
