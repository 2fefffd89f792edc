"""Applying a trained demo run to the volume, and scoring what comes out.

``dacapo.apply`` predicts with the run's best checkpoint for its criterion
on the validation crop and post-processes with the parameters that scored
best there, blockwise, with ``settings.workers`` worker processes. The
output is scored against the volume's ground truth by the run's evaluator.
A record (``outputs/<run>.json``) is written last, so a finished volume is
reused and an unfinished one is done again.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Dict, Optional

import attr

from .layout import DemoLayout, read_json, write_json
from .runs import RUNS
from .settings import DemoSettings

if TYPE_CHECKING:
    from dacapo.experiments.run_config import RunConfig

logger = logging.getLogger(__name__)

__all__ = ["VolumeResult", "ensure_applied", "VALIDATION_DATASET"]

#: the validation crop whose best iteration and parameters are applied
VALIDATION_DATASET = "crop0"
#: the volume's raw data inside ``volume.zarr``
RAW = "raw"


@attr.s(frozen=True, kw_only=True)
class VolumeResult:
    """What applying one run to the volume gave."""

    run_name: str = attr.ib()
    iteration: int = attr.ib()
    criterion: str = attr.ib(metadata={"help_text": "What chose iteration and parameters."})
    parameters: str = attr.ib()
    prediction: str = attr.ib(metadata={"help_text": "Path of the prediction array."})
    output: str = attr.ib(metadata={"help_text": "Path of the post-processed output."})
    scores: Dict[str, float] = attr.ib(
        metadata={"help_text": "Every criterion of the run's evaluator, against the "
                               "volume's ground truth."}
    )

    @classmethod
    def from_record(cls, record: Any) -> Optional["VolumeResult"]:
        """The result a record holds; None if it is not a complete record."""
        try:
            return cls(**record)
        except TypeError:
            return None


def ensure_applied(layout: DemoLayout, settings: DemoSettings,
                   config: "RunConfig") -> VolumeResult:
    """The result of ``config``'s run on the volume, from its record when
    there is one (and its output exists), else applied and scored now."""
    from pathlib import Path

    result = VolumeResult.from_record(read_json(layout.result(config.name)))
    if result is not None and Path(result.output).exists():
        logger.info("demo: reusing the output of run %r on the volume: %s", config.name,
                    result.output)
        return result
    result = _apply_and_score(layout, settings, config)
    write_json(layout.result(config.name), attr.asdict(result))
    return result


def _apply_and_score(layout: DemoLayout, settings: DemoSettings,
                     config: "RunConfig") -> VolumeResult:
    from dacapo.apply import apply
    from dacapo.store.create_store import create_weights_store

    gt_name, criterion = RUNS[config.name]
    iteration = create_weights_store().retrieve_best(config.name, VALIDATION_DATASET, criterion)
    logger.info("demo: applying run %r (iteration %d, best %s on %r) to %s with %d worker(s)",
                config.name, iteration, criterion, VALIDATION_DATASET, layout.volume,
                settings.workers)
    output = apply(
        config.name, layout.volume, RAW, layout.outputs, validation_dataset=VALIDATION_DATASET,
        criterion=criterion, iteration=iteration, num_workers=settings.workers,
        compute_context=_compute_context(settings.workers),
    )
    prefix = f"output_{config.name}_{iteration}_"
    return VolumeResult(
        run_name=config.name, iteration=iteration, criterion=criterion,
        parameters=output.dataset[len(prefix):] if output.dataset.startswith(prefix) else "",
        prediction=str(output.container / f"prediction_{config.name}_{iteration}"),
        output=str(output.container / output.dataset),
        scores=score(config, output, layout, gt_name),
    )


def score(config: "RunConfig", output: Any, layout: DemoLayout, gt_name: str) -> Dict[str, float]:
    """Every criterion of the run's evaluator for ``output`` against the
    volume's ``gt_name`` (over the output's ROI)."""
    from dacapo._array_identifiers import LocalArrayIdentifier
    from dacapo._build import build
    from dacapo.experiments.datasplits.datasets.arrays.zarr_array import ZarrArray

    evaluator = build(config.task_config).evaluator
    truth = ZarrArray.open_from_array_identifier(LocalArrayIdentifier(layout.volume, gt_name))
    logger.info("demo: scoring %s against %s/%s", output, layout.volume, gt_name)
    scores = evaluator.evaluate(output, truth)
    return {criterion: float(getattr(scores, criterion)) for criterion in scores.criteria}


def _compute_context(workers: int) -> Any:
    """The options' compute context; a ``LocalTorch`` one runs its workers as
    processes when there are several."""
    from dacapo.compute_context import LocalTorch, create_compute_context

    context = create_compute_context()
    if workers > 1 and isinstance(context, LocalTorch) and not context.distribute_workers:
        context = attr.evolve(context, distribute_workers=True)
    return context
