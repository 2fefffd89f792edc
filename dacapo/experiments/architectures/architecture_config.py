"""Base class of architecture configs."""

from __future__ import annotations

from typing import Any, Optional, Sequence

import attr

from dacapo._registry import RegisteredConfig
from dacapo.experiments._checked_config import CheckedConfig


@attr.s
class ArchitectureConfig(
    CheckedConfig, RegisteredConfig, registry_root=True, runtime="architecture_type", abstract=True
):
    """Describes a network body; ``architecture_type(config)`` builds the torch module."""

    name: str = attr.ib(
        metadata={"help_text": "A unique name for this architecture, used to store its config."}
    )

    def save_bioimage_io_model(
        self,
        path: Any,
        authors: Sequence[Any],
        cite: Optional[Sequence[Any]] = None,
        license: str = "MIT",
        input_test_image_path: Any = None,
        output_test_image_path: Any = None,
        checkpoint: Any = None,
        in_voxel_size: Optional[Sequence[int]] = None,
        test_saved_model: bool = False,
    ) -> Any:
        """Writes this architecture alone (weights as built) as a bioimage.io model
        package; see ``dacapo.bioimageio_export.save_architecture_bioimage_io_model``."""
        from dacapo.bioimageio_export import save_architecture_bioimage_io_model

        return save_architecture_bioimage_io_model(
            self, path, authors, cite, license, input_test_image_path,
            output_test_image_path, checkpoint, in_voxel_size, test_saved_model,
        )
