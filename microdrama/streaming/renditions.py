"""A locale's renditions: its sound as AAC segments, its subtitles as a WebVTT playlist."""

from __future__ import annotations

import math
from pathlib import Path

import m3u8

from microdrama.av.ffmpeg import run_ffmpeg
from microdrama.media import write_bytes
from microdrama.picture.captions import Cue, to_vtt
from microdrama.picture.compositor import VideoSettings, metadata_args
from microdrama.streaming.ladder import PLAYLIST, hls_args

SUBTITLES_PLAYLIST = "subtitles.m3u8"
SUBTITLES_SEGMENT = "subtitles.vtt"
# Cue times are on the presentation timeline, which starts at 0 in our fMP4 segments.
TIMESTAMP_MAP = "X-TIMESTAMP-MAP=MPEGTS:0,LOCAL:00:00:00.000"


def encode_sound(
    mix: Path, folder: Path, settings: VideoSettings, metadata: dict[str, str] | None = None
) -> Path:
    """The locale's mixed sound (a WAV) as an HLS audio rendition in `folder`; `metadata` goes
    into its init segment (the AIGC record)."""
    folder.mkdir(parents=True, exist_ok=True)
    tags = metadata_args(metadata)
    run_ffmpeg(["-i", str(mix), "-map", "0:a", *settings.aac_args(), *tags, *hls_args(folder)])
    return folder / PLAYLIST


def write_subtitles(cues: list[Cue], seconds: float, folder: Path) -> Path:
    """The cues as one WebVTT segment and its VOD media playlist, in `folder`."""
    header, _, body = to_vtt(cues).partition("\n")
    write_bytes(folder / SUBTITLES_SEGMENT, f"{header}\n{TIMESTAMP_MAP}\n{body}".encode())
    playlist = m3u8.M3U8()
    playlist.version = 3
    playlist.target_duration = math.ceil(seconds)
    playlist.media_sequence = 0
    playlist.playlist_type = "vod"
    playlist.is_endlist = True
    playlist.add_segment(m3u8.Segment(uri=SUBTITLES_SEGMENT, duration=round(seconds, 3)))
    return write_bytes(folder / SUBTITLES_PLAYLIST, playlist.dumps().encode())
