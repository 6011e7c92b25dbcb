"""Take the screenshots of the README and the docs from the real software: Dagster UI, gallery.

Run `make demo` first, then `make screenshots`. It starts dagster-webserver on 127.0.0.1
against $DAGSTER_HOME, opens it and the gallery in headless Chromium, and writes docs/*.png.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pandas as pd
from playwright.sync_api import Page, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from resources.config import value

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO / "docs"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/server_info", timeout=5):
                return
        except OSError:
            time.sleep(1)
    raise TimeoutError(f"dagster-webserver did not answer at {url} within {seconds:.0f}s")


def shoot(page: Page, url: str, selector: str, path: Path, click: str | None = None) -> None:
    """Open `url`, dismiss the UI's first-visit dialog, click `click` if given, wait for
    `selector`, save a PNG."""
    page.goto(url)
    skip = page.get_by_role("button", name="Skip")
    try:
        skip.wait_for(timeout=10_000)
        skip.click()
    except PlaywrightTimeout:
        pass  # the dialog was dismissed before
    if click:
        page.get_by_text(click).first.click()
    page.wait_for_selector(selector, timeout=60_000)
    time.sleep(2)  # let the graph layout and images settle
    page.screenshot(path=path)


def first_episode(storage: Path, genre: str) -> str:
    """The genre's oldest catalogued episode (make demo's revenge pilot)."""
    catalog = pd.read_parquet(storage / "tables" / "catalog", filters=[("genre", "==", genre)])
    return str(catalog.sort_values("minted_at")["key"].iloc[0])


def main() -> int:
    storage = Path(value("MICRODRAMA_STORAGE"))
    gallery = storage / "gallery" / "index.html"
    if not gallery.exists():
        print(f"{gallery} is missing: run `make demo` first", file=sys.stderr)
        return 1
    chromium = shutil.which("chromium")
    if chromium is None:
        print("chromium is not installed: run `make test-packages`", file=sys.stderr)
        return 1
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [Path(sys.executable).with_name("dagster-webserver"), "-w", "workspace.yaml"]
    webserver = subprocess.Popen(
        [*command, "-h", "127.0.0.1", "-p", str(port)],
        cwd=REPO,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_up(url)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=chromium, args=["--headless", "--no-sandbox", "--disable-gpu"]
            )
            page = browser.new_page(viewport={"width": 1500, "height": 720})
            lineage = "/assets/gallery?view=lineage&lineageScope=upstream&lineageDepth=10"
            shoot(page, url + lineage, "text=localized", DOCS / "lineage.png")
            page.set_viewport_size({"width": 1500, "height": 1300})
            partition = quote(first_episode(storage, "revenge"), safe="")
            frames = f"/assets/frames?view=partitions&partition={partition}"
            sheet = "img[alt='contact sheet']"
            shoot(page, url + frames, sheet, DOCS / "frames.png", click="[Show Markdown]")
            page = browser.new_page(viewport={"width": 1300, "height": 1000})
            page.goto(gallery.as_uri())
            ready = "document.querySelector('video')?.readyState >= 2"
            page.wait_for_function(ready, timeout=30_000)
            page.screenshot(path=DOCS / "gallery.png")
            browser.close()
    finally:
        os.killpg(webserver.pid, signal.SIGTERM)
        webserver.wait(timeout=30)
    print(f"wrote lineage.png, frames.png and gallery.png in {DOCS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
