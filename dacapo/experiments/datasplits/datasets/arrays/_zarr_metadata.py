"""Reading array geometry (voxel size, offset, axes, units) from dataset metadata."""

from __future__ import annotations

import logging
import math
from typing import Any, Dict, List, Optional, Sequence, Tuple

import attr
from funlib.geometry import Coordinate, Roi

from dacapo._checks import is_int
from dacapo.errors import ConfigError

from ._length_units import to_nanometres
from ._voxel_grid import nearest_on_grid, valid_offset, valid_voxel_size
from ._zarr_containers import read_multiscales
from .array import SPATIAL_AXES

logger = logging.getLogger(__name__)

NON_SPATIAL_AXES = ("c", "b")
_REVERSED_IN_N5 = ("resolution", "voxel_size", "offset", "axes", "axis_names", "units",
                   "dimension_units", "types")


@attr.s(frozen=True, auto_attribs=True)
class Geometry:
    """Where an array lies: axes, voxel size, offset (world units) and units."""

    axes: List[str]
    voxel_size: Coordinate
    offset: Coordinate
    units: List[str]


def normalise_axes(raw: Any, ndim: int, where: str = "") -> Optional[List[str]]:
    """Axis names from any stored form: list, one string, one-element list, dicts."""
    if raw is None:
        return None
    if not isinstance(raw, (str, list, tuple)):
        raise ConfigError(
            f"{where}: axes {raw!r} are neither a list of names nor a string like 'czyx'; "
            "fix the `axes` attribute of the dataset, or set axes in the config"
        )
    if isinstance(raw, str):
        names = list(raw) if ndim > 1 and len(raw) == ndim else [raw]
    elif len(raw) == 1 and isinstance(raw[0], str) and ndim > 1:
        names = list(raw[0])
    else:
        names = [_axis_name(item) for item in raw]
    return [name.rstrip("^") for name in names]


def _axis_name(item: Any) -> str:
    if isinstance(item, dict):  # OME-NGFF: {"name": "c", "type": "channel"}
        return "c" if item.get("type") == "channel" else str(item.get("name"))
    return str(item)


def spatial_axis_names(dims: int) -> List[str]:
    """``z, y, x`` (last ``dims`` of them), or ``d0 .. dn`` beyond three."""
    return list(SPATIAL_AXES[-dims:]) if 0 < dims <= 3 else [f"d{i}" for i in range(dims)]


def attr_geometry(attrs: Dict[str, Any], n5: bool) -> Dict[str, Any]:
    """Raw voxel size, offset, axes and units from dataset attributes."""
    attrs = dict(attrs)
    voxel_key = _first_key(attrs, "resolution", "voxel_size") or "resolution"
    if n5:
        attrs = {k: (v[::-1] if k in _REVERSED_IN_N5 and isinstance(v, list) else v)
                 for k, v in attrs.items()}
        pixel = attrs.get("pixelResolution")  # N5 viewers' convention
        if isinstance(pixel, dict) and "resolution" not in attrs:
            dims = pixel.get("dimensions")
            attrs["resolution"] = dims[::-1] if isinstance(dims, list) else dims
            voxel_key = "pixelResolution"
    return {
        "voxel_size": _first(attrs, "resolution", "voxel_size"),
        "offset": attrs.get("offset"),
        "axes": _first(attrs, "axes", "axis_names"),
        "units": _first(attrs, "units", "dimension_units"),
        "fields": (f"the `{voxel_key}` attribute of the dataset",
                   "the `offset` attribute of the dataset"),
    }


def _first_key(attrs: Dict[str, Any], *keys: str) -> Optional[str]:
    return next((key for key in keys if attrs.get(key) is not None), None)


def _first(attrs: Dict[str, Any], *keys: str) -> Any:
    key = _first_key(attrs, *keys)
    return None if key is None else attrs[key]


