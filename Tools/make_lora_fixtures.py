#!/usr/bin/env python3
"""Makes the LoRA adapter parity fixtures of RoundsDiffusionTests (Tests/RoundsDiffusionTests/Fixtures/sd/lora/).

Who produced the committed fixtures: diffusers 0.42.1 + peft 0.22.0 + transformers 5.25.0 on torch 2.13.0+cpu,
float32, seeded; NOT a transcription, so a bug cannot hide in both a transcription and the Swift port.

The adapter: the tiny SD 1.x pipeline's UNet (../sd1, written by Tools/make_sd_fixtures.py) with a peft LoRA
    LoraConfig(r=4, lora_alpha=8, init_lora_weights="gaussian", target_modules=["to_q","to_k","to_v","to_out.0"])
added through unet.add_adapter, as diffusers' train_text_to_image_lora.py does. Gaussian init makes lora_A
random but leaves lora_B zero, so every lora_B is then set to seeded normal values times B_SCALE to make the
adapter change the output noticeably. peft scales the update by lora_alpha / r = 2.

Files (safetensors, F32):
  diffusers/pytorch_lora_weights.safetensors
                         the adapter as diffusers' training scripts save it (StableDiffusionPipeline.save_lora_weights
                         of convert_state_dict_to_diffusers(get_peft_model_state_dict(unet))): keys
                         unet.<module>.lora.down.weight [r,in] / unet.<module>.lora.up.weight [out,r]; the header
                         metadata "lora_adapter_metadata" is the JSON of unet.peft_config["default"].to_dict() with
                         every key prefixed "unet." (unet.r, unet.lora_alpha, unet.target_modules, ...)
  kohya.safetensors      the same adapter as kohya-ss sd-scripts writes it: keys lora_unet_<module with "." -> "_">
                         .lora_down.weight / .lora_up.weight and .alpha (a 0-dim F32 tensor, 8.0; sd-scripts keeps
                         alpha as a scalar buffer, torch.tensor(alpha)); header metadata ss_network_dim / ss_network_alpha
  lora_unet.safetensors  sample, timestep (I64), encoder_hidden_states (copied from ../sd1_unet.safetensors) ->
                         noise_pred of the UNet with the adapter at scale 1.0

Regenerating gives the same tensors; only the order of the header metadata keys may differ (safetensors writes
them from a hash map), so the file bytes may change while their content does not.

Minimal metadata: diffusers 0.42.1 loads a diffusers-format file whose lora_adapter_metadata is only
{"unet.r", "unet.lora_alpha", "unet.target_modules"}; without target_modules peft fails (KeyError 'model_type'),
and without the metadata alpha falls back to r (a different result).

The script checks that diffusers' own loader (pipe.load_lora_weights) reproduces noise_pred from both files.
Tools/lora_noise_pred.py is the same loader as a command the Swift tests call at run time.

Setup (torch's CPU wheel ships in /opt/wheels on the project machines; PyPI's default torch pulls CUDA):
    pip install /opt/wheels/torch-*+cpu-*.whl diffusers transformers peft safetensors

Usage: python3 Tools/make_lora_fixtures.py [--sd DIR] [--out DIR]
"""
import argparse
import json
import os
import shutil
import sys

try:
    import torch
    from diffusers import StableDiffusionPipeline, UNet2DConditionModel
    from diffusers.utils import convert_state_dict_to_diffusers
    from peft import LoraConfig
    from peft.utils import get_peft_model_state_dict
    from safetensors.torch import load_file, save_file
except ImportError as e:  # pragma: no cover
    sys.exit(f"make_lora_fixtures.py needs torch, diffusers, transformers, peft, safetensors ({e}); see the header")

RANK = 4
ALPHA = 8
TARGETS = ["to_q", "to_k", "to_v", "to_out.0"]
B_SCALE = 0.1
SEED = 0


def make_adapter(sd_dir):
    unet = UNet2DConditionModel.from_pretrained(sd_dir, subfolder="unet", dtype=torch.float32)
    cfg = LoraConfig(r=RANK, lora_alpha=ALPHA, init_lora_weights="gaussian", target_modules=TARGETS)
    torch.manual_seed(SEED)  # gaussian init draws lora_A from the global generator
    unet.add_adapter(cfg)
    torch.manual_seed(SEED)
    with torch.no_grad():
        for name, p in sorted(unet.named_parameters()):
            if "lora_B" in name:
                p.copy_(torch.randn(p.shape) * B_SCALE)
    return unet.eval()


