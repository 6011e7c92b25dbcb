"""The master playlist (RFC 8216): the picture's rungs, and one audio and one subtitle rendition
per locale with its language tag and its name in that language."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import m3u8
from m3u8.model import SessionData

from microdrama.media import write_bytes

AUDIO_GROUP, SUBTITLES_GROUP = "audio", "subs"
LANGUAGE_NAMES = {
    "en": "English",
    "es": "Español",
    "pt-BR": "Português (Brasil)",
    "zh-CN": "简体中文",
}
H264_PROFILES = {"Constrained Baseline": "4240", "Baseline": "4200", "Main": "4d00", "High": "6400"}
AAC_LC = "mp4a.40.2"


@dataclass(frozen=True)
class VideoRendition:
    uri: str
    width: int
    height: int
    fps: int
    peak_bps: int
    average_bps: int
    codec: str  # RFC 6381, e.g. avc1.64001f


@dataclass(frozen=True)
class LocaleRenditions:
    locale: str
    audio_uri: str
    subtitles_uri: str


def avc1(profile: str, level: int) -> str:
    """ffprobe's H.264 profile and level as an RFC 6381 codec string."""
    return f"avc1.{H264_PROFILES.get(profile, '6400')}{level:02x}"


def language_name(locale: str) -> str:
    return LANGUAGE_NAMES.get(locale, locale)


def write_master(
    path: Path,
    video: list[VideoRendition],
    locales: list[LocaleRenditions],
    default: str,
    session_data: dict[str, str] | None = None,
) -> Path:
    """Write the master playlist at `path`; `default` is the locale a player starts in.
    `session_data` (DATA-ID -> URI of a JSON file) goes in as EXT-X-SESSION-DATA: how the
    package names its AIGC record to a player or a platform's checker."""
    master = m3u8.M3U8()
    master.version = 7
    master.is_independent_segments = True
    for data_id, uri in (session_data or {}).items():
        master.session_data.append(SessionData(data_id, uri=uri))
    media = []
    for loc in locales:
        common = {"language": loc.locale, "name": language_name(loc.locale)}
        is_default = "YES" if loc.locale == default else "NO"
        media.append(
            m3u8.Media(
                uri=loc.audio_uri,
                type="AUDIO",
                group_id=AUDIO_GROUP,
                default=is_default,
                autoselect="YES",
                channels="1",
                **common,
            )
        )
        media.append(
            m3u8.Media(
                uri=loc.subtitles_uri,
                type="SUBTITLES",
                group_id=SUBTITLES_GROUP,
                default="NO",
                autoselect="YES",
                **common,
            )
        )
    for item in media:
        master.add_media(item)
    for rung in video:
        master.add_playlist(
            m3u8.Playlist(
                uri=rung.uri,
                stream_info={
                    "bandwidth": rung.peak_bps,
                    "average_bandwidth": rung.average_bps,
                    "resolution": f"{rung.width}x{rung.height}",
                    "frame_rate": float(rung.fps),
                    "codecs": f"{rung.codec},{AAC_LC}",
                    "audio": AUDIO_GROUP,
                    "subtitles": SUBTITLES_GROUP,
                },
                media=media,
                base_uri=None,
            )
        )
    return write_bytes(path, master.dumps().encode())
