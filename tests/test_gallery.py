"""The gallery in headless Chromium: served on 127.0.0.1 and opened from disk, nothing external."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from services import free_port, stop, wait_for

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (make test)")


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def served(rendered: dict, factory: dict[str, Path]) -> Iterator[str]:
    """The media root behind Python's static file server on 127.0.0.1."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
        cwd=factory["MICRODRAMA_STORAGE"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:

        def answers() -> bool:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return True
            except OSError:
                return False

        wait_for("the static file server", answers, 30, every=0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(server, 10)


def watch(page: object, locale: str) -> dict:
    """Pick `locale` in the episode's player; wait for its metadata; describe the player."""
    card = "article[data-genre='short-revenge'][data-episode='e0001']"
    page.select_option(f"{card} select", locale)
    page.wait_for_function(
        """([card, locale]) => {
            const v = document.querySelector(card + ' video');
            return v.currentSrc.includes('/' + (locale === 'en' ? 'cut' : locale) + '/')
                && v.readyState >= 1 && v.duration > 0;
        }""",
        arg=[card, locale],
        timeout=30_000,
    )
    return page.evaluate(
        """(card) => {
            const v = document.querySelector(card + ' video');
            const t = v.textTracks[0];
            return {src: v.currentSrc, duration: v.duration, tracks: v.textTracks.length,
                    language: t && t.language, poster: v.poster};
        }""",
        card,
    )


def test_gallery_served_lists_episodes_plays_and_switches_locale(
    browser: object, served: str, rendered: dict
) -> None:
    page = browser.new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(f"{served}/gallery/index.html")
    assert page.locator("article.episode").count() >= 1
    assert "checks passed" in page.inner_text("article[data-episode='e0001'] summary")
    english = watch(page, "en")
    assert english["duration"] == pytest.approx(float(rendered_seconds(rendered, "en")), abs=0.3)
    assert english["tracks"] == 1 and english["language"] == "en"
    chinese = watch(page, "zh-CN")
    assert chinese["src"].endswith("/localized/zh-CN/episode.mp4")
    assert chinese["tracks"] == 1 and chinese["language"] == "zh-CN"
    assert chinese["duration"] != english["duration"]
    outside = [u for u in requests if not u.startswith((served, "blob:", "data:"))]
    assert outside == [], outside
    page.close()


def test_gallery_works_opened_from_disk(browser: object, factory: dict[str, Path]) -> None:
    page = browser.new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    index = factory["MICRODRAMA_STORAGE"] / "gallery" / "index.html"
    page.goto(index.as_uri())
    assert watch(page, "es")["duration"] > 0
    assert [u for u in requests if not u.startswith(("file://", "blob:", "data:"))] == []
    page.close()


def rendered_seconds(rendered: dict, locale: str) -> float:
    from microdrama.ffmpeg import probe

    return float(probe(Path(rendered["variants"][locale]))["format"]["duration"])
