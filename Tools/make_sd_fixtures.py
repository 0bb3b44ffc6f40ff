#!/usr/bin/env python3
"""Makes the Stable Diffusion parity fixtures of RoundsDiffusionTests (Tests/RoundsDiffusionTests/Fixtures/sd/).

Who produced the committed fixtures: diffusers 0.42.1 + transformers 5.25.0 on torch 2.13.0+cpu, float32,
seeded; NOT a transcription, so a bug cannot hide in both a transcription and the Swift port.

Two tiny random pipelines shaped like diffusers' own pipeline tests, written with save_pretrained:
  sd1/  SD 1.x-style: CLIP quick_gelu text encoder, UNet with one head count for every block,
        epsilon prediction, PNDM scheduler config (as SD 1.5 ships), fp32 weights, the UNet sharded
        with an index, the tokenizer as vocab.json + merges.txt, pad token <|endoftext|>.
  sd2/  SD 2.x-style: gelu text encoder, `use_linear_projection`, per-block `attention_head_dim`,
        `upcast_attention`, v-prediction, DDIM scheduler config, fp16 "variant" weight files only,
        the tokenizer as tokenizer.json only, pad token "!".
Both tokenizers are real CLIP BPE cut down: the first MERGES merges of open-clip's
bpe_simple_vocab_16e6.txt.gz (CLIP's vocabulary is built from its merges in order, so a prefix of them
is a valid smaller CLIP vocabulary).

Parity data next to them (safetensors, F32 unless noted):
  tokens.json            prompt -> input_ids (77, padded and truncated as the pipeline asks) per pipeline
  <p>_text.safetensors   input_ids I64 [2,77] -> last_hidden_state
  <p>_vae.safetensors    image [1,3,H,W] -> posterior mean, logvar; latents -> decoded; tiled decode of a
                         larger latent (diffusers' enable_tiling)
  <p>_unet.safetensors   sample, timestep, encoder_hidden_states -> noise_pred
  <p>_runs.json          whole pipeline runs (DDIM, DPM-Solver++) from fixed latents with prompt, negative
                         prompt and guidance: the image (output_type "np", [N,H,W,3] in 0..1)
  <p>_runs.safetensors   the latents each run starts from and its image

Weights with fp16 variants are compared against the same model with its parameters rounded to fp16
and computed in float32, which is what Rounds does with an F16 file.

Setup (torch's CPU wheel ships in /opt/wheels on the project machines; PyPI's default torch pulls CUDA):
    pip install /opt/wheels/torch-*+cpu-*.whl diffusers transformers safetensors
    pip download open-clip-torch --no-deps -d /tmp/oc && unzip -o /tmp/oc/*.whl 'open_clip/bpe_simple_vocab_16e6.txt.gz' -d /tmp/oc
    python3 Tools/make_sd_fixtures.py --bpe /tmp/oc/open_clip/bpe_simple_vocab_16e6.txt.gz

Usage: python3 Tools/make_sd_fixtures.py --bpe PATH [--out DIR]
"""
import argparse
import gzip
import json
import os
import shutil
import sys

try:
    import numpy as np
    import torch
    from diffusers import (AutoencoderKL, DDIMScheduler, DPMSolverMultistepScheduler, PNDMScheduler,
                           StableDiffusionPipeline, UNet2DConditionModel)
    from safetensors.torch import save_file
    from transformers import CLIPTextConfig, CLIPTextModel, CLIPTokenizer
except ImportError as e:  # pragma: no cover
    sys.exit(f"make_sd_fixtures.py needs torch, diffusers, transformers, safetensors ({e}); see the header")

MERGES = 3000

PROMPTS = [
    "a photo of vitiligo",
    "A clinical photograph of Psoriasis on dark skin.",
    "  lots   of\twhitespace\nand\r\nnewlines  ",
    "punctuation!!! (really?) --- 'quoted' it's we'll they're [x]{y}<z> a/b\\c @#$%^&*",
    "numbers 1234567 3.14 and 2nd 10x",
    "unicode: café naïve Ærøskøbing Straße ÉCOLE İstanbul",
    "emoji 😀👍🏽 and CJK 皮肤病 日本語 한국어 ελληνικά русский",
    "combining: e\u0301 vs \u00e9, ﬁ ligature, full-width ＡＢＣ",
    "<|startoftext|>special<|endoftext|> tokens inside",
    "",
    "over-long " + " ".join(f"word{i} lesion erythema melanoma" for i in range(40)),
]


def bytes_to_unicode():
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, [chr(c) for c in cs]))


