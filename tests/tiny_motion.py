"""A tiny random Stable Video Diffusion, so the diffusers animator runs in tests without downloads.

Its UNet, temporal VAE and CLIP image encoder are a few megabytes built from configs
(after diffusers' own SVD tests); the animator loads it with `from_pretrained` as it would
load `stabilityai/stable-video-diffusion-img2vid`.
"""

from __future__ import annotations

from pathlib import Path

import torch


def video_pipeline(folder: Path) -> Path:
    """A 2-level spatio-temporal UNet (attention only at the coarse level, so it stays fast)."""
    from diffusers import (
        AutoencoderKLTemporalDecoder,
        EulerDiscreteScheduler,
        StableVideoDiffusionPipeline,
        UNetSpatioTemporalConditionModel,
    )
    from transformers import CLIPImageProcessor, CLIPVisionConfig, CLIPVisionModelWithProjection

    torch.manual_seed(0)
    unet = UNetSpatioTemporalConditionModel(
        sample_size=16,
        in_channels=8,  # the noisy latents and the keyframe's latents, side by side
        out_channels=4,
        down_block_types=("DownBlockSpatioTemporal", "CrossAttnDownBlockSpatioTemporal"),
        up_block_types=("CrossAttnUpBlockSpatioTemporal", "UpBlockSpatioTemporal"),
        block_out_channels=(32, 64),
        layers_per_block=1,
        cross_attention_dim=32,
        num_attention_heads=(2, 4),
        addition_time_embed_dim=8,
        projection_class_embeddings_input_dim=24,  # fps, motion bucket, noise: 3 x 8
        num_frames=4,
    )
    vae = AutoencoderKLTemporalDecoder(
        block_out_channels=(32, 32),
        down_block_types=("DownEncoderBlock2D", "DownEncoderBlock2D"),
        latent_channels=4,
    )
    # the pipeline resizes the keyframe to 224 for its image encoder
    encoder = CLIPVisionModelWithProjection(
        CLIPVisionConfig(
            image_size=224,
            patch_size=32,
            hidden_size=32,
            projection_dim=32,
            intermediate_size=37,
            num_hidden_layers=1,
            num_attention_heads=2,
        )
    )
    scheduler = EulerDiscreteScheduler(
        beta_start=0.00085,
        beta_end=0.012,
        beta_schedule="scaled_linear",
        prediction_type="v_prediction",
        interpolation_type="linear",
        sigma_max=700.0,
        sigma_min=0.002,
        steps_offset=1,
        timestep_spacing="leading",
        timestep_type="continuous",
        use_karras_sigmas=True,
    )
    pipe = StableVideoDiffusionPipeline(
        vae=vae,
        image_encoder=encoder,
        unet=unet,
        scheduler=scheduler,
        feature_extractor=CLIPImageProcessor(crop_size=32, size=32),
    )
    pipe.save_pretrained(folder)
    return folder
