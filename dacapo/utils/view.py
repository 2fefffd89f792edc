"""Neuroglancer viewers of arrays: image and segmentation layers placed at
their world positions (voxel size and offset in nm), served from this process.

Needs the optional ``neuroglancer`` package (``pip install
'dacapo-ml[viewer]'``); it is imported only when a viewer or layer is made.
Arrays are read lazily, chunk by chunk, as the browser asks for them.

How axes are shown: spatial axes become the viewer's ``x, y, z`` (``x, y``
for 2D data), matched by name, in nm; non-spatial axes of length 1 are
dropped; an image's channel axis of length 2 or 3 is drawn as colours (red,
green[, blue]); any other non-spatial axis becomes a local dimension (``c'``)
that the viewer steps through.
"""

from __future__ import annotations

import logging
from types import ModuleType
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

import numpy as np

from dacapo.errors import ConfigError, DacapoError

from ._view_volume import Volume, as_volume, full_shape, served_data

logger = logging.getLogger(__name__)

__all__ = ["VIEWER_EXTRA", "import_neuroglancer", "get_viewer", "new_viewer", "embed",
           "add_seg_layer", "add_scalar_layer", "add_layer", "set_view", "Volume", "as_volume"]

#: how to install what the viewer needs
VIEWER_EXTRA = "pip install 'dacapo-ml[viewer]'"
#: DaCapo's world unit
WORLD_UNIT = "nm"
_COLOURS = {2: "vec3(toNormalized(getDataValue(0)), toNormalized(getDataValue(1)), 0.0)",
            3: "vec3(toNormalized(getDataValue(0)), toNormalized(getDataValue(1)), "
               "toNormalized(getDataValue(2)))"}


def import_neuroglancer(owner: str = "viewer") -> ModuleType:
    """The ``neuroglancer`` module; ``DacapoError`` naming the extra when it is missing."""
    try:
        import neuroglancer
    except ImportError as error:
        raise DacapoError(
            f"{owner}: the neuroglancer viewer needs the optional package neuroglancer, "
            f"which is not installed; install it with {VIEWER_EXTRA}"
        ) from error
    return neuroglancer


def add_seg_layer(state: Any, name: str, data: Any, voxel_size: Optional[Sequence[int]] = None,
                  meshes: bool = False, *, offset: Optional[Sequence[int]] = None,
                  axes: Optional[Sequence[str]] = None, visible: bool = True) -> Volume:
    """Adds ``data`` (integer labels) to viewer ``state`` as segmentation layer
    ``name``; with ``meshes`` every segment is selected, so 3D data shows meshes.

    ``data`` is a DaCapo ``Array`` or array-like data with ``voxel_size``
    (``offset`` in world units, ``axes`` as in DaCapo). Returns what the layer shows.
    """
    volume = as_volume(name, data, voxel_size, offset, axes)
    add_layer(state, volume, segmentation=True, visible=visible)
    if meshes:
        served = served_data(volume, _served_dtype(volume, True))
        ids = np.unique(served[(slice(None),) * served.ndim])
        state.layers[name].segments = [int(i) for i in ids if i != 0]
    return volume


def add_scalar_layer(state: Any, name: str, data: Any,
                     voxel_size: Optional[Sequence[int]] = None, *,
                     offset: Optional[Sequence[int]] = None,
                     axes: Optional[Sequence[str]] = None, visible: bool = True) -> Volume:
    """Adds ``data`` (intensities, predictions) to viewer ``state`` as image
    layer ``name``; arguments as for :func:`add_seg_layer`."""
    volume = as_volume(name, data, voxel_size, offset, axes)
    add_layer(state, volume, segmentation=False, visible=visible)
    return volume