def write_tokenizer_files(bpe_path, folder):
    """vocab.json + merges.txt of a CLIP vocabulary cut to MERGES merges (open-clip's construction)."""
    lines = gzip.open(bpe_path).read().decode("utf-8").split("\n")
    merges = [tuple(m.split()) for m in lines[1:1 + MERGES]]
    vocab = list(bytes_to_unicode().values())
    vocab = vocab + [v + "</w>" for v in vocab]
    vocab += ["".join(m) for m in merges]
    vocab += ["<|startoftext|>", "<|endoftext|>"]
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "vocab.json"), "w", encoding="utf-8") as f:
        json.dump({t: i for i, t in enumerate(vocab)}, f, ensure_ascii=False)
    with open(os.path.join(folder, "merges.txt"), "w", encoding="utf-8") as f:
        f.write("#version: 0.2\n" + "\n".join(" ".join(m) for m in merges) + "\n")
    return len(vocab)


def perturb(module, scale=0.05):
    # Random init leaves norms at (1, 0) and some projections at zero; perturb every tensor so each
    # parameter matters to the output (a name swapped on load would show).
    with torch.no_grad():
        for p in module.parameters():
            p.add_(torch.randn_like(p) * scale)


def round_to_fp16(module):
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(p.half().float())


def make_sd1(vocab_size, tokenizer):
    torch.manual_seed(0)
    unet = UNet2DConditionModel(
        block_out_channels=(8, 16), layers_per_block=1, sample_size=8, in_channels=4, out_channels=4,
        down_block_types=("CrossAttnDownBlock2D", "DownBlock2D"), up_block_types=("UpBlock2D", "CrossAttnUpBlock2D"),
        cross_attention_dim=32, attention_head_dim=2, norm_num_groups=4)
    vae = AutoencoderKL(
        block_out_channels=[8, 16], in_channels=3, out_channels=3, down_block_types=["DownEncoderBlock2D"] * 2,
        up_block_types=["UpDecoderBlock2D"] * 2, latent_channels=4, norm_num_groups=4, sample_size=16)
    text = CLIPTextModel(CLIPTextConfig(
        bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id, hidden_size=32,
        intermediate_size=64, layer_norm_eps=1e-5, num_attention_heads=4, num_hidden_layers=2,
        pad_token_id=1, vocab_size=vocab_size, hidden_act="quick_gelu"))
    for m in (unet, vae, text):
        perturb(m)
    scheduler = PNDMScheduler(beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear",
                              set_alpha_to_one=False, skip_prk_steps=True, steps_offset=1)
    return unet, vae, text, scheduler


def make_sd2(vocab_size, tokenizer):
    torch.manual_seed(1)
    unet = UNet2DConditionModel(
        block_out_channels=(8, 16, 16), layers_per_block=2, sample_size=8, in_channels=4, out_channels=4,
        down_block_types=("CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"),
        up_block_types=("UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"),
        cross_attention_dim=48, attention_head_dim=(2, 4, 4), use_linear_projection=True, upcast_attention=True,
        norm_num_groups=4)
    vae = AutoencoderKL(
        block_out_channels=[8, 16], in_channels=3, out_channels=3, down_block_types=["DownEncoderBlock2D"] * 2,
        up_block_types=["UpDecoderBlock2D"] * 2, latent_channels=4, norm_num_groups=4, layers_per_block=2,
        sample_size=16, scaling_factor=0.13025)
    text = CLIPTextModel(CLIPTextConfig(
        bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id, hidden_size=48,
        intermediate_size=96, layer_norm_eps=1e-5, num_attention_heads=4, num_hidden_layers=2,
        pad_token_id=1, vocab_size=vocab_size, hidden_act="gelu", projection_dim=48))
    for m in (unet, vae, text):
        perturb(m)
        round_to_fp16(m)
    scheduler = DDIMScheduler(beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear", clip_sample=False,
                              set_alpha_to_one=False, steps_offset=1, prediction_type="v_prediction")
    return unet, vae, text, scheduler


def ids(tokenizer, prompts):
    return tokenizer(prompts, padding="max_length", max_length=tokenizer.model_max_length, truncation=True,
                     return_tensors="pt").input_ids


