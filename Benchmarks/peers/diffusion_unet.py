#!/usr/bin/env python3
"""Peer for `rounds bench diffusion`: diffusers UNet2DModel training steps and DDIM sampling on the CPU.

The same model and work as RoundsDiffusion's benchmark (Sources/RoundsDiffusion/Model/DiffusionBenchmark.swift):
UNet2DModel with block_out_channels (64, 128, 128), layers_per_block 2, attention (head dim 8) at the lowest
resolution and in the mid block, 32 groups, num_class_embeds 11 (10 classes + the null class).
- training step: labels dropped to the null class with p = 0.1, noise, DDPM add_noise at random timesteps,
  forward, MSE to the noise, backward, clip_grad_norm_(1.0), AdamW (lr 1e-4, betas (0.95, 0.999),
  weight decay 1e-6), EMA update of a copy of the weights; best wall time of the timed steps.
- sampling: DDIMScheduler with 50 inference steps (eta 0); with guidance the batch is doubled
  (null labels first) and the halves combined as ε_u + g(ε_c − ε_u), as diffusers' pipelines do. The first
  --timed-steps steps of the 50 are timed and images/s is given for the full 50-step run.
- --memory-probe KIND:SIZE:BATCH runs one training step (KIND train) or two guided sampling steps
  (KIND sample, guidance 3) in this fresh process and reports its peak RSS (getrusage ru_maxrss).

Prints one JSON document. Skips with a note (exit 0, {"skipped": ...}) when torch or diffusers is missing.
Usage: python3 Benchmarks/peers/diffusion_unet.py --cases 32:8:8,64:4:4 [--threads 2] [--timed-steps 5]
"""
import argparse
import json
import resource
import sys
import time


def build(size, torch, UNet2DModel):
    torch.manual_seed(0)
    return UNet2DModel(sample_size=size, in_channels=3, out_channels=3, layers_per_block=2,
                       block_out_channels=(64, 128, 128),
                       down_block_types=("DownBlock2D", "DownBlock2D", "AttnDownBlock2D"),
                       up_block_types=("AttnUpBlock2D", "UpBlock2D", "UpBlock2D"),
                       attention_head_dim=8, norm_num_groups=32, num_class_embeds=11)


def trainer(model, size, batch, torch, DDPMScheduler):
    sched = DDPMScheduler(num_train_timesteps=1000)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4, betas=(0.95, 0.999), weight_decay=1e-6, eps=1e-8)
    ema = [p.detach().clone() for p in model.parameters()]
    model.train()

    def step():
        x = torch.randn(batch, 3, size, size).clamp(-1, 1)
        labels = torch.randint(0, 10, (batch,))
        labels = torch.where(torch.rand(batch) < 0.1, torch.full_like(labels, 10), labels)
        noise = torch.randn_like(x)
        t = torch.randint(0, 1000, (batch,))
        noisy = sched.add_noise(x, noise, t)
        loss = torch.nn.functional.mse_loss(model(noisy, t, class_labels=labels).sample, noise)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)
        with torch.no_grad():
            for e, p in zip(ema, model.parameters()):
                e.lerp_(p, 1 - 0.9999)
    return step


def sampler(model, size, batch, guidance, torch, DDIMScheduler):
    sched = DDIMScheduler(num_train_timesteps=1000)
    sched.set_timesteps(50)
    model.eval()
    labels = torch.full((batch,), 3, dtype=torch.long)

    def run(timed_steps):
        x = torch.randn(batch, 3, size, size)
        with torch.no_grad():
            for t in sched.timesteps[:timed_steps]:
                if guidance > 1:
                    out = model(torch.cat([x, x]), t, class_labels=torch.cat([torch.full_like(labels, 10), labels])).sample
                    u, c = out.chunk(2)
                    eps = u + guidance * (c - u)
                else:
                    eps = model(x, t, class_labels=labels).sample
                x = sched.step(eps, t, x, eta=0.0).prev_sample
        return x
    return run


def best_time(fn, repeats, seconds):
    fn()  # warm-up
    best, total, runs = float("inf"), 0.0, 0
    while runs < repeats or total < seconds:
        t0 = time.perf_counter()
        fn()
        dt = time.perf_counter() - t0
        best, total, runs = min(best, dt), total + dt, runs + 1
    return best


def peak_rss_bytes():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux reports KiB


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", default="32:8:8,64:4:4", help="SIZE:TRAIN_BATCH:SAMPLE_BATCH, comma-separated")
    ap.add_argument("--threads", type=int, default=2, help="torch intra-op threads")
    ap.add_argument("--timed-steps", type=int, default=5, help="DDIM steps timed out of 50")
    ap.add_argument("--train-steps", type=int, default=2, help="timed training steps (after one warm-up)")
    ap.add_argument("--guidance", type=float, default=3.0, help="guidance scale of the guided sampling run")
    ap.add_argument("--seconds", type=float, default=0.0, help="minimum measuring time per number")
    ap.add_argument("--memory-probe", help="KIND:SIZE:BATCH (KIND train or sample): report peak RSS only")
    args = ap.parse_args()
    try:
        import torch
        from diffusers import DDIMScheduler, DDPMScheduler, UNet2DModel
    except Exception as e:  # ImportError or a CUDA-only torch wheel failing to load
        print(json.dumps({"skipped": f"torch + diffusers not importable ({type(e).__name__}: {e})"}))
        return 0
    torch.set_num_threads(args.threads)
    import diffusers

    if args.memory_probe:
        kind, size, batch = args.memory_probe.split(":")
        size, batch = int(size), int(batch)
        model = build(size, torch, UNet2DModel)
        if kind == "train":
            trainer(model, size, batch, torch, DDPMScheduler)()
        elif kind == "sample":
            sampler(model, size, batch, args.guidance, torch, DDIMScheduler)(2)
        else:
            print(f"unknown memory probe kind {kind!r} (train or sample)", file=sys.stderr)
            return 2
        print(json.dumps({"kind": kind, "imageSize": size, "batch": batch, "peakRSSBytes": peak_rss_bytes()}))
        return 0

    training, sampling = [], []
    for case in args.cases.split(","):
        size, train_batch, sample_batch = (int(v) for v in case.split(":"))
        model = build(size, torch, UNet2DModel)
        best = best_time(trainer(model, size, train_batch, torch, DDPMScheduler), args.train_steps, args.seconds)
        training.append({"imageSize": size, "batch": train_batch, "secondsPerStep": best,
                         "imagesPerSecond": train_batch / best})
        for g in (1.0, args.guidance):
            run = sampler(model, size, sample_batch, g, torch, DDIMScheduler)
            best = best_time(lambda: run(args.timed_steps), 1, args.seconds)
            per_step = best / args.timed_steps
            sampling.append({"imageSize": size, "batch": sample_batch, "guidance": g, "secondsPerStep": per_step,
                             "imagesPerSecond": sample_batch / (per_step * 50)})
    print(json.dumps({"torch": torch.__version__, "diffusers": diffusers.__version__, "threads": args.threads,
                      "training": training, "sampling": sampling}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
