"""Start from a pretrained COSEM network stored in a local checkpoint file."""

from __future__ import annotations

import logging
import pickle
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

from dacapo.errors import ConfigError, DacapoError, NoSuchCheckpointError, StoreError

from .start import Start

logger = logging.getLogger(__name__)

__all__ = ["CosemStart"]


class CosemStart(Start):
    """Loads a pretrained COSEM checkpoint from ``weights_file`` into a model.

    The old head's channel names come from ``old_head=`` or the config's
    ``channels``; with them, head rows are matched by name as in ``Start``.
    """

    def __init__(self, start_config, *, old_head: Optional[Sequence[str]] = None):
        channels = old_head if old_head is not None else start_config.channels
        super().__init__(start_config, old_head=channels)
        self.name = start_config.name or f"{self.run}/{self.criterion}"
        self.weights_file = start_config.weights_file

    def __repr__(self) -> str:
        return f"CosemStart({self.name!r})"

    def retrieve_state(self) -> Dict[str, Any]:
        """The model state dict in ``weights_file``."""
        if self.weights_file is None:
            raise DacapoError(
                f"CosemStart {self.name!r}: no weights_file given. Fetching COSEM models "
                "needs the cellmap-models package and network access, which dacapo does not "
                "use; download the checkpoint of this setup and iteration yourself and set "
                "CosemStartConfig(..., weights_file=Path('<checkpoint file>')) (a state dict, "
                "or a dict with the state dict under 'model')"
            )
        return _read_state_dict(Path(self.weights_file), self.name)

    def source_channels(self) -> Optional[List[str]]:
        """None: a COSEM setup has no dacapo run config to read channels from."""
        logger.warning("%r: channel names of the pretrained head unknown; set "
                       "CosemStartConfig.channels to match the head by name", self)
        return None


def _read_state_dict(path: Path, name: str) -> Dict[str, Any]:
    """The state dict in ``path`` (plain, or under ``"model"``), tensors on the CPU."""
    import torch

    if not path.is_file():
        raise NoSuchCheckpointError(
            f"CosemStart {name!r}: weights_file {path} does not exist; set weights_file to "
            "the downloaded checkpoint"
        )
    try:
        loaded = torch.load(path, map_location="cpu", weights_only=True)
    except (pickle.UnpicklingError, RuntimeError, EOFError, ValueError) as error:
        raise StoreError(
            f"CosemStart {name!r}: weights_file {path} cannot be read as torch weights "
            f"({error}); files holding pickled objects are not loaded (weights_only=True)"
        ) from error
    state = loaded.get("model") if isinstance(loaded, dict) and "model" in loaded else loaded
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise ConfigError(
            f"CosemStart {name!r}: weights_file {path} holds {type(loaded).__name__}; expected "
            "a state dict (name -> tensor) or a dict with one under 'model'"
        )
    logger.info("CosemStart %r: read %d tensors from %s", name, len(state), path)
    return state
