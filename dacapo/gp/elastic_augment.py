"""A gunpowder node deforming and rotating every array of a batch alike."""

from __future__ import annotations

import logging
import math
import random
from typing import Dict, Sequence, Tuple

import gunpowder as gp
import numpy as np
from funlib.geometry import Coordinate, Roi
from scipy import ndimage
from scipy.spatial import cKDTree

from dacapo._checks import (
    check_fraction,
    check_int,
    check_interval,
    check_numbers,
    check_same_length,
)
from dacapo.errors import ConfigError
from dacapo.utils.array_threads import map_slabs

from ._deformation import Deformation, sample_deformation

logger = logging.getLogger(__name__)


class ElasticAugment(gp.BatchFilter):
    """Elastically deforms and rotates all requested arrays and graphs.

    One random deformation is drawn per batch on the world coordinates of the
    whole request, so raw, labels and masks stay aligned even at different
    voxel sizes. Each output voxel reads the source at its deformed position;
    upstream is asked for the (larger) region those positions cover::

        requested:           |======|
        requested upstream:  |==========|   (enough for rotation + jitter)

    Interpolatable arrays (``spec.interpolatable``; float arrays when unset)
    are resampled linearly, all others (labels, masks) by nearest neighbour,
    which keeps their values in the original label set.

    Args:
        control_point_spacing: Distance between control points of the elastic
            displacement, in voxels (of the finest requested voxel size) per axis.
        control_point_displacement_sigma: Standard deviation of the random
            control point displacements, in the same voxels, per axis.
        rotation_interval: Rotation angles (radians) are drawn uniformly from
            this interval; the rotation is in the plane of the last two axes.
        subsample: Evaluate the elastic displacement every ``subsample`` voxels
            and interpolate linearly in between.
        uniform_3d_rotation: Rotate 3D data uniformly at random in all three
            axes instead (2D data: any angle); ``rotation_interval`` is unused.
        augmentation_probability: Probability of augmenting a batch at all.
    """

    def __init__(
        self,
        control_point_spacing: Sequence[int],
        control_point_displacement_sigma: Sequence[float],
        rotation_interval: Tuple[float, float],
        subsample: int = 1,
        uniform_3d_rotation: bool = False,
        augmentation_probability: float = 1.0,
    ):
        self.control_point_spacing = tuple(control_point_spacing)
        self.displacement_sigma = tuple(control_point_displacement_sigma)
        self.rotation_interval = check_interval(
            "ElasticAugment", "rotation_interval", tuple(rotation_interval)
        )
        self.subsample = subsample
        self.uniform_3d_rotation = uniform_3d_rotation
        self.augmentation_probability = augmentation_probability
        _check_arguments(self)

    def skip_node(self, request: gp.BatchRequest) -> bool:
        return random.random() >= self.augmentation_probability

    def prepare(self, request: gp.BatchRequest) -> gp.BatchRequest:
        specs = {k: s for k, s in request.items() if s.roi is not None}
        if not specs:
            return gp.BatchRequest()
        base = self._finest_voxel_size(specs)
        total = _union([s.roi for s in specs.values()]).snap_to_grid(base, mode="grow")
        self._base = base
        self._deformation = sample_deformation(
            total, base, self.control_point_spacing, self.displacement_sigma,
            self.rotation_interval, self.uniform_3d_rotation, self.subsample,
        )
        self._sources: Dict = {}
        self._nearest_indices: Dict = {}
        shared: Dict = {}  # arrays of one ROI and voxel size (labels, mask) share coordinates
        # and the source ROI they cover
        deps = gp.BatchRequest()
        for key, spec in specs.items():
            voxel_size = self._voxel_size(key, spec) if isinstance(key, gp.ArrayKey) else base
            grid_roi = spec.roi.snap_to_grid(voxel_size, mode="grow")
            place = (tuple(grid_roi.begin), tuple(grid_roi.shape), tuple(voxel_size))
            if place not in shared:
                coordinates = self._deformation.source_coordinates(grid_roi, voxel_size)
                shared[place] = (coordinates, self._source_roi(coordinates, voxel_size))
            coordinates, source_roi = shared[place]
            self._sources[key] = (coordinates, grid_roi)
            deps[key] = spec.copy()
            deps[key].roi = source_roi
            if isinstance(key, gp.GraphKey) and self.spec[key].roi is not None:
                # points outside the provided region do not exist: ask for no more
                deps[key].roi = deps[key].roi.intersect(self.spec[key].roi)
            logger.debug("%s: %s needs %s upstream", self.name(), spec.roi, deps[key].roi)
        return deps

    def process(self, batch: gp.Batch, request: gp.BatchRequest) -> gp.Batch:
        outputs = gp.Batch()
        for key, spec in request.items():
            if key not in self._sources or key not in batch:
                continue
            if isinstance(key, gp.ArrayKey):
                outputs[key] = self._deform_array(batch[key], spec.roi, key)
            else:
                outputs[key] = self._deform_graph(batch[key], spec.roi, key)
        self._nearest_indices = {}  # batch-sized: not kept past the batch
        return outputs

    def _voxel_size(self, key: gp.ArrayKey, spec: gp.ArraySpec) -> Coordinate:
        voxel_size = spec.voxel_size or self.spec[key].voxel_size
        if voxel_size is None:
            raise ConfigError(f"ElasticAugment: {key} has no voxel size; set it on its source")
        return Coordinate(voxel_size)

    def _finest_voxel_size(self, specs: Dict) -> Coordinate:
        dims = next(iter(specs.values())).roi.dims
        _check_dims(self, dims)
        sizes = [self._voxel_size(k, s) for k, s in specs.items() if isinstance(k, gp.ArrayKey)]
        if not sizes:
            return Coordinate((1,) * dims)
        return Coordinate(np.min(np.asarray(sizes), axis=0))

    def _source_roi(self, coordinates: np.ndarray, voxel_size: Coordinate) -> Roi:
        """Voxel-aligned ROI holding every source position and its neighbours."""
        origin = self._deformation.origin
        lows, highs = [], []
        for d in range(coordinates.shape[0]):
            low = (origin[d] + float(coordinates[d].min())) / voxel_size[d] - 0.5
            high = (origin[d] + float(coordinates[d].max())) / voxel_size[d] - 0.5
            lows.append(math.floor(low))
            highs.append(math.floor(high) + 2)
        begin, end = Coordinate(lows), Coordinate(highs)
        return Roi(begin * voxel_size, (end - begin) * voxel_size)

    def _deform_array(self, array: gp.Array, roi: Roi, key: gp.ArrayKey) -> gp.Array:
        coordinates, _ = self._sources[key]
        voxel_size = tuple(array.spec.voxel_size)
        shift = tuple(self._deformation.origin - np.asarray(array.spec.roi.begin))
        interpolatable = self.spec[key].interpolatable
        if interpolatable is None:
            interpolatable = np.issubdtype(array.data.dtype, np.floating)
        if interpolatable:
            data = _interpolated(array.data, coordinates.shape[1:], lambda a, b: _voxel_index(
                coordinates[:, a:b], shift, voxel_size))
        else:
            spatial = array.data.shape[array.data.ndim - roi.dims :]
            # arrays read through the same coordinates from the same source
            # grid (labels and mask) read the same voxels
            reuse = (id(coordinates), shift, voxel_size, spatial)
            if reuse not in self._nearest_indices:
                self._nearest_indices[reuse] = _nearest_index(
                    coordinates, shift, voxel_size, spatial
                )
            data = _take(array.data, self._nearest_indices[reuse])
        spec = array.spec.copy()
        spec.roi = roi
        return gp.Array(data, spec)

    def _deform_graph(self, graph: gp.Graph, roi: Roi, key: gp.GraphKey) -> gp.Graph:
        """Moves each node to the output position whose source is the node."""
        coordinates, grid_roi = self._sources[key]
        deformation: Deformation = self._deformation
        dims = coordinates.shape[0]
        sources = coordinates.reshape(dims, -1).T
        targets = np.stack(
            np.meshgrid(*deformation.axis_positions(grid_roi, self._base), indexing="ij")
        ).reshape(dims, -1).T
        tree = cKDTree(sources)
        reach = float(np.linalg.norm(np.asarray(self._base)))
        for node in list(graph.nodes):
            location = np.asarray(node.location[-dims:], dtype=np.float64) - deformation.origin
            distance, nearest = tree.query(location)
            # one linearised step: exact for rotations, close for smooth jitter
            moved = targets[nearest] + deformation.rotation.T @ (location - sources[nearest])
            moved = moved + deformation.origin
            if distance > reach or not roi.contains(moved):
                graph.remove_node(node, retain_connectivity=True)
                continue
            node.location = np.concatenate([node.location[:-dims], moved])
            graph.add_node(node)
        graph.spec.roi = roi
        return graph


