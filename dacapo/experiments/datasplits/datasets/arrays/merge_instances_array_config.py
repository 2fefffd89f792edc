"""Config of several instance label arrays merged into one."""

from __future__ import annotations

from typing import List

import attr

from dacapo._build import runtime_type

from .array_config import ArrayConfig
from .sum_array_config import validate_source_list


@attr.s
class MergeInstancesArrayConfig(ArrayConfig):
    """Instance labels of several arrays in one array, ids kept unique.

    The ids of source ``k`` are shifted by the sum of the maximum ids of
    sources ``0 .. k-1``; 0 stays background. Where several sources label the
    same voxel, the later source wins. A source's maximum id is its
    ``max_id`` attribute when present, otherwise it is computed once over the
    source's whole ROI, block by block.
    """

    array_type = runtime_type(".merge_instances_array.MergeInstancesArray")

    source_array_configs: List[ArrayConfig] = attr.ib(
        metadata={"help_text": "Integer instance label arrays without channel axes."}
    )

    @source_array_configs.validator
    def _check_sources(self, attribute, value):
        validate_source_list(f"MergeInstancesArrayConfig {self.name!r}", value)

    def validate(self) -> None:
        """Checks the fields and every source config."""
        attr.validate(self)
        for source in self.source_array_configs:
            source.validate()
