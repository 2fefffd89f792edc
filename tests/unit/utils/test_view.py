"""``dacapo.utils.view``: layers of numpy data and DaCapo arrays, served at
their world place, with the axes and dtypes neuroglancer shows."""

from __future__ import annotations

import socket
import sys

import numpy as np
import pytest
from funlib.geometry import Coordinate, Roi

from dacapo.errors import ConfigError, DacapoError
from dacapo.experiments.datasplits.datasets.arrays import NumpyArray
from dacapo.utils import view as view_module
from dacapo.utils.view import add_scalar_layer, add_seg_layer, get_viewer, new_viewer
from tests._viewer_http import metres, served_chunk, served_info

RAW = np.arange(4 * 6 * 8, dtype=np.uint8).reshape(4, 6, 8)


def test_numpy_layers_sit_at_their_offset_in_nm():
    viewer = get_viewer({
        "raw": {"array": RAW, "voxel_size": (8, 4, 4), "offset": (80, 40, 0)},
        "labels": {"array": RAW.astype(np.int64), "voxel_size": (8, 4, 4), "is_seg": True,
                   "visible": False},
    })
    state = viewer.state.to_json()
    assert [(layer["name"], layer["type"]) for layer in state["layers"]] == [
        ("raw", "image"), ("labels", "segmentation")]
    assert state["layers"][1]["visible"] is False
    # x first: neuroglancer's xy panel shows the first two axes of the viewer
    assert list(state["dimensions"]) == ["x", "y", "z"]
    assert state["dimensions"] == {"z": pytest.approx(metres(8)), "y": pytest.approx(metres(4)),
                                   "x": pytest.approx(metres(4))}
    # centred on the first layer: world (x, y, z) = (0 + 16, 40 + 12, 80 + 16) in viewer voxels
    assert list(state["position"]) == [16 / 4, 52 / 4, 96 / 8]
    info = served_info(viewer, "raw")
    assert info["voxelOffset"] == ["10", "10", "0"] and info["shape"] == [4, 6, 8]
    assert info["dataType"] == "uint8" and info["volumeType"] == "image"
    # signed labels are served as uint64, the only 64-bit type segmentations read
    assert served_info(viewer, "labels")["dataType"] == "uint64"
    np.testing.assert_array_equal(served_chunk(viewer, "raw", (1, 2, 3), (3, 5, 7)),
                                  RAW[1:3, 2:5, 3:7])


def test_dacapo_arrays_bring_their_geometry_and_are_read_through_their_roi():
    array = NumpyArray.from_np_array(RAW.astype(np.float64), Roi((20, 0, 8), (16, 24, 32)),
                                     Coordinate(4, 4, 4), ["z", "y", "x"])
    viewer = get_viewer({"prediction": array})
    info = served_info(viewer, "prediction")
    assert info["voxelOffset"] == ["5", "0", "2"] and info["dataType"] == "float32"
    assert info["coordinateSpace"]["z"] == pytest.approx(metres(4))
    np.testing.assert_array_equal(served_chunk(viewer, "prediction", (0, 1, 2), (4, 3, 8)),
                                  RAW[:, 1:3, 2:8])


@pytest.mark.parametrize("channels, names, shader", [
    (1, ["y", "x"], False),           # a channel axis of length 1 is dropped
    (3, ["c^", "y", "x"], True),      # 2 or 3 channels: colours
    (5, ["c'", "y", "x"], False),     # more: a dimension to step through
])
def test_channels_become_colours_or_a_dimension_to_step_through(channels, names, shader):
    data = np.zeros((channels, 6, 8), np.float32)
    viewer = get_viewer({"affs": {"array": data, "voxel_size": (2, 2)}})
    assert list(served_info(viewer, "affs")["coordinateSpace"]) == names
    assert ("emitRGB" in viewer.state.layers["affs"].shader) is shader


def test_labels_with_several_channels_get_a_dimension_to_step_through():
    viewer = get_viewer({"masks": {"array": np.zeros((2, 6, 8), bool), "voxel_size": (2, 2),
                                   "is_seg": True}})
    info = served_info(viewer, "masks")
    assert list(info["coordinateSpace"]) == ["c'", "y", "x"] and info["dataType"] == "uint8"


