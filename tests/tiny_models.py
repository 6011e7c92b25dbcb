"""Tiny random models built and saved here, so the neural backends run in tests without downloads.

Each builder trains its tokenizer on the templates' own text, builds a model a few hundred
kilobytes big from a config, and saves both with `save_pretrained` into `folder`; the backends
then load them with `from_pretrained`, exactly as they load a real model.
"""

from __future__ import annotations

import json
from pathlib import Path

import torch
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

from microdrama.words.template import load_templates

REPO = Path(__file__).resolve().parent.parent


def corpus() -> list[str]:
    """Every line, action and logline of the shipped templates."""
    loaded, _ = load_templates(REPO / "templates")
    texts = []
    for t in (item.template for item in loaded):
        texts += t.loglines + t.titles
        for beat in t.beats:
            for shot in beat.shots:
                texts.append(shot.action)
                texts += [say for line in shot.lines for say in line.say]
    return texts


def _bpe(vocab_size: int, specials: list[str], suffix: str | None = None) -> Tokenizer:
    tokenizer = Tokenizer(models.BPE(unk_token=specials[0], end_of_word_suffix=suffix))
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    tokenizer.decoder = decoders.BPEDecoder(suffix=suffix) if suffix else decoders.BPEDecoder()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size, special_tokens=specials, end_of_word_suffix=suffix
    )
    tokenizer.train_from_iterator(corpus(), trainer)
    return tokenizer


def _fast(tokenizer: Tokenizer, **special: str):
    from transformers import PreTrainedTokenizerFast

    return PreTrainedTokenizerFast(tokenizer_object=tokenizer, **special)


def causal_lm(folder: Path) -> Path:
    """A 2-layer Llama with a BPE tokenizer: the writer's model."""
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    tokenizer = _fast(
        _bpe(400, ["<unk>", "<s>", "</s>", "<pad>"], "</w>"),
        unk_token="<unk>",
        bos_token="<s>",
        eos_token="</s>",
        pad_token="<pad>",
    )
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=2,
        num_key_value_heads=2,
        max_position_embeddings=512,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )
    LlamaForCausalLM(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def translation_model(folder: Path) -> Path:
    """A 1-layer Marian encoder-decoder with a shared BPE tokenizer: the translator's model."""
    from transformers import MarianConfig, MarianMTModel

    torch.manual_seed(0)
    tokenizer = _fast(
        _bpe(400, ["<unk>", "<pad>", "</s>"], "</w>"),
        unk_token="<unk>",
        eos_token="</s>",
        pad_token="<pad>",
    )
    config = MarianConfig(
        vocab_size=len(tokenizer),
        d_model=32,
        encoder_layers=1,
        decoder_layers=1,
        encoder_attention_heads=2,
        decoder_attention_heads=2,
        encoder_ffn_dim=64,
        decoder_ffn_dim=64,
        max_position_embeddings=256,
        pad_token_id=tokenizer.pad_token_id,
        eos_token_id=tokenizer.eos_token_id,
        decoder_start_token_id=tokenizer.pad_token_id,
        forced_eos_token_id=tokenizer.eos_token_id,
    )
    MarianMTModel(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def speech_model(folder: Path) -> Path:
    """A tiny VITS with a character vocabulary: the voice's model."""
    from transformers import VitsConfig, VitsModel, VitsTokenizer

    torch.manual_seed(0)
    characters = sorted({c for text in corpus() for c in text.lower() if c.isascii()})
    vocab = {c: i for i, c in enumerate(["<pad>", *characters])}
    (folder / "vocab.json").parent.mkdir(parents=True, exist_ok=True)
    (folder / "vocab.json").write_text(json.dumps(vocab))
    tokenizer = VitsTokenizer(
        str(folder / "vocab.json"), pad_token="<pad>", add_blank=True, phonemize=False
    )
    config = VitsConfig(
        vocab_size=len(vocab),
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        ffn_dim=32,
        flow_size=16,
        spectrogram_bins=33,
        upsample_initial_channel=16,
        upsample_rates=[8, 8, 4],
        upsample_kernel_sizes=[16, 16, 8],
        resblock_kernel_sizes=[3],
        resblock_dilation_sizes=[[1, 3]],
        prior_encoder_num_flows=1,
        posterior_encoder_num_wavenet_layers=1,
        duration_predictor_num_flows=1,
        duration_predictor_filter_channels=16,
        depth_separable_num_layers=1,
        sampling_rate=16000,
    )
    VitsModel(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def diffusion_pipeline(folder: Path) -> Path:
    """A tiny Stable Diffusion: small UNet, VAE and CLIP text model, a CLIP BPE trained here."""
    from diffusers import (
        AutoencoderKL,
        EulerDiscreteScheduler,
        StableDiffusionPipeline,
        UNet2DConditionModel,
    )
    from transformers import CLIPTextConfig, CLIPTextModel, CLIPTokenizer

    torch.manual_seed(0)
    bpe = _bpe(300, ["<|endoftext|>", "<|startoftext|>"], "</w>")
    words = folder / "clip-bpe"
    words.mkdir(parents=True, exist_ok=True)
    bpe.model.save(str(words))  # vocab.json and merges.txt, the files CLIPTokenizer reads
    tokenizer = CLIPTokenizer(
        str(words / "vocab.json"), str(words / "merges.txt"), model_max_length=77
    )
    text_encoder = CLIPTextModel(
        CLIPTextConfig(
            vocab_size=len(tokenizer),
            hidden_size=32,
            intermediate_size=37,
            num_attention_heads=4,
            num_hidden_layers=2,
            max_position_embeddings=77,
            bos_token_id=tokenizer.bos_token_id,
            eos_token_id=tokenizer.eos_token_id,
            pad_token_id=tokenizer.pad_token_id,
        )
    )
    unet = UNet2DConditionModel(
        block_out_channels=(16, 32),
        layers_per_block=1,
        sample_size=32,
        in_channels=4,
        out_channels=4,
        down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"),
        up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
        cross_attention_dim=32,
        attention_head_dim=4,
        norm_num_groups=8,
    )
    vae = AutoencoderKL(
        block_out_channels=(16, 32),
        in_channels=3,
        out_channels=3,
        down_block_types=("DownEncoderBlock2D", "DownEncoderBlock2D"),
        up_block_types=("UpDecoderBlock2D", "UpDecoderBlock2D"),
        latent_channels=4,
        norm_num_groups=8,
    )
    pipe = StableDiffusionPipeline(
        vae=vae,
        text_encoder=text_encoder,
        tokenizer=tokenizer,
        unet=unet,
        scheduler=EulerDiscreteScheduler(steps_offset=1),
        safety_checker=None,
        feature_extractor=None,
        requires_safety_checker=False,
    )
    pipe.save_pretrained(folder / "pipeline")
    return folder / "pipeline"
