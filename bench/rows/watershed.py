"""P3: mutex-watershed segmentation of stored affinities with DaCapo's
``WatershedPostProcessor`` (ours or the upstream release, whichever
``dacapo`` this interpreter imports); prints JSON with the seconds and the
peak resident memory of the process tree.

    python -P bench/rows/watershed.py CONTAINER DATASET OUTPUT_DIR --workers 2
"""

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _tree_memory import PeakTreeMemory  # noqa: E402

#: the offsets of the benchmark's affinities
OFFSETS = [(1, 0, 0), (0, 1, 0), (0, 0, 1)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("container", type=Path)
    parser.add_argument("dataset")
    parser.add_argument("output", type=Path)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    from funlib.geometry import Coordinate

    from dacapo.experiments.tasks.post_processors import (
        WatershedPostProcessor,
        WatershedPostProcessorParameters,
    )
    from dacapo.store.array_store import LocalArrayIdentifier

    processor = WatershedPostProcessor([Coordinate(o) for o in OFFSETS])
    parameters = WatershedPostProcessorParameters(id=0, bias=0.5)
    try:  # upstream's identifiers want universal paths (it reads `.path`)
        from upath import UPath as _Path
    except ImportError:
        _Path = Path
    output = LocalArrayIdentifier(_Path(args.output / "segmentation.zarr"), "segmentation")
    start = time.perf_counter()
    with PeakTreeMemory() as memory:
        prediction = LocalArrayIdentifier(_Path(args.container), args.dataset)
        _segment(processor, parameters, prediction, output, args.workers)
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "peak_bytes": memory.peak,
                      "objects": _objects(args.output / "segmentation.zarr")}))


def _objects(container: Path) -> int:
    """Distinct non-zero ids of the segmentation written."""
    import numpy as np
    import zarr

    data = zarr.open_array(str(container / "segmentation"), mode="r")[:]
    return int(np.count_nonzero(np.unique(data)))


def _segment(processor, parameters, prediction, output, workers: int) -> None:
    """What ``apply`` runs: ours distributes blocks over worker processes
    (``dacapo._postprocess_blockwise``); upstream's ``process`` does so itself."""
    try:
        from dacapo._postprocess_blockwise import post_process_blockwise
        from dacapo.compute_context import LocalTorch
    except ImportError:  # the upstream release
        processor.set_prediction(prediction)
        processor.process(parameters, output, num_workers=workers)
        return
    post_process_blockwise(processor, parameters, prediction, output, num_workers=workers,
                           compute_context=LocalTorch(distribute_workers=workers > 1))


if __name__ == "__main__":
    main()
