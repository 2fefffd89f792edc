"""Start: initialise a model with the weights of another run.

Fine-tuning usually keeps the network body and changes what is predicted.
When the channel names of the old and the new prediction head are both
known, "head matching" copies the rows (output channels) of the final head
convolution for every channel name the two heads share and leaves the other
rows as initialised::

    old head  [mito, er, nucleus]        rows 0 1 2
    new head  [nucleus, cell, mito]      row 0 <- old 2, row 1 kept, row 2 <- old 0
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Sequence, Set, Tuple

from dacapo.errors import ConfigError, DacapoError, NoSuchCheckpointError, NoSuchNameError

if TYPE_CHECKING:
    import torch

    from dacapo.store.weights_store import WeightsStore

logger = logging.getLogger(__name__)

__all__ = ["Start", "load_matching_weights"]

_ITERATION = re.compile(r"[0-9]+")


class Start:
    """Loads a checkpoint of the run ``start_config.run`` into a model.

    ``start_config.criterion`` picks the checkpoint: an iteration number
    written as a string (``"1000"``), a validation criterion (the best
    iteration for it on the only dataset that has one), or
    ``"<dataset>/<criterion>"`` to name the dataset.

    Args:
        old_head: Channel names of the source run's head. Needed for head
            matching when the source run's config is not in the config store.
    """

    def __init__(self, start_config, *, old_head: Optional[Sequence[str]] = None):
        self.run = start_config.run
        self.criterion = str(start_config.criterion)
        self.old_head = _channel_list(old_head, "old_head")

    def __repr__(self) -> str:
        return f"{type(self).__name__}(run={self.run!r}, criterion={self.criterion!r})"

    def initialize_weights(
        self,
        model: "torch.nn.Module",
        new_head: Optional[Sequence[str]] = None,
        *,
        old_head: Optional[Sequence[str]] = None,
    ) -> None:
        """Loads the source weights into ``model``, matching head channels by name.

        Args:
            new_head: Channel names of ``model``'s head (the new task's channels).
            old_head: Channel names of the source head; overrides the ones
                given at construction or found in the config store.
        """
        new = _channel_list(new_head, "new_head")
        old = _channel_list(old_head, "old_head")
        old = old if old is not None else self.old_head
        state = self.retrieve_state()
        if new is not None and old is None:
            old = self.source_channels()
        load_matching_weights(model, state, new_head=new, old_head=old, source=repr(self))

    def retrieve_state(self) -> Dict[str, Any]:
        """The model state dict of the chosen checkpoint of the source run."""
        from dacapo.store.create_store import create_weights_store

        store = create_weights_store()
        iteration = self.iteration(store)
        try:
            weights = store.retrieve_weights(self.run, iteration)
        except NoSuchCheckpointError as error:
            error.with_context(repr(self))
            raise
        logger.info("%r: loading iteration %d of run %r", self, iteration, self.run)
        return weights.model

    def iteration(self, store: "WeightsStore") -> int:
        """The iteration ``criterion`` stands for in the source run's checkpoints."""
        if store.latest_iteration(self.run) is None:
            raise NoSuchCheckpointError(
                f"{self!r}: run {self.run!r} has no checkpoints in {store!r}; check the run "
                "name, or train that run first"
            )
        if _ITERATION.fullmatch(self.criterion):
            return int(self.criterion)
        dataset, _, criterion = self.criterion.rpartition("/")
        try:
            return store.retrieve_best(self.run, dataset or None, criterion)
        except NoSuchCheckpointError as error:
            raise NoSuchCheckpointError(
                f"{self!r}: {error}. The criterion must be an iteration number or a "
                "validation criterion with a recorded best iteration"
            ) from error

    def source_channels(self) -> Optional[List[str]]:
        """Channel names of the source run's task, from the config store (None if unknown)."""
        from dacapo.store.create_store import create_config_store

        try:
            run_config = create_config_store().retrieve_run_config(self.run)
        except NoSuchNameError:
            logger.info("%r: no config of run %r is stored; its head channels are unknown",
                        self, self.run)
            return None
        except DacapoError as error:
            logger.warning("%r: cannot read the config of run %r (%s); its head channels "
                           "are unknown", self, self.run, error)
            return None
        return task_channels(getattr(run_config, "task_config", None))


def task_channels(task_config: Any) -> Optional[List[str]]:
    """The output channel names a task config declares (``channels`` or ``classes``,
    or those of a wrapped ``sub_task_config``)."""
    for field in ("channels", "classes"):
        names = getattr(task_config, field, None)
        if isinstance(names, (list, tuple)) and all(isinstance(n, str) for n in names):
            return list(names)
    sub_task = getattr(task_config, "sub_task_config", None)
    return task_channels(sub_task) if sub_task is not None else None


