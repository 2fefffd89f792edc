"""A ROI-restricted view of another array."""

from __future__ import annotations

from funlib.geometry import Coordinate, Roi

from dacapo.errors import ConfigError

from ._wrapped import WrappedArray, open_source


class CropArray(WrappedArray):
    """The source, restricted to ``roi ∩ source.roi``::

        source:  |==========|          [0, 10)
        roi:          |==========|     [5, 15)
        crop:         |=====|          [5, 10)
    """

    def __init__(self, array_config):
        super().__init__(array_config, open_source(array_config.source_array_config))
        self._roi = _crop_roi(array_config.roi, self._source_array, self.name)

    @property
    def roi(self) -> Roi:
        return self._roi


def _crop_roi(roi: Roi, source, name: str) -> Roi:
    """``roi ∩ source.roi``, which must be non-empty and on the source grid."""
    owner = f"CropArray {name!r}"
    if roi.dims != source.dims:
        raise ConfigError(
            f"{owner}: `roi` {roi} has {roi.dims} dimensions, source {source.name!r} has "
            f"{source.dims}"
        )
    cropped = roi.intersect(source.roi)
    if cropped.empty:
        raise ConfigError(
            f"{owner}: `roi` {roi} does not overlap the ROI {source.roi} of source "
            f"{source.name!r}; pick a ROI inside the source"
        )
    zero = Coordinate((0,) * source.dims)
    voxel_size = source.voxel_size
    if (cropped.offset - source.roi.offset) % voxel_size != zero or (
        cropped.shape % voxel_size != zero
    ):
        raise ConfigError(
            f"{owner}: `roi` {roi} is not on the voxel grid of source {source.name!r} "
            f"(ROI {source.roi}, voxel size {voxel_size}); use offsets and shapes that "
            f"are multiples of {voxel_size} from {source.roi.offset}"
        )
    return cropped
