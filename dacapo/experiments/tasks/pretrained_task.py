"""A task whose model starts from pretrained weights."""

from __future__ import annotations

from typing import List

import torch

from dacapo._build import build
from dacapo.errors import ConfigError

from .task import Task


class PretrainedTask(Task):
    """The components of ``sub_task_config``'s task; ``create_model`` loads the
    weights file into the model it builds."""

    def __init__(self, task_config):
        sub_config = task_config.sub_task_config
        self.sub_task = build(sub_config)
        self.weights = task_config.weights
        self.predictor = self.sub_task.predictor
        self.loss = self.sub_task.loss
        self.post_processor = self.sub_task.post_processor
        self.evaluator = self.sub_task.evaluator

    @property
    def channels(self) -> List[str]:
        """The sub task's channels."""
        return self.sub_task.channels

    def create_model(self, architecture):
        """The sub task's model with the pretrained weights loaded."""
        model = self.sub_task.create_model(architecture)
        state = self._read_state()
        chain_keys = {k[len("chain.") :]: v for k, v in state.items() if k.startswith("chain.")}
        try:
            model.chain.load_state_dict(chain_keys or state)
        except RuntimeError as error:
            raise ConfigError(
                f"PretrainedTask: the weights in {str(self.weights)!r} do not fit the "
                f"model of this task and architecture: {error}"
            ) from error
        return model

    def _read_state(self) -> dict:
        """The model state dict stored in the weights file."""
        try:
            state = torch.load(self.weights, map_location="cpu", weights_only=True)
        except Exception as error:  # torch raises many kinds for unreadable files
            raise ConfigError(
                f"PretrainedTask: cannot read weights {str(self.weights)!r} as a torch "
                f"checkpoint: {error}"
            ) from error
        if isinstance(state, dict) and isinstance(state.get("model"), dict):
            state = state["model"]
        if not isinstance(state, dict):
            raise ConfigError(
                f"PretrainedTask: weights {str(self.weights)!r} hold a "
                f"{type(state).__name__}, expected a state dict (or a dict with 'model')"
            )
        return state
