// The gallery: newest episodes first, a page of data at a time, cards made as they scroll in.
// Data files are scripts that call gallery.load(name, data), so this works from disk too.
"use strict";

const gallery = (() => {
  const waiting = new Map();
  const stamp = Date.now();

  // Load data/<name>.js; resolves with its data, or null if the file is missing.
  function fetchData(name) {
    return new Promise((resolve) => {
      waiting.set(name, resolve);
      const script = document.createElement("script");
      script.src = `data/${name}.js?v=${stamp}`;
      script.onerror = () => { waiting.delete(name); script.remove(); resolve(null); };
      script.onload = () => script.remove();
      document.head.appendChild(script);
    });
  }

  function load(name, data) {
    const resolve = waiting.get(name);
    waiting.delete(name);
    if (resolve) resolve(data);
  }

  return { fetchData, load };
})();

// Entries of a list of pages, newest first, fetched one page at a time when needed.
class Pages {
  constructor(names) { this.names = names; this.next = 0; this.buffer = []; }
  async peek() {
    while (!this.buffer.length && this.next < this.names.length) {
      const data = await gallery.fetchData(this.names[this.next++]);
      if (data) this.buffer = data.entries.slice();
    }
    return this.buffer[0] || null;
  }
  take() { return this.buffer.shift(); }
}

// Several sources merged newest first (every genre at once).
class Merged {
  constructor(sources) { this.sources = sources; }
  async peek() {
    let best = null;
    for (const source of this.sources) {
      const head = await source.peek();
      if (head && (!best || newer(head, best.head))) best = { source, head };
    }
    this.best = best;
    return best ? best.head : null;
  }
  take() { return this.best.source.take(); }
}

function newer(a, b) {
  return a.minted_at > b.minted_at || (a.minted_at === b.minted_at && a.key > b.key);
}

const BATCH = 12;
const $ = (id) => document.getElementById(id);
let index = null;
let source = null;
let generation = 0;
let exhausted = false;
let shown = 0;

function el(tag, attrs = {}, text = "") {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text) node.textContent = text;
  return node;
}

function filters() {
  return {
    genre: $("genre").value,
    locale: $("locale").value,
    series: $("series").value.trim().toLowerCase(),
    search: $("search").value.trim().toLowerCase(),
  };
}

function matches(entry, f) {
  if (f.locale && !entry.locales.includes(f.locale)) return false;
  if (!f.search) return true;
  return entry.title.toLowerCase().includes(f.search) || entry.series.includes(f.search);
}

function makeSource(f) {
  if (f.series) return new Pages([`series/${f.series}`]);
  const genres = f.genre ? [f.genre] : Object.keys(index.genres);
  const perGenre = genres
    .filter((g) => index.genres[g])
    .map((g) => new Pages(index.genres[g].days.map((day) => `genre/${g}/${day}`)));
  return perGenre.length === 1 ? perGenre[0] : new Merged(perGenre);
}

// The player exists only while its card is on screen.
const screens = new IntersectionObserver((seen) => {
  for (const { target, isIntersecting } of seen) {
    if (isIntersecting) attachPlayer(target);
    else detachPlayer(target);
  }
}, { rootMargin: "200px" });

// The HLS package plays over HTTP: hls.js where the browser has Media Source Extensions, the
// browser itself where it plays HLS. Opened from disk, a page may not fetch playlists, so it
// plays the burned-in MP4 (the source locale's by default) instead.
function streams(entry) {
  if (!entry.package || location.protocol === "file:") return null;
  if (window.Hls && Hls.isSupported()) return "hls.js";
  if (document.createElement("video").canPlayType("application/vnd.apple.mpegurl")) return "native";
  return null;
}

// Switch the stream's sound and subtitles to `locale`: the same picture plays on.
function chooseLocale(card, locale) {
  const video = card.querySelector("video");
  if (card.hls) {
    const hls = card.hls;
    const audio = hls.audioTracks.findIndex((t) => t.lang === locale);
    if (audio >= 0 && hls.audioTrack !== audio) hls.audioTrack = audio;
    hls.subtitleTrack = hls.subtitleTracks.findIndex((t) => t.lang === locale);
    hls.subtitleDisplay = true;
  } else if (video && video.audioTracks) {  // native HLS (Safari)
    for (const track of video.audioTracks) track.enabled = track.language === locale;
    for (const track of video.textTracks) {
      track.mode = track.language === locale ? "showing" : "disabled";
    }
  }
  if (video) video.dataset.locale = locale;
}

