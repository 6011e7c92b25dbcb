"""The words stages: the premise and the script, drafted by the story grammar, optionally
rewritten by a writer model."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from microdrama.media import write_bytes, write_json
from microdrama.quality.gates import (
    Continuity,
    premise_gates,
    script_gates,
    seal,
)
from microdrama.release import Release
from microdrama.stages.episode import TEMPLATE_FILE, Episode, Staged
from microdrama.words.content_policy import ContentPolicy
from microdrama.words.rewrite import (
    Writer,
    apply_premise,
    apply_script,
    line_problem,
    premise_requests,
    problem,
    script_requests,
    written,
)
from microdrama.words.story import Premise, Script, write_premise, write_script
from microdrama.words.template import SOURCE_LOCALE, GenreTemplate


def make_premise(
    ep: Episode,
    template: GenreTemplate,
    template_hash: str,
    trends: pd.DataFrame | None,
    release: Release,
    policy: ContentPolicy,
    writer: Writer | None = None,
    concept: dict | None = None,
) -> Staged[Premise]:
    """The premise; a concept genre's episode also keeps its concept and its own template."""
    premise = write_premise(template, template_hash, trends, release)
    if concept:
        premise = replace(premise, concept=concept)
    notes: dict[str, object] = {}
    if writer is not None:
        requests = premise_requests(template, premise)
        texts = writer(requests, lambda r, text: problem(r, text, policy))
        premise, notes = apply_premise(premise, texts), written(requests, texts)
    with ep.store.staged(ep.dir("premise")) as tmp:
        write_json(tmp / "premise.json", premise.__dict__)
        if concept:
            write_json(tmp / TEMPLATE_FILE, template.model_dump(mode="json"))
        gates = seal("premise", premise_gates(premise, policy, SOURCE_LOCALE), tmp)
    return Staged(premise, ep.store.read_manifest(ep.dir("premise")), gates, notes)


def make_script(
    ep: Episode,
    template: GenreTemplate,
    policy: ContentPolicy,
    writer: Writer | None = None,
    continuity: Continuity | None = None,
) -> Staged[Script]:
    script = write_script(template, ep.premise())
    notes: dict[str, object] = {}
    if writer is not None:
        requests = script_requests(template, script)
        texts = writer(requests, lambda r, text: line_problem(r, text, policy))
        script = apply_script(script, texts, template.runtime_seconds)
        notes = written(requests, texts)
    with ep.store.staged(ep.dir("script")) as tmp:
        write_json(tmp / "script.json", script.to_dict())
        write_bytes(tmp / "script.md", script.to_markdown().encode())
        gates = seal(
            "script", script_gates(script, template, policy, SOURCE_LOCALE, continuity), tmp
        )
    return Staged(script, ep.store.read_manifest(ep.dir("script")), gates, notes)
