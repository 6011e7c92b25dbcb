"""A tiny random MusicGen built and saved here, so the neural composer runs without downloads.

Its T5 tokenizer is a Unigram model trained on the moods' own prompts; the text encoder, the
EnCodec audio codec (8 kHz, 25 frames a second, two codebooks) and the decoder are a few
hundred kilobytes. Saved with `save_pretrained` next to its processor, it loads with
`from_pretrained` exactly as a real MusicGen does.
"""

from __future__ import annotations

from pathlib import Path

import torch
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

from microdrama.music.moods import MOODS_FILE, load_moods
from microdrama.music.musicgen import prompt

REPO = Path(__file__).resolve().parent.parent


def musicgen(folder: Path, silent: bool = False) -> Path:
    """A 1-layer MusicGen; `silent` zeroes the codec's last layer, so it generates silence."""
    from transformers import (
        EncodecConfig,
        EncodecFeatureExtractor,
        MusicgenConfig,
        MusicgenDecoderConfig,
        MusicgenForConditionalGeneration,
        MusicgenProcessor,
        T5Config,
        T5TokenizerFast,
    )

    torch.manual_seed(0)
    unigram = Tokenizer(models.Unigram())
    unigram.pre_tokenizer = pre_tokenizers.Metaspace()
    unigram.decoder = decoders.Metaspace()
    specials = ["<pad>", "</s>", "<unk>"]
    unigram.train_from_iterator(
        [prompt(mood) for mood in load_moods(REPO / "templates" / MOODS_FILE).moods.values()],
        trainers.UnigramTrainer(vocab_size=120, special_tokens=specials, unk_token="<unk>"),
    )
    tokenizer = T5TokenizerFast(
        tokenizer_object=unigram,
        pad_token="<pad>",
        eos_token="</s>",
        unk_token="<unk>",
        extra_ids=0,
    )
    codec = EncodecConfig(
        sampling_rate=8000,
        hidden_size=16,
        num_filters=4,
        upsampling_ratios=[8, 5, 4, 2],
        codebook_size=64,
        target_bandwidths=[0.3],  # two 6-bit codebooks at 25 frames a second
        num_lstm_layers=1,
    )
    config = MusicgenConfig(
        text_encoder=T5Config(
            vocab_size=len(tokenizer),
            d_model=16,
            d_kv=8,
            d_ff=32,
            num_layers=1,
            num_heads=2,
            pad_token_id=tokenizer.pad_token_id,
            eos_token_id=tokenizer.eos_token_id,
            decoder_start_token_id=tokenizer.pad_token_id,
        ),
        audio_encoder=codec,
        decoder=MusicgenDecoderConfig(
            vocab_size=codec.codebook_size,
            max_position_embeddings=512,
            num_hidden_layers=1,
            ffn_dim=32,
            num_attention_heads=2,
            hidden_size=16,
            num_codebooks=codec.num_quantizers,
            pad_token_id=codec.codebook_size,
            bos_token_id=codec.codebook_size,
        ),
    )
    model = MusicgenForConditionalGeneration(config)
    if silent:
        last = model.audio_encoder.decoder.layers[-1].conv
        with torch.no_grad():
            last.bias.zero_()
            last.parametrizations.weight.original0.zero_()
    model.save_pretrained(folder)
    processor = MusicgenProcessor(
        feature_extractor=EncodecFeatureExtractor(
            feature_size=1, sampling_rate=codec.sampling_rate
        ),
        tokenizer=tokenizer,
    )
    processor.save_pretrained(folder)
    return folder
