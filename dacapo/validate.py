"""Validation: ``validate(run_name, iteration)`` and ``validate_run(run, iteration)``.

For each validation dataset with ground truth, ``validate_run``:

1. copies the inputs once into the run's ``validation.zarr``
   (``inputs/<dataset>/raw`` over the ground truth grown by the model's
   context, ``inputs/<dataset>/gt``);
2. predicts over the ground truth's ROI (``predict_local``, float32) into
   ``<iteration>/<dataset>/prediction``;
3. post-processes the prediction with every parameter set (the grid is read
   after ``set_prediction``, so it can fit the prediction's values) and
   evaluates each output against the ground truth;
4. keeps the best: for each criterion whose best checkpoint is kept, a score
   better than every earlier one (over iterations and parameter sets) records
   the iteration with ``weights_store.store_best`` and copies the output to
   ``<dataset>/<criterion>``;
5. cleans up: the per-parameter outputs are deleted, and the prediction is
   kept only while its iteration holds a best score.

The scores, ``[dataset][parameter set][criterion]``, are appended to
``run.validation_scores`` as a ``ValidationIterationScores`` and stored.
"""

from __future__ import annotations

import logging
import math
import numbers
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Iterator, List, Optional, Sequence

import attr

from dacapo._callable_module import make_module_callable
from dacapo.errors import ConfigError, NoSuchCheckpointError

if TYPE_CHECKING:
    from funlib.geometry import Coordinate

    from dacapo.experiments.run import Run
    from dacapo.experiments.validation_iteration_scores import ValidationIterationScores

logger = logging.getLogger(__name__)

__all__ = ["validate", "validate_run", "validation_datasets"]

Scores = List[List[float]]  # [parameter set][criterion] of one dataset


def validate(
    run_name: str, iteration: int = 0, datasets_config: Optional[Sequence[Any]] = None
) -> "ValidationIterationScores":
    """Validates the stored run ``run_name`` with its weights of ``iteration``.

    Iteration 0 without a checkpoint validates the freshly initialised model.
    The scores are added to the run's stored scores.

    Raises:
        NoSuchCheckpointError: (a ``FileNotFoundError``) no weights are stored
            for ``iteration``.
    """
    from dacapo.experiments.run import Run
    from dacapo.store.create_store import create_config_store

    _check_iteration(iteration)
    run = Run(create_config_store().retrieve_run_config(run_name))
    _load_weights(run, iteration)
    _load_scores(run)
    run.model.to(_device())
    return validate_run(run, iteration, datasets_config)


def validate_run(
    run: "Run", iteration: int, datasets_config: Optional[Sequence[Any]] = None
) -> "ValidationIterationScores":
    """Validates ``run``'s model as it is, recording the scores as ``iteration``'s.

    Args:
        datasets_config: Validate on these datasets (``DatasetConfig`` s or
            ``Dataset`` s) instead of the datasplit's; their scores are
            returned but neither recorded in the run nor used to pick best
            checkpoints.

    Raises:
        ConfigError: no dataset to validate has ground truth.
    """
    _check_iteration(iteration)
    own = datasets_config is None
    datasets = (
        run.validation_scores.datasets
        if datasets_config is None
        else _custom_datasets(run, datasets_config)
    )
    if not validation_datasets(run, datasets):
        raise ConfigError(
            f"validate: run {run.name!r} has no validation dataset with ground truth "
            f"(datasplit {run.datasplit.name!r}: {[d.name for d in datasets]}); add "
            "validation datasets with gt to its datasplit, or pass datasets_config"
        )
    record = _validate_datasets(run, iteration, datasets, keep_best=own)
    if own:
        _record_scores(run, record)
        _prune(run)
    return record


def validation_datasets(run: "Run", datasets: Optional[Sequence[Any]] = None) -> List[Any]:
    """The validation datasets of ``run`` (or ``datasets``) that have ground truth."""
    if datasets is None:
        datasets = run.validation_datasets
    return [d for d in datasets if getattr(d, "gt", None) is not None]


# ----------------------------------------------------------------- steps ---


