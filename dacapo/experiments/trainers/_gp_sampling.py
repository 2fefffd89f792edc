"""Gunpowder nodes of the gunpowder trainer: sample locations and a constant mask."""

from __future__ import annotations

import itertools
import logging
import math
import time
from typing import Any, Dict, Optional, Tuple

import gunpowder as gp
import numpy as np
from funlib.geometry import Coordinate, Roi

from dacapo.errors import ConfigError

logger = logging.getLogger(__name__)

#: a dataset whose mask rejects this many locations in a row is given up on ...
MAX_ATTEMPTS = 100_000
#: ... and so is one whose mask rejects every location for this many seconds
MAX_SECONDS = 60.0


class SampleLocation(gp.RandomLocation):
    """``gp.RandomLocation`` that honours ``min_masked``, centres on sample
    points and lets augmentations reach beyond the data.

    The annotated fraction is measured over a region of ``output_size``
    (world units) centred in the requested mask ROI, i.e. the output of the
    network before augmentation, either with an integral image of the whole
    mask (``integral``) or by reading the candidate's mask. With
    ``points_key`` every sample is centred on a random point of that graph.

    Arrays padded upstream (``data_rois``) are sampled by their data, not by
    the padding: as long as the grown request (e.g. rotated) fits, shifts are
    drawn as ``gp.RandomLocation`` does, keeping it inside the data. Along an
    axis where it does not fit, the shift is drawn among those where it
    covers the data and the network output (``output_size`` centred in the
    request) stays inside, so the least padding is read::

        data:                 |==========|
        grown request:      |==============|   (overflow split, filled by padding)
        network output:          |====|       (always inside the data)

    A sample centred on a sample point may then lie anywhere its network
    output fits. Only an output larger than the data is a ``ConfigError``.

    Args:
        dataset: The dataset's name, for messages.
        output_size: The network output (world units): the part of a sample
            that must lie inside the data.
        mask_key: The mask to check; None skips the check (all annotated).
        reference_key: An array requested with every sample; the points are
            requested over its ROI, so samples centre on the points.
        random_shift_key: A non-spatial array to hold the shift of each
            sample from the request (world units): where it was taken.
        data_rois: The ROI of the data of each key padded upstream.
    """

    def __init__(
        self,
        dataset: str,
        output_size: Coordinate,
        mask_key: Optional[gp.ArrayKey] = None,
        min_masked: float = 0.0,
        integral: bool = False,
        points_key: Optional[gp.GraphKey] = None,
        reference_key: Optional[gp.ArrayKey] = None,
        random_shift_key: Optional[gp.ArrayKey] = None,
        data_rois: Optional[Dict[Any, Roi]] = None,
    ):
        super().__init__(
            ensure_nonempty=points_key,
            ensure_centered=points_key is not None,
            random_shift_key=random_shift_key,
        )
        self.dataset = dataset
        self.output_size = Coordinate(output_size)
        self.check_key = mask_key if min_masked else None
        self.required = float(min_masked or 0.0)
        self.integral = integral
        self.points_key = points_key
        self.reference_key = reference_key
        self.data_rois = dict(data_rois or {})
        self._counts: Optional[np.ndarray] = None
        self._attempts = 0
        self._started = time.monotonic()
        self._warned_points = False

    def setup(self):
        if not hasattr(gp.RandomLocation, _SHIFT_HOOK):  # a gunpowder we do not know
            raise RuntimeError(
                f"SampleLocation: gunpowder.RandomLocation has no {_SHIFT_HOOK}; this "
                "gunpowder version is not supported (see pyproject.toml)"
            )
        super().setup()
        # where the data is, not the padding: gunpowder reads this for shifts
        self.upstream_spec = self.upstream_spec.copy()
        for key, roi in self.data_rois.items():
            if key in self.upstream_spec:
                self.upstream_spec[key].roi = roi
        if self.check_key is not None and self.integral:
            self._counts = self._integral_image()

    def _integral_image(self) -> np.ndarray:
        """Cumulative counts of annotated voxels, zero-padded at the start of each axis."""
        upstream = self.get_upstream_provider()
        spec = self.upstream_spec[self.check_key].copy()
        batch = upstream.request_batch(gp.BatchRequest({self.check_key: spec}))
        annotated = batch[self.check_key].data > 0
        dtype = np.uint32 if annotated.size < 2**32 else np.uint64
        counts = np.zeros(tuple(s + 1 for s in annotated.shape), dtype)
        inner = annotated.astype(dtype)
        for axis in range(inner.ndim):
            inner = np.cumsum(inner, axis=axis, dtype=dtype)
        counts[(slice(1, None),) * inner.ndim] = inner
        self._mask_roi = spec.roi
        logger.info("dataset %r: integral mask of %d voxels ready", self.dataset, annotated.size)
        return counts

    def provide(self, request):
        self._attempts, self._started = 0, time.monotonic()
        self._check_fits(request)
        self._check_annotated()
        # gunpowder would retry forever when no point can be the centre of a
        # request that fits inside the data: sample anywhere instead
        use_points = self.points_key is not None and self._points_can_centre(request)
        self.ensure_nonempty = self.points_key if use_points else None
        if use_points:
            request[self.points_key] = gp.GraphSpec(roi=request[self.reference_key].roi.copy())
        return super().provide(request)  # request_batch drops the points again

    def _check_fits(self, request) -> None:
        """Raises ``ConfigError`` when no shift puts the network output inside the data."""
        low, high = self._bounds(request, output_only=True)
        if np.all(low <= high):
            return
        axes = [d for d in range(len(low)) if low[d] > high[d]]
        provided = {
            str(key): self.upstream_spec[key].roi
            for key in request.array_specs
            if key in self.upstream_spec and not self.upstream_spec[key].roi.unbounded
        }
        raise ConfigError(
            f"dataset {self.dataset!r}: a training sample does not fit inside the data "
            f"along axis {axes}: the network output is {self.output_size} (world units), "
            f"the data provides {provided}; use a smaller input shape or larger crops"
        )

    def _RandomLocation__get_possible_shifts(self, request, voxel_size):  # noqa: N802
        """Replaces gunpowder's (name-mangled) shift range with ``_shift_range``:
        the ROI of allowed shifts, end exclusive, on the grid of ``voxel_size``."""
        centred = self.ensure_nonempty is not None
        low, high = self._shift_range(request, Coordinate(voxel_size), centred)
        return Roi(low, high - low + Coordinate(voxel_size))

    def _shift_range(
        self, request, step: Coordinate, centred: bool = False
    ) -> Tuple[Coordinate, Coordinate]:
        """Lowest and highest shift (world units, multiples of ``step``) per axis.

        Where the request overflows the data, random locations cover the data
        (the least padding); a sample point (``centred``) fixes the centre, so
        it may lie anywhere the network output stays inside the data.
        """
        fit_low, fit_high = self._bounds(request)
        out_low, out_high = self._bounds(request, output_only=True)
        low, high = [], []
        for d, size in enumerate(step):
            lo, hi = _multiples(fit_low[d], fit_high[d], size)
            if lo > hi and centred:  # overflow: keep the output inside
                lo, hi = _multiples(out_low[d], out_high[d], size)
            elif lo > hi:  # overflow: cover the data, keep the output inside
                lo, hi = _multiples(
                    max(fit_high[d], out_low[d]), min(fit_low[d], out_high[d]), size
                )
            if lo > hi:  # no such grid shift: centre the request on the data
                lo = hi = round((fit_low[d] + fit_high[d]) / 2 / size) * size
            low.append(lo)
            high.append(hi)
        return Coordinate(low), Coordinate(high)

    def _bounds(self, request, output_only: bool = False):
        """Per-axis range of shifts keeping every requested array (or only the
        network output centred in it) inside its data; +-inf where unbounded."""
        dims = request[self.reference_key].roi.dims
        low, high = np.full(dims, -np.inf), np.full(dims, np.inf)
        for key, spec in request.array_specs.items():
            provided = self.upstream_spec.array_specs.get(key)
            if spec.roi is None or provided is None or provided.roi is None:
                continue
            if provided.roi.unbounded:
                continue
            begin = np.asarray(spec.roi.begin, dtype=float)
            end = np.asarray(spec.roi.end, dtype=float)
            if output_only:
                centre, half = (begin + end) / 2, np.asarray(self.output_size, dtype=float) / 2
                begin, end = centre - half, centre + half
            low = np.maximum(low, np.subtract(provided.roi.begin, begin))
            high = np.minimum(high, np.subtract(provided.roi.end, end))
        return low, high

    def _points_can_centre(self, request) -> bool:
        """Whether some sample point centres a shifted ``request`` within the shift range."""
        step = self.spec.get_lcm_voxel_size(request.array_specs.keys())
        low, high = self._shift_range(request, step, centred=True)
        shifts = _centring_shifts(self.points.data, request[self.reference_key].roi, step)
        usable = np.all((shifts >= np.asarray(low)) & (shifts <= np.asarray(high)), axis=1)
        if usable.any():
            return True
        if not self._warned_points:
            self._warned_points = True
            logger.warning(
                "dataset %r: none of its %d sample points can be the centre of a training "
                "sample of %s (world units, grown by augmentations) inside the data, or, "
                "where it is larger than the data, of its network output (%s); sampling "
                "random locations instead (use a smaller input shape, or points further "
                "from the border)",
                self.dataset, len(shifts), request[self.reference_key].roi.shape,
                self.output_size,
            )
        return False

    def _check_annotated(self) -> None:
        """``ConfigError`` when the integral image shows no annotated voxel at all."""
        if self._counts is not None and not self._counts[(-1,) * self._counts.ndim]:
            raise ConfigError(
                f"dataset {self.dataset!r}: its mask has no annotated voxels (mask > 0) "
                f"in {self._mask_roi}, so no training sample can meet "
                f"min_masked={self.required}; check the mask (e.g. its dataset and "
                "offset), or set the trainer's min_masked to 0"
            )

    def accepts(self, request) -> bool:
        self._attempts += 1
        if self._attempts % 1000 == 0:
            logger.warning(
                "dataset %r: %d sample locations in a row had less than min_masked=%s "
                "annotated", self.dataset, self._attempts, self.required,
            )
        self._check_bounds()
        if self.check_key is None:
            return True
        return self._fraction(request[self.check_key].roi) >= self.required

    def _check_bounds(self) -> None:
        """``ConfigError`` after ``MAX_ATTEMPTS`` rejected locations or ``MAX_SECONDS``."""
        waited = time.monotonic() - self._started
        if self._attempts <= MAX_ATTEMPTS and waited <= MAX_SECONDS:
            return
        faster = "" if self.integral else (
            ", or use sample_strategy='integral_mask' (faster when little is annotated)"
        )
        raise ConfigError(
            f"dataset {self.dataset!r}: no sample location with at least "
            f"min_masked={self.required} annotated voxels found in {self._attempts - 1} "
            f"tries ({waited:.0f} s); lower the trainer's min_masked or check the mask "
            f"(how much of it is > 0){faster}"
        )

    def _fraction(self, mask_request: Roi) -> float:
        """Annotated fraction of the output region centred in ``mask_request``."""
        voxel_size = self.spec[self.check_key].voxel_size
        begin = (mask_request.center - self.output_size / 2) // voxel_size * voxel_size
        roi = Roi(begin, self.output_size).snap_to_grid(voxel_size, mode="grow")
        if self._counts is not None:
            return self._integral_fraction(self._counts, roi, voxel_size)
        request = gp.BatchRequest({self.check_key: gp.ArraySpec(roi=roi)})
        data = self.get_upstream_provider().request_batch(request)[self.check_key].data
        return float(np.count_nonzero(data)) / data.size if data.size else 0.0

    def _integral_fraction(self, counts: np.ndarray, roi: Roi, voxel_size: Coordinate) -> float:
        """Annotated fraction of ``roi``; voxels beyond the mask (padding) count as not."""
        inside = roi.intersect(self._mask_roi)
        if inside.empty:
            return 0.0
        begin = (inside.begin - self._mask_roi.begin) / voxel_size
        end = begin + inside.shape / voxel_size
        total = 0
        for corner in itertools.product((0, 1), repeat=len(begin)):
            index = tuple(end[d] if c else begin[d] for d, c in enumerate(corner))
            sign = (-1) ** (len(begin) - sum(corner))
            total += sign * int(counts[index])
        return total / int(np.prod(roi.shape / voxel_size))


