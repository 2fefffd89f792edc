"""P1: blockwise prediction of a 3D U-Net (input 188³, 12 feature maps, factor
6, two (2,2,2) downsamplings, untrained, torch seed 0) over a stored uint8
volume on the CPU with 1 local worker, by DaCapo's ``predict`` (ours or the
upstream release, whichever ``dacapo`` this interpreter imports); prints JSON
with the seconds, the output voxels per second and what was written (shape,
all finite).

With ``--bare``: the limit instead, the same model's forward passes
(``torch.no_grad``) over the same tiles, read into memory first.

    python -P bench/rows/blockwise_predict.py CONTAINER DATASET OUTPUT_DIR [--bare]
"""

import argparse
import importlib.util
import json
import math
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import _runs  # noqa: E402

#: the U-Net of issue 14's P1
INPUT, FMAPS, FACTOR, LEVELS = 188, 12, 6, 2
#: its output voxels a side for ``INPUT`` (``--bare`` checks it against the model:
#: making upstream's model here would cost a dry run at 188³, about 30 s a run)
OUTPUT = 148


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("container", type=Path)
    parser.add_argument("dataset")
    parser.add_argument("output", type=Path)
    parser.add_argument("--bare", action="store_true", help="the bare forward loop")
    args = parser.parse_args()
    import torch

    torch.manual_seed(0)
    result = _bare(args) if args.bare else _predict(args)
    print(json.dumps(result))


def _predict(args) -> dict:
    """``predict`` of a stored run, untrained (ours: iteration 0; upstream
    loads no weights without an iteration)."""
    from dacapo.predict import predict

    split = _runs.datasplit(args.container, [args.dataset])
    _runs.store_run("p1", _runs.unet(INPUT, FMAPS, FACTOR, LEVELS), split)
    container = args.output / "prediction.zarr"
    upstream = importlib.util.find_spec("dacapo._inference") is None
    voxels = _output_voxels(args)
    start = time.perf_counter()
    predict("p1", None if upstream else 0, args.container, f"{args.dataset}/raw",
            str(container), num_workers=1, output_dtype="float32")
    seconds = time.perf_counter() - start
    return dict(_written(container), seconds=seconds,
                voxels_per_second=voxels / seconds)


def _written(container: Path) -> dict:
    """Shape of the one dataset written, and whether all its values are finite
    (upstream writes it without a ``.zgroup`` at the container's root: found by
    its ``.zarray``)."""
    import numpy as np
    import zarr

    arrays = sorted(container.rglob(".zarray"))
    if len(arrays) != 1:
        return {"shape": [], "finite": False, "arrays": [str(a.parent) for a in arrays]}
    data = zarr.open_array(str(arrays[0].parent), mode="r")[:]
    return {"shape": list(data.shape), "finite": bool(np.isfinite(data).all())}


def _output_voxels(args) -> int:
    import zarr

    shape = zarr.open_array(str(args.container / args.dataset / "raw"), mode="r").shape
    return math.prod(size - (INPUT - OUTPUT) for size in shape)


def _output_size(model) -> int:
    """Output voxels a side for the input (found when the model was made: ours
    on the meta device, upstream with a dry run; no second one here); must be
    ``OUTPUT``."""
    shape = (tuple(model.eval_input_shape), model.output_shape[0])
    if shape != ((INPUT,) * 3, OUTPUT):
        raise SystemExit(f"the P1 U-Net maps {shape[0]} to {shape[1]} voxels a side, "
                         f"expected {(INPUT,) * 3} to {OUTPUT}: update OUTPUT")
    return OUTPUT


def _model():
    config = _runs.unet(INPUT, FMAPS, FACTOR, LEVELS)
    task_config = _runs.distance_task()
    task = task_config.task_type(task_config)
    return task.create_model(config.architecture_type(config)).eval()


def _bare(args) -> dict:
    """The limit: forward passes over the tiles of the output, no I/O timed."""
    import numpy as np
    import torch
    import zarr

    model = _model()
    out = _output_size(model)
    raw = zarr.open_array(str(args.container / args.dataset / "raw"), mode="r")[:]
    starts = [range(0, size - INPUT + out, out) for size in raw.shape]
    tiles = [torch.from_numpy(_tile(raw, corner).astype(np.float32) / 255.0)[None, None]
             for corner in np.stack(np.meshgrid(*starts, indexing="ij"), -1).reshape(-1, 3)]
    start = time.perf_counter()
    with torch.no_grad():
        for tile in tiles:
            finite = bool(torch.isfinite(model(tile)).all())
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "tiles": len(tiles), "finite": finite,
            "voxels_per_second": math.prod(s - INPUT + out for s in raw.shape) / seconds}


def _tile(raw, corner):
    """The input tile at ``corner``, shifted back inside the volume at the far end."""
    corner = [min(c, size - INPUT) for c, size in zip(corner, raw.shape)]
    return raw[tuple(slice(c, c + INPUT) for c in corner)]


if __name__ == "__main__":
    main()
