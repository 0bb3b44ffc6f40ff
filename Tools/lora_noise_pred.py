#!/usr/bin/env python3
"""The reference UNet noise prediction of a Stable Diffusion pipeline with a LoRA adapter, as diffusers computes it.

RoundsDiffusionTests call this at run time to check adapters Rounds writes (or reads) against diffusers' own
loader: StableDiffusionPipeline.from_pretrained(PIPELINE, safety_checker=None), pipe.load_lora_weights(ADAPTER)
(diffusers' format or kohya-ss sd-scripts' format, whichever diffusers recognises), then the UNet in float32 on
the inputs file's `sample`, `timestep`, `encoder_hidden_states`. Writes `noise_pred` (F32) to OUT.

ADAPTER is a folder holding pytorch_lora_weights.safetensors or the path of a .safetensors file.

stdout ends with one JSON line describing what diffusers loaded (from pipe.unet.peft_config):
    {"lora_scale_keys": N, "adapter_rank": r, "adapter_alpha": a}
where N is the number of LoRA'd modules in the UNet (layers carrying lora_A/lora_B for the adapter).

Exit codes: 0 success; 3 a package is missing (one line on stdout starting "skip:", so the test skips);
1 any other error (its text on stderr).

Setup (torch's CPU wheel ships in /opt/wheels on the project machines; PyPI's default torch pulls CUDA):
    pip install /opt/wheels/torch-*+cpu-*.whl diffusers transformers peft safetensors

Usage: python3 Tools/lora_noise_pred.py --pipeline SD_DIR --lora ADAPTER_DIR_OR_FILE --inputs IN.safetensors
                                        --out OUT.safetensors
"""
import argparse
import json
import os
import sys
import traceback


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pipeline", required=True, help="diffusers StableDiffusionPipeline folder")
    ap.add_argument("--lora", required=True, help="folder with pytorch_lora_weights.safetensors, or a file")
    ap.add_argument("--inputs", required=True, help="safetensors with sample, timestep, encoder_hidden_states")
    ap.add_argument("--out", required=True, help="safetensors to write noise_pred to")
    args = ap.parse_args()

    try:
        os.environ.setdefault("DIFFUSERS_VERBOSITY", "error")
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        import torch
        import peft  # noqa: F401  (diffusers' load_lora_weights needs it)
        from diffusers import StableDiffusionPipeline
        from diffusers.utils import logging as dlogging
        from safetensors.torch import load_file, save_file
    except ImportError as e:
        print(f"skip: lora_noise_pred.py needs torch, diffusers, transformers, peft, safetensors ({e})", flush=True)
        sys.exit(3)

    try:
        dlogging.disable_progress_bar()
        torch.set_grad_enabled(False)
        pipe = StableDiffusionPipeline.from_pretrained(args.pipeline, safety_checker=None, dtype=torch.float32)
        pipe.set_progress_bar_config(disable=True)
        if os.path.isfile(args.lora):
            pipe.load_lora_weights(os.path.dirname(os.path.abspath(args.lora)),
                                   weight_name=os.path.basename(args.lora))
        else:
            pipe.load_lora_weights(args.lora)
        unet = pipe.unet
        if not getattr(unet, "peft_config", None):
            raise RuntimeError(f"diffusers loaded no UNet adapter from {args.lora}")
        name, cfg = next(iter(unet.peft_config.items()))
        n = sum(1 for m in unet.modules() if hasattr(m, "lora_A") and name in getattr(m, "lora_A", {}))
        alphas = {cfg.lora_alpha, *cfg.alpha_pattern.values()}
        ranks = {cfg.r, *cfg.rank_pattern.values()}

        inputs = load_file(args.inputs)
        pred = unet(inputs["sample"].float(), inputs["timestep"], inputs["encoder_hidden_states"].float()).sample
        save_file({"noise_pred": pred.float().contiguous()}, args.out)
        print(json.dumps({"lora_scale_keys": n,
                          "adapter_rank": ranks.pop() if len(ranks) == 1 else sorted(ranks),
                          "adapter_alpha": alphas.pop() if len(alphas) == 1 else sorted(alphas)}), flush=True)
    except Exception as e:  # noqa: BLE001
        traceback.print_exc(file=sys.stderr)
        print(f"error: {type(e).__name__}: {e}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
