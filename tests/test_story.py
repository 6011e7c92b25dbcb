"""The embedded writer: seeded, template-guided, trend-aware."""

from __future__ import annotations

from pathlib import Path

from microdrama.release import Release
from microdrama.trends.feed import load_trend_feed
from microdrama.words.story import Script, write_premise, write_script
from microdrama.words.template import load_template

REPO = Path(__file__).resolve().parent.parent
TEMPLATE = load_template(REPO / "templates" / "revenge.yaml")
TRENDS = load_trend_feed(REPO / "data" / "trends.csv")


def script_for(seed: int, key: str = "revenge-0001-01") -> Script:
    made = Release(key, seed, None, "2026-12-01T00:00:00", "test")
    premise = write_premise(TEMPLATE.template, TEMPLATE.content_hash, TRENDS, made)
    return write_script(TEMPLATE.template, premise)


def test_same_seed_same_script_hash() -> None:
    assert script_for(5).content_hash == script_for(5).content_hash


def test_other_seeds_give_other_scripts() -> None:
    assert len({script_for(seed).content_hash for seed in range(6)}) > 1


def test_script_follows_the_template_structure() -> None:
    script = script_for(3)
    template = TEMPLATE.template
    assert len(script.shots) == template.shot_count
    assert next(s.beat for s in script.shots) == "hook"
    assert script.shots[-1].beat == "cliffhanger"
    speakers = {c.id for c in template.characters}
    assert all(line.speaker in speakers and line.text.strip() for _, line in script.lines)
    assert "{" not in "".join(line.text for _, line in script.lines)
    assert abs(script.runtime_seconds - template.runtime_seconds) < 0.5


def test_topic_comes_from_the_trend_feed() -> None:
    topics = {script_for(seed).topic for seed in range(10)}
    assert topics <= set(TRENDS["topic"])
    assert any(t in line.text for s in [script_for(1)] for _, line in s.lines for t in topics)


def test_round_trip_through_json() -> None:
    script = script_for(9)
    assert Script.from_dict(script.to_dict()) == script
    assert script.title in script.to_markdown()


def test_a_topic_too_long_for_a_caption_picks_the_line_variants_without_it() -> None:
    from microdrama.words.story import fitting
    from microdrama.words.text import fits_a_caption

    say = ["They only talk about {topic} tonight.", "Nobody is looking at us tonight."]
    long_topic = "an extraordinarily long hot topic that trends everywhere " * 2
    assert fitting(say, {"topic": long_topic}) == [say[1]]
    assert fitting(say, {"topic": "the storm"}) == say
    assert not fits_a_caption(say[0].format(topic=long_topic))