def add_layer(state: Any, volume: Volume, segmentation: bool, visible: bool = True) -> None:
    """Adds ``volume`` to ``state`` as a segmentation or image layer."""
    ng = import_neuroglancer(f"viewer layer {volume.name!r}")
    shape = full_shape(volume)
    names, colours = _dimension_names(volume, shape, segmentation)
    dims = len(volume.voxel_size)
    leading = len(names) - dims
    voxel_offset, translation = _placement(volume)
    space = ng.CoordinateSpace(names=names, units=[""] * leading + [WORLD_UNIT] * dims,
                               scales=[1] * leading + list(volume.voxel_size))
    source = ng.LocalVolume(
        served_data(volume, _served_dtype(volume, segmentation), shape), dimensions=space,
        voxel_offset=[0] * leading + voxel_offset,
        volume_type="segmentation" if segmentation else "image",
    )
    layer_source = ng.LayerDataSource(url=source)
    if translation is not None:
        layer_source.transform = _transform(ng, space, translation)
    if segmentation:
        state.layers[volume.name] = ng.SegmentationLayer(source=[layer_source])
    elif colours:
        state.layers[volume.name] = ng.ImageLayer(
            source=[layer_source], shader=f"void main() {{ emitRGB({_COLOURS[colours]}); }}"
        )
    else:
        state.layers[volume.name] = ng.ImageLayer(source=[layer_source])
    state.layers[volume.name].visible = visible


def _served_dtype(volume: Volume, segmentation: bool) -> np.dtype:
    """The dtype neuroglancer gets: labels as unsigned integers, images as
    8-32 bit integers or float32."""
    dtype = np.dtype(volume.data.dtype)
    if dtype.kind == "b":
        return np.dtype(np.uint8)
    if segmentation:
        if dtype.kind not in "ui":
            raise ConfigError(
                f"viewer layer {volume.name!r}: a segmentation layer needs integer labels, "
                f"the data is {dtype}; show it as an image layer (add_scalar_layer)"
            )
        return dtype if dtype.kind == "u" else np.dtype(np.uint64)
    if dtype.kind in "ui" and dtype.itemsize <= 4:
        return dtype
    return np.dtype(np.float32)


def _dimension_names(volume: Volume, shape: Sequence[int],
                     segmentation: bool) -> Tuple[List[str], int]:
    """Names of the served axes (``c^`` for colour channels, ``c'`` for local
    dimensions; non-spatial axes of length 1 are dropped) and the number of
    colour channels (0: none)."""
    dims = len(volume.voxel_size)
    kept = [(axis, n) for axis, n in zip(volume.axes[:-dims], shape) if n > 1]
    colours = kept[0][1] if not segmentation and len(kept) == 1 and kept[0][1] in _COLOURS else 0
    names = [f"{axis}^" if colours else f"{axis}'" for axis, _ in kept]
    return names + list(volume.axes[-dims:]), colours


def _placement(volume: Volume) -> Tuple[List[int], Optional[List[float]]]:
    """The voxel offset of the data and, when the world offset is not a
    multiple of the voxel size, the (fractional) translation in voxels instead."""
    offset = [o / v for o, v in zip(volume.offset, volume.voxel_size)]
    if all(float(o).is_integer() for o in offset):
        return [int(o) for o in offset], None
    return [0] * len(offset), offset


def _transform(ng: ModuleType, space: Any, translation: List[float]) -> Any:
    rank = space.rank
    matrix = np.zeros((rank, rank + 1))
    matrix[:, :rank] = np.eye(rank)
    matrix[rank - len(translation):, rank] = translation
    return ng.CoordinateSpaceTransform(output_dimensions=space, matrix=matrix)


def set_view(state: Any, volumes: Sequence[Volume], focus: Optional[Volume] = None) -> None:
    """Sets the viewer's axes (``x, y, z`` in nm, each at the finest voxel size
    of ``volumes``) and centres the view on ``focus`` (default: the first volume)."""
    ng = import_neuroglancer("viewer")
    scales: Dict[str, int] = {}
    for volume in volumes:
        for axis, size in zip(volume.spatial_axes, volume.voxel_size):
            scales[axis] = min(size, scales.get(axis, size))
    names = sorted(scales, key=_axis_order)
    if not names:
        return
    state.dimensions = ng.CoordinateSpace(names=names, units=WORLD_UNIT,
                                          scales=[scales[n] for n in names])
    focus = focus if focus is not None else (volumes[0] if volumes else None)
    if focus is not None:
        centre = {axis: o + n * v / 2 for axis, o, n, v in zip(
            focus.spatial_axes, focus.offset, focus.spatial_shape, focus.voxel_size)}
        state.position = [centre.get(n, 0) / scales[n] for n in names]


