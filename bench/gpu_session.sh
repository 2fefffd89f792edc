#!/bin/bash
# P7 on a lent GPU machine, as one prepared call (about 5 minutes, plus the
# machine's start). The workplace's device tool runs it in the repository root
# with $OUT set and the wheels of shared/notes/gpu-training-check.md carried in
# the ignored .whl/ (carry [".whl"]):  bash bench/gpu_session.sh
# Writes results-gpu.json (commit it as bench/results-gpu.json with a "date",
# then `bench/run.py --refresh-stored`), the comparisons and logs to $OUT.
set -u
export PYTHONUNBUFFERED=1
OUT=${OUT:-/tmp/gpu-session}; mkdir -p "$OUT"
date -u; nproc; nvidia-smi -L
# the machine has its own torch, numpy, pytest...: install only what it lacks
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
    --target /tmp/site $(ls .whl/*.whl | grep -v -e /pytest- -e /pluggy- -e /iniconfig- -e /packaging-) || exit 1
export PYTHONPATH=/tmp/site:$PWD
quiet() { grep -v -e "none of its 8 sample" -e "no validation data" -e Warning -e '"""'; }
nvidia-smi --query-gpu=timestamp,utilization.gpu,memory.used --format=csv -l 1 > "$OUT/smi.csv" 2>&1 &
echo "== P7 (targets where train_run puts them: on the GPU)"
timeout 200 python3 bench/gpu_train.py --fetchers 12 --json "$OUT/results-gpu.json" 2>&1 | tee "$OUT/p7.log" | quiet
echo "== P7 with a 0.5 ms GIL switch interval"
timeout 150 python3 bench/gpu_train.py --fetchers 12 --switch-interval 0.0005 --iterations 20 \
    --json "$OUT/results-gpu-switch.json" 2>&1 | tee "$OUT/p7-switch.log" | grep -e "s/it" -e "^|"
echo "== CUDA tests"
timeout 90 python3 -m pytest -q -p no:cacheprovider -o faulthandler_timeout=60 \
    tests/unit/experiments/tasks/predictors/test_device_distances.py \
    tests/unit/experiments/tasks/predictors/test_distance_predictor_device.py \
    tests/unit/utils/test_balance_weights_torch.py tests/unit/experiments/trainers/ \
    tests/unit/gp/test_device_ground_truth.py 2>&1 | tee "$OUT/tests.log" | tail -3
echo "== a profiler trace of mixed precision"
timeout 120 python3 bench/gpu_train.py --fetchers 12 --mixed-only --iterations 10 \
    --trace "$OUT/trace" 2>&1 | grep -e "s/it" -e trace
gzip -f "$OUT"/trace.*.json
date -u
