"""P7: a training iteration on a GPU against a bare torch loop of the same model.

The setup of issue 14: a distance task on synthetic 192³ crops, a
``CNNectomeUNetConfig`` with input 132³, ``num_fmaps=12``,
``fmap_inc_factor=6`` and two (2,2,2) downsamplings, batch 2, elastic +
simple augments, ``--fetchers`` data workers. For fp32 and for mixed
precision it times, in seconds per iteration (wall time over the timed
iterations, after warm-up):

- ``ours``: ``GunpowderTrainer.iterate`` as ``train_run`` drives it;
- ``ours, one cached batch``: the same step fed one batch over and over (the
  step without the batch pipeline);
- ``bare loop``: the same model, RAdam and an MSE loss on random tensors
  already on the GPU, no host synchronisation until the end (the limit).

The trainer is told the device before its batches are built, as
``train_run`` does, so by default (``--targets auto``) the target and
weights are computed on the GPU from the augmented ground truth;
``--targets workers`` computes them in the data workers instead, as on the
CPU (the comparison).

Without a GPU it prints a message and exits 0. Prints one JSON line per
setting, then a summary table.

    python bench/gpu_train.py --iterations 40 --fetchers 12
    python bench/gpu_train.py --fp32-only --targets workers   # the comparison
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
import time
from pathlib import Path

SHAPE = (192, 192, 192)
INPUT = (132, 132, 132)
#: ``--targets`` choices and the ``targets_on_device`` each sets
TARGETS = {"auto": None, "device": True, "workers": False}
#: ``--augments`` choices and the ``augments_on_device`` each sets
AUGMENTS = TARGETS


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--iterations", type=int, default=40, help="timed iterations")
    parser.add_argument("--warmup", type=int, default=8, help="untimed iterations first")
    parser.add_argument("--fetchers", type=int, default=12, help="data worker processes")
    parser.add_argument("--crops", type=int, default=2, help="synthetic 192³ training crops")
    parser.add_argument("--mixed-only", action="store_true", help="time mixed precision only")
    parser.add_argument("--fp32-only", action="store_true", help="time fp32 only")
    parser.add_argument("--targets", choices=TARGETS, default="auto",
                        help="where targets are made: auto (as train_run: on a GPU, there), "
                        "device, or workers (the data workers, as on the CPU)")
    parser.add_argument("--augments", choices=AUGMENTS, default="auto",
                        help="where the elastic and simple augments are applied: auto (as "
                        "train_run: on a GPU, there), device, or workers")
    parser.add_argument("--cpu", action="store_true",
                        help="with --supply-only: measure the data workers' side on the CPU "
                        "(no GPU needed; --fetchers 0 makes the batches in this process)")
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    parser.add_argument("--switch-interval", type=float, default=None,
                        help="sys.setswitchinterval (seconds; Python's default 0.005): how "
                        "long a thread waiting for the GIL waits at most, e.g. the training "
                        "thread after a host synchronisation while the batch threads run")
    parser.add_argument("--trace", type=Path, default=None,
                        help="after the timing, write a torch profiler trace (Chrome JSON) of "
                        "4 more iterations of ours per precision to TRACE.<precision>.json")
    parser.add_argument("--supply", type=int, default=0,
                        help="first time this many batches handed over by the data workers "
                        "with no training step (the pipeline's own rate)")
    parser.add_argument("--supply-only", action="store_true",
                        help="only time the workers' hand-over (--supply batches, default 48)")
    parser.add_argument("--no-cached", action="store_true",
                        help="skip the cached-batch timing")
    parser.add_argument("--default-stream", action="store_true",
                        help="run our training steps on the default CUDA stream (as before "
                        "the fourth session) instead of a high-priority one (the comparison)")
    parser.add_argument("--smoke", action="store_true",
                        help="a tiny run on the CPU (64³ crops, 44³ input): checks the script")
    return parser.parse_args(argv)


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def build(container: Path, fetchers: int, mixed_precision: bool, input_shape=INPUT,
          device=None, targets: str = "auto", augments: str = "auto"):
    """Task, model and a started-ready trainer of the issue's setup."""
    from dacapo.experiments.architectures import CNNectomeUNetConfig
    from dacapo.experiments.datasplits import SimpleDataSplitConfig
    from dacapo.experiments.tasks.distance_task_config import DistanceTaskConfig
    from dacapo.experiments.trainers import GunpowderTrainerConfig
    from dacapo.experiments.trainers.gp_augments import ElasticAugmentConfig, SimpleAugmentConfig

    task_config = DistanceTaskConfig(
        "cells", channels=["cell"], clip_distance=40.0, tol_distance=40.0, scale_factor=20.0
    )
    task = task_config.task_type(task_config)
    unet = CNNectomeUNetConfig(
        "unet", input_shape=input_shape, fmaps_out=12, fmaps_in=1, num_fmaps=12,
        fmap_inc_factor=6, downsample_factors=[(2, 2, 2), (2, 2, 2)],
    )
    model = task.create_model(unet.architecture_type(unet))
    trainer_config = GunpowderTrainerConfig(
        "p7", 2, 1e-4, num_data_fetchers=fetchers, mixed_precision=mixed_precision,
        targets_on_device=TARGETS[targets], augments_on_device=AUGMENTS[augments],
        augments=[
            ElasticAugmentConfig(
                control_point_spacing=[10] * 3, control_point_displacement_sigma=[2.0] * 3,
                rotation_interval=(0.0, math.pi / 2),
            ),
            SimpleAugmentConfig(),
        ],
    )
    trainer = trainer_config.trainer_type(trainer_config)
    trainer.device = device  # as train_run does, before the batches are built
    split = SimpleDataSplitConfig("p7", container)
    trainer.build_batch_provider(split.datasplit_type(split).train, model, task)
    return task, model, trainer


