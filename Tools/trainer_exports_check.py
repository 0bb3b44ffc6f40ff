"""Helper of check-trainer-exports.sh (tooling, not product).

prepare: builds a tiny randomly initialised Stable Diffusion pipeline in WORK/tiny-sd (CLIP tokenizer
from a byte-level vocabulary written here, no downloads) and loads Rounds' exports the way the
trainers do: the DPO folder with load_dataset(DIR, split="validation"), the image folder as
train_text_to_image does, MAGIC's JSON.
finish: checks that the DPO script saved its LoRA weights.
"""
import argparse
import json
import os
import sys


def bytes_to_unicode():
    # GPT-2/CLIP's reversible map from bytes to printable characters (as in their tokenizers).
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, map(chr, cs)))


def byte_vocab(folder):
    # CLIP's tokenizer maps bytes to printable characters; a vocabulary of those characters (each also
    # as a word end) and no merges tokenizes any text, one token per character.
    chars = list(bytes_to_unicode().values())
    vocab = {"<|startoftext|>": 0, "<|endoftext|>": 1}
    for c in chars:
        vocab.setdefault(c, len(vocab))
        vocab.setdefault(c + "</w>", len(vocab))
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "vocab.json"), "w") as f:
        json.dump(vocab, f)
    with open(os.path.join(folder, "merges.txt"), "w") as f:
        f.write("#version: 0.2\n")
    return len(vocab)


def tiny_pipeline(path):
    import torch
    from diffusers import AutoencoderKL, DDPMScheduler, StableDiffusionPipeline, UNet2DConditionModel
    from transformers import CLIPTextConfig, CLIPTextModel, CLIPTokenizer

    torch.manual_seed(0)
    source = path.rstrip("/") + "-tokenizer-source"
    vocab_size = byte_vocab(source)
    tokenizer = CLIPTokenizer(os.path.join(source, "vocab.json"), os.path.join(source, "merges.txt"), model_max_length=16)
    text_encoder = CLIPTextModel(CLIPTextConfig(
        vocab_size=vocab_size, hidden_size=32, intermediate_size=37, num_attention_heads=4, num_hidden_layers=2,
        max_position_embeddings=16, bos_token_id=0, eos_token_id=1, pad_token_id=1))
    unet = UNet2DConditionModel(
        sample_size=4, in_channels=4, out_channels=4, layers_per_block=1, block_out_channels=(32, 64),
        down_block_types=("CrossAttnDownBlock2D", "DownBlock2D"), up_block_types=("UpBlock2D", "CrossAttnUpBlock2D"),
        cross_attention_dim=32, attention_head_dim=8, norm_num_groups=32)
    vae = AutoencoderKL(
        in_channels=3, out_channels=3, latent_channels=4, block_out_channels=(32, 32, 32, 32),
        down_block_types=("DownEncoderBlock2D",) * 4, up_block_types=("UpDecoderBlock2D",) * 4,
        layers_per_block=1, norm_num_groups=32, sample_size=32)
    scheduler = DDPMScheduler(num_train_timesteps=1000, beta_schedule="scaled_linear", beta_start=0.00085, beta_end=0.012)
    pipe = StableDiffusionPipeline(vae=vae, text_encoder=text_encoder, tokenizer=tokenizer, unet=unet, scheduler=scheduler,
                                   safety_checker=None, feature_extractor=None, requires_safety_checker=False)
    pipe.save_pretrained(path)


def prepare(work):
    from datasets import load_dataset

    tiny_pipeline(os.path.join(work, "tiny-sd"))
    # The DPO script's own call: load_dataset(args.dataset_name, split=args.dataset_split_name), default "validation".
    dpo = load_dataset(os.path.join(work, "dpo-set"), split="validation")
    need = {"jpg_0", "jpg_1", "label_0", "caption"}
    assert need <= set(dpo.column_names), dpo.column_names
    assert len(dpo) >= 2, f"only {len(dpo)} pairs"
    print(f"dpo: {len(dpo)} pairs in split validation, columns {sorted(dpo.column_names)}")

    # train_text_to_image.py: load_dataset("imagefolder", data_files={"train": os.path.join(dir, "**")}).
    folder = os.path.join(work, "text-to-image")
    images = load_dataset("imagefolder", data_files={"train": os.path.join(folder, "**")})["train"]
    assert {"image", "text", "weight"} <= set(images.column_names), images.column_names
    assert len(images) >= 1 and all(w > 0 for w in images["weight"])
    print(f"imagefolder: {len(images)} images, columns {sorted(images.column_names)}, first text {images[0]['text']!r}")

    with open(os.path.join(work, "magic.json")) as f:
        magic = json.load(f)
    assert isinstance(magic, list) and magic and all(list(m) == ["image_path", "label", "prompt"] for m in magic)
    assert all(os.path.exists(m["image_path"]) for m in magic)
    print(f"magic: {len(magic)} entries, first {magic[0]}")


def finish(work):
    out = os.path.join(work, "dpo-out")
    weights = os.path.join(out, "pytorch_lora_weights.safetensors")
    if not os.path.exists(weights):
        sys.exit(f"train_diffusion_dpo.py saved no LoRA weights in {out}: {sorted(os.listdir(out)) if os.path.isdir(out) else 'no folder'}")
    print(f"dpo training: two steps done, LoRA weights saved ({os.path.getsize(weights)} bytes)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("step", choices=["prepare", "finish"])
    parser.add_argument("--work", required=True)
    args = parser.parse_args()
    prepare(args.work) if args.step == "prepare" else finish(args.work)
