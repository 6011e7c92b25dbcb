"""The concept engine: a valid, rich library; seeded, compatible, non-repeating concepts; series
that keep their cast and answer each cliffhanger; complete phrasebooks; hostile trope files named
by file and field; and the README's new genre and trope rendered as a series through Dagster."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from conftest import REPO, environment, factory_env

from commands.cli import main
from microdrama.concepts.compile import episode_template
from microdrama.concepts.coverage import missing_translations
from microdrama.concepts.library import load_library
from microdrama.concepts.sampler import NO_REPEAT, ConceptSpace, compatible
from microdrama.concepts.series import draw_bible
from microdrama.keys import EpisodeKey
from microdrama.quality.gates import Continuity, script_gates
from microdrama.release import Release
from microdrama.words.content_policy import ContentPolicy
from microdrama.words.story import write_premise, write_script
from microdrama.words.template import BEATS

CONCEPTS = REPO / "templates" / "concepts"
LIBRARY = load_library(CONCEPTS)
SPACE = ConceptSpace(LIBRARY)
POLICY = ContentPolicy.load(REPO / "templates" / "policy")


def script_of(key: EpisodeKey, space: ConceptSpace = SPACE, known: dict | None = None):
    bible = draw_bible(space.library, key)
    concepts = space.series(key, bible, known or {})
    template = episode_template(space.library, concepts[-1], bible)
    release = Release(str(key), 1234, "the harbor fire", "2026-12-01T00:00:00+00:00", "test")
    premise = write_premise(template, "digest", None, release)
    return bible, concepts, template, write_script(template, premise)


def test_the_library_is_valid_and_has_candidates_for_every_beat() -> None:
    assert LIBRARY.problems == []
    assert len(LIBRARY.tropes) >= 40
    assert len(LIBRARY.genres) == 6
    for genre in LIBRARY.genres:
        for beat in BEATS:
            assert len(LIBRARY.tropes_for(genre, beat)) >= 3, (genre, beat)
    shared = [t for t in LIBRARY.tropes if len(LIBRARY.genres_of(t)) > 1]
    assert len(shared) >= 20  # genres share tropes where they fit


def test_the_same_seed_gives_the_same_script_byte_for_byte() -> None:
    key = EpisodeKey("palace-intrigue", 12, 3)
    first = script_of(key)[3]
    again = script_of(key, ConceptSpace(load_library(CONCEPTS)))[3]
    dump = json.dumps(first.to_dict(), ensure_ascii=False, sort_keys=True)
    assert dump == json.dumps(again.to_dict(), ensure_ascii=False, sort_keys=True)
    assert script_of(EpisodeKey("palace-intrigue", 13, 3))[3].to_dict() != first.to_dict()


@pytest.mark.parametrize("genre", sorted(LIBRARY.genres))
def test_pilots_are_compatible_and_never_repeat_a_concept(genre: str) -> None:
    spec, seen = LIBRARY.genres[genre], set()
    for series in range(1, 301):
        key = EpisodeKey(genre, series, 1)
        (concept,) = SPACE.series(key, draw_bible(LIBRARY, key), {})
        tropes = [LIBRARY.tropes[concept.tropes[beat]] for beat in BEATS]
        assert [t.beat for t in tropes] == list(BEATS)
        assert all(genre in LIBRARY.genres_of(concept.tropes[b]) for b in BEATS)
        assert compatible(tropes)
        for trope in tropes:
            others = {tag for t in tropes if t is not trope for tag in t.tags}
            assert set(trope.requires) <= others and not set(trope.excludes) & others
            assert set(trope.roles) <= set(spec.cast)
        assert spec.shots.min <= sum(len(t.shots) for t in tropes) <= spec.shots.max
        for beat, backdrop in concept.places.items():
            assert LIBRARY.backdrops[backdrop].kind in LIBRARY.tropes[concept.tropes[beat]].settings
        assert concept.identity not in seen
        seen.add(concept.identity)


def test_a_series_keeps_its_cast_and_answers_every_cliffhanger() -> None:
    key = EpisodeKey("revenge", 7, 10)
    bible = draw_bible(LIBRARY, key)
    concepts = SPACE.series(key, bible, {})
    templates = [episode_template(LIBRARY, c, bible) for c in concepts]
    cast = bible.kept()
    assert len({m.name for m in bible.cast.values()}) == len(bible.cast)
    assert all(m.names["zh-CN"] for m in bible.cast.values())
    for n, (concept, template) in enumerate(zip(concepts, templates, strict=True)):
        assert template.characters == templates[0].characters  # names, looks, voices
        assert template.titles == templates[0].titles
        recent = {c.cliffhanger for c in concepts[max(0, n - NO_REPEAT) : n]}
        assert concept.cliffhanger not in recent
        answer = []
        if n:
            previous = LIBRARY.tropes[concepts[n - 1].tropes["cliffhanger"]]
            answer = previous.resolve.patterns()
            assert template.beats[0].shots[0].lines[0].say == previous.resolve.lines[0].say
            assert concept.stakes >= min(concepts[n - 1].stakes, SPACE.stakes_cap("revenge"))
        episode = EpisodeKey("revenge", 7, n + 1)
        release = Release(str(episode), 99 + n, "the harbor fire", "2026-12-01T00:00:00+00:00", "t")
        script = write_script(template, write_premise(template, "d", None, release))
        gates = script_gates(script, template, POLICY, "en", Continuity(cast, answer))
        assert all(g.passed for g in gates), [g for g in gates if not g.passed]
    planted = {s for c in concepts for s in c.plants}
    revealed = {s for c in concepts for s in c.reveals}
    assert planted == revealed == {s.secret for s in bible.secrets} and planted
    for secret in bible.secrets:
        assert secret.plant < secret.reveal <= 10


def test_continuity_fails_a_script_whose_cast_or_opening_drifts() -> None:
    bible, concepts, template, script = script_of(EpisodeKey("rebirth", 3, 2))
    cast = bible.kept()
    answer = LIBRARY.tropes[concepts[0].tropes["cliffhanger"]].resolve.patterns()
    good = script_gates(script, template, POLICY, "en", Continuity(cast, answer))
    assert next(g for g in good if g.name == "continuity").passed
    renamed = {**cast, "lead": {**cast["lead"], "name": "Somebody Else"}}
    drift = script_gates(script, template, POLICY, "en", Continuity(renamed, ["Never said."]))
    failed = next(g for g in drift if g.name == "continuity")
    assert not failed.passed
    assert "Somebody Else" in failed.reason and "cliffhanger" in failed.reason


def test_phrasebooks_cover_every_library_line_in_es_and_zh_cn() -> None:
    assert missing_translations(LIBRARY, CONCEPTS, REPO / "templates" / "phrasebook") == []


HOSTILE = {
    "bad-yaml": ("title: [unclosed\n", "not valid YAML"),
    "unknown-slot": (None, "shots.0.lines.0.say: unknown slot {villain}"),
    "missing-role": (None, "roles: shots use ['rival']"),
    "no-such-object": (None, "object: unknown object 'unicorn'"),
    "wrong-beat": (None, "beat: Input should be"),
    "huge": ("title: x\n" + "#" * 300_000 + "\n", "(file): "),
}


def hostile_trope(name: str) -> str:
    good = (CONCEPTS / "tropes" / "slap-at-the-banquet.yaml").read_text()
    if name == "unknown-slot":
        return good.replace(
            '"How dare you show your face here, {lead}?', '"{villain}, how dare you?'
        )
    if name == "missing-role":
        return good.replace("roles: [lead, rival]", "roles: [lead]")
    if name == "no-such-object":
        return good.replace("beat: hook", "beat: hook\nobject: unicorn")
    return good.replace("beat: hook", "beat: climax")


def test_hostile_trope_files_are_named_by_file_and_field(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    shutil.copytree(REPO / "templates", templates)
    tropes = templates / "concepts" / "tropes"
    for name, (text, _) in HOSTILE.items():
        (tropes / f"{name}.yaml").write_text(text if text is not None else hostile_trope(name))
    assert "{villain}" in (tropes / "unknown-slot.yaml").read_text()
    broken = load_library(templates / "concepts")
    problems = {Path(p.path).stem: str(p) for p in broken.problems}
    for name, (_, expected) in HOSTILE.items():
        assert name in problems, name
        assert str(tropes / f"{name}.yaml") in problems[name] and expected in problems[name]
    assert broken.tropes.keys() == LIBRARY.tropes.keys()  # the rest is untouched
    assert broken.genres.keys() == LIBRARY.genres.keys()
    assert main(["validate", "--templates", str(templates)]) == 1


def readme_example() -> dict[str, str]:
    """The YAML blocks of templates/README.md's 'Adding a genre and a trope', by file."""
    text = (REPO / "templates" / "README.md").read_text()
    section = text.split("### Adding a genre and a trope", 1)[1]
    blocks = re.findall(r"```yaml\n(.*?)```", section, re.S)
    files = ["tropes/the-burnt-signature-dish.yaml", "kitchen-rivals.yaml"]
    return dict(zip([*files, "es", "zh-CN"], blocks, strict=True))


