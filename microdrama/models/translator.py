"""The transformers translator: a sequence-to-sequence model (NLLB, M2M100, Marian).

NLLB and M2M100 translate every pair with language codes; Marian has one model per pair, so
the model name may hold `{lang}`, the target's two-letter code
(Helsinki-NLP/opus-mt-en-{lang} -> Helsinki-NLP/opus-mt-en-es). A translation that comes back
empty, unchanged or runaway long goes to the embedded translator, if the locale has one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from microdrama.locales.translation import MachineTranslator
from microdrama.models.device import MODELS, DeviceConfig, ModelError, load_pretrained, model_source
from microdrama.words.template import SOURCE_LOCALE
from microdrama.words.text import caption_columns, display_width, stuck, unprintable

VARIABLE = "MICRODRAMA_TRANSLATOR_MODEL"
NLLB_CODES = {"en": "eng_Latn", "es": "spa_Latn", "pt-BR": "por_Latn", "zh-CN": "zho_Hans"}
SHORT_CODES = {"en": "en", "es": "es", "pt-BR": "pt", "zh-CN": "zh"}


def usable(source: str, text: str, locale: str) -> bool:
    """Not empty, not the source again, not looping, and not too long for its caption."""
    width = display_width(text)
    return (
        bool(text)
        and text != source
        and width <= 1.6 * display_width(source) + 8
        and width <= caption_columns(locale)
        and not stuck(text)
        and not unprintable(text)
    )


@dataclass
class Seq2SeqTranslator:
    model: str
    device: DeviceConfig
    locale: str
    fallback: MachineTranslator | None
    batch_size: int = 16
    fallbacks: int = 0

    def __post_init__(self) -> None:
        if self.locale not in SHORT_CODES:
            raise ModelError(
                f"{VARIABLE}: no language code known for locale {self.locale!r}; "
                f"known: {', '.join(SHORT_CODES)}"
            )

    def _load(self, source: str) -> tuple[Any, Any]:
        from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

        return load_pretrained(AutoTokenizer, AutoModelForSeq2SeqLM, source, VARIABLE, self.device)

    def loaded(self) -> tuple[Any, Any]:
        source = model_source(self.model.replace("{lang}", SHORT_CODES[self.locale]), VARIABLE)
        return MODELS.get(("translator", source, str(self.device)), lambda: self._load(source))

    def _target(self, tokenizer: Any) -> dict[str, int]:
        """Language-code settings for many-to-many models; nothing for one-pair models."""
        if not hasattr(tokenizer, "src_lang"):
            return {}
        codes = NLLB_CODES if "nllb" in type(tokenizer).__name__.lower() else SHORT_CODES
        tokenizer.src_lang = codes[SOURCE_LOCALE]
        target = codes[self.locale]
        if hasattr(tokenizer, "get_lang_id"):
            return {"forced_bos_token_id": tokenizer.get_lang_id(target)}
        return {"forced_bos_token_id": tokenizer.convert_tokens_to_ids(target)}

    def _generate(self, texts: list[str]) -> list[str]:
        import torch

        tokenizer, model = self.loaded()
        target = self._target(tokenizer)
        out = []
        for start in range(0, len(texts), self.batch_size):
            batch = tokenizer(
                texts[start : start + self.batch_size], return_tensors="pt", padding=True
            ).to(model.device)
            with torch.inference_mode():
                tokens = model.generate(
                    **batch, max_new_tokens=2 * batch["input_ids"].shape[1] + 8, **target
                )
            out += [
                " ".join(t.split())
                for t in tokenizer.batch_decode(tokens, skip_special_tokens=True)
            ]
        return out

    def translate(self, texts: list[str]) -> list[str | None]:
        """Each text translated; None where neither the model nor the fallback could."""
        if not texts:
            return []
        found: list[str | None] = [
            text if usable(source, text, self.locale) else None
            for source, text in zip(texts, self._generate(texts), strict=True)
        ]
        missing = [i for i, text in enumerate(found) if text is None]
        self.fallbacks += len(missing)
        if missing and self.fallback is not None:
            for i, text in zip(
                missing, self.fallback.translate([texts[i] for i in missing]), strict=True
            ):
                found[i] = text
        return found
