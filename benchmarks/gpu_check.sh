#!/usr/bin/env bash
# The GPU check of the fast network: on a machine with an NVIDIA GPU (or, to
# try the script, on a CPU), install the package, train the fast network on
# from a distillation run folder for about MINUTES minutes, time stylize and
# a training step, and leave the checkpoint and every figure in OUT.
#
#   benchmarks/gpu_check.sh RUN_DIR OUT [MINUTES]
#
# RUN_DIR: a `python -m magenta_style.distill` output folder (its checkpoints
# and teacher_embeddings-*.npy); it is copied, never written. DATA (default
# ../shared/data) holds the photos and VGG-19. The package and TensorFlow must
# be installable: from PyPI, or from wheels in WHEELS (pip --no-index).
set -euo pipefail
run_dir=${1:?usage: gpu_check.sh RUN_DIR OUT [MINUTES]}
out=${2:?usage: gpu_check.sh RUN_DIR OUT [MINUTES]}
minutes=${3:-8}
repo=$(cd "$(dirname "$0")/.." && pwd)
data=${DATA:-$repo/../shared/data}
mkdir -p "$out"
exec > >(tee "$out/gpu_check.log") 2>&1

echo "== machine"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv || echo "no nvidia-smi"
grep -m1 "model name" /proc/cpuinfo || true

echo "== install"
if [ -n "${WHEELS:-}" ]; then
    python3 -m pip install -q --no-index --find-links "$WHEELS" -e "$repo"
else
    python3 -m pip install -q -e "$repo"
fi
python3 -c "import tensorflow as tf; print('TensorFlow', tf.__version__, 'GPUs:', tf.config.list_physical_devices('GPU'))"

echo "== training the fast network on for about $minutes min"
cp -r "$run_dir" "$out/run"
start=$(python3 -c "import json,glob,os; c=sorted(glob.glob('$out/run/checkpoints/step-*/state.json')); print(json.load(open(c[-1]))['step'] if c else 0)")
# The run's own settings, so that it resumes (check_resume).
setting() { python3 -c "import json; print(json.load(open('$out/run/train_config.json'))['$1'])"; }
common=(--content_dir "$data/photos" --output_dir "$out/run" --vgg_weights "$data/vgg19_notop.h5"
        --image_size "$(setting image_size)" --batch_size "$(setting batch_size)"
        --learning_rate "$(setting learning_rate)" --seed "$(setting seed)"
        --checkpoint_every 100 --precision auto)
if [ -d "$data/paintings" ]; then common+=(--paintings_dir "$data/paintings"); fi
began=$(date +%s)
timeout "$((minutes * 60))" python3 -m magenta_style.distill "${common[@]}" --steps 1000000 \
    > "$out/distill.log" 2>&1 || true
seconds=$(( $(date +%s) - began ))
reached=$(python3 -c "import json,glob; c=sorted(glob.glob('$out/run/checkpoints/step-*/state.json')); print(json.load(open(c[-1]))['step'] if c else 0)")
python3 -m magenta_style.distill "${common[@]}" --steps "$reached" >> "$out/distill.log" 2>&1
grep "^step " "$out/distill.log" | tail -3 || true
echo "steps $start -> $reached in $seconds s"

echo "== stylize (the distilled model and the bundled full one)"
for model in "$out/run" full; do
    /usr/bin/time -f "stylize --model $model: %e s wall, %M KB peak" \
        python3 -m magenta_style.stylize --model "$model" --content "$data/content" \
        --output_dir "$out/stylized" --max_size 1024 > /dev/null
done

echo "== one training step (full network, perceptual loss, 256², batch 8)"
python3 -m benchmarks.train_step --vgg_weights "$data/vgg19_notop.h5" --content_dir "$data/photos" \
    --sizes 256 --batches 8 --steps 3 --precision bfloat16 | tail -3
echo "== done: $out"