def load_matching_weights(
    model: "torch.nn.Module",
    state: Dict[str, Any],
    *,
    new_head: Optional[Sequence[str]] = None,
    old_head: Optional[Sequence[str]] = None,
    source: str = "checkpoint",
) -> None:
    """Loads ``state`` into ``model``: the body strictly, the head by channel name.

    Every parameter and buffer of ``model`` must be in ``state`` and vice
    versa, and every tensor outside the final head convolution must have the
    same shape (``ConfigError`` otherwise, naming the tensors). When both
    channel lists are given and differ, head rows are copied by name; when
    they are unknown and the head shapes differ, the head stays as initialised.
    """
    from dacapo.experiments.model import upstream_state_dict

    target = model.state_dict()
    state = upstream_state_dict(model, state)  # a checkpoint of upstream DaCapo
    _check_keys(target, state, source)
    head = _head_keys(model)
    match = new_head is not None and old_head is not None and list(new_head) != list(old_head)
    new_names, old_names = list(new_head or []), list(old_head or [])
    plan = _head_plan(new_names, old_names) if match else []
    merged, kept_head, mismatched = {}, [], []
    for key, value in target.items():
        old = state[key]
        if key in head and match:
            merged[key] = _copy_rows(value, old, plan, len(new_names), len(old_names), key, source)
        elif tuple(old.shape) == tuple(value.shape):
            merged[key] = old
        elif key in head:
            kept_head.append(key)
            merged[key] = value
        else:
            mismatched.append(f"{key}: {tuple(old.shape)} vs model {tuple(value.shape)}")
    if mismatched:
        raise ConfigError(
            f"{source}: the network body does not fit the model; tensors with other shapes: "
            f"{_few(mismatched)}. The source run must use the same architecture"
        )
    model.load_state_dict(merged)
    _log_head(source, head, match, plan, new_head, old_head, kept_head)


def _check_keys(target: Dict[str, Any], state: Dict[str, Any], source: str) -> None:
    """``ConfigError`` unless ``state`` has exactly the tensors of ``target``."""
    missing = [key for key in target if key not in state]
    unexpected = [key for key in state if key not in target]
    if missing or unexpected:
        raise ConfigError(
            f"{source}: the checkpoint does not fit the model (missing: {_few(missing)}; "
            f"unexpected: {_few(unexpected)}). The source run must use the same architecture"
        )


def _head_keys(model: "torch.nn.Module") -> Set[str]:
    """State-dict keys (all aliases) of the weight and bias of the final head convolution.

    The head is ``model.prediction_head`` when there is one, else the whole model.
    """
    import torch

    head = getattr(model, "prediction_head", None)
    head = head if isinstance(head, torch.nn.Module) else model
    final = None
    for module in head.modules():
        is_conv = isinstance(module, torch.nn.modules.conv._ConvNd) and not module.transposed
        if is_conv or isinstance(module, torch.nn.Linear):
            final = module
    if final is None:
        return set()
    ids = {id(p) for p in (final.weight, final.bias) if p is not None}
    return {key for key, t in model.state_dict(keep_vars=True).items() if id(t) in ids}


def _head_plan(new_head: Sequence[str], old_head: Sequence[str]) -> List[Tuple[int, int]]:
    """``(new row, old row)`` for each channel name in both heads."""
    return [(i, list(old_head).index(name)) for i, name in enumerate(new_head) if name in old_head]


def _copy_rows(value, old, plan, n_new: int, n_old: int, key: str, source: str):
    """``value`` with the rows of ``plan`` taken from ``old``."""
    if old.shape[0] != n_old or tuple(old.shape[1:]) != tuple(value.shape[1:]):
        raise ConfigError(
            f"{source}: head tensor {key} has shape {tuple(old.shape)}, which does not fit "
            f"{n_old} old channel names and the model's {tuple(value.shape)}; check old_head"
        )
    if value.shape[0] != n_new:
        raise ConfigError(
            f"{source}: new_head names {n_new} channels but the model's head tensor {key} "
            f"has {value.shape[0]} output channels"
        )
    result = value.detach().clone()
    for new_row, old_row in plan:
        result[new_row] = old[old_row].to(device=result.device, dtype=result.dtype)
    return result


def _log_head(source, head, match, plan, new_head, old_head, kept_head) -> None:
    """Says what happened to the head."""
    if match and not head:
        logger.warning("%s: the model has no final head convolution; head matching skipped",
                       source)
    elif match:
        copied = [f"{new_head[i]} (old row {j} -> row {i})" for i, j in plan]
        fresh = [name for name in new_head if name not in old_head]
        logger.info("%s: head matching copied %s; left as initialised: %s",
                    source, ", ".join(copied) or "nothing", ", ".join(fresh) or "nothing")
        if not plan:
            logger.warning("%s: the new head shares no channel with the old one %s",
                           source, list(old_head))
    elif kept_head:
        logger.warning("%s: head shapes differ and the channel names are not both known; "
                       "head left as initialised (%s)", source, ", ".join(kept_head))
    elif new_head is not None and old_head is None and head:
        logger.warning("%s: loaded the head as is without checking its channels (the source "
                       "run's channel names are unknown; pass old_head= to match by name)",
                       source)


def _channel_list(names: Optional[Sequence[str]], what: str) -> Optional[List[str]]:
    """``names`` as a list of strings (None stays None)."""
    if names is None:
        return None
    if isinstance(names, str) or not all(isinstance(n, str) for n in names):
        raise ConfigError(f"{what}: expected a list of channel names, got {names!r}")
    return list(names)


def _few(items: List[str], limit: int = 5) -> str:
    """Up to ``limit`` items for a message."""
    if not items:
        return "none"
    shown = ", ".join(items[:limit])
    return shown if len(items) <= limit else f"{shown}, ... ({len(items)} in all)"
