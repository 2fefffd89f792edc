"""Config of a per-group mask of annotated voxels (CellMap crops)."""

from __future__ import annotations

from typing import List, Tuple

import attr

from dacapo._build import runtime_type

from .array_config import ArrayConfig
from .binarize_array_config import to_groupings, validate_groupings


@attr.s
class MissingAnnotationsMaskConfig(ArrayConfig):
    """One uint8 channel per group: 1 where the source labels are annotated.

    A channel is ``labels > 0`` (voxels whose label is ``unknown`` in the
    array's CellMap encoding excluded), and is zero everywhere when any id of
    its group is listed as present but not annotated in the CellMap ``labels``
    attribute (of the dataset or, for zarr sources, of an enclosing group).
    Without such metadata every class counts as annotated.
    """

    array_type = runtime_type(".missing_annotations_mask.MissingAnnotationsMask")

    source_array_config: ArrayConfig = attr.ib(
        metadata={"help_text": "An integer label array without a channel axis."}
    )
    groupings: List[Tuple[str, List[int]]] = attr.ib(
        converter=to_groupings,
        metadata={
            "help_text": "(channel name, label ids) pairs, as in the BinarizeArrayConfig "
            "that this mask goes with. A group with no ids is never zeroed."
        },
    )

    @groupings.validator
    def _check_groupings(self, attribute, value):
        validate_groupings(f"MissingAnnotationsMaskConfig {self.name!r}", value)

    def validate(self) -> None:
        """Checks the fields and the source config."""
        attr.validate(self)
        self.source_array_config.validate()
