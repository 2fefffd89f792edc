"""Reading a small ROI of a large zarr dataset costs memory of the ROI only."""

from __future__ import annotations

import tracemalloc

import numpy as np
import zarr
from funlib.geometry import Roi

from dacapo.experiments.datasplits.datasets.arrays import ZarrArrayConfig


def test_reading_a_roi_does_not_load_the_volume(tmp_path):
    # 512^3 uint8 = 128 MiB if loaded; only two 64^3 chunks are ever written
    container = tmp_path / "big.zarr"
    big = zarr.open_group(str(container), mode="w").create_dataset(
        "raw", shape=(512, 512, 512), chunks=(64, 64, 64), dtype=np.uint8, fill_value=3
    )
    big[64:128, 64:128, 64:128] = 7
    big[448:512, 448:512, 448:512] = 9
    big.attrs.update({"resolution": [4, 4, 4], "offset": [0, 0, 0], "axes": ["z", "y", "x"]})

    config = ZarrArrayConfig(name="big", file_name=container, dataset="raw")
    array = config.array_type(config)
    assert array.roi == Roi((0, 0, 0), (2048, 2048, 2048))

    tracemalloc.start()
    try:
        # one written chunk plus half of an unwritten neighbour (fill value)
        block = array[Roi((256, 256, 384), (256, 256, 256))]
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert block.shape == (64, 64, 64)
    assert (block[:, :, :32] == 7).all() and (block[:, :, 32:] == 3).all()
    assert peak < 50 * 2**20, f"reading a 64^3 ROI peaked at {peak / 2**20:.1f} MiB"
