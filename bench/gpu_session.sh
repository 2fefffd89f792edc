#!/bin/bash
# P7 on a lent GPU machine, as one prepared call (about 8 minutes, plus the
# machine's start). The workplace's device tool runs it in the repository root
# with $OUT set and the wheels of shared/notes/gpu-training-check.md carried in
# the ignored .whl/ (carry [".whl"]):  bash bench/gpu_session.sh
# Writes results-gpu.json (commit it as bench/results-gpu.json with a "date",
# then `bench/run.py --refresh-stored`) and session.tgz (logs, GPU use, the
# profiler traces of P7, results-gpu-6.json: P7 with 6 workers, and
# results-gpu-default-stream.json: fp32 P7 with the steps on the default
# stream, the comparison for the high-priority training stream) to $OUT.
set -u
export PYTHONUNBUFFERED=1
OUT=${OUT:-/tmp/gpu-session}; mkdir -p "$OUT"
date -u; nproc; nvidia-smi -L
lscpu | grep -e '^CPU(s)' -e 'Thread(s)' -e 'Model name'
# the machine has its own torch, numpy, pytest...: install only what it lacks
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
    --target /tmp/site $(ls .whl/*.whl | grep -v -e /pytest- -e /pluggy- -e /iniconfig- -e /packaging-) || exit 1
export PYTHONPATH=/tmp/site:$PWD
quiet() { grep -v -e "none of its 8 sample" -e "no validation data" -e Warning -e '"""'; }
nvidia-smi --query-gpu=timestamp,utilization.gpu,memory.used --format=csv -l 1 > "$OUT/smi.csv" 2>&1 &
echo "== first, the batch feeder's CUDA tests (the copy to the GPU, uint16 ground truth included)"
timeout 60 python3 -m pytest -q -p no:cacheprovider tests/unit/experiments/trainers/test_batch_feeder.py \
    2>&1 | tee "$OUT/tests-feeder.log" | tail -3
echo "== the workers' own rate (no training step): augments on the GPU, then in the workers (12 workers)"
for setting in "12 device" "12 workers"; do
    set -- $setting
    timeout 100 python3 bench/gpu_train.py --fetchers $1 --augments $2 --supply-only \
        2>&1 | tee "$OUT/supply-$1-$2.log" | grep -e supply_batches -e Error
done
echo "== P7 (targets and augments where train_run puts them: on the GPU), 12 workers, with a profiler trace"
timeout 200 python3 bench/gpu_train.py --fetchers 12 --supply 48 --json "$OUT/results-gpu.json" \
    --trace "$OUT/trace" 2>&1 | tee "$OUT/p7.log" | quiet
echo "== P7 fp32 on the default stream (the comparison for the high-priority training stream), 12 workers"
timeout 100 python3 bench/gpu_train.py --fetchers 12 --fp32-only --default-stream \
    --json "$OUT/results-gpu-default-stream.json" 2>&1 | tee "$OUT/p7-default-stream.log" | quiet
echo "== P7 with 6 workers (cores left to the training process), no cached-batch row"
timeout 150 python3 bench/gpu_train.py --fetchers 6 --no-cached --json "$OUT/results-gpu-6.json" \
    2>&1 | tee "$OUT/p7-6.log" | quiet
echo "== CUDA tests"
timeout 120 python3 -m pytest -q -p no:cacheprovider -o faulthandler_timeout=60 \
    tests/unit/experiments/tasks/predictors/test_device_distances.py \
    tests/unit/experiments/tasks/predictors/test_distance_predictor_device.py \
    tests/unit/utils/test_balance_weights_torch.py tests/unit/experiments/trainers/ \
    tests/unit/gp/test_device_ground_truth.py 2>&1 | tee "$OUT/tests.log" | tail -3
kill %1 2>/dev/null
# the device tool brings back a few files only: one archive of the logs and traces
(cd "$OUT" && gzip -f trace.*.json; tar czf session.tgz --remove-files ./*.log ./*.csv ./trace.*.gz \
    ./results-gpu-6.json ./results-gpu-default-stream.json)
date -u
