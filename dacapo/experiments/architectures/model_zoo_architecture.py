"""A bioimage.io model-zoo network as the network body."""

from __future__ import annotations

from fractions import Fraction
from typing import Any, List, Tuple

import torch
from funlib.geometry import Coordinate

from dacapo.errors import ConfigError, DacapoError

from ._freezing import freeze_parameters
from .architecture import _FixedShapeArchitecture
from .model_zoo_config import model_source


class ModelZooArchitecture(_FixedShapeArchitecture):
    """Loads the network of a ``ModelZooConfig`` through bioimageio.core.

    ``input_shape`` is the minimum size of each space axis of the input, the
    channel counts come from the channel axes, and ``scale`` from the ratio of
    the output and input axis scales.
    """

    kaiming_init = False

    def __init__(self, architecture_config):
        super().__init__()
        config = architecture_config
        self.name = config.name
        owner = f"ModelZooConfig {config.name!r}"
        source = model_source(config.model_id, owner)
        core = _import_bioimageio(owner)
        description = _load_description(core, source, config.model_id, owner)
        inputs, outputs = _single_tensor(description, "inputs", owner), _single_tensor(
            description, "outputs", owner
        )
        in_channels, in_space = _split_axes(inputs, "input", owner)
        out_channels, out_space = _split_axes(outputs, "output", owner)
        if len(in_space) != len(out_space):
            raise ConfigError(
                f"{owner}: the input has {len(in_space)} space axes but the output "
                f"{len(out_space)}; DaCapo needs the same spatial dimensions"
            )
        input_shape = Coordinate(_minimum_size(axis, owner) for axis in in_space)
        self._set_shapes(input_shape, in_channels, out_channels)
        self._ratios = [
            Fraction(str(getattr(o, "scale", 1.0))) / Fraction(str(getattr(i, "scale", 1.0)))
            for i, o in zip(in_space, out_space)
        ]
        self.module = _load_network(description, owner)
        freeze_parameters(self.module, config.trainable_layers, owner)

    def scale(self, input_voxel_size: Coordinate) -> Coordinate:
        """The input voxel size times (output axis scale / input axis scale)."""
        voxel_size = self.check_voxel_size(input_voxel_size)
        scaled = [v * r for v, r in zip(voxel_size, self._ratios)]
        if any(s.denominator != 1 for s in scaled):
            raise ConfigError(
                f"ModelZooConfig {self.name!r}: voxel size {voxel_size} times the model's "
                f"output/input scale ratios {[str(r) for r in self._ratios]} is not integral"
            )
        return Coordinate(int(s) for s in scaled)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.module(x)


def _import_bioimageio(owner: str):
    try:
        import bioimageio.core as core
    except ImportError as error:
        raise DacapoError(
            f"{owner}: loading bioimage.io models needs the optional package "
            "bioimageio.core, which is not installed; install it with "
            "`pip install dacapo-ml[bioimageio]`"
        ) from error
    return core


def _load_description(core, source, model_id: str, owner: str):
    hint = (
        "a remote id or URL needs network access; without it, download the model "
        "package (.zip) and give its local path as model_id"
    )
    try:
        description = core.load_description(source)
    except Exception as error:  # network and parsing failures come in many types
        raise DacapoError(
            f"{owner}: could not load the bioimage.io model {model_id!r} "
            f"({type(error).__name__}: {error}); {hint}"
        ) from error
    if getattr(description, "type", None) != "model":
        summary = getattr(description, "validation_summary", None)
        raise DacapoError(
            f"{owner}: {model_id!r} is not a valid bioimage.io model description"
            f"{f' ({summary})' if summary is not None else ''}; {hint}"
        )
    return description


def _single_tensor(description, kind: str, owner: str):
    tensors = list(getattr(description, kind))
    if len(tensors) != 1:
        raise ConfigError(
            f"{owner}: the model has {len(tensors)} {kind[:-1]} tensors; DaCapo can use "
            "models with exactly one input and one output tensor"
        )
    return tensors[0]


def _split_axes(tensor, kind: str, owner: str) -> Tuple[int, List[Any]]:
    """Channel count and space axes; the axes must be batch, channel, space..."""
    types = [str(axis.type) for axis in tensor.axes]
    space = types[2:]
    if types[:2] != ["batch", "channel"] or not space or set(space) != {"space"}:
        raise ConfigError(
            f"{owner}: the {kind} tensor has axes {types}; DaCapo needs "
            "['batch', 'channel', 'space', ...]"
        )
    channel_axis = tensor.axes[1]
    return len(channel_axis.channel_names), list(tensor.axes[2:])


def _minimum_size(axis, owner: str) -> int:
    size = axis.size
    if isinstance(size, int):
        return size
    if hasattr(size, "min"):
        return int(size.min)
    raise ConfigError(
        f"{owner}: input axis {getattr(axis, 'id', '?')!r} has size {size!r}; DaCapo "
        "needs a fixed size or a (min, step) size for every input space axis"
    )


def _load_network(description, owner: str) -> torch.nn.Module:
    weights = getattr(description.weights, "pytorch_state_dict", None)
    if weights is None:
        raise ConfigError(
            f"{owner}: the model has no pytorch_state_dict weights; DaCapo can only "
            "train PyTorch state-dict models"
        )
    try:
        from bioimageio.core.backends.pytorch_backend import load_torch_model
    except ImportError as error:
        raise DacapoError(
            f"{owner}: the installed bioimageio.core is too old (its PyTorch backend "
            "lacks load_torch_model); upgrade it with "
            "`pip install -U 'dacapo-ml[bioimageio]' 'bioimageio.core>=0.8'`"
        ) from error
    return load_torch_model(weights, load_state=True, devices=["cpu"])
