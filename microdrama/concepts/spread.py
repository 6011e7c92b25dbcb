"""Spreading pilots: no trope crowds a genre's recent pilots while nothing says viewers want it.

A feed of thousands of episodes shows sameness at once: before any engagement exists, five of
six pilots ending on one cliffhanger is the sampler's luck, not a choice. So a pilot may use a
beat's trope only while that trope holds at most `MAX_SHARE` of that beat in the genre's last
`WINDOW` pilots (the new one counted). A trope over its share comes back only where the
audience model has evidence about it (`with_evidence`): then the policy may prefer it, and its
sampling, not luck, decides.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence

from microdrama.words.template import BEATS

WINDOW = 20  # a genre's last pilots the rule looks at
MAX_SHARE = 0.25  # of them, the most that may share one beat's trope


def crowded(recent: Sequence[Mapping[str, str]], window: int = WINDOW) -> set[tuple[str, str]]:
    """(beat, trope) pairs that one more pilot may not use: each already holds the most the
    window allows, counting the new pilot among the last `window` (recent: newest first).
    While a genre has fewer pilots than the window, the share is of those it has (at least
    one each), so its first pilots spread too."""
    kept = list(recent[: window - 1])
    cap = max(1, int(MAX_SHARE * (len(kept) + 1)))
    counts = Counter((beat, tropes[beat]) for tropes in kept for beat in BEATS if beat in tropes)
    return {pair for pair, n in counts.items() if n + 1 > cap}


def spread(
    combos: Sequence[tuple[str, ...]],
    recent: Sequence[Mapping[str, str]],
    with_evidence: Callable[[str], bool] = lambda trope: False,
) -> list[tuple[str, ...]]:
    """The trope combinations (one trope per beat, in BEATS order) a new pilot may use: those
    with no crowded trope (or only ones with evidence); where the space has none (a beat
    with too few tropes for the window), those with the fewest."""
    full = crowded(recent)
    if not full:
        return list(combos)

    def over(combo: tuple[str, ...]) -> int:
        pairs = zip(BEATS, combo, strict=True)
        return sum((beat, trope) in full and not with_evidence(trope) for beat, trope in pairs)

    scores = [over(combo) for combo in combos]
    least = min(scores, default=0)  # 0 where the rule can hold; else the least crowding
    return [combo for combo, score in zip(combos, scores, strict=True) if score == least]


def repeats(pilots: Sequence[Mapping[str, str]], window: int = WINDOW) -> dict[str, float]:
    """Per beat, the largest share one trope holds in any `window` consecutive pilots (oldest
    first; of all of them while there are fewer): what the rule keeps at or under MAX_SHARE
    once a genre has `window` pilots."""
    worst: dict[str, float] = {}
    for beat in BEATS:
        tropes = [p[beat] for p in pilots if beat in p]
        span = min(window, len(tropes))
        for start in range(max(1, len(tropes) - window + 1)):
            counts = Counter(tropes[start : start + window])
            share = max(counts.values(), default=0) / max(span, 1)
            worst[beat] = max(worst.get(beat, 0.0), share)
    return worst