def kohya_state_dict(diffusers_sd):
    """unet.<module>.lora.{down,up}.weight -> lora_unet_<module_>.lora_{down,up}.weight + .alpha"""
    out = {}
    for k, v in diffusers_sd.items():
        assert k.startswith("unet.") and (k.endswith(".lora.down.weight") or k.endswith(".lora.up.weight")), k
        module, kind = k[len("unet."):].rsplit(".lora.", 1)
        name = "lora_unet_" + module.replace(".", "_")
        out[f"{name}.lora_{kind}"] = v.contiguous()
        out[f"{name}.alpha"] = torch.tensor(float(ALPHA), dtype=torch.float32)
    return out


def noise_pred(unet, inputs):
    with torch.no_grad():
        return unet(inputs["sample"], inputs["timestep"], inputs["encoder_hidden_states"]).sample.contiguous()


def loaded_pred(sd_dir, folder, weight_name, inputs):
    pipe = StableDiffusionPipeline.from_pretrained(sd_dir, safety_checker=None, dtype=torch.float32)
    pipe.load_lora_weights(folder, weight_name=weight_name)
    cfg = next(iter(pipe.unet.peft_config.values()))
    return noise_pred(pipe.unet, inputs), cfg


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    fixtures = os.path.join(here, "..", "Tests", "RoundsDiffusionTests", "Fixtures", "sd")
    ap = argparse.ArgumentParser()
    ap.add_argument("--sd", default=fixtures, help="folder holding sd1/ and sd1_unet.safetensors")
    ap.add_argument("--out", default=os.path.join(fixtures, "lora"))
    args = ap.parse_args()
    sd_dir = os.path.join(args.sd, "sd1")
    out = args.out
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)

    base = load_file(os.path.join(args.sd, "sd1_unet.safetensors"))
    inputs = {k: base[k].contiguous() for k in ("sample", "timestep", "encoder_hidden_states")}

    unet = make_adapter(sd_dir)
    pred = noise_pred(unet, inputs)
    diff_base = (pred - base["noise_pred"]).abs().max().item()
    if diff_base <= 1e-3:
        sys.exit(f"the adapter changes noise_pred by only {diff_base:.3g}; raise B_SCALE")

    lora_sd = convert_state_dict_to_diffusers(get_peft_model_state_dict(unet))
    ddir = os.path.join(out, "diffusers")
    metadata = unet.peft_config["default"].to_dict()
    metadata["target_modules"] = sorted(metadata["target_modules"])  # a set in peft: its order varies by run
    StableDiffusionPipeline.save_lora_weights(ddir, unet_lora_layers=lora_sd, safe_serialization=True,
                                              unet_lora_adapter_metadata=metadata)
    saved = load_file(os.path.join(ddir, "pytorch_lora_weights.safetensors"))

    kohya = kohya_state_dict(saved)
    save_file(kohya, os.path.join(out, "kohya.safetensors"),
              metadata={"ss_network_module": "networks.lora", "ss_network_dim": str(RANK),
                        "ss_network_alpha": str(float(ALPHA))})

    save_file({**inputs, "noise_pred": pred}, os.path.join(out, "lora_unet.safetensors"))

    # diffusers' loader must reproduce the peft UNet from either file
    checks = {}
    for label, folder, weight in (("diffusers", ddir, "pytorch_lora_weights.safetensors"),
                                  ("kohya", out, "kohya.safetensors")):
        p, cfg = loaded_pred(sd_dir, folder, weight, inputs)
        d = (p - pred).abs().max().item()
        checks[label] = d
        if d > 1e-5 or cfg.r != RANK or cfg.lora_alpha != ALPHA:
            sys.exit(f"diffusers' load_lora_weights of {label} differs: max |diff| {d:.3g}, r {cfg.r}, "
                     f"alpha {cfg.lora_alpha}")

    print(f"modules with LoRA: {len(saved) // 2}, rank {RANK}, alpha {ALPHA}, B scale {B_SCALE}")
    for root, _, files in sorted(os.walk(out)):
        for f in sorted(files):
            path = os.path.join(root, f)
            print(f"  {os.path.relpath(path, out):45s} {os.path.getsize(path):7d} bytes")
    print(f"  diffusers keys {len(saved)}, e.g. {sorted(saved)[0]}")
    print(f"  kohya keys {len(kohya)}, e.g. {sorted(kohya)[0]}")
    print(f"max |noise_pred lora - base| {diff_base:.4g}")
    for label, d in checks.items():
        print(f"max |load_lora_weights({label}) - peft| {d:.3g}")


if __name__ == "__main__":
    main()
