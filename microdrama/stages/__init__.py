"""The stages of one episode, as plain functions over the media store, one module per stage.

Dagster assets call these; so do the benchmark and the tests.
"""

from microdrama.stages.cut import TIMELINE, make_cut
from microdrama.stages.episode import Episode, Staged, each
from microdrama.stages.frames import make_frames, screening_of
from microdrama.stages.localized import (
    LOCALIZED_SUMMARY,
    make_localized,
    package_path,
    variant_paths,
)
from microdrama.stages.motion import make_motion, motion_clips
from microdrama.stages.music import make_music
from microdrama.stages.voice import make_voice, voiced
from microdrama.stages.writing import make_premise, make_script

__all__ = [
    "LOCALIZED_SUMMARY",
    "TIMELINE",
    "Episode",
    "Staged",
    "each",
    "make_cut",
    "make_frames",
    "make_localized",
    "make_motion",
    "make_music",
    "make_premise",
    "make_script",
    "make_voice",
    "motion_clips",
    "package_path",
    "screening_of",
    "variant_paths",
    "voiced",
]