def test_an_offset_off_the_voxel_grid_becomes_a_fractional_translation():
    viewer = get_viewer({"raw": {"array": RAW, "voxel_size": (8, 4, 4), "offset": (4, 0, 6)}})
    transform = viewer.state.to_json()["layers"][0]["source"][0]["transform"]
    assert [row[-1] for row in transform["matrix"]] == [0.5, 0.0, 1.5]


def test_meshes_select_every_segment():
    cells = NumpyArray.from_np_array(RAW % 3, Roi((0, 0, 0), (16, 24, 32)), Coordinate(4, 4, 4),
                                     ["z", "y", "x"])
    viewer = get_viewer({"cells": {"array": cells, "meshes": True}})
    assert sorted(viewer.state.layers["cells"].segments) == [1, 2]


def test_layers_can_be_added_to_any_state():
    from neuroglancer import ViewerState

    state = ViewerState()
    add_scalar_layer(state, "raw", RAW, (4, 4, 4))
    add_seg_layer(state, "seg", RAW, (4, 4, 4), visible=False)
    assert [layer.type for layer in state.layers] == ["image", "segmentation"]


@pytest.mark.parametrize("entry, message", [
    ({"array": RAW}, r"viewer layer 'bad': voxel_size is needed for ndarray data"),
    ({"array": RAW, "voxel_size": (4, 4), "axes": ["z", "y", "x"]},
     r"voxel_size \(4, 4\) and offset \(0, 0\) need one value per spatial axis "
     r"\(\['z', 'y', 'x'\]\)"),
    ({"array": RAW, "voxel_size": (4, 4, 4), "axes": ["y", "x"]},
     r"axes \['y', 'x'\] name 2 axes, the data has 3"),
    ({"array": RAW, "voxel_size": (4, 4), "axes": ["y", "x", "c"]},
     r"the channel axes \(c, b\) must come before the spatial ones"),
    ({"array": RAW, "voxel_size": (4, 0, 4)}, r"voxel_size \(4, 0, 4\) must be positive"),
    ({"array": RAW.astype(np.float32), "voxel_size": (4, 4, 4), "is_seg": True},
     r"a segmentation layer needs integer labels, the data is float32"),
    ({"data": RAW}, r"get_viewer: entry 'bad' has no 'array' \(keys: \['data'\]\)"),
])
def test_bad_layers_are_refused_with_what_is_wrong(entry, message):
    with pytest.raises(ConfigError, match=message):
        get_viewer({"bad": entry})


def test_without_neuroglancer_the_error_names_the_viewer_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "neuroglancer", None)  # ``import neuroglancer`` fails
    with pytest.raises(DacapoError, match=r"needs the optional package neuroglancer, which is "
                       r"not installed; install it with pip install 'dacapo-ml\[viewer\]'"):
        get_viewer({"raw": {"array": RAW, "voxel_size": (4, 4, 4)}})


def test_embedding_without_ipython_says_what_to_do(monkeypatch):
    monkeypatch.setitem(sys.modules, "IPython", None)
    monkeypatch.setitem(sys.modules, "IPython.display", None)
    with pytest.raises(DacapoError, match=r"embedding needs IPython .*use headless=True"):
        get_viewer({"raw": {"array": RAW, "voxel_size": (4, 4, 4)}}, headless=False)


def test_a_port_in_use_is_refused_with_the_fix():
    import neuroglancer

    neuroglancer.stop()  # the server starts again, on the port asked for
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen()
    try:
        with pytest.raises(ConfigError, match=r"cannot serve on 127\.0\.0\.1:\d+ .*choose "
                           r"another port \(0: any free port\)"):
            new_viewer("127.0.0.1", busy.getsockname()[1])
    finally:
        busy.close()
        neuroglancer.set_server_bind_address("127.0.0.1", 0)


def test_a_running_server_keeps_its_address_and_says_so(caplog):
    new_viewer()
    with caplog.at_level("WARNING", logger=view_module.__name__):
        new_viewer("0.0.0.0", 0)
    assert "bind address 0.0.0.0:0 is ignored" in caplog.text