def _validate_datasets(run, iteration: int, datasets, keep_best: bool):
    """Scores of every dataset (NaN for those without ground truth)."""
    from tqdm import tqdm

    from dacapo.experiments.validation_iteration_scores import ValidationIterationScores

    if keep_best:
        _prime_best(run, iteration)
    nan_scores = _nan_scores(run)
    scores = []
    with _eval_mode(run.model):
        for dataset in tqdm(datasets, desc=f"validate {run.name} @ {iteration}", unit="dataset",
                            disable=len(datasets) < 2):
            if dataset.gt is None:
                logger.warning("validate: dataset %r has no ground truth; its scores are NaN",
                               dataset.name)
                scores.append(nan_scores)
                continue
            scores.append(_validate_dataset(run, iteration, dataset, keep_best))
    return ValidationIterationScores(iteration, scores)


def _validate_dataset(run, iteration: int, dataset, keep_best: bool) -> Scores:
    """Copy inputs, predict, post-process, evaluate and keep the best, for one dataset."""
    from dacapo.store.create_store import create_array_store

    array_store = create_array_store()
    raw, gt = _copy_inputs(run, dataset, array_store)
    prediction = array_store.validation_prediction_array(run.name, iteration, dataset.name)
    _predict(run, raw, prediction, gt.roi, array_store)
    best = _BestTracker(run, iteration, dataset) if keep_best else None
    scores = _post_process_and_evaluate(run, iteration, dataset, prediction, gt, best,
                                        array_store)
    if best is not None:
        best.store()
    logger.info("validate: run %r, iteration %d, dataset %r: %s", run.name, iteration,
                dataset.name, _summary(run, scores))
    return scores


def _copy_inputs(run, dataset, array_store):
    """The copied raw data and ground truth (``Array`` s)."""
    from dacapo._validation_arrays import copy_once, input_rois

    raw_id, gt_id = array_store.validation_input_arrays(run.name, dataset.name)
    raw_roi, gt_roi = input_rois(dataset.raw, dataset.gt, _context(run.model, dataset.raw))
    return copy_once(dataset.raw, raw_id, raw_roi), copy_once(dataset.gt, gt_id, gt_roi)


def _predict(run, raw, prediction, gt_roi, array_store) -> None:
    """The model's prediction over the ground truth's ROI (float32, channels first).

    The copied raw data is handed over as an ``Array``, so the model sees the
    values training read from the dataset (no second normalisation)."""
    from dacapo.predict_local import predict

    array_store.remove(prediction)  # a left-over of an interrupted validation
    predict(run.model, raw, prediction, output_roi=gt_roi)


def _post_process_and_evaluate(run, iteration, dataset, prediction, gt, best,
                               array_store) -> Scores:
    """Scores of every parameter set; each output is deleted once scored (and
    kept as a best output first where it beats the best so far)."""
    from tqdm import tqdm

    from dacapo._validation_arrays import parent

    post_processor, evaluator = run.task.post_processor, run.task.evaluator
    post_processor.set_prediction(prediction)  # first: the grid may fit the prediction
    parameters = _parameters(run, post_processor)
    scores = []
    for params in tqdm(parameters, desc=f"post-process {dataset.name}", leave=False):
        output = array_store.validation_output_array(run.name, iteration, params, dataset.name)
        post_processor.process(params, output)
        evaluation = evaluator.evaluate(output, gt)
        scores.append([float(getattr(evaluation, c)) for c in run.validation_scores.criteria])
        if best is not None:
            best.offer(params, scores[-1], output)
        array_store.remove(output)
    if parameters:
        array_store.remove(parent(output))  # the emptied ``output`` group
    return scores


def _parameters(run, post_processor) -> list:
    """The grid after ``set_prediction``; it must have as many sets as the run's scores."""
    parameters = list(post_processor.enumerate_parameters())
    expected = run.validation_scores.parameters
    if len(parameters) != len(expected):
        raise ConfigError(
            f"validate: run {run.name!r}: {type(post_processor).__name__} gives "
            f"{len(parameters)} parameter sets for this prediction, but the run's validation "
            f"scores hold {len(expected)}; a post-processor's grid may fit its values to the "
            "prediction but must keep its size"
        )
    if parameters != list(expected):
        logger.debug("validate: parameters fitted to the prediction: %s", parameters)
    return parameters