def _axis_order(axis: str) -> Tuple[int, str]:
    """x, y, z first: neuroglancer's xy panel shows the first two viewer axes."""
    return ("xyz".index(axis) if axis in ("x", "y", "z") else 3, axis)


def get_viewer(arrays: Mapping[str, Any], width: int = 1500, height: int = 600,
               headless: bool = True, bind_address: str = "127.0.0.1",
               bind_port: int = 0) -> Any:
    """A neuroglancer viewer serving ``arrays`` (name -> layer), from this process.

    Each value is a DaCapo ``Array``, or a dict with ``array`` (an ``Array`` or
    array-like data) and optional ``is_seg`` (segmentation layer), ``meshes``,
    ``voxel_size``, ``offset``, ``axes`` and ``visible``. Returns the
    ``neuroglancer.Viewer`` (its URL: ``viewer.get_viewer_url()``), or with
    ``headless=False`` an IPython ``IFrame`` of ``width`` x ``height`` pixels
    embedding it in a notebook. The server listens on ``bind_address``
    (``0.0.0.0``: every interface) and ``bind_port`` (0: any free port).
    """
    viewer = new_viewer(bind_address, bind_port)
    with viewer.txn() as state:
        volumes = [_add_entry(state, name, entry) for name, entry in arrays.items()]
        set_view(state, volumes)
    return viewer if headless else embed(viewer, width, height)


def _add_entry(state: Any, name: str, entry: Any) -> Volume:
    if not isinstance(entry, Mapping):
        entry = {"array": entry}
    if "array" not in entry:
        raise ConfigError(f"get_viewer: entry {name!r} has no 'array' (keys: "
                          f"{sorted(entry)}); give {{'array': data, ...}} or the array itself")
    geometry = dict(voxel_size=entry.get("voxel_size", entry.get("voxel_sizes")),
                    offset=entry.get("offset"), axes=entry.get("axes"),
                    visible=entry.get("visible", True))
    if entry.get("is_seg") or entry.get("meshes"):
        return add_seg_layer(state, name, entry["array"], meshes=bool(entry.get("meshes")),
                             **geometry)
    return add_scalar_layer(state, name, entry["array"], **geometry)


def new_viewer(bind_address: str = "127.0.0.1", bind_port: int = 0) -> Any:
    """An empty ``neuroglancer.Viewer`` whose server listens on ``bind_address:bind_port``.

    The server is shared by the viewers of a process: once it runs, later
    addresses are ignored (a warning says so).
    """
    ng = import_neuroglancer("viewer")
    if ng.server.is_server_running():
        running = ng.server.global_server
        address = getattr(running, "_bind_address", bind_address)
        if bind_address != address or bind_port not in (0, running.port):
            logger.warning("the neuroglancer server of this process already listens on %s; "
                           "bind address %s:%s is ignored", running.server_url,
                           bind_address, bind_port)
    else:
        ng.set_server_bind_address(bind_address=bind_address, bind_port=bind_port)
    try:
        return ng.Viewer()  # starts the server on first use
    except OSError as error:
        raise ConfigError(
            f"viewer: cannot serve on {bind_address}:{bind_port} ({error}); choose another "
            "port (0: any free port) or an address of this machine (127.0.0.1: this "
            "machine only, 0.0.0.0: every interface)"
        ) from error


def embed(viewer: Any, width: int = 1500, height: int = 600) -> Any:
    """An IPython ``IFrame`` showing ``viewer`` in a notebook."""
    try:
        from IPython.display import IFrame
    except ImportError as error:
        raise DacapoError("viewer: embedding needs IPython (a Jupyter notebook), which is "
                          "not installed; use headless=True and open the viewer's URL "
                          "in a browser") from error
    return IFrame(src=viewer.get_viewer_url(), width=width, height=height)
