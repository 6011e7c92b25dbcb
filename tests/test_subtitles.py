"""Captions render literally: no escaping games, any script."""

from __future__ import annotations

from microdrama.picture.captions import CaptionPainter, Cue, to_srt, to_vtt
from microdrama.picture.fonts import font_for

HOSTILE = 'It\'s 100% "real": C:\\path %{pts} [x]; done\nnext'


def test_srt_and_vtt_keep_text_literal() -> None:
    cues = [Cue(0.25, 1.5, HOSTILE), Cue(61.0, 3725.042, "林夏：你回来了？")]
    srt = to_srt(cues)
    assert 'It\'s 100% "real": C:\\path %{pts} [x]; done next' in srt
    assert "00:00:00,250 --> 00:00:01,500" in srt
    assert "00:01:01,000 --> 01:02:05,042" in srt
    assert to_vtt(cues).startswith("WEBVTT\n\n00:00:00.250 --> 00:00:01.500\n")


def test_caption_painter_draws_hostile_and_cjk_text() -> None:
    for locale, text in (("en", HOSTILE), ("zh-CN", "三年前，你把我推进了大海。今晚，我回来了。")):
        painter = CaptionPainter(font_for(locale), 720, 42)
        strip = painter.paint(text)
        assert strip.shape[1] == 720 and strip.shape[2] == 4
        opaque_white = (strip[..., 3] == 255) & (strip[..., :3].min(axis=2) > 200)
        assert opaque_white.sum() > 500, locale


def test_cjk_wraps_by_character_within_the_frame() -> None:
    painter = CaptionPainter(font_for("zh-CN"), 360, 30)
    text = "三年前你把我推进了大海今晚我回来了" * 2
    lines = painter.wrap(text)
    assert len(lines) > 1
    assert all(painter.font.getlength(line) <= 360 for line in lines)
    assert "".join(lines) == text  # breaking anywhere loses no character