def synchronize(device) -> None:
    import torch

    if device.type == "cuda":
        torch.cuda.synchronize()


def time_ours(trainer, model, device, warmup: int, iterations: int) -> float:
    model.to(device)
    optimizer = trainer.create_optimizer(model)
    for _ in trainer.iterate(warmup, model, optimizer, device):
        pass
    synchronize(device)
    start = time.perf_counter()
    losses = [stats.loss for stats in trainer.iterate(iterations, model, optimizer, device)]
    synchronize(device)
    elapsed = (time.perf_counter() - start) / iterations
    if not all(math.isfinite(loss) for loss in losses):
        raise RuntimeError(f"non-finite training loss: {losses}")
    return elapsed


def trace(trainer, model, device, path: Path) -> None:
    """A profiler trace of 4 iterations (CPU threads and, on a GPU, its kernels):
    shows where the GPU waits and which thread it waits for."""
    from torch.profiler import ProfilerActivity, profile

    activities = [ProfilerActivity.CPU] + ([ProfilerActivity.CUDA] if device.type == "cuda" else [])
    optimizer = trainer.create_optimizer(model)
    with profile(activities=activities) as profiler:
        for _ in trainer.iterate(4, model, optimizer, device):
            pass
        synchronize(device)
    profiler.export_chrome_trace(str(path))
    log(f"trace written to {path}")


def time_supply(trainer, fetchers: int, batches: int) -> float:
    """Batches a second the data workers hand over with no training step (after
    each worker's first batch)."""
    for _ in range(fetchers + 4):
        trainer.next_batch()
    start = time.perf_counter()
    for _ in range(batches):
        trainer.next_batch()
    rate = batches / (time.perf_counter() - start)
    log(f"supply: {rate:.1f} batches/s handed over")
    return rate


def supply_only(args, container: Path, device) -> int:
    from dacapo.utils.array_threads import worker_threads

    shape = (44, 44, 44) if args.smoke else INPUT
    _, _, trainer = build(container, args.fetchers, False, shape, device, args.targets,
                          args.augments)
    with trainer:
        rate = time_supply(trainer, args.fetchers, args.supply or 48)
    print(json.dumps({"fetchers": args.fetchers, "worker_threads": worker_threads(args.fetchers),
                      "augments": "device" if trainer._device_augments else "workers",
                      "supply_batches_per_s": rate}), flush=True)
    return 0


class _Replay:
    """Makes a trainer hand out one cached batch for every iteration."""

    def __init__(self, trainer):
        self.batch = trainer.next_batch()
        trainer.next_batch_at = lambda iteration: self.batch


