#!/usr/bin/env python3
"""Peer for `rounds bench sd`: diffusers' StableDiffusionPipeline on the CPU, on an SD-1.5-shaped pipeline.

--make DIR writes the pipeline both sides run: random weights (seeded), nothing downloaded, with Stable
Diffusion 1.5's shapes: CLIPTextModel (ViT-L/14 text: 12 layers, 768 wide, quick_gelu, 49408 tokens),
UNet2DConditionModel (320/640/1280/1280, cross-attention 768, 8 heads), AutoencoderKL (128/256/512/512),
the DDIM config SD 1.5 ships (scaled_linear 0.00085-0.012, steps_offset 1), saved as fp16 variant files
(as SD checkpoints are distributed; both sides compute in fp32 or bf16). The tokenizer is CLIP's byte
alphabet without merges: the benchmark always encodes 77 tokens, whatever the vocabulary.

Workloads (--resolution N scales them; 512 is the issue's size):
  text   encoding two prompts (the prompt and the negative prompt), 77 tokens each
  unet   one UNet evaluation with guidance: batch 2 at N/8 x N/8 latents
  vae    decoding one image at N x N
  image  a whole 25-step DDIM image at N x N with guidance 7.5 (text, 25 guided UNet steps, decoding)
  train  one LoRA training step (`rounds bench sd --train`): peft adapters of rank 32, alpha 32 on the UNet's
         to_q/to_k/to_v/to_out.0 (MAGIC's), the base frozen; --batch latents at N/8 x N/8, a random
         context, epsilon target, MSE, backward, AdamW (lr 1e-4, weight decay 1e-2). bf16 autocast covers
         the forward pass as diffusers' training scripts' mixed precision does on the CPU.
Each is timed after a warm-up (best of --repeats); --memory-probe WORKLOAD runs one in this fresh process
and reports its peak RSS (getrusage ru_maxrss). --mode picks fp32 or bf16 autocast (torch.autocast on
the CPU); "best" measures both and reports the faster per workload, PyTorch's faster mode.

Prints one JSON document. Skips with a note (exit 0, {"skipped": ...}) when torch or diffusers is missing.
Usage: python3 Benchmarks/peers/sd_pipeline.py --make DIR
       python3 Benchmarks/peers/sd_pipeline.py --pipeline DIR [--resolution 512] [--workloads text,unet,vae,image]
"""
import argparse
import json
import os
import resource
import sys
import time


def bytes_to_unicode():
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return [chr(c) for c in cs]


def make(out, torch):
    from diffusers import AutoencoderKL, DDIMScheduler, UNet2DConditionModel
    from transformers import CLIPTextConfig, CLIPTextModel
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(0)
    unet = UNet2DConditionModel(sample_size=64, cross_attention_dim=768, attention_head_dim=8,
                                block_out_channels=(320, 640, 1280, 1280), layers_per_block=2)
    vae = AutoencoderKL(block_out_channels=[128, 256, 512, 512], layers_per_block=2, latent_channels=4,
                        down_block_types=["DownEncoderBlock2D"] * 4, up_block_types=["UpDecoderBlock2D"] * 4,
                        norm_num_groups=32, sample_size=512)
    text = CLIPTextModel(CLIPTextConfig(vocab_size=49408, hidden_size=768, intermediate_size=3072, num_hidden_layers=12,
                                        num_attention_heads=12, max_position_embeddings=77, hidden_act="quick_gelu",
                                        bos_token_id=49406, eos_token_id=49407, pad_token_id=1, projection_dim=768))
    for name, m in (("unet", unet), ("vae", vae), ("text_encoder", text)):
        m.half().save_pretrained(os.path.join(out, name), safe_serialization=True, variant="fp16")
    DDIMScheduler(beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear", clip_sample=False,
                  set_alpha_to_one=False, steps_offset=1).save_pretrained(os.path.join(out, "scheduler"))
    tok = os.path.join(out, "tokenizer")
    os.makedirs(tok, exist_ok=True)
    alphabet = bytes_to_unicode()
    vocab = {t: i for i, t in enumerate(alphabet + [a + "</w>" for a in alphabet])}
    vocab["<|startoftext|>"] = 49406
    vocab["<|endoftext|>"] = 49407
    with open(os.path.join(tok, "vocab.json"), "w", encoding="utf-8") as f:
        json.dump(vocab, f, ensure_ascii=False)
    with open(os.path.join(tok, "merges.txt"), "w", encoding="utf-8") as f:
        f.write("#version: 0.2\n")
    with open(os.path.join(tok, "tokenizer_config.json"), "w") as f:
        json.dump({"model_max_length": 77, "pad_token": "<|endoftext|>", "tokenizer_class": "CLIPTokenizer"}, f)
    with open(os.path.join(out, "model_index.json"), "w") as f:
        json.dump({"_class_name": "StableDiffusionPipeline", "_diffusers_version": "0.42.1",
                   "feature_extractor": [None, None], "safety_checker": [None, None], "requires_safety_checker": False,
                   "scheduler": ["diffusers", "DDIMScheduler"], "text_encoder": ["transformers", "CLIPTextModel"],
                   "tokenizer": ["transformers", "CLIPTokenizer"], "unet": ["diffusers", "UNet2DConditionModel"],
                   "vae": ["diffusers", "AutoencoderKL"]}, f, indent=2)


PROMPT = "a clinical photograph of vitiligo on dark skin"
NEGATIVE = "blurry, low quality"