def _record_scores(run, record) -> None:
    """Adds ``record`` to the run's scores (later records are kept) and stores them."""
    from dacapo.store.create_store import create_stats_store

    scores = run.validation_scores
    later = [s for s in scores.scores if s.iteration > record.iteration]
    scores.add_iteration_scores(record)  # checks the shape; drops the later records
    scores.scores.extend(later)
    stats_store = create_stats_store()
    stored = [s.to_record() for s in stats_store.retrieve_validation_iteration_scores(run.name)]
    if not _is_prefix(stored, scores.to_records()):  # merging would keep the stale ones
        stats_store.delete_validation_scores(run.name)
    stats_store.store_validation_iteration_scores(run.name, scores)


def _prune(run) -> None:
    """Deletes the predictions of iterations that hold no best score."""
    from dacapo._validation_arrays import prune_predictions
    from dacapo.store.create_store import create_array_store, create_weights_store

    weights_store, array_store = create_weights_store(), create_array_store()
    for dataset in validation_datasets(run, run.validation_scores.datasets):
        keep = set()
        for criterion in _kept_criteria(run):
            try:
                keep.add(weights_store.retrieve_best(run.name, dataset.name, criterion))
            except NoSuchCheckpointError:
                continue
        prune_predictions(array_store, run.name, dataset.name, keep)


# ------------------------------------------------------------- the best ---


class _BestTracker:
    """The best score per criterion of one dataset at one iteration, compared
    with the best of earlier iterations as the evaluator knows it."""

    def __init__(self, run, iteration: int, dataset):
        self.run, self.iteration, self.dataset = run, iteration, dataset
        self.evaluator = run.task.evaluator
        self.criteria = _kept_criteria(run)
        self.best = {c: self.evaluator.get_overall_best(dataset, c) for c in self.criteria}
        self.improved: dict = {}  # criterion -> (parameters, score)

    def offer(self, parameters, row: List[float], output) -> None:
        """Keeps ``output`` for every criterion on which ``row`` beats the best so far."""
        from dacapo._validation_arrays import keep_best
        from dacapo.store.create_store import create_array_store

        criteria = self.run.validation_scores.criteria
        for criterion in self.criteria:
            score, previous = row[criteria.index(criterion)], self.best[criterion]
            if math.isnan(score) or not (
                previous is None or self.evaluator.compare(score, previous, criterion)
            ):
                continue
            self.best[criterion] = score
            self.improved[criterion] = (parameters, score)
            best = create_array_store().best_validation_array(
                self.run.name, criterion, self.dataset.name
            )
            keep_best(output, best, self._metadata(criterion, parameters, score))

    def store(self) -> None:
        """Records this iteration as the best of every criterion it improved."""
        from dacapo.store.create_store import create_weights_store

        if not self.improved:
            return
        weights_store = create_weights_store()
        _ensure_checkpoint(self.run, self.iteration, weights_store)
        for criterion, (parameters, score) in self.improved.items():
            weights_store.store_best(self.run.name, self.iteration, self.dataset.name, criterion)
            logger.info("validate: run %r: new best %s = %.4g on %r at iteration %d (%s)",
                        self.run.name, criterion, score, self.dataset.name, self.iteration,
                        parameters)

    def _metadata(self, criterion: str, parameters, score: float) -> dict:
        from dacapo.experiments.tasks.post_processors.parameters_text import (
            parameters_to_text,
        )

        return {"iteration": self.iteration, "criterion": criterion, "score": score,
                "parameters": str(parameters), "parameters_id": int(parameters.id),
                "parameters_text": parameters_to_text(parameters),
                "parameters_type": type(parameters).__name__, "dataset": self.dataset.name}


def _prime_best(run, iteration: int) -> None:
    """Tells the evaluator the best scores of the other validated iterations."""
    scores = run.validation_scores
    others = attr.evolve(scores, scores=[s for s in scores.scores if s.iteration != iteration])
    run.task.evaluator.set_best(others)


def _kept_criteria(run) -> List[str]:
    """The criteria whose best checkpoint is kept."""
    evaluator = run.task.evaluator
    return [c for c in run.validation_scores.criteria if evaluator.store_best(c)]


def _ensure_checkpoint(run, iteration: int, weights_store) -> None:
    """Stores the run's weights as ``iteration`` when there is no such checkpoint
    (e.g. the untrained model of iteration 0), so the best weights can be loaded."""
    try:
        weights_store.retrieve_weights(run.name, iteration)
    except NoSuchCheckpointError:
        logger.info("validate: storing the weights of run %r as iteration %d, a best "
                    "iteration", run.name, iteration)
        weights_store.store_weights(run, iteration)