def _interpolated(data: np.ndarray, shape, index_of) -> np.ndarray:
    """``data`` (channels first) linearly interpolated onto ``shape`` at the
    voxel indices ``index_of(start, stop)`` of slabs ``start:stop`` along the
    output's first axis (threads of the process's ``array_threads`` budget
    share the slabs; each point is computed alone, so the result is the same)."""
    dims = len(shape)
    spatial = data.shape[data.ndim - dims :]
    flat = data.reshape((-1,) + spatial)
    out_type = data.dtype if np.issubdtype(data.dtype, np.floating) else np.float64
    out = np.empty((len(flat),) + tuple(shape), dtype=out_type)

    def slab(start: int, stop: int) -> None:
        index = index_of(start, stop)
        for channel, values in zip(flat, out):
            ndimage.map_coordinates(channel, index, order=1, mode="nearest",
                                    output=values[start:stop])

    map_slabs(slab, shape[0])
    if not np.issubdtype(data.dtype, np.floating):
        info = np.iinfo(data.dtype) if data.dtype != bool else None
        np.rint(out, out=out)  # in place: out is a fresh float64 array
        if info is not None:
            np.clip(out, info.min, info.max, out=out)
        out = out.astype(data.dtype)
    return out.reshape(data.shape[: data.ndim - dims] + tuple(shape))