def ome_geometry(store, dataset: str, where: str = "") -> Optional[Dict[str, Any]]:
    """Raw geometry of an OME-NGFF scale level, or None when not one.

    The parent group's ``multiscales`` may hold several images (dacapo writes
    one single-level image per array); the one listing this level is used.
    Malformed ``multiscales`` raise ``ConfigError`` naming ``where``.
    """
    parent, _, level = dataset.rpartition("/")
    try:
        multiscales = read_multiscales(store, parent)
    except ConfigError as error:
        raise error.with_context(where) from None
    if not multiscales:
        return None
    try:
        found = _entry_listing(multiscales, level)
        if found is None:
            pyramid = any(len(m.get("datasets", [])) > 1 for m in multiscales
                          if isinstance(m, dict))
            # an array beside single-level images is normal; one missing from a pyramid is odd
            (logger.warning if pyramid else logger.debug)(
                "%s is not listed in the multiscales of %r; using its own attributes",
                dataset, parent)
            return None
        raw = _level_geometry(*found)
    except (TypeError, AttributeError, KeyError, ValueError) as error:
        raise ConfigError(
            f"{where}: the OME-NGFF `multiscales` of group {parent!r} are malformed "
            f"({type(error).__name__}: {error}); fix them (see "
            "https://ngff.openmicroscopy.org/0.4/#multiscale-md) or remove them to use "
            "the dataset's own attributes"
        ) from None
    image = f"the OME-NGFF multiscales of group {parent!r}, dataset {level!r}"
    raw["fields"] = (f"the `scale` transformation in {image}",
                     f"the `translation` transformation in {image}")
    return raw


def _level_geometry(multiscale: Dict[str, Any], entry: Dict[str, Any]) -> Dict[str, Any]:
    """Voxel size, offset, axes and units of one level (outer transforms applied)."""
    scale, translation = _transforms(entry.get("coordinateTransformations", []))
    outer_scale, outer_translation = _transforms(multiscale.get("coordinateTransformations", []))
    if scale is not None and outer_scale is not None:
        scale = [_number(s) * _number(o) for s, o in zip(scale, outer_scale)]
        if translation is not None:
            translation = [_number(t) * _number(o) for t, o in zip(translation, outer_scale)]
    if outer_translation is not None:
        translation = [_number(a) + _number(b) for a, b in
                       zip(translation or [0] * len(outer_translation), outer_translation)]
    axes_meta = multiscale.get("axes")
    units = [a.get("unit", "") for a in axes_meta if isinstance(a, dict)] if axes_meta else None
    return {"voxel_size": scale, "offset": translation, "axes": axes_meta, "units": units,
            "ome": True}


