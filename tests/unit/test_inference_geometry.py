"""Window geometry of prediction: the lattice, context and blending weights."""

from __future__ import annotations

import numpy as np
import pytest
from funlib.geometry import Coordinate, Roi

from dacapo._inference_geometry import (
    InferenceGeometry,
    block_rois,
    gaussian_weight,
    inference_geometry,
)
from dacapo.errors import ConfigError, RoiError
from tests.unit._inference_helpers import unet_model


def _geometry_1d(input_shape, output_shape, stride):
    one = Coordinate((1,))
    return InferenceGeometry(one, one, Coordinate((input_shape,)), Coordinate((output_shape,)),
                             1, Coordinate((stride,)))


def _starts(geometry, begin, end, origin=0):
    windows = geometry.windows(Roi((begin,), (end - begin,)), Coordinate((origin,)))
    return [w.begin[0] for w in windows]


def test_valid_windows_tile_the_roi_from_the_origin():
    # input 8, output 4: context 2 on each side, stride = output
    #   roi      [0, 10)
    #   windows  |0--4|4--8|8--12|   (the last overhangs and is cut on writing)
    geometry = _geometry_1d(8, 4, 4)
    assert geometry.context == Coordinate((2,))
    assert not geometry.blend
    assert _starts(geometry, 0, 10) == [0, 4, 8]
    # a block inside the lattice gets exactly its windows
    assert _starts(geometry, 4, 8) == [4]
    # the lattice stays anchored at the origin, whatever the block
    assert _starts(geometry, 6, 10, origin=0) == [4, 8]
    assert geometry.input_roi(Roi((4,), (4,))) == Roi((2,), (8,))


def test_blended_windows_are_every_lattice_window_touching_the_block():
    # output window 4, stride 2 (overlap 0.5), origin 0:
    #   lattice  |-2..2| |0..4| |2..6| |4..8| ...
    #   block [2, 6) touches the windows starting at 0, 2 and 4
    geometry = _geometry_1d(4, 4, 2)
    assert geometry.blend
    assert _starts(geometry, 2, 6) == [0, 2, 4]
    assert _starts(geometry, 0, 2) == [-2, 0]
    # the read reaches window - stride beyond the block on each side
    assert geometry.block_context == Coordinate((2,))


def test_windows_of_a_3d_block_in_c_order():
    one = Coordinate((1, 1, 1))
    geometry = InferenceGeometry(one, one, Coordinate((4, 4, 4)), Coordinate((4, 4, 4)), 1,
                                 Coordinate((4, 4, 4)))
    windows = geometry.windows(Roi((0, 0, 0), (8, 4, 8)), Coordinate((0, 0, 0)))
    assert [tuple(w.begin) for w in windows] == [(0, 0, 0), (0, 0, 4), (4, 0, 0), (4, 0, 4)]


def test_valid_unet_geometry():
    model = unet_model("valid", input_shape=(28, 28, 28))
    geometry = inference_geometry(model, Coordinate((4, 4, 4)))
    # 28 in, 12 out: context (28 - 12) / 2 = 8 voxels = 32 world units
    assert geometry.output_shape == Coordinate((12, 12, 12))
    assert geometry.context == Coordinate((32, 32, 32))
    assert geometry.stride == geometry.output_size
    assert geometry.default_block_size() == geometry.output_size
    assert geometry.block_context == geometry.context


def test_same_padded_geometry_blends_half_overlapping_windows():
    model = unet_model("same", input_shape=(16, 16, 16))
    geometry = inference_geometry(model, Coordinate((2, 2, 2)))
    assert geometry.context == Coordinate((0, 0, 0))
    assert geometry.stride == Coordinate((16, 16, 16))  # 8 voxels of 2
    assert geometry.blend
    assert geometry.default_block_size() == Coordinate((64, 64, 64))
    assert not inference_geometry(model, Coordinate((2, 2, 2)), overlap=0.0).blend


def test_eval_shape_increase_widens_the_window():
    model = unet_model("valid", input_shape=(28, 28, 28), eval_shape_increase=(8, 8, 8))
    geometry = inference_geometry(model, Coordinate((1, 1, 1)))
    assert geometry.input_shape == Coordinate((36, 36, 36))
    assert geometry.output_shape == Coordinate((20, 20, 20))


@pytest.mark.parametrize("overlap", [-0.1, 1.0, 2])
def test_overlap_out_of_range_is_refused(overlap):
    model = unet_model("same", input_shape=(16, 16, 16))
    with pytest.raises(ConfigError, match=r"overlap must be in \[0, 1\), got"):
        inference_geometry(model, Coordinate((1, 1, 1)), overlap=overlap)


def test_origin_off_the_input_grid_is_refused():
    geometry = inference_geometry(unet_model("valid"), Coordinate((4, 4, 4)))
    geometry.check_origin(Coordinate((32, 32, 32)), Coordinate((0, 0, 0)), "test")
    with pytest.raises(RoiError, match=r"test: output windows starting at \(34, 32, 32\)"):
        geometry.check_origin(Coordinate((34, 32, 32)), Coordinate((0, 0, 0)), "test")


def test_gaussian_weight_peaks_in_the_centre_and_is_never_zero():
    weight = gaussian_weight((16, 8))
    assert weight.dtype == np.float32
    assert weight.max() == pytest.approx(np.exp(-0.5 * (0.5 / 2) ** 2) * np.exp(-0.5 * (0.5 / 1) ** 2))
    assert weight.min() > 0
    np.testing.assert_array_equal(weight, weight[::-1, ::-1])  # symmetric
    # sigma = size / 8: one sigma from the centre the profile is exp(-1/2) of its peak
    profile = weight[:, 3] / weight[:, 3].max()
    centre = 7.5
    assert np.interp(centre + 2, np.arange(16), profile) == pytest.approx(np.exp(-0.5), abs=0.02)
    with pytest.raises(ValueError):
        weight[0, 0] = 1  # cached and shared: read-only


def test_block_rois_tile_from_the_offset():
    blocks = block_rois(Roi((10, 0), (10, 4)), Coordinate((4, 4)))
    assert blocks == [Roi((10, 0), (4, 4)), Roi((14, 0), (4, 4)), Roi((18, 0), (4, 4))]
