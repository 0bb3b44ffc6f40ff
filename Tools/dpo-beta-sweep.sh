#!/usr/bin/env bash
# The DPO β sweep of docs/finetuning.md: one `rounds round --objective dpo` per β against the simulator
# judge, all from the shipped checkpoint with the same samples (the before images and their verdicts are
# reused: same seeds, same request keys), then one line per β from each round.json.
#
#   Tools/dpo-beta-sweep.sh OUT_DIR [β ...]        (default β: 100 500 2000 5000)
#
# Extra settings come from the environment: PER_CONDITION (32), DPO_STEPS (64), DPO_LR (1e-5),
# EMA_DECAY (0.999), ROUNDS (the binary; default .build/release/rounds).
set -euo pipefail
out=${1:?usage: Tools/dpo-beta-sweep.sh OUT_DIR [beta ...]}
shift
betas=("${@:-}")
[ -n "${betas[0]}" ] || betas=(100 500 2000 5000)
rounds=${ROUNDS:-.build/release/rounds}
[ -x "$rounds" ] || { echo "error: $rounds not built (swift build -c release)" >&2; exit 2; }
mkdir -p "$out"
db="$out/sweep.sqlite"

"$rounds" simulator --port 0 > "$out/simulator.url" 2> "$out/simulator.log" &
sim=$!
trap 'kill $sim 2>/dev/null || true' EXIT
for _ in $(seq 50); do [ -s "$out/simulator.url" ] && break; sleep 0.1; done
[ -s "$out/simulator.url" ] || { echo "error: the simulator did not start ($out/simulator.log)" >&2; exit 2; }
printf 'endpoints:\n  - name: simulator\n    provider: openai\n    base_url: %s\n    model: rounds-simulator\n' \
  "$(head -1 "$out/simulator.url")" > "$out/endpoints.yaml"

for beta in "${betas[@]}"; do
  "$rounds" round --model Models/demo-unet --endpoint simulator --endpoints "$out/endpoints.yaml" --db "$db" \
    --objective dpo --beta "$beta" --per-condition "${PER_CONDITION:-32}" --dpo-steps "${DPO_STEPS:-64}" \
    --dpo-lr "${DPO_LR:-1e-5}" --ema-decay "${EMA_DECAY:-0.999}" --out "$out/beta-$beta" --json \
    > "$out/beta-$beta.json" 2> "$out/beta-$beta.log"
done

python3 - "$out" "${betas[@]}" <<'PY'
import json, sys
out, betas = sys.argv[1], sys.argv[2:]
print(f"{'beta':>6} {'before':>8} {'after':>8} {'after 95% CI':>16} {'implicit acc':>13} {'margin':>8} {'loss':>7}")
for b in betas:
    d = json.load(open(f"{out}/beta-{b}.json"))
    a, t = d["after"]["dpo"], d["training"]["dpo"]
    print(f"{b:>6} {d['before']['all_criteria_rate']:8.3f} {a['all_criteria_rate']:8.3f} "
          f"[{a['ci95'][0]:.3f}, {a['ci95'][1]:.3f}] {t['implicit_accuracy']:13.3f} {t['margin']:8.3f} {t['final_loss']:7.3f}")
PY
