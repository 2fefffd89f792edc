"""The metadata dacapo writes for a new array: classic attributes on the array,
and an OME-NGFF 0.4 ``multiscales`` image on its parent group.

Array attributes (read by dacapo, funlib.persistence and xarray):
``resolution`` and ``voxel_size`` (world units, nm), ``offset``, ``axes``
(``"c"`` for channels), ``axis_names`` (``"c^"`` for channels, funlib's
convention), ``types`` (``"channel"``/``"space"``), ``units``
(``"nanometer"``), ``_ARRAY_DIMENSIONS`` and optionally ``channel_names``.
N5 containers store the lists in x, y, z order, as N5 tools expect.

OME-NGFF keeps ``multiscales`` on the group that contains the arrays. A
group may hold several unrelated arrays (``raw`` and ``gt`` of one
validation dataset, a prediction and its post-processed outputs), so each
array gets its own single-level image in the group's ``multiscales`` list,
named after it, rather than being added as a level of a shared image (levels
of one image are the same data at several scales, which these are not).
Writing an array's image replaces any earlier image of that path and keeps
the other images of the group (a pyramid that listed the path loses only
that level, since the path now holds other data). N5 containers get no
``multiscales``: OME-NGFF is a zarr format.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Sequence

import zarr

from ._length_units import NANOMETER

logger = logging.getLogger(__name__)

__all__ = ["OME_VERSION", "write_array_metadata", "array_attributes", "multiscale_image",
           "merged_multiscales"]

OME_VERSION = "0.4"


def write_array_metadata(
    store, dataset: str, axes: Sequence[str], voxel_size: Sequence[int],
    offset: Sequence[int], n5: bool, channel_names: Optional[Sequence[str]] = None,
) -> None:
    """Writes the metadata of the existing array ``dataset`` of ``store``: its
    attributes, and (zarr only) its image in the parent group's ``multiscales``.

    ``axes`` are dacapo's (``"c"`` first, if any), ``voxel_size`` and
    ``offset`` integer nanometres of the spatial axes.
    """
    array = zarr.open_array(store, path=dataset, mode="r+")
    array.attrs.update(array_attributes(axes, voxel_size, offset, n5, channel_names))
    spatial = sum(a != "c" for a in axes)
    if n5 or spatial not in (2, 3):  # OME-NGFF: zarr only, 2-D or 3-D images
        logger.debug("%s: no OME-NGFF multiscales (n5=%s, %d spatial axes)", dataset, n5,
                     spatial)
        return
    parent, _, path = dataset.rpartition("/")
    group = zarr.open_group(store, path=parent, mode="a")
    image = multiscale_image(path, axes, voxel_size, offset)
    group.attrs["multiscales"] = merged_multiscales(group.attrs.get("multiscales"), image)


def array_attributes(
    axes: Sequence[str], voxel_size: Sequence[int], offset: Sequence[int], n5: bool,
    channel_names: Optional[Sequence[str]] = None,
) -> Dict[str, Any]:
    """The attributes of a new array with ``axes`` (``"c"`` first, if any)."""
    order = (lambda values: list(values)[::-1]) if n5 else list
    spatial = [a for a in axes if a != "c"]
    attrs: Dict[str, Any] = {
        "resolution": order(int(v) for v in voxel_size),
        "voxel_size": order(int(v) for v in voxel_size),
        "offset": order(int(v) for v in offset),
        "axes": order(axes),
        "axis_names": order("c^" if a == "c" else a for a in axes),
        "types": order("channel" if a == "c" else "space" for a in axes),
        "units": order(NANOMETER for _ in spatial),
        "_ARRAY_DIMENSIONS": order(axes),
    }
    if channel_names is not None:
        attrs["channel_names"] = [str(n) for n in channel_names]
    return attrs


def multiscale_image(
    path: str, axes: Sequence[str], voxel_size: Sequence[int], offset: Sequence[int]
) -> Dict[str, Any]:
    """A one-level OME-NGFF 0.4 image of the array at ``path`` (relative to its group)."""
    scale: List[float] = []
    translation: List[float] = []
    spatial = iter(zip(voxel_size, offset))
    ome_axes = []
    for axis in axes:
        if axis == "c":
            ome_axes.append({"name": "c", "type": "channel"})
            scale.append(1)
            translation.append(0)
        else:
            size, begin = next(spatial)
            ome_axes.append({"name": axis, "type": "space", "unit": NANOMETER})
            scale.append(int(size))
            translation.append(int(begin))
    transforms = [{"type": "scale", "scale": scale},
                  {"type": "translation", "translation": translation}]
    return {"version": OME_VERSION, "name": path, "axes": ome_axes,
            "datasets": [{"path": path, "coordinateTransformations": transforms}]}


def merged_multiscales(existing: Any, image: Dict[str, Any]) -> List[Any]:
    """The group's ``multiscales`` with ``image`` in place of any earlier image
    of its path; other images stay, in order."""
    path = image["datasets"][0]["path"]
    if existing is None:
        existing = []
    if not isinstance(existing, list):
        logger.warning("replacing malformed multiscales metadata %r", existing)
        existing = []
    kept = []
    for multiscale in existing:
        if isinstance(multiscale, dict) and isinstance(multiscale.get("datasets"), list):
            levels = [d for d in multiscale["datasets"]
                      if not (isinstance(d, dict) and d.get("path") == path)]
            if not levels:
                continue  # it was only this path: replaced by ``image``
            multiscale = {**multiscale, "datasets": levels}
        kept.append(multiscale)
    return kept + [image]
