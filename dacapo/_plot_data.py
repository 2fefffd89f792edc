"""What ``dacapo.plot.plot_runs`` draws, read from the stores: per run its
training losses and, per validated iteration, the best score of each dataset
and criterion over the post-processing parameter sets."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence

import numpy as np

from dacapo._score_summary import best_over_parameters
from dacapo.errors import ConfigError, DacapoError

logger = logging.getLogger(__name__)

__all__ = ["LossCurve", "ValidationCurves", "RunCurves", "load_runs", "per_run"]


@dataclass
class LossCurve:
    """The loss of every stored training iteration."""

    iterations: np.ndarray
    losses: np.ndarray


@dataclass
class ValidationCurves:
    """Validation scores of one run, best over parameter sets."""

    iterations: np.ndarray  # the validated iterations
    datasets: List[str]
    criteria: List[str]  # the criteria to plot
    values: np.ndarray  # [iteration, dataset, criterion]
    higher_is_better: Dict[str, bool]
    kept: List[str] = field(default_factory=list)  # criteria with a kept best checkpoint


@dataclass
class RunCurves:
    """What is plotted of one run (None: not asked for, or nothing stored)."""

    name: str
    loss: Optional[LossCurve]
    validation: Optional[ValidationCurves]


def load_runs(
    names: Sequence[str],
    validation_scores: Sequence[Any],
    higher_is_betters: Sequence[Optional[bool]],
    plot_losses: Sequence[bool],
) -> List[RunCurves]:
    """The curves of each run; the per-run lists hold one entry per name."""
    from dacapo.store.create_store import create_config_store, create_stats_store

    config_store, stats_store = create_config_store(), create_stats_store()
    runs = []
    for name, criteria, higher, plot_loss in zip(
        names, validation_scores, higher_is_betters, plot_losses
    ):
        try:
            config = config_store.retrieve_run_config(name)
        except DacapoError as error:
            raise error.with_context("plot_runs") from None
        loss = _loss_curve(stats_store, name) if plot_loss else None
        validation = _validation_curves(config, stats_store, criteria, higher)
        runs.append(RunCurves(name, loss, validation))
    return runs


def per_run(
    argument: str, value: Any, count: int, default: Any, single: type, hint: str = ""
) -> List[Any]:
    """``value`` as one entry per run: None gives ``default`` for each, a single
    ``single`` value is repeated, a list must have ``count`` entries."""
    if value is None:
        return [default] * count
    if isinstance(value, single):
        return [value] * count
    if isinstance(value, (list, tuple)) and len(value) == count:
        return list(value)
    raise ConfigError(
        f"plot_runs: `{argument}` must give one entry per run ({count} runs), a single "
        f"{single.__name__} for all of them, or None; got {value!r}{hint}"
    )


def _loss_curve(stats_store, name: str) -> LossCurve:
    stats = stats_store.retrieve_training_stats(name).iteration_stats
    return LossCurve(
        np.array([s.iteration for s in stats], dtype=float),
        np.array([s.loss for s in stats], dtype=float),
    )


def _validation_curves(config, stats_store, selection, higher) -> Optional[ValidationCurves]:
    """The run's stored scores reduced to the best parameter set (None if none)."""
    from dacapo._build import build
    from dacapo.experiments.validation_scores import ValidationScores

    records = stats_store.retrieve_validation_iteration_scores(config.name)
    if not records:
        return None
    evaluation_scores = build(config.task_config).evaluation_scores
    criteria = ValidationScores([], [], evaluation_scores).criteria
    scores = _scores_array(config.name, records, len(criteria))
    if scores is None:
        return None
    chosen = _choose_criteria(config.name, criteria, selection)
    directions = {
        c: bool(evaluation_scores.higher_is_better(c)) if higher is None else bool(higher)
        for c in chosen
    }
    columns = [criteria.index(c) for c in chosen]
    return ValidationCurves(
        iterations=np.array([r.iteration for r in records], dtype=float),
        datasets=_dataset_names(config, scores.shape[1]),
        criteria=chosen,
        values=best_over_parameters(scores[..., columns], [directions[c] for c in chosen]),
        higher_is_better=directions,
        kept=[c for c in chosen if _keeps_best(evaluation_scores, c)],
    )


def _scores_array(name: str, records, num_criteria: int) -> Optional[np.ndarray]:
    """The records as ``[iteration, dataset, parameter set, criterion]``, or None
    (with a warning) when they do not have that shape."""
    try:
        scores = np.array([r.scores for r in records], dtype=float)
    except (ValueError, TypeError):
        scores = np.empty(0)
    if scores.ndim != 4 or scores.shape[-1] != num_criteria:
        logger.warning(
            "plot_runs: the stored validation scores of run %r do not have one value per "
            "criterion of its task (%d); they are left out of the plot", name, num_criteria,
        )
        return None
    return scores


def _choose_criteria(name: str, criteria: List[str], selection: Any) -> List[str]:
    """The criteria named by ``selection`` (a name, a list of names, or None: all)."""
    if selection is None:
        return list(criteria)
    chosen = [selection] if isinstance(selection, str) else selection
    if not isinstance(chosen, (list, tuple)) or not all(isinstance(c, str) for c in chosen):
        raise ConfigError(
            f"plot_runs: the `validation_scores` of run {name!r} must be a criterion name, a "
            f"list of names or None (all criteria), got {selection!r}"
        )
    unknown = [c for c in chosen if c not in criteria]
    if unknown:
        raise ConfigError(
            f"plot_runs: run {name!r} has no validation criteria {unknown}; its criteria "
            f"are {criteria}"
        )
    return list(chosen)


def _dataset_names(config, count: int) -> List[str]:
    """The names of the run's validation datasets, or ``dataset <i>`` when its
    datasplit cannot be opened (data moved) or no longer matches the scores."""
    from dacapo._build import build

    try:
        names = [d.name for d in build(config.datasplit_config).validate or []]
    except (DacapoError, OSError) as error:
        logger.warning("plot_runs: cannot open the datasplit of run %r (%s); its validation "
                       "datasets are numbered instead of named", config.name, error)
        names = []
    if len(names) != count:
        names = [f"dataset {i}" for i in range(count)]
    return names


def _keeps_best(evaluation_scores, criterion: str) -> bool:
    try:
        return bool(evaluation_scores.store_best(criterion))
    except (NotImplementedError, DacapoError):
        return False