def _number(value: Any) -> Any:
    """``value`` if it is a number (for arithmetic on transforms), else ``TypeError``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{value!r} is not a number")
    return value


def _entry_listing(multiscales: List[Any], level: str):
    """``(multiscale, dataset entry)`` of the first image listing ``level``."""
    for multiscale in multiscales:
        if not isinstance(multiscale, dict):
            continue
        for entry in multiscale.get("datasets", []):
            if isinstance(entry, dict) and entry.get("path") == level:
                return multiscale, entry
    return None


def _transforms(transforms: List[Dict[str, Any]]) -> Tuple[Optional[list], Optional[list]]:
    scale = translation = None
    for transform in transforms or []:
        if transform.get("type") == "scale":
            scale = transform.get("scale")
        elif transform.get("type") == "translation":
            translation = transform.get("translation")
    return scale, translation


def read_geometry(raw: Dict[str, Any], ndim: int, config_axes, where: str,
                  regrid: bool = False) -> Geometry:
    """Resolves axes, voxel size, offset and units of an ``ndim``-D dataset.

    ``ConfigError`` (naming ``where`` and the metadata to fix) when the voxel
    size is not positive integers, the offset is off the voxel grid (with
    ``regrid``, it is moved to the nearest grid point instead, as OME-NGFF
    pyramids' coarser levels need), or either does not have one entry per
    spatial axis.
    """
    fields = raw.get("fields") or ("the voxel size metadata", "the offset metadata")
    voxel_fix, offset_fix = (f"fix {field}" for field in fields)
    stored_axes = normalise_axes(raw["axes"], ndim, where)
    axes = list(config_axes) if config_axes is not None else stored_axes
    voxel_size, offset, units = _spatial_values(raw, stored_axes, ndim, where, fields)
    if axes is None:
        dims = len(voxel_size) if voxel_size is not None else min(ndim, 3)
        axes = _default_axes(ndim, dims, where)
    _check_axes(axes, ndim, where)
    dims = sum(a not in NON_SPATIAL_AXES for a in axes)
    if voxel_size is None:
        logger.warning("%s: no voxel size in the metadata (resolution / voxel_size); "
                       "assuming %s", where, (1,) * dims)
        voxel_size = [1] * dims
    # lengths in a known unit (um, nm, angstrom, ...) become exact integer nanometres
    voxel_size, converted_units = to_nanometres(voxel_size, units, "voxel size", where)
    offset, _ = to_nanometres(offset if offset is not None else [0] * dims, units, "offset",
                              where)
    for what, value, fix in (("voxel size", voxel_size, voxel_fix),
                             ("offset", offset, offset_fix)):
        if len(value) != dims:
            raise ConfigError(
                f"{where}: {what} {tuple(value)} has {len(value)} entries but the axes "
                f"{axes} have {dims} spatial axes; {fix}, or set axes in the config"
            )
    voxel_size = valid_voxel_size(voxel_size, where, voxel_fix)
    offset = _on_grid(offset, voxel_size, where, offset_fix, regrid)
    units = converted_units if converted_units and len(converted_units) == dims else [""] * dims
    return Geometry(axes, voxel_size, offset, units)


def _on_grid(offset, voxel_size: Coordinate, where: str, fix: str, regrid: bool) -> Coordinate:
    if regrid and len(offset) == len(voxel_size):
        moved = nearest_on_grid(offset, voxel_size)
        if moved != offset:
            logger.info("%s: offset %s moved to the voxel grid: %s (snap_to_grid)", where,
                        tuple(offset), tuple(moved))
        offset = moved
    return valid_offset(offset, voxel_size, where, f"{fix}, or set snap_to_grid in the "
                        "ZarrArrayConfig (e.g. to the voxel size) to move the data onto the "
                        "grid, by less than one voxel")


def _spatial_values(raw: Dict[str, Any], stored_axes: Optional[List[str]], ndim: int,
                    where: str, fields: Sequence[str]):
    """Voxel size, offset and units as lists (or None); OME-NGFF's entries of
    non-spatial axes dropped."""
    voxel_size = _listed(raw["voxel_size"], "voxel size", where, fields[0])
    offset = _listed(raw["offset"], "offset", where, fields[1])
    units = raw["units"] if isinstance(raw["units"], (list, tuple)) else None
    if raw.get("ome") and stored_axes is not None and len(stored_axes) == ndim:
        spatial = [a not in NON_SPATIAL_AXES for a in stored_axes]  # OME lists every axis
        for what, value, field in (("voxel size", voxel_size, fields[0]),
                                   ("offset", offset, fields[1])):
            if value is not None and len(value) != ndim:
                raise ConfigError(
                    f"{where}: {what} {value} has {len(value)} entries but the OME-NGFF "
                    f"axes {stored_axes} list {ndim}; fix {field} (one entry per axis)"
                )
        voxel_size, offset, units = (
            None if v is None else [x for x, keep in zip(v, spatial) if keep]
            for v in (voxel_size, offset, units)
        )
    return voxel_size, offset, units


def _listed(value: Any, what: str, where: str, field: str) -> Optional[list]:
    if value is None:
        return None
    if not isinstance(value, (list, tuple)):
        raise ConfigError(
            f"{where}: {what} {value!r} is not a list of numbers (one per spatial axis); "
            f"fix {field}"
        )
    return list(value)


def _default_axes(ndim: int, dims: int, where: str) -> List[str]:
    extra = ndim - dims
    if extra not in (0, 1):
        raise ConfigError(
            f"{where}: the data has {ndim} dimensions and the voxel size {dims}; "
            "cannot guess the axes, set axes in the config (e.g. ['b', 'c', 'z', 'y', 'x'])"
        )
    return ["c"] * extra + spatial_axis_names(dims)


def _check_axes(axes: List[str], ndim: int, where: str) -> None:
    if len(axes) != ndim:
        raise ConfigError(
            f"{where}: axes {axes} name {len(axes)} dimensions but the data has {ndim}; "
            "fix the axes (config or 'axes' attribute)"
        )
    leading = [a in NON_SPATIAL_AXES for a in axes]
    if leading != sorted(leading, reverse=True):
        raise ConfigError(
            f"{where}: axes {axes} put a non-spatial axis ('c' or 'b') after a spatial "
            "one; dacapo reads non-spatial axes first, e.g. ['c', 'z', 'y', 'x']"
        )


def snap_roi(roi: Roi, voxel_size: Coordinate, grid: Coordinate, where: str) -> Roi:
    """Shrinks ``roi`` (on the grid of ``voxel_size``) to the grid of
    lcm(``grid``, ``voxel_size``)."""
    if len(grid) != len(voxel_size):
        raise ConfigError(
            f"{where}: snap_to_grid {tuple(grid)} has {len(grid)} entries, the voxel size "
            f"{tuple(voxel_size)} has {len(voxel_size)}"
        )
    if not all(is_int(g) and g > 0 for g in grid):
        raise ConfigError(
            f"{where}: snap_to_grid {tuple(grid)} must be positive integers (world units); "
            "fix snap_to_grid in the ZarrArrayConfig"
        )
    lcm = Coordinate(math.lcm(int(g), int(v)) for g, v in zip(grid, voxel_size))
    return roi.snap_to_grid(lcm, mode="shrink")