def parity(name, pipe, out, gen, folder, variant):
    unet, vae, text = pipe.unet, pipe.vae, pipe.text_encoder
    with torch.no_grad():
        input_ids = ids(pipe.tokenizer, [PROMPTS[1], PROMPTS[6]])
        hidden = text(input_ids)[0]
        save_file({"input_ids": input_ids.long().contiguous(), "last_hidden_state": hidden.contiguous()},
                  os.path.join(out, f"{name}_text.safetensors"))

        image = torch.rand(1, 3, 16, 24, generator=gen) * 2 - 1
        dist = vae.encode(image).latent_dist
        latents = torch.randn(1, 4, 8, 12, generator=gen)
        decoded = vae.decode(latents).sample
        big = torch.randn(1, 4, 20, 14, generator=gen)
        vae.enable_tiling()
        tiled = vae.decode(big).sample
        vae.disable_tiling()
        save_file({"image": image, "mean": dist.mean.contiguous(), "logvar": dist.logvar.contiguous(),
                   "latents": latents, "decoded": decoded.contiguous(), "tile_latents": big,
                   "tiled_decoded": tiled.contiguous()}, os.path.join(out, f"{name}_vae.safetensors"))

        sample = torch.randn(2, 4, 8, 8, generator=gen)
        timestep = torch.tensor([10, 731], dtype=torch.int64)
        context = torch.randn(2, 77, unet.config.cross_attention_dim, generator=gen)
        pred = unet(sample, timestep, encoder_hidden_states=context).sample
        save_file({"sample": sample, "timestep": timestep, "encoder_hidden_states": context,
                   "noise_pred": pred.contiguous()}, os.path.join(out, f"{name}_unet.safetensors"))

    runs, tensors = [], {}
    # the runs load the folder as a user's diffusers would (what `rounds sample` is compared with)
    pipe = StableDiffusionPipeline.from_pretrained(folder, variant=variant, torch_dtype=torch.float32, safety_checker=None,
                                                   requires_safety_checker=False)
    pipe.set_progress_bar_config(disable=True)
    base_scheduler = pipe.scheduler
    for i, (kind, steps) in enumerate([("ddim", 4), ("dpmsolver", 5)]):
        if kind == "ddim":
            pipe.scheduler = DDIMScheduler.from_config(base_scheduler.config)
        else:
            pipe.scheduler = DPMSolverMultistepScheduler.from_config(base_scheduler.config)
        latents = torch.randn(2, 4, 8, 8, generator=gen)
        prompt = PROMPTS[1] if i == 0 else PROMPTS[0]
        negative = "blurry, low quality" if i == 0 else None
        with torch.no_grad():
            result = pipe(prompt, negative_prompt=negative, num_inference_steps=steps, guidance_scale=5.0,
                          latents=latents, num_images_per_prompt=2, output_type="np", height=16, width=16).images
        runs.append({"scheduler": kind, "steps": steps, "guidance": 5.0, "prompt": prompt,
                     "negative_prompt": negative, "latents": f"run{i}_latents", "image": f"run{i}_image",
                     "scheduler_class": type(pipe.scheduler).__name__})
        tensors[f"run{i}_latents"] = latents
        tensors[f"run{i}_image"] = torch.from_numpy(np.ascontiguousarray(result)).float()
    pipe.scheduler = base_scheduler
    save_file(tensors, os.path.join(out, f"{name}_runs.safetensors"))
    with open(os.path.join(out, f"{name}_runs.json"), "w") as f:
        json.dump(runs, f, indent=1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bpe", required=True, help="open-clip's bpe_simple_vocab_16e6.txt.gz")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "Tests", "RoundsDiffusionTests",
                                                  "Fixtures", "sd"))
    args = ap.parse_args()
    out = args.out
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    gen = torch.Generator().manual_seed(20261207)
    scratch = os.path.join(out, "_tok")
    vocab_size = write_tokenizer_files(args.bpe, scratch)
    tok1 = CLIPTokenizer.from_pretrained(scratch, model_max_length=77)
    tok2 = CLIPTokenizer.from_pretrained(scratch, model_max_length=77, pad_token="!")

    tokens = {}
    for name, tok, make in (("sd1", tok1, make_sd1), ("sd2", tok2, make_sd2)):
        unet, vae, text, scheduler = make(vocab_size, tok)
        pipe = StableDiffusionPipeline(vae=vae, text_encoder=text, tokenizer=tok, unet=unet, scheduler=scheduler,
                                       safety_checker=None, feature_extractor=None, requires_safety_checker=False)
        folder = os.path.join(out, name)
        if name == "sd1":
            pipe.save_pretrained(folder, safe_serialization=True)
            # the UNet again, sharded with an index, as large checkpoints are saved
            os.remove(os.path.join(folder, "unet", "diffusion_pytorch_model.safetensors"))
            unet.save_pretrained(os.path.join(folder, "unet"), safe_serialization=True, max_shard_size="40KB")
            # the tokenizer as vocab.json + merges.txt (transformers 4's files; transformers 5 writes tokenizer.json)
            os.remove(os.path.join(folder, "tokenizer", "tokenizer.json"))
            for f in ("vocab.json", "merges.txt"):
                shutil.copy(os.path.join(scratch, f), os.path.join(folder, "tokenizer", f))
        else:
            half = StableDiffusionPipeline(vae=vae, text_encoder=text, tokenizer=tok, unet=unet, scheduler=scheduler,
                                           safety_checker=None, feature_extractor=None, requires_safety_checker=False)
            half.to(torch.float16)
            half.save_pretrained(folder, safe_serialization=True, variant="fp16")
            half.to(torch.float32)
        tokens[name] = {"pad_token": tok.pad_token, "cases": [
            {"prompt": p, "input_ids": ids(tok, [p])[0].tolist(),
             "untruncated": tok(p).input_ids} for p in PROMPTS]}
        parity(name, pipe, out, gen, folder, None if name == "sd1" else "fp16")
    shutil.rmtree(scratch)
    with open(os.path.join(out, "tokens.json"), "w", encoding="utf-8") as f:
        json.dump(tokens, f, ensure_ascii=False, indent=1)


if __name__ == "__main__":
    main()
