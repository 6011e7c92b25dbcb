"""What a language model may rewrite, and the checks its text must pass to be kept.

The story grammar drafts every premise and script from the template; a writer model then
rewrites only the logline, the shot descriptions and the dialogue, one request per text.
Structure (beats, shots, speakers, emotions) never changes. A rewrite that fails its checks
is dropped and the template's text stays, with a note that says why.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Protocol

from microdrama.words.content_policy import ContentPolicy
from microdrama.words.story import Premise, Script, estimate_speech_seconds, retime
from microdrama.words.template import SOURCE_LOCALE, GenreTemplate
from microdrama.words.text import (
    CAPTION_ROOM,
    caption_columns,
    display_width,
    fits_a_caption,
    stuck,
    unprintable,
)

SYSTEM = (
    "You are the writer of a vertical micro-drama: short, punchy, melodramatic. "
    "Answer with the requested text only, in English, on one line, without quotes."
)
SPEECH_SLACK = 1.5  # a rewritten line may take this much longer to say than the template's
QUOTES = "\"'*\u201c\u201d\u2018\u2019"  # straight and curly quotes, markdown stars
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_PREFIX = re.compile(r"^[\w .'-]{1,32}:\s+")


@dataclass(frozen=True)
class Request:
    """One text to rewrite: the instruction for the model, and the template text it replaces."""

    where: str  # "logline", "shot 3 action", "shot 3 line 1"
    instruction: str
    original: str
    min_words: int
    max_words: int
    spoken: bool = False  # a line of dialogue: it must also fit the time its shot gives it


class Writer(Protocol):
    def __call__(
        self, requests: list[Request], check: Callable[[Request, str], str | None]
    ) -> list[str | None]:
        """For each request, text that `check` passed, or None to keep the original."""
        ...


def tidy(raw: str, max_words: int) -> str:
    """The model's first line, without a "Name:" prefix or wrapping quotes, cut after the last
    whole sentence that fits `max_words` (small models ramble on past a good first sentence)."""
    lines = [ln.strip() for ln in raw.strip().splitlines() if ln.strip()]
    text = _PREFIX.sub("", lines[0]) if lines else ""
    text = " ".join(text.strip().strip(QUOTES).strip().split())
    kept: list[str] = []
    for sentence in _SENTENCE_END.split(text):
        if len(" ".join([*kept, sentence]).split()) > max_words:
            break
        kept.append(sentence)
    return " ".join(kept).strip(QUOTES) if kept else text


def problem(request: Request, text: str, policy: ContentPolicy) -> str | None:
    """Why `text` cannot replace the request's original, or None when it can."""
    words = len(text.split())
    if words < request.min_words:
        return f"{words} word(s), fewer than {request.min_words}"
    if words > request.max_words:
        return f"{words} words, more than {request.max_words}"
    if unprintable(text):
        return "control or unassigned characters"
    if any(c in text for c in "{}<>[]#*_|\\"):
        return "markup or template braces"
    if not text.isascii():
        return "not plain English text"
    if stuck(text):
        return "repeats itself"
    if hits := policy.hits(text, "en"):
        return f"blocked term(s) {hits}"
    return None


def line_problem(request: Request, text: str, policy: ContentPolicy) -> str | None:
    """A spoken line must also be said in about the time the template's line takes, and fit
    its caption."""
    if request.spoken:
        limit = SPEECH_SLACK * estimate_speech_seconds(request.original) + 0.5
        if estimate_speech_seconds(text) > limit:
            return f"takes {estimate_speech_seconds(text):.1f}s to say, more than {limit:.1f}s"
        room = round(CAPTION_ROOM * caption_columns(SOURCE_LOCALE))
        if not fits_a_caption(text):
            return f"{display_width(text)} columns, more than {room} (captions must fit)"
    return problem(request, text, policy)


def _cast(template: GenreTemplate) -> str:
    return "; ".join(f"{c.name} ({c.archetype})" for c in template.characters)


def premise_requests(template: GenreTemplate, premise: Premise) -> list[Request]:
    instruction = (
        f"Genre: {template.title}. Title: {premise.title}. Trending topic: {premise.topic}. "
        f"Characters: {_cast(template)}.\nWrite a new one-sentence logline for this episode, "
        f"at most 30 words, in the spirit of: {premise.logline}"
    )
    return [Request("logline", instruction, premise.logline, 8, 45)]


def apply_premise(premise: Premise, texts: list[str | None]) -> Premise:
    (logline,) = texts
    return replace(premise, logline=logline) if logline else premise


def script_requests(template: GenreTemplate, script: Script) -> list[Request]:
    """One request per shot description and per line, in script order."""
    requests = []
    for shot in script.shots:
        place = template.location(shot.location).name
        cast = ", ".join(template.character(c).name for c in shot.cast)
        context = (
            f"Genre: {template.title}. Episode: {script.title}. Topic: {script.topic}. "
            f"Beat: {shot.beat}, {shot.type} shot in {place} with {cast}."
        )
        requests.append(
            Request(
                f"shot {shot.index + 1} action",
                f"{context}\nIn one short sentence of at most 15 words, describe what we see, "
                f"like: {shot.action}",
                shot.action,
                4,
                24,
            )
        )
        for n, line in enumerate(shot.lines, 1):
            speaker = template.character(line.speaker)
            words = len(line.text.split())
            requests.append(
                Request(
                    f"shot {shot.index + 1} line {n}",
                    f"{context}\n{speaker.name}, the {speaker.archetype}, speaks ({line.emotion})."
                    f" Rewrite this line of dialogue in your own words, at most {words + 4} "
                    f"words: {line.text}",
                    line.text,
                    max(2, words // 2),
                    max(8, round(words * SPEECH_SLACK)),
                    spoken=True,
                )
            )
    return requests


def apply_script(script: Script, texts: list[str | None], runtime_seconds: float) -> Script:
    """The script with every accepted text swapped in and timed again."""
    rest = iter(texts)
    shots = []
    for shot in script.shots:
        action = next(rest) or shot.action
        lines = []
        for line in shot.lines:
            text = next(rest)
            lines.append(line if text is None else replace(line, text=text, rewritten=True))
        shots.append(replace(shot, action=action, lines=lines))
    return retime(replace(script, shots=shots), runtime_seconds)


def written(requests: list[Request], texts: list[str | None]) -> dict[str, object]:
    """Metadata notes: how many texts the model wrote, and where the template's text stayed."""
    kept = [r.where for r, t in zip(requests, texts, strict=True) if t is None]
    return {
        "model_texts": len(requests) - len(kept),
        "template_text_kept": ", ".join(kept) or "none",
    }
