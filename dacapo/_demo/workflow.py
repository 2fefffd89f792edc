"""``run_demo``: the whole demo, each step reusing what an earlier call did."""

from __future__ import annotations

import logging
import time
from contextlib import contextmanager
from typing import TYPE_CHECKING, Dict, Iterator, List, Optional

from .layout import DemoLayout, remove_demo, stored_settings, write_json
from .report import DemoResult
from .settings import DemoSettings

if TYPE_CHECKING:
    from dacapo.experiments.run_config import RunConfig

logger = logging.getLogger(__name__)

__all__ = ["run_demo", "demo_layout"]


def demo_layout() -> DemoLayout:
    """The demo's layout under the options' ``runs_base_dir``."""
    from dacapo.options import Options

    return DemoLayout(Options.instance().runs_base_dir)


def run_demo(settings: Optional[DemoSettings] = None, fresh: bool = False) -> DemoResult:
    """Generates the data, trains and validates the two runs, applies them to
    the volume, scores the outputs and plots the runs; returns what it made.

    Args:
        settings: Sizes, iterations and workers (default: the full demo).
        fresh: Delete the demo's runs and data first and start over.
    """
    from .data import ensure_data
    from .runs import ensure_trained, run_configs
    from .validation import validation_summary
    from .volume import ensure_applied

    settings = settings or DemoSettings()
    layout = demo_layout()
    configs = run_configs(layout, settings)
    _prepare(layout, settings, configs, fresh)
    with _step("data"):
        ensure_data(layout, settings)
    for config in configs.values():
        with _step(f"training {config.name}"):
            ensure_trained(config)
    volume = []
    for config in configs.values():
        with _step(f"applying {config.name} to the volume"):
            volume.append(ensure_applied(layout, settings, config))
    with _step("plot"):
        _plot(layout, list(configs))
    return DemoResult(layout=layout, volume_size=settings.volume_size,
                      validation=[validation_summary(c) for c in configs.values()],
                      volume=volume)


def _prepare(layout: DemoLayout, settings: DemoSettings, configs: Dict[str, "RunConfig"],
             fresh: bool) -> None:
    """Starts over when asked to, or when the demo was made with other
    settings or run configs; records the settings and stores the configs."""
    from dacapo.errors import DuplicateNameError

    stored = stored_settings(layout)
    if fresh:
        _start_over(layout, "--fresh")
    elif stored is not None and stored != settings:
        _start_over(layout, f"it was made with other settings ({settings.differences(stored)})")
    elif stored is None and layout.root.exists():
        _start_over(layout, f"{layout.settings} is missing or unreadable")
    try:
        _store(configs)
    except DuplicateNameError as error:  # a demo of another version of dacapo
        _start_over(layout, f"its runs were stored with other configs ({error})")
        _store(configs)
    write_json(layout.settings, settings.to_dict())


def _start_over(layout: DemoLayout, reason: str) -> None:
    logger.info("demo: starting over: %s", reason)
    remove_demo(layout)


def _store(configs: Dict[str, "RunConfig"]) -> None:
    from dacapo.store.create_store import create_config_store

    store = create_config_store()
    for config in configs.values():
        store.store_run_config(config)


def _plot(layout: DemoLayout, run_names: List[str]) -> None:
    """The runs' loss and the criteria of the printed tables."""
    from dacapo.plot import plot_runs

    from .runs import PLOTTED

    plot_runs(run_names, validation_scores=[list(PLOTTED[name]) for name in run_names],
              output=layout.plot)
    logger.info("demo: plot written to %s", layout.plot)


@contextmanager
def _step(name: str) -> Iterator[None]:
    start = time.monotonic()
    logger.info("demo: %s ...", name)
    yield
    logger.info("demo: %s done in %.1f s", name, time.monotonic() - start)