def test_a_new_genre_and_trope_from_the_readme_render_a_series_in_every_locale(
    tmp_path: Path,
) -> None:
    from operations.render import render

    example = readme_example()
    env = factory_env(tmp_path, [])
    templates = env["MICRODRAMA_TEMPLATES"]
    shutil.copytree(CONCEPTS, templates / "concepts")
    for name in ("tropes/the-burnt-signature-dish.yaml", "kitchen-rivals.yaml"):
        (templates / "concepts" / name).write_text(example[name])
    for locale in ("es", "zh-CN"):
        (templates / "phrasebook" / locale / "kitchen-rivals.yaml").write_text(example[locale])
    assert main(["validate", "--templates", str(templates)]) == 0
    with environment(env):
        made = [render("kitchen-rivals", None, None)]
        series = made[0]["series"]
        made.append(render(None, None, None, series))
    assert [m["episode_number"] for m in made] == [1, 2]
    assert {m["series"] for m in made} == {series}
    storage = env["MICRODRAMA_STORAGE"]
    bible = json.loads(
        (storage / "episodes" / "kitchen-rivals" / series / "bible.json").read_text()
    )
    names = {role: m["name"] for role, m in bible["cast"].items()}
    for n, outcome in enumerate(made):
        assert set(outcome["subtitles"]) == {"en", "es", "pt-BR", "zh-CN"}
        master = Path(outcome["package"])
        renditions = [master.parent / loc / "audio" / "index.m3u8" for loc in outcome["subtitles"]]
        for video in [*outcome["variants"].values(), *renditions]:
            probe = subprocess.run(
                [
                    "ffprobe",
                    "-v",
                    "error",
                    "-show_entries",
                    "stream=codec_type",
                    "-of",
                    "json",
                    video,
                ],
                capture_output=True,
                text=True,
                check=True,
            )
            kinds = {s["codec_type"] for s in json.loads(probe.stdout)["streams"]}
            assert kinds == ({"audio"} if video in renditions else {"video", "audio"})
        folder = Path(outcome["cut"]).parent
        script = json.loads((folder / "script" / "script.json").read_text())
        assert script["cast"] == names
        gates = json.loads((folder / "script" / "checks.json").read_text())
        continuity = next(g for g in gates if g["name"] == "continuity")
        assert continuity["passed"] and ("answered" in continuity["reason"]) == (n > 0)
        zh = Path(outcome["subtitles"]["zh-CN"]).read_text()
        assert any(m["names"]["zh-CN"] in zh for m in bible["cast"].values())
    pilot = json.loads((Path(made[0]["cut"]).parent / "premise" / "premise.json").read_text())
    assert pilot["concept"]["tropes"]["hook"] == "the-burnt-signature-dish"
    catalog = pd.read_parquet(storage / "tables" / "catalog").sort_values("episode_number")
    assert list(catalog["series"]) == [series] * 2
    assert catalog["hook"].iloc[0] == "the-burnt-signature-dish"
    assert catalog[["setup", "twist", "confrontation", "cliffhanger"]].ne("").all().all()
    assert catalog["cliffhanger_type"].nunique() == len(made)


def test_validate_names_each_line_a_locale_cannot_translate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    templates = tmp_path / "templates"
    shutil.copytree(REPO / "templates", templates)
    trope = templates / "concepts" / "tropes" / "slap-at-the-banquet.yaml"
    new_line = "A line no phrasebook has seen, {lead}."
    text = re.sub(r'( +)- "Look around', rf'\1- "{new_line}"\n\1- "Look around', trope.read_text())
    trope.write_text(text)
    assert main(["validate", "--templates", str(templates)]) == 1
    out = capsys.readouterr().out.splitlines()
    for locale in ("es", "zh-CN"):
        assert f"{trope}: shots.0.lines.0.say: no {locale} translation for {new_line!r}" in out