def _voxel_index(coordinates: np.ndarray, shift, voxel_size) -> np.ndarray:
    """float32 (fractional) voxel index in the source array of each position of
    ``coordinates``; ``shift`` is the deformation origin minus the array's begin."""
    index = np.empty(coordinates.shape, dtype=np.float32)
    for d in range(coordinates.shape[0]):
        _axis_index(coordinates[d], shift[d], voxel_size[d], out=index[d])
    return index


def _axis_index(coordinate: np.ndarray, shift, voxel, out: np.ndarray) -> np.ndarray:
    """``(coordinate + shift) / voxel - 1/2`` in float32, into ``out``."""
    np.add(coordinate, np.float32(shift), out=out)
    np.divide(out, np.float32(voxel), out=out)
    return np.subtract(out, np.float32(0.5), out=out)


def _nearest_index(coordinates: np.ndarray, shift, voxel_size, spatial) -> np.ndarray:
    """Flat index into ``spatial`` of the voxel nearest to each position
    (``floor(index + 1/2)`` per axis, clamped to the array), computed in slabs
    (see ``_interpolated``)."""
    shape = tuple(coordinates.shape[1:])
    flat = np.zeros(shape, dtype=np.intp)

    def slab(start: int, stop: int) -> None:
        _nearest_slab(coordinates[:, start:stop], shift, voxel_size, spatial, flat[start:stop])

    map_slabs(slab, shape[0])
    return flat


def _nearest_slab(coordinates: np.ndarray, shift, voxel_size, spatial, flat: np.ndarray) -> None:
    scratch = np.empty(coordinates.shape[1:], dtype=np.float32)
    for d in range(coordinates.shape[0]):
        _axis_index(coordinates[d], shift[d], voxel_size[d], out=scratch)
        np.add(scratch, np.float32(0.5), out=scratch)  # as rounded by _voxel_index
        np.floor(scratch, out=scratch)
        # clamped while still float32: whole numbers, so the same as clamping
        # the integers, without an integer temporary per axis
        np.maximum(scratch, 0, out=scratch)
        np.minimum(scratch, spatial[d] - 1, out=scratch)
        flat *= spatial[d]
        np.add(flat, scratch, out=flat, casting="unsafe")  # exact: whole numbers


def _take(data: np.ndarray, flat: np.ndarray) -> np.ndarray:
    """``data`` (channels first) at the flat spatial indices ``flat`` (exact
    values), in slabs (see ``_interpolated``)."""
    leading = data.shape[: data.ndim - flat.ndim]
    source = data.reshape(leading + (-1,))
    out = np.empty(leading + flat.shape, dtype=data.dtype)
    before = (slice(None),) * len(leading)

    def slab(start: int, stop: int) -> None:  # the indices are in range: "clip" changes none
        np.take(source, flat[start:stop], axis=-1, out=out[before + (slice(start, stop),)],
                mode="clip")  # and, unlike "raise", writes to ``out`` without a buffer

    map_slabs(slab, flat.shape[0])
    return out


def _union(rois: Sequence[Roi]) -> Roi:
    total = rois[0]
    for roi in rois[1:]:
        total = total.union(roi)
    return total


def _check_dims(node: ElasticAugment, dims: int) -> None:
    for name, values in (
        ("control_point_spacing", node.control_point_spacing),
        ("control_point_displacement_sigma", node.displacement_sigma),
    ):
        if len(values) != dims:
            raise ConfigError(
                f"ElasticAugment: {name} has {len(values)} values {list(values)} but the "
                f"request has {dims} spatial dimensions; give one value per spatial axis"
            )


def _check_arguments(node: ElasticAugment) -> None:
    owner = "ElasticAugment"
    check_numbers(owner, "control_point_spacing", node.control_point_spacing, 0, strict=True)
    check_numbers(owner, "control_point_displacement_sigma", node.displacement_sigma, 0)
    check_same_length(
        owner,
        ("control_point_spacing", "control_point_displacement_sigma"),
        (node.control_point_spacing, node.displacement_sigma),
    )
    check_int(owner, "subsample", node.subsample, 1)
    check_fraction(owner, "augmentation_probability", node.augmentation_probability)
