"""The arrays validation keeps in a run's ``validation.zarr``.

``inputs/<dataset>/{raw,gt}`` are copied once; ``<iteration>/<dataset>/prediction``
is written by the prediction and kept only while that iteration holds a best
score; the best post-processed output of each criterion is copied to
``<dataset>/<criterion>``. Copies go block by block, so memory is bounded by
a block, not the volume.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, Iterable, Tuple

import numpy as np
from funlib.geometry import Coordinate, Roi

from dacapo._array_identifiers import LocalArrayIdentifier
from dacapo.errors import ConfigError
from dacapo.experiments.datasplits.datasets.arrays.array import Array
from dacapo.experiments.datasplits.datasets.arrays.zarr_array import ZarrArray
from dacapo.experiments.tasks.post_processors.post_processor import iterate_blocks

logger = logging.getLogger(__name__)

#: voxels per axis of the blocks copies are made of (and of their chunks)
COPY_BLOCK_VOXELS = 64
#: attribute set on a copied input once all its blocks are written
COMPLETE = "dacapo_validation_input_complete"


def input_rois(raw: Array, gt: Array, context: Coordinate) -> Tuple[Roi, Roi]:
    """The ROIs of the validation inputs: raw over the ground truth grown by
    ``context`` (snapped to raw's grid, cut to raw's ROI), and the ground truth's.

    ::

        raw       |. . . . . . . . . . . . . . . . .|
        gt                |= = = = = = =|
        raw copy      |---|= = = = = = =|---|         (context on both sides)
    """
    grown = gt.roi.grow(context, context).snap_to_grid(raw.voxel_size, mode="grow")
    raw_roi = grown.intersect(raw.roi)
    if raw_roi.empty:
        raise ConfigError(
            f"validation: ground truth {gt.name!r} ({gt.roi}) does not overlap raw "
            f"{raw.name!r} ({raw.roi}); fix the dataset's offsets or voxel sizes"
        )
    return raw_roi, gt.roi


def copy_once(source: Array, identifier: LocalArrayIdentifier, roi: Roi) -> ZarrArray:
    """``source`` over ``roi`` copied to ``identifier``, unless a complete copy
    with the same geometry is already there."""
    existing = _complete_copy(source, identifier, roi)
    if existing is not None:
        logger.debug("validation input %s is already there", identifier)
        return existing
    target = copy_array(source, identifier, roi)
    target.add_metadata({COMPLETE: True})
    return target


def copy_array(source: Array, identifier: LocalArrayIdentifier, roi: Roi) -> ZarrArray:
    """Copies ``source`` over ``roi`` to ``identifier`` (replacing it), block by block."""
    block = source.voxel_size * COPY_BLOCK_VOXELS
    target = ZarrArray.create_from_array_identifier(
        identifier,
        source.axes,
        roi,
        source.num_channels if "c" in source.axes else None,
        source.voxel_size,
        source.dtype,
        write_size=Coordinate(min(b, s) for b, s in zip(block, roi.shape)),
        overwrite=True,
    )
    for block_roi in iterate_blocks(roi, block):
        target[block_roi] = source[block_roi]
    return target


def _complete_copy(source: Array, identifier: LocalArrayIdentifier, roi: Roi):
    """The existing copy at ``identifier`` if it is complete and fits, else None."""
    from dacapo.experiments.datasplits.datasets.arrays.zarr_array import dataset_exists

    if not dataset_exists(identifier.container, identifier.dataset):
        return None
    existing = ZarrArray.open_from_array_identifier(identifier)
    same = (
        existing.roi == roi
        and existing.voxel_size == source.voxel_size
        and list(existing.axes) == list(source.axes)
        and np.dtype(existing.dtype) == np.dtype(source.dtype)
        and existing.attrs.get(COMPLETE) is True
    )
    return existing if same else None


def keep_best(output: LocalArrayIdentifier, best: LocalArrayIdentifier,
              metadata: Dict[str, Any]) -> None:
    """Copies a post-processed ``output`` to its ``best`` place, with ``metadata``
    (iteration, parameters, score) as attributes."""
    source = ZarrArray.open_from_array_identifier(output)
    copy_array(source, best, source.roi).add_metadata(metadata)


def prune_predictions(array_store: Any, run_name: str, dataset: str,
                      keep: Iterable[int]) -> None:
    """Deletes ``<iteration>/<dataset>`` (prediction and outputs) of every
    iteration not in ``keep``, and iteration groups left empty."""
    container = array_store.validation_container(run_name).container
    if not container.is_dir():
        return
    keep = set(keep)
    for group in container.iterdir():
        if not group.name.isdigit() or int(group.name) in keep:
            continue
        prediction = array_store.validation_prediction_array(run_name, int(group.name), dataset)
        array_store.remove(parent(prediction))
        if not any(p.name not in (".zgroup", ".zattrs") for p in group.iterdir()):
            array_store.remove(LocalArrayIdentifier(container, group.name))


def parent(identifier: LocalArrayIdentifier) -> LocalArrayIdentifier:
    """The group holding ``identifier``'s dataset (``a/b/c`` -> ``a/b``)."""
    return LocalArrayIdentifier(identifier.container, identifier.dataset.rsplit("/", 1)[0])
