"""``view``: a neuroglancer viewer on everything a run has: its datasplit's
raw, gt and mask, its training snapshots, its validation outputs, the
predictions and segmentations ``predict`` and ``apply`` wrote for it, and
any arrays given, each at its voxel size and world offset.

The viewer is served from this process (no browser is launched); open its
URL in a browser. Layer names and kinds are listed in ``dacapo._view_layers``.
Needs the optional ``viewer`` extra (``pip install 'dacapo-ml[viewer]'``).
"""

from __future__ import annotations

import logging
from typing import Any, List, Optional, Sequence

from dacapo._view_layers import (
    RunLayer,
    ViewArray,
    array_layers,
    datasplit_layers,
    parse_array_path,
    recorded_layers,
    snapshot_layers,
    stored_iterations,
    validation_layers,
)
from dacapo.errors import ConfigError

logger = logging.getLogger(__name__)

__all__ = ["NeuroglancerRunViewer", "ViewArray", "RunLayer", "run_layers", "view"]


def _run_name_and_datasplit(run: Any) -> tuple:
    """``(name, datasplit)`` of a run name, ``RunConfig`` or ``Run``."""
    from dacapo._build import build

    if isinstance(run, str):
        from dacapo.store.create_store import create_config_store

        run = create_config_store().retrieve_run_config(run)
    if hasattr(run, "datasplit_config"):
        return run.name, build(run.datasplit_config)
    if hasattr(run, "datasplit"):
        return run.name, run.datasplit
    raise ConfigError(f"view: expected a run name, RunConfig or Run, got {type(run).__name__} "
                      f"{run!r}")


def run_layers(run: Any, iteration: Optional[int] = None,
               arrays: Sequence[Any] = ()) -> List[RunLayer]:
    """The layers of run ``run`` (name, ``RunConfig`` or ``Run``), of the
    outputs ``predict`` and ``apply`` recorded for it, and of ``arrays``
    (``ViewArray`` s, or ``"container.zarr/dataset"`` paths).

    ``iteration`` picks the snapshot and the validation predictions to show
    (default: the latest snapshot and every kept validation iteration).
    Shown when the viewer opens: the given arrays, or else the raw and gt of
    the first validation (else training) dataset and its first best output.
    """
    from dacapo.store.create_store import create_array_store

    name, datasplit = _run_name_and_datasplit(run)
    store = create_array_store()
    snapshots = store.snapshot_container(name).container
    validation = store.validation_container(name).container
    _check_iteration(name, iteration, snapshots, validation)
    layers = datasplit_layers(datasplit) + snapshot_layers(snapshots, iteration)
    layers += validation_layers(validation, iteration)
    given = [ViewArray(parse_array_path(a.identifier), a.kind) if isinstance(a, ViewArray)
             else ViewArray(parse_array_path(a)) for a in arrays]
    layers += recorded_layers(store.recorded_outputs(name), given,
                              [layer.name for layer in layers])
    layers += array_layers(given, [layer.name for layer in layers])
    return layers if given else _show_first_dataset(layers, datasplit)


def _check_iteration(name: str, iteration: Optional[int], snapshots, validation) -> None:
    if iteration is None:
        return
    stored = sorted(set(stored_iterations(snapshots)) | set(stored_iterations(validation)))
    if iteration not in stored:
        raise ConfigError(
            f"view: run {name!r} has no snapshot or validation output of iteration "
            f"{iteration}; stored iterations: {', '.join(map(str, stored)) or 'none'}; "
            "leave the iteration out to see the latest snapshot and the best outputs"
        )


def _show_first_dataset(layers: List[RunLayer], datasplit: Any) -> List[RunLayer]:
    """Marks the raw and gt of the first validation (else training) dataset
    and its first best output as shown."""
    datasets = list(datasplit.validate or [])
    role, datasets = ("validate", datasets) if datasets else ("train", list(datasplit.train))
    if not datasets:
        return layers
    first = datasets[0].name
    shown = {f"{role}/{first}/raw", f"{role}/{first}/gt"}
    best = [layer.name for layer in layers if layer.name.startswith(f"best/{first}/")]
    shown.update(best[:1])
    return [layer._replace(visible=layer.name in shown) for layer in layers]


class NeuroglancerRunViewer:
    """A neuroglancer viewer on a run (name, ``RunConfig`` or ``Run``).

    ``start()`` collects the layers (``run_layers``) and serves them on
    ``bind_address:bind_port`` (0: any free port); ``url`` is then the address
    to open. With ``embedded``, ``start()`` returns an IPython ``IFrame`` of
    ``width`` x ``height`` pixels for a notebook.
    """

    def __init__(self, run: Any, embedded: bool = False, *, iteration: Optional[int] = None,
                 arrays: Sequence[Any] = (), bind_address: str = "127.0.0.1",
                 bind_port: int = 0, width: int = 1500, height: int = 600):
        self.run = run
        self.embedded = embedded
        self.iteration = iteration
        self.arrays = list(arrays)
        self.bind_address, self.bind_port = bind_address, bind_port
        self.width, self.height = width, height
        self.layers: List[RunLayer] = []
        self.viewer: Any = None

    def start(self) -> Any:
        """Serves the run's layers; returns the ``neuroglancer.Viewer`` (or an
        ``IFrame`` when embedded)."""
        from dacapo.utils.view import (
            add_layer,
            as_volume,
            embed,
            import_neuroglancer,
            new_viewer,
            set_view,
        )

        import_neuroglancer(f"viewer of run {getattr(self.run, 'name', self.run)!r}")
        self.layers = run_layers(self.run, self.iteration, self.arrays)
        self.viewer = new_viewer(self.bind_address, self.bind_port)
        with self.viewer.txn() as state:
            volumes = []
            for layer in self.layers:
                volumes.append(as_volume(layer.name, layer.array))
                add_layer(state, volumes[-1], layer.segmentation, layer.visible)
            shown = [v for v, layer in zip(volumes, self.layers) if layer.visible]
            set_view(state, volumes, shown[0] if shown else None)
        logger.debug("neuroglancer viewer of %d layers at %s", len(self.layers), self.url)
        return embed(self.viewer, self.width, self.height) if self.embedded else self.viewer

    @property
    def url(self) -> str:
        """The viewer's address (``start()`` first)."""
        if self.viewer is None:
            raise ConfigError("NeuroglancerRunViewer: call start() before asking for its url")
        return self.viewer.get_viewer_url()

    def stop(self) -> None:
        """Stops this process's neuroglancer server (every viewer's URL stops working)."""
        from dacapo.utils.view import import_neuroglancer

        import_neuroglancer("viewer").stop()
        self.viewer = None


def view(run_name: str, iteration: Optional[int] = None, arrays: Sequence[Any] = (),
         bind_address: str = "127.0.0.1", bind_port: int = 0) -> NeuroglancerRunViewer:
    """Starts a neuroglancer viewer on run ``run_name`` (see ``run_layers``)
    and returns it; its ``url`` is the address to open."""
    viewer = NeuroglancerRunViewer(run_name, iteration=iteration, arrays=arrays,
                                   bind_address=bind_address, bind_port=bind_port)
    viewer.start()
    return viewer
