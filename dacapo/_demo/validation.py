"""A run's validation scores where its criterion was best.

The best iteration of a run is the one validation recorded as best for the
run's criterion on the validation crop; within that iteration, the best
parameter set is the one scoring best on that criterion. The summary holds
every criterion of that parameter set.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Dict

import attr

from .runs import RUNS
from .volume import VALIDATION_DATASET

if TYPE_CHECKING:
    from dacapo.experiments.run_config import RunConfig

__all__ = ["ValidationSummary", "validation_summary"]


@attr.s(frozen=True, kw_only=True)
class ValidationSummary:
    """The validation scores of one run at its best iteration and parameters."""

    run_name: str = attr.ib()
    task: str = attr.ib(metadata={"help_text": "What the run learns, in words."})
    iteration: int = attr.ib()
    criterion: str = attr.ib()
    scores: Dict[str, float] = attr.ib()


def validation_summary(config: "RunConfig") -> ValidationSummary:
    """The scores of ``config``'s run on the validation crop (see the module)."""
    import numpy as np

    from dacapo._score_summary import best_index
    from dacapo.experiments.run import Run
    from dacapo.store.create_store import create_stats_store, create_weights_store

    gt_name, criterion = RUNS[config.name]
    iteration = create_weights_store().retrieve_best(config.name, VALIDATION_DATASET, criterion)
    template = Run.get_validation_scores(config)
    record = next(
        r for r in create_stats_store().retrieve_validation_iteration_scores(config.name)
        if r.iteration == iteration
    )
    dataset = [d.name for d in template.datasets].index(VALIDATION_DATASET)
    table = np.asarray(record.scores, dtype=float)[dataset]  # [parameter set][criterion]
    scores_type = template.evaluation_scores
    higher = scores_type.higher_is_better(criterion)
    best = best_index(table[:, template.criteria.index(criterion)], higher) or 0
    return ValidationSummary(
        run_name=config.name, task=_task_words(config, gt_name), iteration=iteration,
        criterion=criterion,
        scores={c: float(table[best, i]) for i, c in enumerate(template.criteria)},
    )


def _task_words(config: "RunConfig", gt_name: str) -> str:
    kind = type(config.task_config).__name__.replace("TaskConfig", "").lower()
    return f"{kind} ({gt_name})"
