"""Config of a bring-your-own torch module used as the network body."""

from __future__ import annotations

from pathlib import Path, PurePath
from typing import Any, Optional

import attr
from funlib.geometry import Coordinate

from dacapo._build import runtime_type
from dacapo._checks import check_regex, fail, to_coordinate
from dacapo.errors import ConfigError

from .architecture_config import ArchitectureConfig


def _module_or_path(value: Any) -> Any:
    return Path(value) if isinstance(value, (str, PurePath)) else value


@attr.s
class WrappedArchitectureConfig(ArchitectureConfig):
    """Any torch module as the network body, e.g. a pretrained network.

    Its weights are used as they are (``Model`` does not re-initialise them).
    Only a config whose ``module`` is a path can be stored; a module given as
    a Python object lives only in this process.
    """

    architecture_type = runtime_type(".wrapped_architecture.WrappedArchitecture")

    #: ``validate()`` opens data or files, so stores check this config in type only
    _validate_reads_files = True

    module: Any = attr.ib(
        converter=_module_or_path,
        metadata={
            "help_text": "A torch.nn.Module, or the path of a TorchScript file "
            "(torch.jit.save) or of a whole module saved with torch.save."
        },
    )
    fmaps_in: int = attr.ib(metadata={"help_text": "Number of channels the module expects."})
    fmaps_out: int = attr.ib(metadata={"help_text": "Number of channels the module produces."})
    input_shape: Coordinate = attr.ib(
        converter=to_coordinate,
        metadata={"help_text": "Spatial shape (voxels) of the training input."},
    )
    scale: Optional[Coordinate] = attr.ib(
        default=None,
        converter=to_coordinate,
        metadata={
            "help_text": "How many output voxels each input voxel becomes per axis, for "
            "modules that upsample (output voxel size = input voxel size / scale); "
            "default: the same voxel size."
        },
    )
    trainable_parameters: Optional[str] = attr.ib(
        default=None,
        metadata={
            "help_text": "A regular expression: only parameters whose names match it "
            "(re.search) stay trainable, all others are frozen. Default: every "
            "parameter keeps its requires_grad flag (all trainable for a fresh module)."
        },
    )
    eval_shape_increase: Optional[Coordinate] = attr.ib(
        default=None,
        kw_only=True,
        converter=to_coordinate,
        metadata={"help_text": "Added to input_shape when predicting (default: zeros)."},
    )

    def validate(self) -> None:
        """The fields, and that a ``module`` given as a path exists."""
        super().validate()
        if isinstance(self.module, Path) and not self.module.is_file():
            raise ConfigError(
                f"WrappedArchitectureConfig {self.name!r}: module file {str(self.module)!r} "
                "does not exist; give the path of a TorchScript (torch.jit.save) or "
                "torch.save file"
            )

    def check_values(self) -> None:
        owner = f"WrappedArchitectureConfig {self.name!r}"
        if not isinstance(self.module, Path) and not callable(self.module):
            raise ConfigError(
                f"{owner}: module must be a torch.nn.Module or a file path, got "
                f"{type(self.module).__name__} {self.module!r}"
            )
        for field in ("fmaps_in", "fmaps_out"):
            value = getattr(self, field)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ConfigError(f"{owner}: {field} must be a positive integer, got {value!r}")
        self._check_shapes(owner)
        check_regex(owner, "trainable_parameters", self.trainable_parameters, allow_none=True)

    def _check_shapes(self, owner: str) -> None:
        """``input_shape`` and ``scale`` >= 1, ``eval_shape_increase`` >= 0, one
        entry per axis of ``input_shape``."""
        for field, minimum in (("input_shape", 1), ("scale", 1), ("eval_shape_increase", 0)):
            value = getattr(self, field)
            if value is None:
                continue
            if value.dims != self.input_shape.dims:
                raise ConfigError(
                    f"{owner}: {field} {value} has {value.dims} dimensions, input_shape "
                    f"{self.input_shape} has {self.input_shape.dims}"
                )
            if any(v < minimum for v in value):
                fail(owner, field, value, f"integers >= {minimum}, one per axis")
