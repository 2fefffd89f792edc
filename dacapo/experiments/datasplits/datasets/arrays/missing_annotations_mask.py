"""Per-group mask of annotated voxels, read from CellMap annotation metadata."""

from __future__ import annotations

import logging
from typing import Any, Mapping, Optional, Set

import numpy as np
from funlib.geometry import Roi

from dacapo.errors import ConfigError

from .binarize_array import GroupChannelsArray

logger = logging.getLogger(__name__)


class MissingAnnotationsMask(GroupChannelsArray):
    """A leading ``"c"`` axis with one uint8 mask per group.

    Metadata read (both optional, as written by CellMap tools):

    - ``labels``: a LabelList, ``[{"value" (or "id"): int, "annotationState":
      {"present": bool, "annotated": bool or "dense"/"sparse"/"empty"}}, ...]``
      on the dataset or an enclosing zarr group. A label that is present but
      not densely annotated zeroes the channels of the groups containing it.
    - ``cellmap.annotation.annotation_type.encoding.unknown``: the value of
      unannotated voxels in a CellMap class array; masked out of every channel.
    """

    def __init__(self, array_config):
        super().__init__(array_config)
        owner = f"MissingAnnotationsMask {self.name!r}"
        attrs = dict(self._source_array.attrs or {})
        labels = attrs.get("labels")
        if labels is None:
            labels = _enclosing_group_labels(array_config.source_array_config)
        missing = unannotated_ids(labels, owner) if labels is not None else set()
        self._zeroed = [bool(missing.intersection(ids)) for _, ids in self._groupings]
        self._unknown = unknown_value(attrs, owner)
        if any(self._zeroed):
            logger.info(
                "%s: channels %s are not annotated and are masked out", owner,
                [n for (n, _), z in zip(self._groupings, self._zeroed) if z],
            )

    def _read(self, roi: Roi) -> np.ndarray:
        labels = self._source_array[roi]
        annotated = labels > 0
        if self._unknown is not None:
            annotated &= labels != self._unknown
        out = np.empty((len(self._groupings),) + labels.shape, dtype=np.uint8)
        for channel, zeroed in enumerate(self._zeroed):
            out[channel] = 0 if zeroed else annotated
        return out


def unannotated_ids(labels: Any, owner: str) -> Set[int]:
    """Ids of a CellMap LabelList that are present but not densely annotated."""
    if isinstance(labels, Mapping) and "labels" in labels:
        labels = labels["labels"]  # a whole LabelList document
    if not isinstance(labels, list):
        raise ConfigError(_bad_labels(owner, labels))
    missing = set()
    for entry in labels:
        if not isinstance(entry, Mapping):
            raise ConfigError(_bad_labels(owner, entry))
        label_id = entry.get("value", entry.get("id"))
        state = entry.get("annotationState")
        if not isinstance(label_id, int) or not isinstance(state, Mapping):
            raise ConfigError(_bad_labels(owner, entry))
        annotated = state.get("annotated", True)
        if isinstance(annotated, str):
            annotated = annotated == "dense"
        if state.get("present", False) and not annotated:
            missing.add(label_id)
    return missing


def _bad_labels(owner: str, value: Any) -> str:
    return (
        f"{owner}: cannot read the CellMap `labels` attribute of the source at "
        f"{value!r}; expected a list of {{'value': int, 'annotationState': "
        "{'present': bool, 'annotated': bool}} entries. Fix or remove the attribute."
    )


def unknown_value(attrs: Mapping, owner: str) -> Optional[int]:
    """The value marking unannotated voxels in CellMap class-array attributes, if any."""
    annotation = attrs.get("cellmap", {})
    annotation = annotation.get("annotation") if isinstance(annotation, Mapping) else None
    if not isinstance(annotation, Mapping) or "annotation_type" not in annotation:
        return None
    annotation_type = annotation["annotation_type"]
    encoding = annotation_type.get("encoding") if isinstance(annotation_type, Mapping) else None
    if not isinstance(encoding, Mapping):
        raise ConfigError(
            f"{owner}: the source's `cellmap.annotation.annotation_type` "
            f"{annotation_type!r} has no `encoding` mapping; expected e.g. "
            "{'type': 'semantic_segmentation', 'encoding': {'absent': 0, 'present': 1}}"
        )
    unknown = encoding.get("unknown")
    if unknown is not None and not isinstance(unknown, int):
        raise ConfigError(
            f"{owner}: the source's CellMap encoding gives `unknown` = {unknown!r}; "
            "expected an integer label value"
        )
    return unknown


def _enclosing_group_labels(source_config) -> Any:
    """The ``labels`` attribute of the nearest zarr group above a zarr source, if any."""
    container = getattr(source_config, "file_name", None)
    dataset = getattr(source_config, "dataset", None)
    if container is None or not isinstance(dataset, str):
        return None
    import zarr

    parts = [p for p in dataset.strip("/").split("/") if p]
    for depth in range(len(parts) - 1, -1, -1):
        try:
            group = zarr.open_group(str(container), mode="r", path="/".join(parts[:depth]))
        except (ValueError, FileNotFoundError):  # zarr: no group at this level
            continue
        if "labels" in group.attrs:
            return group.attrs["labels"]
    return None