#: gunpowder's private method computing the shift range, which SampleLocation replaces
_SHIFT_HOOK = "_RandomLocation__get_possible_shifts"


def _multiples(low: float, high: float, step: int) -> Tuple[int, int]:
    """The lowest and highest multiple of ``step`` in ``[low, high]`` (low > high: none)."""
    return math.ceil(low / step) * step, math.floor(high / step) * step


def _centring_shifts(points: np.ndarray, roi: Roi, step: Coordinate) -> np.ndarray:
    """The shift gunpowder's ``ensure_centered`` gives ``roi`` for each point
    (one row per point, world units), on the grid of ``step``."""
    grid = roi.snap_to_grid(step, mode="shrink") / step
    step_array = np.asarray(step, dtype=float)
    location = np.trunc(np.asarray(points, dtype=float) / step_array)
    begin, shape = np.asarray(grid.begin), np.asarray(grid.shape)
    return (location - begin - shape // 2 + 1) * step_array


class ConstantSource(gp.BatchProvider):
    """Provides ``value`` everywhere in ``roi``: the mask of datasets without one."""

    def __init__(self, key: gp.ArrayKey, roi: Roi, voxel_size: Coordinate, value: int = 1):
        self.key = key
        self.value = value
        self.array_spec = gp.ArraySpec(
            roi=roi, voxel_size=voxel_size, interpolatable=False, dtype=np.uint8
        )

    def setup(self):
        self.provides(self.key, self.array_spec.copy())

    def provide(self, request):
        spec = self.array_spec.copy()
        spec.roi = request[self.key].roi
        shape = tuple(spec.roi.shape / spec.voxel_size)
        batch = gp.Batch()
        batch[self.key] = gp.Array(np.full(shape, self.value, np.uint8), spec)
        return batch
