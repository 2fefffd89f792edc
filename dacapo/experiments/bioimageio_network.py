"""The network of an exported bioimage.io package, rebuilt from DaCapo configs.

A package written by ``RunConfig.save_bioimage_io_model`` names
``dacapo.experiments.bioimageio_network.BioImageIONetwork`` as its
architecture, with the run's task and architecture configs (as stored by the
config store) as keyword arguments. With ``dacapo-ml`` installed,
bioimage.io tools build the network from them and load the package's state
dict into it; nothing else of the run (data, trainer) is needed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, List, Optional

import torch

if TYPE_CHECKING:
    from funlib.geometry import Coordinate

__all__ = ["BioImageIONetwork"]


class BioImageIONetwork(torch.nn.Module):
    """A DaCapo model as a plain function of its input, as DaCapo predicts.

    With a task, the network is the architecture followed by the task's head
    and its eval activation (e.g. a sigmoid), which is applied in training
    mode too, so that the network computes the same function whether it
    predicts or serves as the pretrained body of another run. Without a task
    it is the architecture alone.

    Args:
        architecture_config: An unstructured ``ArchitectureConfig`` (a dict
            with its ``__type__``).
        task_config: An unstructured ``TaskConfig``, or None for the
            architecture alone.
    """

    def __init__(
        self, architecture_config: Dict[str, Any], task_config: Optional[Dict[str, Any]] = None
    ):
        super().__init__()
        from dacapo._build import build
        from dacapo._registry import registry_for
        from dacapo.store.converter import converter

        # the config bases by name, as the config store finds them: this module
        # is imported by the architecture config's export, not the other way
        def structure(config: Dict[str, Any], base_name: str) -> Any:
            return converter.structure(config, registry_for(base_name).base)

        kwargs: Dict[str, Any] = {"architecture_config": architecture_config}
        model = build(structure(architecture_config, "ArchitectureConfig"))
        channels = [f"c{i}" for i in range(model.num_out_channels)]
        if task_config is not None:
            kwargs["task_config"] = task_config
            task = build(structure(task_config, "TaskConfig"))
            model, channels = task.create_model(model), list(task.channels)
        self._hold(model, channels, kwargs)

    @classmethod
    def wrap(cls, model: torch.nn.Module, channels: List[str],
             kwargs: Dict[str, Any]) -> "BioImageIONetwork":
        """The network of ``model`` (a ``Model`` or an architecture, already
        built, e.g. with a checkpoint's weights), which ``kwargs`` rebuild."""
        network = cls.__new__(cls)
        torch.nn.Module.__init__(network)
        network._hold(model, channels, kwargs)
        return network

    def _hold(self, model: torch.nn.Module, channels: List[str], kwargs: Dict[str, Any]) -> None:
        #: the run's ``Model`` (so that its checkpoints load), or the architecture
        self.model = model
        self.activation: Optional[torch.nn.Module] = getattr(model, "eval_activation", None)
        self.channels = list(channels)
        #: the arguments that build this network (a package's ``kwargs``)
        self.kwargs = kwargs

    @property
    def input_shape(self) -> "Coordinate":
        """Spatial training input shape of the network."""
        return self.model.input_shape  # type: ignore[return-value]

    @property
    def num_in_channels(self) -> int:
        return int(self.model.num_in_channels)  # type: ignore[arg-type]

    def scale(self, input_voxel_size: "Coordinate") -> "Coordinate":
        """Voxel size of the output for an input of ``input_voxel_size``."""
        return self.model.scale(input_voxel_size)  # type: ignore[operator]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        chain = getattr(self.model, "chain", self.model)  # a Model without eval activation
        result = chain(x)
        return result if self.activation is None else self.activation(result)
