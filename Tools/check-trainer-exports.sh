#!/usr/bin/env bash
# Runs the trainers people use on GPUs on Rounds' exports, on a CPU, with a tiny randomly initialised
# Stable Diffusion built locally (no weights are downloaded):
#   - diffusers' examples/research_projects/diffusion_dpo/train_diffusion_dpo.py for two steps on
#     `rounds broker dpo --out DIR --resolution 32`, with the script's defaults for the dataset
#     (load_dataset(DIR), split "validation");
#   - `datasets`' imagefolder loader, as diffusers' train_text_to_image scripts call it, on
#     `rounds broker rft --format imagefolder`, and MAGIC's JSON from `--format magic`.
# Skips (exit 0, with the reason) when Python lacks torch, diffusers, transformers, datasets, accelerate
# or peft, or when the DPO script is not found. The Swift tests check the files' format on their own.
#
# Usage: Tools/check-trainer-exports.sh [path/to/train_diffusion_dpo.py]
#   ROUNDS=.build/release/rounds   the binary to export with
#   PYTHON=python3                 the Python with the packages
#   DIFFUSERS_REPO=DIR             a diffusers checkout to take the script from (else the argument)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
ROUNDS=${ROUNDS:-$root/.build/release/rounds}
PYTHON=${PYTHON:-python3}
script=${1:-${DIFFUSERS_REPO:+$DIFFUSERS_REPO/examples/research_projects/diffusion_dpo/train_diffusion_dpo.py}}

if ! missing=$("$PYTHON" - <<'PY' 2>&1
import importlib.util, sys
need = ["torch", "torchvision", "diffusers", "transformers", "datasets", "accelerate", "peft", "PIL", "tensorboard", "wandb"]
gone = [n for n in need if importlib.util.find_spec(n) is None]
print(", ".join(gone)); sys.exit(1 if gone else 0)
PY
); then
  echo "check-trainer-exports: skipped: $PYTHON lacks $missing (pip install torch torchvision diffusers transformers datasets accelerate peft pillow tensorboard wandb; the DPO script imports wandb)"
  exit 0
fi
if [ -z "$script" ] || [ ! -f "$script" ]; then
  echo "check-trainer-exports: skipped: diffusers' train_diffusion_dpo.py not found; pass its path or set DIFFUSERS_REPO to a diffusers checkout"
  exit 0
fi
[ -x "$ROUNDS" ] || { echo "check-trainer-exports: $ROUNDS is not an executable; build with swift build -c release" >&2; exit 2; }

work=$(mktemp -d)
sim_pid=""
cleanup() { [ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
cd "$work"
db="$work/rounds.sqlite"

echo "== a judged store: painted synthetic images judged by the simulator"
"$ROUNDS" dataset synth --out D --per-condition 6 --defect-rate 0.5 >/dev/null
"$ROUNDS" images add --manifest D/manifest.csv --origin synthetic --db "$db" >/dev/null
"$ROUNDS" simulator --port 0 > sim.url 2> sim.log &
sim_pid=$!
for _ in $(seq 50); do [ -s sim.url ] && break; sleep 0.1; done
url=$(head -n1 sim.url)
"$ROUNDS" judge --pending --base-url "$url" --model rounds-simulator --provider openai --db "$db" >/dev/null

echo "== the exports"
"$ROUNDS" broker dpo --out dpo-set --resolution 32 --db "$db"
"$ROUNDS" broker rft --out text-to-image --format imagefolder --weighting threshold --threshold 0.99 --db "$db"
"$ROUNDS" broker rft --out magic.json --format magic --weighting threshold --threshold 0.99 --db "$db"

echo "== a tiny random Stable Diffusion, and the loaders"
"$PYTHON" "$here/trainer_exports_check.py" prepare --work "$work"

echo "== diffusers' train_diffusion_dpo.py, two steps, its dataset defaults"
"$PYTHON" -m accelerate.commands.launch --num_processes 1 --num_machines 1 --mixed_precision no --dynamo_backend no \
  "$script" \
  --pretrained_model_name_or_path="$work/tiny-sd" \
  --dataset_name="$work/dpo-set" \
  --resolution=32 --train_batch_size=2 --max_train_steps=2 --rank=4 \
  --learning_rate=1e-5 --lr_scheduler=constant --lr_warmup_steps=0 --checkpointing_steps=1000 \
  --seed=0 --report_to=tensorboard --output_dir="$work/dpo-out" 2>&1 | tail -n 5
"$PYTHON" "$here/trainer_exports_check.py" finish --work "$work"

# diffusers' text-to-image LoRA script on the image folder, when the checkout has it beside the DPO script.
t2i="$(dirname "$script")/../../text_to_image/train_text_to_image_lora.py"
if [ -f "$t2i" ]; then
  echo "== diffusers' train_text_to_image_lora.py, two steps, on the image folder"
  "$PYTHON" -m accelerate.commands.launch --num_processes 1 --num_machines 1 --mixed_precision no --dynamo_backend no \
    "$t2i" \
    --pretrained_model_name_or_path="$work/tiny-sd" \
    --train_data_dir="$work/text-to-image" --caption_column=text \
    --resolution=32 --train_batch_size=2 --max_train_steps=2 --rank=4 \
    --learning_rate=1e-4 --lr_scheduler=constant --lr_warmup_steps=0 --checkpointing_steps=1000 \
    --seed=0 --report_to=tensorboard --output_dir="$work/t2i-out" 2>&1 | tail -n 5
  [ -f "$work/t2i-out/pytorch_lora_weights.safetensors" ] || { echo "check-trainer-exports: train_text_to_image_lora.py saved no LoRA weights" >&2; exit 1; }
  echo "text-to-image training: two steps done, LoRA weights saved"
fi
echo "check-trainer-exports: passed"
