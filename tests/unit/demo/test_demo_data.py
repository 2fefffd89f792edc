"""The demo's data: crops and volume with the runs' ground truth, written once."""

from __future__ import annotations

import numpy as np
import zarr

from dacapo._demo.data import MARGIN, cell_ids, ensure_data, mito_mask
from dacapo._demo.layout import DemoLayout
from dacapo._demo.settings import DemoSettings
from dacapo.utils.synthetic import CLASS_NAMES


def test_organelles_belong_to_their_cell():
    labels = np.array([0, 1, 2, 3, 4, 5, 6, 7], dtype=np.uint64)
    assert cell_ids(labels).tolist() == [0, 1, 1, 1, 4, 4, 4, 7]
    assert cell_ids(labels).dtype == np.uint64


def test_mito_is_the_mitochondrion_class():
    mito = next(i for i, name in CLASS_NAMES.items() if name == "mitochondrion")
    semantic = np.arange(len(CLASS_NAMES), dtype=np.uint8)
    assert mito_mask(semantic).tolist() == [int(i == mito) for i in range(len(CLASS_NAMES))]


def test_crops_and_volume_hold_raw_and_both_ground_truths(tmp_path):
    layout = DemoLayout(tmp_path)
    ensure_data(layout, DemoSettings(crop_size=50, volume_size=56))
    crops = zarr.open_group(str(layout.data), mode="r")
    assert sorted(crops["train"].group_keys()) == ["crop0", "crop1"]
    crop = crops["test/crop0"]
    assert crop["raw"].shape == (50, 50, 50)
    inner = (slice(MARGIN, -MARGIN),) * 3
    assert np.array_equal(crop["cells"][:], cell_ids(crop["labels"][inner]))
    assert np.array_equal(crop["mito"][:], mito_mask(crop["semantic"][inner]))
    assert crop["cells"].attrs["offset"] == [MARGIN * 8] * 3
    low, high = MARGIN * 8, (50 - MARGIN) * 8
    assert all(low <= c < high for point in crop.attrs["sample_points"] for c in point)
    volume = zarr.open_group(str(layout.volume), mode="r")
    assert {name: volume[name].shape for name in ("raw", "cells", "mito")} == {
        "raw": (56,) * 3, "cells": (56,) * 3, "mito": (56,) * 3}
    assert volume["raw"].attrs["resolution"] == [8, 8, 8]
    assert 0 < volume["mito"][:].mean() < 0.2 and len(np.unique(volume["cells"][:])) > 5


def test_written_data_is_reused_and_unfinished_data_written_again(tmp_path):
    layout = DemoLayout(tmp_path)
    settings = DemoSettings(crop_size=50, volume_size=48)
    ensure_data(layout, settings)
    raw = layout.volume / "raw" / ".zarray"
    before = raw.stat().st_mtime_ns
    ensure_data(layout, settings)
    assert raw.stat().st_mtime_ns == before
    crops = zarr.open_group(str(layout.data), mode="r+")
    del crops.attrs["demo_complete"]  # as if interrupted before the ground truth was done
    del crops["test/crop0/cells"]
    ensure_data(layout, settings)
    assert "cells" in zarr.open_group(str(layout.data), mode="r")["test/crop0"]
    assert raw.stat().st_mtime_ns == before
