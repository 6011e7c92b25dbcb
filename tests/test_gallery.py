"""The gallery in headless Chromium: served on 127.0.0.1 and opened from disk, nothing external,
and a catalog of 10,000 episodes paged in lazily."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import SHORT_KEY

from bench.services import free_port, stop, wait_for
from microdrama.catalog.database import CatalogDB, sqlite_url
from microdrama.catalog.rows import COLUMNS
from microdrama.gallery import pages
from microdrama.media import MediaStore

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (make test)")
CARD = f"article[data-key='{SHORT_KEY}']"
GENRES = ["revenge", "ceo-romance", "hidden-identity", "rebirth", "werewolf-romance", "palace"]


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        yield browser
        browser.close()


def serve(root: Path) -> Iterator[str]:
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
        cwd=root,
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


@pytest.fixture(scope="module")
def served(rendered: dict, factory: dict[str, Path]) -> Iterator[str]:
    """The media root behind Python's static file server on 127.0.0.1."""
    yield from serve(factory["MICRODRAMA_STORAGE"])


def stream(page: object) -> dict:
    """The episode's player as hls.js sees it: its sound and subtitle tracks now."""
    return page.evaluate(
        """(card) => {
            const node = document.querySelector(card);
            const v = node.querySelector('video'), hls = node.hls;
            const audio = hls && hls.audioTracks[hls.audioTrack];
            const subs = hls && hls.subtitleTracks[hls.subtitleTrack];
            const showing = [...v.textTracks].filter((t) => t.mode === 'showing');
            return {player: v.dataset.player, time: v.currentTime, duration: v.duration,
                    audio: audio && audio.lang, subtitles: subs && subs.lang,
                    languages: hls ? hls.audioTracks.map((t) => t.lang) : [],
                    showing: showing.map((t) => t.language),
                    cues: showing.length && showing[0].cues ? showing[0].cues.length : 0};
        }""",
        CARD,
    )


def test_gallery_plays_the_package_and_switches_sound_and_subtitles(
    browser: object, served: str, rendered: dict
) -> None:
    page = browser.new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(f"{served}/gallery/index.html")
    page.wait_for_selector(CARD)
    assert "checks passed" in page.inner_text(f"{CARD} summary")
    disclosed = page.inner_text(f"{CARD} .provenance")  # the AI label and its credentials
    assert "AI-generated content" in disclosed and "credentials valid" in disclosed, disclosed
    page.wait_for_function(
        "(card) => { const n = document.querySelector(card); return n.hls && "
        "n.hls.audioTracks.length > 0 && n.querySelector('video').duration > 0; }",
        arg=CARD,
        timeout=30_000,
    )
    english = stream(page)
    assert english["player"] == "hls.js"
    assert english["languages"] == ["en", "es", "pt-BR", "zh-CN"]
    assert english["audio"] == "en"
    assert english["duration"] == pytest.approx(package_seconds(rendered), abs=0.3)
    page.eval_on_selector(f"{CARD} video", "v => { v.muted = true; return v.play(); }")
    page.wait_for_function(
        "(card) => document.querySelector(card + ' video').currentTime > 0.5", arg=CARD
    )
    page.eval_on_selector(f"{CARD} video", "v => { v.dataset.mark = 'the same element'; }")
    page.select_option(f"{CARD} select", "zh-CN")
    page.wait_for_function(
        """(card) => { const n = document.querySelector(card), hls = n.hls;
            const shown = [...n.querySelector('video').textTracks].find(
                (t) => t.mode === 'showing' && t.cues && t.cues.length);
            return hls.audioTracks[hls.audioTrack].lang === 'zh-CN' && shown
                && shown.language === 'zh-CN'; }""",
        arg=CARD,
        timeout=30_000,
    )
    chinese = stream(page)
    assert (chinese["audio"], chinese["subtitles"], chinese["showing"]) == (
        "zh-CN",
        "zh-CN",
        ["zh-CN"],
    )
    assert chinese["cues"] >= 1
    same = page.eval_on_selector(f"{CARD} video", "v => v.dataset.mark")
    assert same == "the same element"  # the same player and stream played on
    page.wait_for_function(
        "(card) => document.querySelector(card + ' video').currentTime > 1.5", arg=CARD
    )
    fetched = [u for u in requests if "/localized/zh-CN/" in u]
    assert any(u.endswith("/localized/zh-CN/subtitles.vtt") for u in fetched)
    assert any("/localized/zh-CN/audio/" in u and u.endswith(".m4s") for u in fetched)
    assert not [u for u in requests if u.endswith("episode.mp4")]  # no burned-in file
    outside = [u for u in requests if not u.startswith((served, "blob:", "data:"))]
    assert outside == [], outside
    page.close()


