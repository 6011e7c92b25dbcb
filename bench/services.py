"""Real Dagster services for the tests and benchmarks: dagster-daemon and dagster-webserver.

Every wait is bounded and every process started here is stopped, with its children.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from resources.config import child_environment

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(what: str, check: Callable[[], object], seconds: float, every: float = 2) -> object:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out after {seconds:.0f}s waiting for {what}")


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status == 200
    except OSError:
        return False


@contextmanager
def dagster_services(env: dict[str, str], logs: Path) -> Iterator[str]:
    """Start the daemon and the webserver for the repo's workspace; yield the webserver URL."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    logs.mkdir(parents=True, exist_ok=True)
    workspace = ["-w", str(REPO / "workspace.yaml")]
    commands = {
        "daemon": [str(BIN / "dagster-daemon"), "run", *workspace],
        "webserver": [
            str(BIN / "dagster-webserver"),
            *workspace,
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
        ],
    }
    processes = [
        subprocess.Popen(
            cmd,
            cwd=REPO,
            env=child_environment(env),
            stdout=(logs / f"{name}.log").open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        for name, cmd in commands.items()
    ]
    try:
        wait_for("the webserver", lambda: _answers(f"{url}/server_info"), 120)
        yield url
    finally:
        for process in processes:
            os.killpg(os.getpgid(process.pid), signal.SIGTERM)
        for process in processes:
            stop(process, 30)


def stop(process: subprocess.Popen, grace: float) -> None:
    """Stop a process started with start_new_session=True, and everything it started: SIGTERM
    to its group, then SIGKILL to what is left after `grace` seconds."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=grace)
    except ProcessLookupError:
        return
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
