"""What blockwise prediction sets up before the engine runs: the run's model
and weights, the input as training saw it, and the output's place and ROI."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any, Optional, Tuple

from funlib.geometry import Coordinate, Roi

from dacapo.errors import ConfigError, NoSuchCheckpointError, RoiError

logger = logging.getLogger(__name__)

__all__ = [
    "parse_roi", "output_identifier", "run_config_of", "load_model", "training_raw_range",
    "open_input", "blockwise_output_roi",
]

_NUMBER = r"\s*(-?\d+)\s*"
_AXIS = re.compile(rf"^{_NUMBER}:{_NUMBER}$")
#: seed of the freshly initialised model of iteration 0, the same in every worker
FRESH_MODEL_SEED = 0


def parse_roi(text: str) -> Roi:
    """``"[z0:z1,y0:y1,x0:x1]"`` (world units, begin:end per axis) as a ``Roi``."""
    stripped = text.strip()
    parts = stripped[1:-1].split(",") if stripped[:1] == "[" and stripped[-1:] == "]" else []
    matches = [_AXIS.match(part) for part in parts]
    if not parts or not all(matches):
        raise ConfigError(
            f"predict: output_roi {text!r} is not a ROI; expected the form "
            "'[z0:z1,y0:y1,x0:x1]' (world units, begin:end per axis, e.g. "
            "'[0:800,0:800,0:800]')"
        )
    bounds = [(int(m.group(1)), int(m.group(2))) for m in matches if m is not None]
    if any(end <= begin for begin, end in bounds):
        raise ConfigError(
            f"predict: output_roi {text!r} has an axis whose end is not after its begin; "
            "expected '[z0:z1,y0:y1,x0:x1]' with z0 < z1, y0 < y1 and x0 < x1"
        )
    begin = Coordinate(b for b, _ in bounds)
    return Roi(begin, Coordinate(e for _, e in bounds) - begin)


def output_identifier(output_path: Any, input_container: Any, dataset: str):
    """Where a prediction goes: ``output_path`` itself when it names a ``.zarr``
    or ``.n5`` container, else ``<output_path>/<input stem>.zarr``."""
    from dacapo._array_identifiers import LocalArrayIdentifier

    if isinstance(output_path, LocalArrayIdentifier):
        return output_path
    text = str(output_path)
    if ".zarr" in text or ".n5" in text:
        return LocalArrayIdentifier(Path(text), dataset)
    stem = Path(str(input_container).rstrip("/")).stem
    return LocalArrayIdentifier(Path(text) / f"{stem}.zarr", dataset)


def run_config_of(run: Any):
    """The stored ``RunConfig`` of ``run`` (a name, or a ``Run``: workers load
    a run by its name, so it must be in the config store)."""
    from dacapo.errors import NoSuchNameError
    from dacapo.store.create_store import create_config_store

    name = run if isinstance(run, str) else getattr(run, "name", None)
    if not isinstance(name, str):
        raise ConfigError(f"predict: expected a run name or a Run, got {run!r}")
    try:
        return create_config_store().retrieve_run_config(name)
    except NoSuchNameError as error:
        error.with_context(
            f"predict: workers load run {name!r} from the config store; store its config "
            "first (create_config_store().store_run_config(run_config))"
        )
        raise


def load_model(run_config, iteration: int):
    """The model of ``run_config`` with the weights of ``iteration``.

    Iteration 0 without a stored checkpoint is the freshly initialised model,
    seeded so that every worker builds the same one.
    """
    import torch

    from dacapo._build import build
    from dacapo.store.create_store import create_weights_store

    _check_iteration(iteration)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(FRESH_MODEL_SEED)
        task = build(run_config.task_config)
        model = task.create_model(build(run_config.architecture_config))
        if run_config.start_config is not None:
            build(run_config.start_config).initialize_weights(model, new_head=task.channels)
    store = create_weights_store()
    try:
        weights = store.retrieve_weights(run_config.name, iteration)
    except NoSuchCheckpointError as error:
        if iteration == 0:
            return model
        error.with_context(
            f"predict: run {run_config.name!r} has no weights for iteration {iteration} "
            "(train it that far, or choose a stored iteration; 0 predicts with the "
            "freshly initialised model)"
        )
        raise
    store.load_model_state(model, weights.model, run_config.name, iteration)
    return model


def _check_iteration(iteration: Any) -> None:
    if isinstance(iteration, bool) or not isinstance(iteration, int) or iteration < 0:
        raise ConfigError(
            f"predict: iteration must be an integer >= 0 (0: the fresh model), got "
            f"{iteration!r}"
        )


def training_raw_range(run_config) -> Optional[Tuple[float, float]]:
    """``(min, max)`` of the ``IntensitiesArrayConfig`` that normalised the
    run's first training raw, if one did; None otherwise (then raw is
    normalised by its dtype, as ``SimpleDataset`` does)."""
    from dacapo.experiments.datasplits.datasets.arrays import IntensitiesArrayConfig

    for dataset in getattr(run_config.datasplit_config, "train_configs", None) or []:
        raw = getattr(dataset, "raw_config", None)
        if isinstance(raw, IntensitiesArrayConfig):
            return (float(raw.min), float(raw.max))
        if raw is not None:
            return None
    return None


def open_input(array_identifier, raw_range: Optional[Tuple[float, float]]):
    """The input as the network saw it in training (see ``training_raw_range``)."""
    from dacapo._inference_values import open_raw, scaled_raw

    if raw_range is None:
        return open_raw(array_identifier)
    return scaled_raw(array_identifier, *raw_range)


def blockwise_output_roi(raw, geometry, output_roi: Any) -> Roi:
    """``output_roi`` (a ``Roi``, a ROI string or None) snapped outward to the
    output grid and cut to the raw ROI shrunk by the context (its default)."""
    voxel_size = geometry.output_voxel_size
    inner = raw.roi.grow(-geometry.context, -geometry.context)
    roi = inner
    if output_roi is not None:
        if isinstance(output_roi, str):
            output_roi = parse_roi(output_roi)
        if not isinstance(output_roi, Roi) or output_roi.dims != raw.roi.dims:
            raise RoiError(
                f"predict: output_roi must be a {raw.roi.dims}D funlib Roi or a string "
                f"'[z0:z1,y0:y1,x0:x1]', got {output_roi!r}"
            )
        roi = output_roi.snap_to_grid(voxel_size, mode="grow").intersect(inner)
    roi = roi.snap_to_grid(voxel_size, mode="shrink") if not roi.empty else roi
    if roi.empty:
        raise RoiError(
            f"predict: nothing to predict: output_roi {output_roi} does not overlap the raw "
            f"ROI {raw.roi} shrunk by the network's context {tuple(geometry.context)} "
            f"({inner}); give an output_roi inside it"
        )
    return roi