function attachPlayer(card) {
  if (card.querySelector("video")) return;
  const entry = card.entry;
  const locale = card.querySelector("select").value;
  const video = el("video", { controls: "", preload: "metadata", playsinline: "",
                              poster: entry.poster });
  const screen = card.querySelector(".screen");
  screen.replaceChildren(video);
  const way = streams(entry);
  video.dataset.player = way || "mp4";
  if (way === "hls.js") {
    const hls = new Hls({ subtitleDisplay: true });
    card.hls = hls;
    hls.on(Hls.Events.MANIFEST_PARSED, () => chooseLocale(card, card.querySelector("select").value));
    hls.loadSource(entry.package);
    hls.attachMedia(video);
    return;
  }
  if (way === "native") {
    video.src = entry.package;
    video.addEventListener("loadedmetadata", () => chooseLocale(card, locale), { once: true });
    return;
  }
  const mp4 = entry.videos[locale] ? locale : Object.keys(entry.videos)[0];
  if (!mp4) return;
  video.src = entry.videos[mp4];
  if (location.protocol !== "file:" && entry.subtitles[locale]) {
    const track = el("track", { kind: "subtitles", srclang: locale, label: locale, default: "",
                                src: entry.subtitles[locale] });
    video.appendChild(track);
  }
}

function detachPlayer(card) {
  const video = card.querySelector("video");
  if (!video || !video.paused) return;
  if (card.hls) { card.hls.destroy(); card.hls = null; }
  video.removeAttribute("src");
  video.load();
  card.querySelector(".screen").replaceChildren(
    el("img", { src: card.entry.poster, alt: card.entry.title, loading: "lazy" }));
}

// Each genre's engagement and series status (data/audience/<genre>.js), loaded once, when a
// card of the genre is first shown; episodes with no figures yet say so.
const audiences = new Map();
function audience(genre) {
  if (!audiences.has(genre)) audiences.set(genre, gallery.fetchData(`audience/${genre}`));
  return audiences.get(genre);
}

function percent(rate) { return `${(100 * rate).toFixed(1)}%`; }

async function showAudience(entry, node) {
  const data = await audience(entry.genre);
  const ep = data && data.episodes[entry.key];
  const series = data && data.series[entry.series];
  const parts = [ep ? `completion ${percent(ep.rate)} of ${ep.plays.toLocaleString("en")} plays`
                    : "no engagement yet"];
  if (series) {
    parts.push(`series ${series.status}` + (series.rate == null ? "" : ` (${percent(series.rate)})`));
  }
  node.textContent = parts.join(" · ");
  node.dataset.status = series ? series.status : "testing";
}

// The AI label the episode opens with, its filing number, and whether its content credentials
// (C2PA) validated when the package was made.
function disclosure(entry) {
  const found = entry.provenance || {};
  if (!found.label) return el("p", { class: "meta provenance" }, "no AI label (made before labels)");
  const label = found.label[entry.locales[0]] || Object.values(found.label)[0];
  const filing = found.filing_number ? ` · filing ${found.filing_number}` : "";
  const signed = found.validated ? "credentials valid" : "credentials invalid";
  const trust = found.credentials ? ` (${found.credentials})` : "";
  const node = el("p", { class: "meta provenance", title: found.status || "" });
  node.append(el("span", { class: "ai" }, "AI"), ` ${label}${filing} · `,
    el("span", { class: found.validated ? "ok" : "bad" }, signed), trust);
  return node;
}

