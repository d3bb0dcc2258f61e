#!/usr/bin/env bash
# One device call's worth of training: the default recipe, its ablations and the article-ae baseline, side by side
# on one GPU with the same wall-clock budget each, then each run folder packed into OUT as one tar (the device
# tool brings back at most 8 files). Small models leave an H100 mostly idle and bound by Python, so runs that
# share it lose little: this is how a 15-minute device budget buys a baseline and an ablation table at once.
#
#   scripts/train-gpu.sh PACK OUT [MINUTES]
#   ONLY="gpu article-ae" scripts/train-gpu.sh PACK OUT [MINUTES]   # just these variants
#
# Runs sharing the GPU are time-sliced (six side by side got ~11 steps/s each against 32 alone), so a run meant to
# ship should share it with as few others as possible: ONLY picks them.
# PACK is a pack from `npm run pipeline -- prepare --format webp` (all 42k faces fit in ~55 MiB that way).
# Runs needing a GPU fall back to the CPU too (for a smoke test with a tiny MINUTES), just slowly.
set -u
pack=$1 out=$2 minutes=${3:-7.25}
python=${PYTHON:-python3}
runs=${RUNS:-/tmp/seedface-runs}
export PYTHONPATH=train/src PYTHONUNBUFFERED=1 OMP_NUM_THREADS=2
budget="steps=1000000 max_minutes=$minutes"
# a run still going this long after its budget (start-up and the last sheet take ~1 min) is stopped, so the
# packing below always happens inside the device call
guard=$("$python" -c "print(int($minutes * 60 + 110))")

# model 2's ablation ran on the 4×4 stem; the vae variants keep it so that they still reproduce that table
stem4="dec_stem=4 dec_widths=128,64,32,16,16"
vae="variational=true kl_warmup_steps=2000 adv_on_samples=true $stem4"
declare -A variants=(
  [article-ae]="--preset article-ae --set batch_size=256 eval_every=2500 sample_every=5000 ckpt_every=5000 threads=2 $budget"
  [gpu]="--preset gpu --set $budget"
  [gpu-wide]="--preset gpu --set dec_widths=128,64,32,16 $budget"
  [gpu-stem4]="--preset gpu --set $stem4 $budget"
  # half the decoder's MACs and WASM time; on the CPU it lost mostly to torch's slow ConvTranspose (docs/experiments.md)
  [gpu-transposed]="--preset gpu --set dec_block=transposed $budget"
  [gpu-vae]="--preset gpu --set $vae beta=5e-4 adv_weight=0.05 $budget"
  [gpu-vae-beta1e-4]="--preset gpu --set $vae beta=1e-4 $budget"
  [gpu-vae-adv0.3]="--preset gpu --set $vae beta=1e-4 adv_weight=0.3 $budget"
  [gpu-vae-wide]="--preset gpu --set $vae beta=1e-4 dec_widths=256,128,64,32,16 $budget"
)

names=(${ONLY:-${!variants[@]}})
for name in "${names[@]}"; do
  [ -n "${variants[$name]:-}" ] || { echo "unknown variant $name; choose from ${!variants[*]}" >&2; exit 2; }
done

mkdir -p "$runs" "$out"
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,utilization.gpu,memory.used --format=csv -l 30 \
  >"$runs/nvidia-smi.log" 2>&1 &
monitor=$!
pids=()
for name in "${names[@]}"; do
  # shellcheck disable=SC2086  # the variant's flags are meant to split into words
  timeout -s INT "$guard" "$python" -m seedface_train train ${variants[$name]} --data "$pack" --out "$runs/$name" \
    --no-resume >"$runs/$name.log" 2>&1 &
  pids+=($!)
done
wait "${pids[@]}"
kill "$monitor" 2>/dev/null

for name in "${names[@]}"; do
  dir=$runs/$name
  # a run stopped by the guard has no model.pt: take the EMA weights from its last checkpoint instead
  [ -f "$dir/model.pt" ] || "$python" - "$dir" <<'EOF'
import json, sys, pathlib, torch
run = pathlib.Path(sys.argv[1])
if (run / "ckpt.pt").exists():
    state = torch.load(run / "ckpt.pt", map_location="cpu", weights_only=False)
    torch.save({"config": json.loads((run / "config.json").read_text()), "model": state["ema"] or state["model"],
                "from_checkpoint_step": state["step"]}, run / "model.pt")
EOF
  cp "$runs/$name.log" "$dir/train.log" 2>/dev/null
  tail -c 600 "$runs/$name.log" | tr '\r' '\n' | tail -n 3
  tar -cf "$out/$name.tar" -C "$dir" --exclude ckpt.pt --exclude ckpt.tmp .
  echo "$name: $(du -h "$out/$name.tar" | cut -f1) $(cat "$dir/summary.json" 2>/dev/null | tr -d '\n ' | head -c 300)"
done
cp "$runs/nvidia-smi.log" "$out/nvidia-smi.log" 2>/dev/null
ls -la "$out"
