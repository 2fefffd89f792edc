"""P2, full training on the CPU: seconds per iteration of DaCapo's ``train``
(ours or the upstream release, whichever ``dacapo`` this interpreter imports);
prints JSON.

The run is P2's: a distance task on the ``crop0``/``crop1`` crops of CONTAINER,
a 3D U-Net of 132³ voxels in (12 feature maps, factor 6, two (2,2,2)
downsamplings, torch seed 0), batch size 2, elastic and simple augments, no
validation. Storing the run is not timed; ``train`` of a new run for
ITERATIONS iterations is, start-up (model, pipeline, first batch) included:
the figure is its seconds over the iterations.

    python -P bench/rows/train_iterations.py CONTAINER --iterations 3 --fetchers 2
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
    parser.add_argument("--iterations", type=int, default=3)
    parser.add_argument("--fetchers", type=int, default=2)
    args = parser.parse_args()
    import torch

    from dacapo.train import train

    torch.manual_seed(0)
    split = _runs.datasplit(args.container, ["crop0", "crop1"])
    _runs.store_run("p2_train", _runs.unet(132, 12, 6, 2), split,
                    trainer_config=_runs.augmented_trainer(args.fetchers),
                    iterations=args.iterations)
    start = time.perf_counter()
    train("p2_train", do_validate=False)
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds_per_iteration": seconds / args.iterations,
                      "iterations": args.iterations}))


if __name__ == "__main__":
    main()
