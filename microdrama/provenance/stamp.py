"""What one episode's provenance work needs, passed down from configuration: the disclosure,
the signing credentials, the backends that made it; and the time that work took."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from microdrama.provenance.credentials import Credentials, load_credentials
from microdrama.provenance.label import Disclosure

DEFAULT_CACHE = Path.home() / ".cache" / "microdrama"


@dataclass
class Provenance:
    """The label, record and signing settings of the episodes a run makes.

    `key`/`cert` empty: the development credentials, made on first use under `cache`.
    `seconds` adds up the time spent labelling, recording, signing and validating (the
    benchmark's provenance_share); the picture's overlay is inside the encode and not counted.
    """

    disclosure: Disclosure = field(default_factory=Disclosure)
    key: str = ""
    cert: str = ""
    cache: Path = DEFAULT_CACHE
    backends: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _credentials: Credentials | None = field(default=None, repr=False)

    def credentials(self) -> Credentials:
        with self._lock:
            if self._credentials is None:
                self._credentials = load_credentials(self.key, self.cert, self.cache)
            return self._credentials

    @contextmanager
    def timed(self) -> Iterator[None]:
        """Count the block's wall time as provenance work."""
        start = time.perf_counter()
        try:
            yield
        finally:
            spent = time.perf_counter() - start
            with self._lock:
                self.seconds += spent
