"""Checks a command makes before it starts work, so that bad input is named
by its option (``Invalid value for '-i' / '--iteration': ...``) in one line."""

from __future__ import annotations

import difflib
from pathlib import Path, PurePosixPath
from typing import Any

import click

from ._errors import bad_parameter
from ._types import few, is_url

__all__ = ["require_weights", "require_dataset", "require_criterion", "require_parameters"]


def require_weights(ctx: click.Context, run_name: str, iteration: int,
                    name: str = "iteration") -> None:
    """Fails unless run ``run_name`` was trained to ``iteration`` (0, the
    freshly initialised model, needs no weights)."""
    from dacapo.store.create_store import create_weights_store

    if iteration == 0:
        return
    latest = create_weights_store().latest_iteration(run_name)
    if latest is None or iteration > latest:
        stored = "none" if latest is None else f"the latest is of iteration {latest}"
        bad_parameter(ctx, name, (
            f"run {run_name!r} has no weights for iteration {iteration} (stored "
            f"checkpoints: {stored}); choose a stored iteration, 0 for the freshly "
            f"initialised model, or train further with 'dacapo train -r {run_name}'"
        ))


def require_dataset(ctx: click.Context, name: str, container: str, dataset: str) -> None:
    """Fails when the local ``container`` has no ``dataset``, naming what it holds."""
    root, inside = Path(container), dataset.strip("/")
    if is_url(container) or not root.is_dir() or (root / inside).is_dir():
        return
    parent = root
    for part in PurePosixPath(inside).parts:
        if not (parent / part).is_dir():
            break
        parent = parent / part
    entries = sorted(p.name for p in parent.iterdir() if p.is_dir() and p.name[:1] != ".")
    where = "the container" if parent == root else f"its group {str(parent.relative_to(root))!r}"
    bad_parameter(ctx, name, (
        f"no dataset {dataset!r} in container {container!r}; {where} holds {few(entries)}"
    ))


def require_criterion(ctx: click.Context, run_name: str, criterion: str) -> None:
    """Fails unless ``criterion`` is one the run's evaluator reports."""
    from dacapo._build import build
    from dacapo.store.create_store import create_config_store

    config = create_config_store().retrieve_run_config(run_name)
    criteria = list(build(config.task_config).evaluator.criteria)
    if criterion in criteria:
        return
    close = difflib.get_close_matches(criterion, criteria, n=1, cutoff=0.4)
    hint = f"did you mean {close[0]!r}? " if close else ""
    bad_parameter(ctx, "criterion", (
        f"{criterion!r} is not a criterion of run {run_name!r}; {hint}its criteria: "
        f"{', '.join(criteria)}"
    ))


def require_parameters(ctx: click.Context, text: Any) -> None:
    """Fails unless ``text`` (when given) is the text form of post-processing parameters."""
    from dacapo.errors import ConfigError
    from dacapo.experiments.tasks.post_processors.parameters_text import parse_parameters

    if text is None:
        return
    try:
        parse_parameters(text)
    except ConfigError as error:
        bad_parameter(ctx, "parameters", str(error))