# --------------------------------------------------------------- helpers ---


def _load_weights(run, iteration: int) -> None:
    """Loads the checkpoint of ``iteration``; iteration 0 may have none."""
    from dacapo.store.create_store import create_weights_store

    try:
        create_weights_store().load_weights(run, iteration)
    except NoSuchCheckpointError as error:
        if iteration == 0:
            logger.info("validate: run %r has no checkpoint of iteration 0; validating "
                        "the freshly initialised model", run.name)
            return
        error.with_context(
            f"validate: run {run.name!r}, iteration {iteration} (train the run to that "
            "iteration first, give one of its stored iterations, or 0 for the untrained model)"
        )
        raise


def _load_scores(run) -> None:
    """The run's stored validation scores, when they fit its datasets and parameters."""
    from dacapo.store.create_store import create_stats_store

    try:
        for record in create_stats_store().retrieve_validation_iteration_scores(run.name):
            run.validation_scores.add_iteration_scores(record)
    except ConfigError as error:
        logger.warning("validate: the stored validation scores of run %r do not fit its "
                       "datasets and parameters (%s); they are replaced", run.name, error)
        run.validation_scores.scores = []


def _custom_datasets(run, datasets_config: Sequence[Any]) -> List[Any]:
    """Datasets from ``DatasetConfig`` s (built) and ``Dataset`` s (used as they are)."""
    from dacapo._build import build
    from dacapo.experiments.datasplits.datasets.dataset import Dataset
    from dacapo.experiments.datasplits.datasets.dataset_config import DatasetConfig

    datasets = []
    for item in datasets_config:
        if not isinstance(item, (Dataset, DatasetConfig)):
            raise ConfigError(
                f"validate: run {run.name!r}: datasets_config must hold DatasetConfigs or "
                f"Datasets, got {type(item).__name__} {item!r:.80}; for DatasetSpecs, use "
                "DataSplitGenerator(...).compute().validate_configs"
            )
        datasets.append(item if isinstance(item, Dataset) else build(item))
    return datasets


def _context(model, raw) -> "Coordinate":
    """World units the model needs around its output on each side."""
    input_shape = model.eval_input_shape
    _, output_shape = model.compute_output_shape(input_shape)
    input_size = input_shape * raw.voxel_size
    output_size = output_shape * model.scale(raw.voxel_size)
    return (input_size - output_size) / 2


@contextmanager
def _eval_mode(model) -> Iterator[None]:
    """The model in eval mode, restored to its previous mode afterwards."""
    training = model.training
    model.eval()
    try:
        yield
    finally:
        model.train(training)


def _nan_scores(run) -> Scores:
    scores = run.validation_scores
    return [[float("nan")] * len(scores.criteria) for _ in scores.parameters]


def _summary(run, scores: Scores) -> str:
    """The best value of each kept criterion, for the log."""
    criteria = run.validation_scores.criteria
    parts = []
    for criterion in _kept_criteria(run):
        values = [row[criteria.index(criterion)] for row in scores]
        values = [v for v in values if not math.isnan(v)]
        if values:
            higher = run.task.evaluator.higher_is_better(criterion)
            parts.append(f"{criterion}={max(values) if higher else min(values):.4g}")
    return ", ".join(parts) or "no finite scores"


def _is_prefix(stored: List[dict], mine: List[dict]) -> bool:
    """Whether the stored records are the first of ``mine`` (NaN equals NaN)."""
    import numpy as np

    if len(stored) > len(mine):
        return False
    return all(
        a["iteration"] == b["iteration"]
        and np.array_equal(np.asarray(a["scores"], float), np.asarray(b["scores"], float),
                           equal_nan=True)
        for a, b in zip(stored, mine)
    )


def _check_iteration(iteration: Any) -> None:
    if isinstance(iteration, bool) or not isinstance(iteration, numbers.Integral) or iteration < 0:
        raise ConfigError(f"validate: iteration must be a whole number >= 0, got {iteration!r}")


def _device():
    """The device of the compute context the options name (CUDA when available)."""
    from dacapo.compute_context import create_compute_context

    return create_compute_context().device


# ``dacapo.validate(run_name, iteration)`` keeps working after ``import dacapo.validate``
make_module_callable(__name__)
