"""``apply``: predict a volume with a trained run, then post-process it.

The iteration is given, or the best one a validation dataset recorded for a
criterion; the post-processing parameters are given (a
``PostProcessorParameters`` or its text form
``"ThresholdPostProcessorParameters(threshold=0.5)"``, parsed, never
evaluated), or the best ones validation found. Both steps run blockwise
(``dacapo.predict`` and ``dacapo.blockwise``), so memory is bounded by a block.
Outputs go to ``<output_path>/<input stem>.<file_format>``, or to
``output_path`` itself when it ends in ``.zarr`` or ``.n5``:
``prediction_<run>_<iteration>`` and ``output_<run>_<iteration>_<parameters>``.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

import numpy as np

from dacapo._array_identifiers import LocalArrayIdentifier
from dacapo._callable_module import make_module_callable
from dacapo.errors import ConfigError, NoSuchCheckpointError

if TYPE_CHECKING:
    from dacapo.experiments.run_config import RunConfig
    from dacapo.experiments.tasks.post_processors import PostProcessorParameters

logger = logging.getLogger(__name__)

__all__ = ["apply", "apply_run"]


def apply(
    run_name: str,
    input_container: Any,
    input_dataset: str,
    output_path: Any,
    validation_dataset: Optional[Any] = None,
    criterion: str = "voi",
    iteration: Optional[int] = None,
    parameters: Any = None,
    roi: Any = None,
    num_workers: int = 12,
    output_dtype: Any = np.uint8,
    overwrite: bool = True,
    file_format: str = "zarr",
    *,
    compute_context: Any = None,
) -> LocalArrayIdentifier:
    """Predicts and post-processes ``input_container/input_dataset`` with run
    ``run_name``; returns the identifier of the post-processed output.

    Args:
        validation_dataset: The validation dataset (or its name) whose best
            iteration and parameters for ``criterion`` to use.
        iteration: Weights to use instead of the best iteration.
        parameters: Post-processing parameters instead of the best ones.
        roi: Output ROI (``Roi`` or ``"[z0:z1,y0:y1,x0:x1]"``, world units).
        num_workers: Worker processes of each blockwise step.
        output_dtype: dtype of the prediction (``np.uint8`` or ``np.float32``).
        overwrite: Replace existing outputs (``False`` resumes an interrupted job).
        file_format: ``"zarr"`` or ``"n5"``.
        compute_context: Where the workers run; default: the options'.
    """
    run_config = _run_config(run_name)
    dataset = _dataset_name(validation_dataset)
    iteration = _choose_iteration(run_config.name, iteration, dataset, criterion)
    parameters = _choose_parameters(run_config, parameters, dataset, criterion, iteration)
    container = _output_container(output_path, input_container, file_format)
    prefix = f"{run_config.name}_{iteration}"
    output_id = LocalArrayIdentifier(container, f"output_{prefix}_{parameters}")
    apply_run(
        run_config, iteration, parameters, LocalArrayIdentifier(input_container, input_dataset),
        LocalArrayIdentifier(container, f"prediction_{prefix}"), output_id, roi, num_workers,
        output_dtype, overwrite, compute_context=compute_context,
    )
    return output_id


def apply_run(
    run: Any,
    iteration: int,
    parameters: "PostProcessorParameters",
    input_array_identifier: LocalArrayIdentifier,
    prediction_array_identifier: LocalArrayIdentifier,
    output_array_identifier: LocalArrayIdentifier,
    roi: Any = None,
    num_workers: int = 12,
    output_dtype: Any = np.uint8,
    overwrite: bool = True,
    *,
    compute_context: Any = None,
) -> None:
    """Blockwise prediction of ``input_array_identifier``, then blockwise
    post-processing with ``parameters`` (``run``: a stored ``RunConfig``, a
    ``Run`` or a run name), with workers in ``compute_context`` (default:
    the options')."""
    from dacapo._build import build
    from dacapo._postprocess_blockwise import post_process_blockwise
    from dacapo._run_outputs import record_run_output
    from dacapo.predict import predict

    run_config = _run_config(run if isinstance(run, str) else run.name)
    predict(
        run_config.name, iteration, input_array_identifier.container,
        input_array_identifier.dataset, prediction_array_identifier, output_roi=roi,
        num_workers=num_workers, output_dtype=output_dtype, overwrite=overwrite,
        compute_context=compute_context,
    )
    post_processor = build(run_config.task_config).post_processor
    post_process_blockwise(
        post_processor, parameters, prediction_array_identifier, output_array_identifier,
        num_workers=num_workers, overwrite=overwrite, compute_context=compute_context,
    )
    record_run_output(run_config.name, "output", output_array_identifier, iteration,
                      prediction_array_identifier, parameters)
    logger.info("apply: %s written", output_array_identifier)


def _run_config(run_name: Any) -> "RunConfig":
    from dacapo._inference_setup import run_config_of

    return run_config_of(run_name)


def _dataset_name(dataset: Any) -> Optional[str]:
    return dataset if dataset is None or isinstance(dataset, str) else dataset.name


def _choose_iteration(
    run_name: str, iteration: Optional[int], dataset: Optional[str], criterion: str
) -> int:
    """``iteration`` when given, else the best one recorded for ``dataset``."""
    if iteration is not None:
        if isinstance(iteration, bool) or not isinstance(iteration, (int, np.integer)):
            raise ConfigError(f"apply: iteration must be an integer, got {iteration!r}")
        return int(iteration)
    if dataset is None:
        raise ConfigError(
            f"apply: run {run_name!r}: give an iteration, or a validation_dataset and "
            "criterion to use the best iteration validation recorded"
        )
    from dacapo.store.create_store import create_weights_store

    try:
        return create_weights_store().retrieve_best(run_name, dataset, criterion)
    except NoSuchCheckpointError as error:
        error.with_context(
            f"apply: run {run_name!r} has no best iteration for dataset {dataset!r} and "
            f"criterion {criterion!r}; run `validate` first or give an iteration"
        )
        raise


def _choose_parameters(
    run_config: "RunConfig", parameters: Any, dataset: Optional[str], criterion: str,
    iteration: int,
) -> "PostProcessorParameters":
    """``parameters`` (or their text form) when given, else the best ones
    validation found for ``dataset`` and ``criterion``."""
    from dacapo._build import build
    from dacapo.experiments.tasks.post_processors.parameters_text import parse_parameters

    expected = build(run_config.task_config).post_processor.parameters_type
    if isinstance(parameters, str):
        parameters = parse_parameters(parameters)
    if parameters is None:
        parameters = _best_parameters(run_config, dataset, criterion, iteration)
    if not isinstance(parameters, expected):
        raise ConfigError(
            f"apply: run {run_config.name!r} post-processes with {expected.__name__}, got "
            f"{type(parameters).__name__} {parameters!r}"
        )
    return parameters


def _best_parameters(run_config, dataset: Optional[str], criterion: str, iteration: int):
    """The parameters that scored best on ``dataset`` for ``criterion``."""
    from dacapo.store.create_store import create_stats_store

    where = f"apply: run {run_config.name!r}, iteration {iteration}"
    if dataset is None:
        raise ConfigError(
            f"{where}: give parameters, or a validation_dataset and criterion to use the "
            "best parameters validation found"
        )
    recorded = _recorded_best(run_config.name, dataset, criterion, iteration)
    if recorded is not None:
        return recorded
    scores = create_stats_store().retrieve_validation_iteration_scores(run_config.name)
    record = next((r for r in scores if r.iteration == iteration), None)
    if record is None:
        raise ConfigError(
            f"{where}: no validation scores at this iteration; run `validate` first "
            "or give parameters"
        )
    return _best_in_record(run_config, record, dataset, criterion, where)


def _recorded_best(run_name: str, dataset: str, criterion: str, iteration: int):
    """The parameters validation recorded with its best output for ``dataset``
    and ``criterion``, if that output is of ``iteration`` (grids fitted to a
    prediction's values make them differ from the run's template grid)."""
    import zarr

    from dacapo.experiments.tasks.post_processors.parameters_text import parse_parameters
    from dacapo.store.create_store import create_array_store

    best = create_array_store().best_validation_array(run_name, criterion, dataset)
    try:
        attrs = zarr.open_array(str(best.container / best.dataset), mode="r").attrs
    except (OSError, KeyError, ValueError, zarr.errors.ArrayNotFoundError):
        return None
    if attrs.get("iteration") != iteration or "parameters_text" not in attrs:
        return None
    return parse_parameters(attrs["parameters_text"])


def _best_in_record(run_config, record, dataset: str, criterion: str, where: str):
    from dacapo.experiments.run import Run

    template = Run.get_validation_scores(run_config)
    names = [d.name for d in template.datasets]
    if dataset not in names:
        raise ConfigError(f"{where}: no validation dataset {dataset!r}; known: {names}")
    if criterion not in template.criteria:
        raise ConfigError(
            f"{where}: unknown criterion {criterion!r}; known: {template.criteria}"
        )
    values = np.asarray(record.scores, dtype=float)[names.index(dataset), :,
                                                    template.criteria.index(criterion)]
    scores: Any = template.evaluation_scores
    scores_type: Any = scores if isinstance(scores, type) else type(scores)
    higher = scores_type.higher_is_better(criterion)
    finite = np.where(np.isfinite(values), values, -np.inf if higher else np.inf)
    best = int(np.argmax(finite) if higher else np.argmin(finite))
    return template.parameters[best]


def _output_container(output_path: Any, input_container: Any, file_format: str) -> Path:
    if file_format not in ("zarr", "n5"):
        raise ConfigError(f"apply: file_format must be 'zarr' or 'n5', got {file_format!r}")
    path = Path(str(output_path).rstrip("/"))
    if path.suffix in (".zarr", ".n5"):  # the container itself, as for predict
        return path
    stem = Path(str(input_container).rstrip("/")).stem
    return path / f"{stem}.{file_format}"


make_module_callable(__name__)
