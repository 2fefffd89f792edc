"""P2: training batches per second of DaCapo's gunpowder trainer (ours or the
upstream release, whichever ``dacapo`` this interpreter imports); prints JSON.

A distance task on the ``raw``/``mito`` crops of CONTAINER, a 3D U-Net with
the given input, elastic and simple augmentation, batch size 2. The configs
are built through the public API both sides share. The first batch (which
starts the data workers) is not timed.

    python -P bench/rows/batches.py CONTAINER --input 132 --fetchers 0 --batches 6

With ``--device-share`` (ours only) the elastic and simple augments and the
targets are left to the training device (``augments_on_device``,
``targets_on_device``), as ``train_run`` does on a GPU: the batches are the
grown crops and the draws, i.e. the data workers' share of a batch.
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
    parser.add_argument("--crops", type=int, default=2)
    parser.add_argument("--input", type=int, default=132, help="network input, voxels a side")
    parser.add_argument("--fetchers", type=int, default=0)
    parser.add_argument("--batches", type=int, default=6)
    parser.add_argument("--device-share", action="store_true",
                        help="ours only: leave the augments and targets to the training "
                        "device (a GPU), and time the data workers' share of a batch")
    args = parser.parse_args()
    task, model, datasets = _parts(args)
    trainer_config = _runs.augmented_trainer(args.fetchers, args.device_share)
    trainer = trainer_config.trainer_type(trainer_config)
    trainer.build_batch_provider(datasets, model, task)
    batch = getattr(trainer, "next_batch", None) or trainer.next  # ours / upstream
    with trainer:
        batch()
        start = time.perf_counter()
        for _ in range(args.batches):
            batch()
        seconds = time.perf_counter() - start
    print(json.dumps({"batches_per_second": args.batches / seconds}))


def _parts(args):
    from dacapo.experiments.architectures import CNNectomeUNetConfig
    from dacapo.experiments.datasplits import TrainValidateDataSplitConfig
    from dacapo.experiments.datasplits.datasets import RawGTDatasetConfig
    from dacapo.experiments.datasplits.datasets.arrays import ZarrArrayConfig
    from dacapo.experiments.tasks import DistanceTaskConfig

    def array(crop: int, name: str):
        return ZarrArrayConfig(f"{name}{crop}", args.container, f"crop{crop}/{name}")

    datasets = [RawGTDatasetConfig(f"crop{i}", raw_config=array(i, "raw"),
                                   gt_config=array(i, "mito")) for i in range(args.crops)]
    split = TrainValidateDataSplitConfig("bench", train_configs=datasets, validate_configs=[])
    task_config = DistanceTaskConfig("mito", channels=["mito"], clip_distance=40.0,
                                     tol_distance=40.0, scale_factor=80.0)
    task = task_config.task_type(task_config)
    unet = CNNectomeUNetConfig(
        "unet", input_shape=(args.input,) * 3, fmaps_out=12, fmaps_in=1, num_fmaps=12,
        fmap_inc_factor=6, downsample_factors=[(2, 2, 2), (2, 2, 2)])
    model = task.create_model(unet.architecture_type(unet))
    return task, model, split.datasplit_type(split).train


if __name__ == "__main__":
    main()