def time_bare(model, device, mixed_precision: bool, warmup: int, iterations: int) -> float:
    """The same model trained on random tensors already on the device."""
    import torch

    model.to(device).train()
    optimizer = torch.optim.RAdam(model.parameters(), lr=1e-4)
    scaler = torch.amp.GradScaler("cuda") if mixed_precision else None
    raw = torch.randn((2, 1, *model.input_shape), device=device)
    with torch.no_grad():
        target = torch.rand_like(model(raw))

    def step():
        optimizer.zero_grad(set_to_none=True)
        with torch.autocast(device.type, dtype=torch.float16, enabled=mixed_precision):
            loss = torch.nn.functional.mse_loss(model(raw).float(), target)
        if scaler is None:
            loss.backward()
            optimizer.step()
        else:
            scaler.scale(loss).backward()
            scaler.step(optimizer)
            scaler.update()

    for _ in range(warmup):
        step()
    synchronize(device)
    start = time.perf_counter()
    for _ in range(iterations):
        step()
    synchronize(device)
    return (time.perf_counter() - start) / iterations


def run_setting(args, container: Path, mixed_precision: bool, device) -> dict:
    import torch

    from dacapo.utils.array_threads import worker_threads

    torch.backends.cudnn.benchmark = True  # as train_run sets it on a GPU
    shape = (44, 44, 44) if args.smoke else INPUT
    precision = "mixed (fp16)" if mixed_precision else "fp32"
    _, bare_model, _ = build(container, 0, mixed_precision, shape)
    bare = time_bare(bare_model, device, mixed_precision, args.warmup, args.iterations)
    log(f"{precision}: bare loop {bare:.4f} s/it")
    _, model, trainer = build(container, args.fetchers, mixed_precision, shape, device,
                              args.targets, args.augments)
    on_device = trainer.prepare_on_device(device) is not None
    with trainer:
        supply = time_supply(trainer, args.fetchers, args.supply) if args.supply else None
        ours = time_ours(trainer, model, device, args.warmup, args.iterations)
        log(f"{precision}: ours {ours:.4f} s/it")
        if args.trace is not None:
            trace(trainer, model, device, args.trace.with_suffix(
                f".{'mixed' if mixed_precision else 'fp32'}.json"))
        cached = math.nan
        if not args.no_cached:
            _Replay(trainer)
            cached = time_ours(trainer, model, device, args.warmup, args.iterations)
            log(f"{precision}: ours with one cached batch {cached:.4f} s/it")
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else "CPU"
    return {
        "row": "P7", "precision": precision, "gpu": name, "fetchers": args.fetchers,
        "switch_interval": sys.getswitchinterval(), "worker_threads": worker_threads(args.fetchers),
        "training_stream": "default" if args.default_stream else "high priority",
        "supply_batches_per_s": supply,
        "targets": "device" if on_device else "workers",
        "augments": "device" if trainer._device_augments is not None else "workers",
        "ours_s_per_it": ours, "ours_cached_batch_s_per_it": cached, "bare_s_per_it": bare,
        "ours_fraction_of_bare": bare / ours, "cached_fraction_of_bare": bare / cached,
    }


def main(argv=None) -> int:
    args = parse_args(argv)
    import torch

    if not torch.cuda.is_available() and not args.smoke and not (args.cpu and args.supply_only):
        print("P7 skipped: no CUDA GPU visible to torch (this row needs one)")
        return 0
    from dacapo.utils.synthetic import write_synthetic_container

    device = torch.device("cpu" if args.smoke or args.cpu else "cuda")
    if args.default_stream:
        from dacapo.experiments.trainers import _batch_feeder

        _batch_feeder.TRAINING_STREAM_PRIORITY = None
    if args.switch_interval is not None:
        sys.setswitchinterval(args.switch_interval)
    precisions = [False] if args.fp32_only else [True] if args.mixed_only else [False, True]
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        log("writing the synthetic crops")
        container = write_synthetic_container(
            Path(tmp) / "p7.zarr", train_crops=args.crops, validate_crops=0,
            shape=(64, 64, 64) if args.smoke else SHAPE, voxel_size=[8, 8, 8],
        )
        if args.supply_only:
            return supply_only(args, container, device)
        for mixed in precisions:
            results.append(run_setting(args, container, mixed, device))
            print(json.dumps(results[-1]), flush=True)
            if args.json:
                args.json.write_text(json.dumps(results, indent=1))
    print(f"\nP7 on {results[0]['gpu']}, {args.fetchers} data workers, targets made on the "
          f"{results[0]['targets']}, seconds per iteration:")
    print("| precision | ours | ours, one cached batch | bare loop | ours / bare speed |")
    print("|---|---|---|---|---|")
    for r in results:
        print(f"| {r['precision']} | {r['ours_s_per_it']:.4f} | "
              f"{r['ours_cached_batch_s_per_it']:.4f} | {r['bare_s_per_it']:.4f} | "
              f"{r['ours_fraction_of_bare']:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