function card(entry) {
  const node = el("article", { class: "episode", "data-key": entry.key,
                               "data-genre": entry.genre, "data-series": entry.series });
  node.entry = entry;
  node.appendChild(el("h3", {}, entry.title));
  node.appendChild(el("p", { class: "meta" },
    `${entry.key} · episode ${entry.number} · ${entry.seconds}s · ${entry.minted_at.slice(0, 10)}`));
  node.appendChild(el("p", { class: "logline" }, entry.logline));
  const watched = el("p", { class: "meta audience" }, "engagement…");
  showAudience(entry, watched);
  node.appendChild(watched);
  const screen = el("div", { class: "screen" });
  screen.appendChild(el("img", { src: entry.poster, alt: entry.title, loading: "lazy" }));
  node.appendChild(screen);
  const picker = el("select", { "aria-label": "locale" });
  for (const locale of entry.locales) picker.appendChild(el("option", { value: locale }, locale));
  const wanted = filters().locale;
  if (wanted && entry.locales.includes(wanted)) picker.value = wanted;
  picker.addEventListener("change", () => {
    if (node.hls || (node.querySelector("video") && streams(entry) === "native")) {
      chooseLocale(node, picker.value);  // the same stream, another sound and subtitles
    } else {
      detachPlayer(node);
      attachPlayer(node);
    }
  });
  const row = el("p", { class: "meta" });
  row.append("Locale ", picker, " ");
  const series = el("button", { class: "link", type: "button" }, entry.series);
  series.addEventListener("click", () => { $("series").value = entry.series; restart(); });
  row.append(series);
  if (entry.status !== "live") row.append(" ", el("span", { class: "archived" }, entry.status));
  node.appendChild(row);
  const checks = el("details");
  const bad = entry.checks.failed.length > 0;
  checks.appendChild(el("summary", { class: bad ? "bad" : "ok" },
    `${entry.checks.passed}/${entry.checks.total} checks passed`));
  const list = el("ul");
  for (const failure of entry.checks.failed) list.appendChild(el("li", { class: "bad" }, failure));
  checks.appendChild(list);
  node.appendChild(checks);
  node.appendChild(disclosure(entry));
  if (index.dagster) {
    const href = `${index.dagster}/assets/premise?view=partitions&partition=${encodeURIComponent(entry.key)}`;
    node.appendChild(el("a", { href }, "lineage in Dagster"));
  }
  screens.observe(node);
  return node;
}

let filling = false;

// Append up to BATCH matching cards, then more while the end of the grid is in view.
async function fill() {
  if (filling) return;
  filling = true;
  try {
    const mine = generation;
    const f = filters();
    let added = 0;
    while (added < BATCH && !exhausted) {
      const head = await source.peek();
      if (mine !== generation) return;
      if (!head) { exhausted = true; break; }
      const entry = source.take();
      if (!matches(entry, f)) continue;
      $("grid").appendChild(card(entry));
      added++; shown++;
    }
    $("more").textContent = exhausted ? (shown ? "that is all" : "no episodes match") : "loading…";
    if (shown && !performance.getEntriesByName("first-cards").length) {
      performance.mark("first-cards");  // what a benchmark reads: the first cards are on the page
    }
  } finally {
    filling = false;
  }
  if (!exhausted && isVisible($("more"))) fill();
}

function isVisible(node) {
  const box = node.getBoundingClientRect();
  return box.top < window.innerHeight + 600;
}

function restart() {
  generation++;
  exhausted = false;
  shown = 0;
  for (const old of $("grid").children) screens.unobserve(old);
  $("grid").replaceChildren();
  source = makeSource(filters());
  fill();
}

new IntersectionObserver((seen) => {
  if (seen.some((s) => s.isIntersecting) && source && !exhausted) fill();
}, { rootMargin: "600px" }).observe($("more"));

(async () => {
  index = await gallery.fetchData("index");
  if (!index) { $("more").textContent = "No finished episodes yet."; return; }
  $("count").textContent = `${index.episodes} episodes, ${Object.keys(index.genres).length} genres`;
  for (const [genre, info] of Object.entries(index.genres)) {
    $("genre").appendChild(el("option", { value: genre }, `${genre} (${info.episodes})`));
  }
  for (const locale of index.locales) $("locale").appendChild(el("option", { value: locale }, locale));
  const query = new URLSearchParams(location.search);
  for (const name of ["genre", "locale", "series", "search"]) {
    if (query.get(name)) $(name).value = query.get(name);
  }
  for (const name of ["genre", "locale"]) $(name).addEventListener("change", restart);
  for (const name of ["series", "search"]) $(name).addEventListener("change", restart);
  restart();
})();