def workloads(pipe, resolution, torch, batch=1):
    latent = resolution // 8
    g = torch.Generator().manual_seed(0)
    z = torch.randn(1, 4, latent, latent, generator=g)
    sample = torch.randn(2, 4, latent, latent, generator=g)
    context = torch.randn(2, 77, pipe.unet.config.cross_attention_dim, generator=g)

    def text():
        ids = pipe.tokenizer([NEGATIVE, PROMPT], padding="max_length", max_length=77, truncation=True,
                             return_tensors="pt").input_ids
        return pipe.text_encoder(ids)[0]

    def unet():
        return pipe.unet(sample, 500, encoder_hidden_states=context).sample

    def vae():
        return pipe.vae.decode(z / pipe.vae.config.scaling_factor).sample

    def image():
        return pipe(PROMPT, negative_prompt=NEGATIVE, num_inference_steps=25, guidance_scale=7.5, height=resolution,
                    width=resolution, latents=z.clone(), output_type="np").images

    state = {}

    def train():
        if not state:
            from peft import LoraConfig
            pipe.unet.requires_grad_(False)
            pipe.unet.add_adapter(LoraConfig(r=32, lora_alpha=32, init_lora_weights="gaussian",
                                             target_modules=["to_q", "to_k", "to_v", "to_out.0"]))
            params = [p for p in pipe.unet.parameters() if p.requires_grad]
            state["opt"] = torch.optim.AdamW(params, lr=1e-4, weight_decay=1e-2)
            state["z"] = torch.randn(batch, 4, latent, latent, generator=g)
            state["context"] = torch.randn(batch, 77, pipe.unet.config.cross_attention_dim, generator=g)
        noise = torch.randn(state["z"].shape, generator=g)
        t = torch.randint(0, 1000, (batch,), generator=g)
        noisy = pipe.scheduler.add_noise(state["z"], noise, t)
        pred = pipe.unet(noisy, t, encoder_hidden_states=state["context"]).sample
        loss = torch.nn.functional.mse_loss(pred.float(), noise, reduction="mean")
        loss.backward()
        state["opt"].step()
        state["opt"].zero_grad()
        return loss

    return {"text": text, "unet": unet, "vae": vae, "image": image, "train": train}


def timed(fn, repeats, torch, mode, grad=False):
    ctx = torch.autocast("cpu", dtype=torch.bfloat16) if mode == "bf16" else torch.autocast("cpu", enabled=False)
    with torch.set_grad_enabled(grad), ctx:
        fn()  # warm-up
        best = float("inf")
        for _ in range(repeats):
            t0 = time.perf_counter()
            fn()
            best = min(best, time.perf_counter() - t0)
    return best


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--make", help="write the SD-1.5-shaped random pipeline to this folder and exit")
    ap.add_argument("--pipeline", help="the pipeline folder --make wrote")
    ap.add_argument("--resolution", type=int, default=512)
    ap.add_argument("--workloads", default="text,unet,vae,image")
    ap.add_argument("--repeats", type=int, default=1, help="timed runs per workload after a warm-up (best is kept)")
    ap.add_argument("--mode", choices=["fp32", "bf16", "best"], default="best")
    ap.add_argument("--threads", type=int, default=2, help="torch intra-op threads")
    ap.add_argument("--batch", type=int, default=1, help="train: latents per step")
    ap.add_argument("--memory-probe", help="run this one workload once and report the process's peak RSS")
    args = ap.parse_args()
    try:
        import torch
        import diffusers
        from diffusers import StableDiffusionPipeline
    except Exception as e:  # ImportError or a CUDA-only torch wheel failing to load
        print(json.dumps({"skipped": f"torch + diffusers not importable ({type(e).__name__}: {e})"}))
        return 0
    torch.set_num_threads(args.threads)
    if args.make:
        make(args.make, torch)
        print(json.dumps({"made": args.make}))
        return 0
    if not args.pipeline:
        ap.error("--pipeline or --make is required")
    try:  # --make writes fp16 variant files; other folders may hold plain ones only
        pipe = StableDiffusionPipeline.from_pretrained(args.pipeline, variant="fp16", dtype=torch.float32,
                                                       safety_checker=None, requires_safety_checker=False)
    except (OSError, ValueError):
        pipe = StableDiffusionPipeline.from_pretrained(args.pipeline, dtype=torch.float32, safety_checker=None,
                                                       requires_safety_checker=False)
    pipe.set_progress_bar_config(disable=True)
    work = workloads(pipe, args.resolution, torch, args.batch)
    if args.memory_probe:
        mode = "bf16" if args.mode == "bf16" else "fp32"
        timed(work[args.memory_probe], 0, torch, mode, grad=args.memory_probe == "train")
        print(json.dumps({"workload": args.memory_probe, "mode": mode,
                          "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
        return 0
    modes = ["fp32", "bf16"] if args.mode == "best" else [args.mode]
    results = {}
    for name in args.workloads.split(","):
        per_mode = {m: timed(work[name], args.repeats, torch, m, grad=name == "train") for m in modes}
        best = min(per_mode, key=per_mode.get)
        results[name] = {"seconds": per_mode[best], "mode": best, "by_mode": per_mode}
    print(json.dumps({"torch": torch.__version__, "diffusers": diffusers.__version__, "threads": args.threads,
                      "resolution": args.resolution, "batch": args.batch, "workloads": results}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