def test_gallery_works_opened_from_disk(browser: object, factory: dict[str, Path]) -> None:
    page = browser.new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    index = factory["MICRODRAMA_STORAGE"] / "gallery" / "index.html"
    page.goto(index.as_uri())
    page.wait_for_selector(CARD)
    page.wait_for_function(
        "(card) => { const v = document.querySelector(card + ' video'); "
        "return v && v.readyState >= 1 && v.duration > 0; }",
        arg=CARD,
        timeout=30_000,
    )
    player = page.eval_on_selector(
        f"{CARD} video", "v => ({player: v.dataset.player, src: v.currentSrc})"
    )
    assert player["player"] == "mp4"  # a page from disk may not fetch playlists
    assert player["src"].endswith("/localized/en/episode.mp4")  # the source burned in
    assert [u for u in requests if not u.startswith(("file://", "blob:", "data:"))] == []
    page.close()


def package_seconds(rendered: dict) -> float:
    from microdrama.av.ffmpeg import probe

    master = Path(rendered["package"])
    return float(probe(master.parent / "en" / "audio" / "index.m3u8")["format"]["duration"])


def synthetic_rows(count: int) -> list[dict]:
    """`count` catalog rows over 6 genres and 10 days, 10 episodes a series, newest last."""
    start = datetime(2026, 11, 20, tzinfo=UTC)
    rows = []
    for n in range(count):
        genre = GENRES[n % len(GENRES)]
        series, number = divmod(n // len(GENRES), 10)
        key = f"{genre}-{series + 1:04d}-{number + 1:02d}"
        minted = start + timedelta(seconds=90 * n)
        row = dict.fromkeys(COLUMNS, "")
        row.update(
            key=key,
            genre=genre,
            series=key.rsplit("-", 1)[0],
            episode_number=number + 1,
            day=minted.date().isoformat(),
            minted_at=minted.isoformat(timespec="seconds"),
            title=f"{'Moonlit' if n % 97 == 0 else 'Episode'} {n}",
            seed=n,
            shots=12,
            lines=12,
            seconds=60.0,
            locales="en,es" if n % 2 else "en,zh-CN",
            variants=json.dumps({"en": "missing.mp4"}),
            subtitles=json.dumps({}),
            checks=json.dumps({}),
            status="live",
            versions="{}",
        )
        rows.append(row)
    return rows


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("big-gallery")
    store = MediaStore(root)
    db = CatalogDB(sqlite_url(root / "tables" / "catalog.db"))
    db.upsert(synthetic_rows(10_000))
    pages.rebuild(store, db, ["en", "es", "zh-CN"], "http://127.0.0.1:3000")
    yield from serve(root)


def cards(page: object) -> list[str]:
    return page.eval_on_selector_all("article.episode", "els => els.map(e => e.dataset.key)")


def test_a_10000_episode_gallery_pages_in_lazily(browser: object, big: str) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{big}/gallery/index.html")
    page.wait_for_function("performance.getEntriesByName('first-cards').length > 0")
    first = cards(page)
    assert 12 <= len(first) <= 48  # a page, not the catalog
    assert first[0] == synthetic_rows(10_000)[-1]["key"]  # newest first: the last row made
    assert page.locator("video").count() <= 12  # players only for cards on screen
    loaded = page.evaluate("performance.getEntriesByType('resource').map(r => r.name)")
    assert sum("/data/genre/" in url for url in loaded) <= 2 * len(GENRES)  # no more pages yet
    fcp = page.evaluate("performance.getEntriesByName('first-contentful-paint')[0].startTime")
    assert fcp > 0
    for _ in range(6):
        page.mouse.wheel(0, 4000)
        page.wait_for_timeout(300)
    assert len(cards(page)) > len(first)  # more on scroll
    newest = cards(page)
    assert all(a > b for a, b in zip(minted(page, newest), minted(page, newest)[1:], strict=False))
    page.close()


def minted(page: object, keys: list[str]) -> list[str]:
    return page.evaluate(
        "keys => keys.map(k => document.querySelector(`article[data-key='${k}']`).entry.minted_at)",
        keys,
    )


def test_filters_by_genre_locale_series_and_title(browser: object, big: str) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{big}/gallery/index.html?genre=rebirth&locale=es")
    page.wait_for_function("performance.getEntriesByName('first-cards').length > 0")
    shown = cards(page)
    assert shown and all(k.startswith("rebirth-") for k in shown)
    assert all(
        "es" in e
        for e in page.eval_on_selector_all(
            "article.episode", "els => els.map(e => e.entry.locales)"
        )
    )
    page.goto(f"{big}/gallery/index.html?series=revenge-0007")
    page.wait_for_selector("article.episode")
    page.wait_for_function("document.getElementById('more').textContent === 'that is all'")
    assert sorted(cards(page)) == [f"revenge-0007-{n:02d}" for n in range(1, 11)]
    page.goto(f"{big}/gallery/index.html?search=moonlit")
    page.wait_for_selector("article.episode")
    titles = page.eval_on_selector_all("article.episode h3", "els => els.map(e => e.textContent)")
    assert titles and all(t.startswith("Moonlit") for t in titles)
    page.close()
