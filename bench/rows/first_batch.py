"""P5: seconds to the first training batch over many small crops with DaCapo's
gunpowder trainer (ours or the upstream release, whichever ``dacapo`` this
interpreter imports); prints JSON.

The crops ``crop<i>/raw`` and ``crop<i>/mito`` of CONTAINER (e.g. 200 of
32³), a distance task, a 3D U-Net of 28³ voxels in, batch size 2, no
augments, no data workers. Timed: opening the datasplit's training datasets,
building the trainer and its batch provider, and the first batch in hand
(the modules are imported before: import times are row P4).

    python -P bench/rows/first_batch.py CONTAINER --crops 200
"""

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import _runs  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("container", type=Path)
    parser.add_argument("--crops", type=int, default=200)
    args = parser.parse_args()
    split = _runs.datasplit(args.container, [f"crop{i}" for i in range(args.crops)])
    task_config, architecture = _runs.distance_task(), _runs.tiny_unet()
    task = task_config.task_type(task_config)
    model = task.create_model(architecture.architecture_type(architecture))
    trainer_config = _runs.trainer()
    # imports are P4's business: upstream's `import dacapo` already pulled in
    # gunpowder, ours imports it with the trainer; both before the clock
    datasplit_type, trainer_type = split.datasplit_type, trainer_config.trainer_type
    import gunpowder  # noqa: F401
    import zarr  # noqa: F401

    start = time.perf_counter()
    datasets = datasplit_type(split).train
    trainer = trainer_type(trainer_config)
    trainer.build_batch_provider(datasets, model, task)
    with trainer:
        batch = (getattr(trainer, "next_batch", None) or trainer.next)()  # ours / upstream
        seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "datasets": len(datasets),
                      "batch": type(batch).__name__}))


if __name__ == "__main__":
    main()
