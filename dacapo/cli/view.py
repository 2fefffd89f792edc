"""``dacapo view``: a neuroglancer viewer on a run's data, snapshots,
validation outputs and predictions."""

from __future__ import annotations

import time
from typing import Any, Optional, Tuple

import click

from ._common import RUN
from ._options import option

__all__ = ["view"]


class ArrayPath(click.ParamType):
    """``CONTAINER/DATASET``: a path through a zarr or N5 container to a dataset."""

    name = "array"

    def get_metavar(self, param: Any = None, ctx: Any = None) -> str:
        return "CONTAINER/DATASET"

    def convert(self, value: Any, param: Any, ctx: Any) -> Any:
        from dacapo._view_layers import parse_array_path
        from dacapo.errors import ConfigError

        try:
            return parse_array_path(value)
        except ConfigError as error:
            self.fail(str(error), param, ctx)


ARRAY_PATH = ArrayPath()


@click.command(short_help="Open a neuroglancer viewer on a run's data and outputs.")
@RUN
@option("-i", "--iteration", type=click.IntRange(min=0), default=None,
        show_default="the latest snapshot and every kept validation iteration",
        help="Iteration whose training snapshot and validation predictions to show.")
@option("-p", "--prediction", "predictions", multiple=True, show_default="none", type=ARRAY_PATH,
        help="A prediction or segmentation to add and show (those 'dacapo predict' and "
        "'dacapo apply' wrote with this run are listed anyway, e.g. "
        "out/volume.zarr/output_RUN_100_...); repeat for several. Integer arrays "
        "named output* or of 32/64-bit integers are shown as segmentations.")
@option("--image", "images", multiple=True, show_default="none", type=ARRAY_PATH,
        help="Any array to add as an image layer (e.g. the raw volume a prediction was made on).")
@option("--labels", "labels", multiple=True, show_default="none", type=ARRAY_PATH,
        help="Any array of integer labels to add as a segmentation layer.")
@option("--bind-address", default="127.0.0.1",
        help="Address the viewer's server listens on (0.0.0.0: every interface, to open the "
        "viewer from another machine).")
@option("--port", type=click.IntRange(0, 65535), default=0,
        help="Port the viewer's server listens on (0: any free port).")
@option("--wait/--no-wait", default=True,
        help="Keep serving until Ctrl-C; --no-wait prints the URL and layers and exits "
        "(the URL then stops working).")
def view(run_name: str, iteration: Optional[int], predictions: Tuple[Any, ...],
         images: Tuple[Any, ...], labels: Tuple[Any, ...], bind_address: str, port: int,
         wait: bool) -> None:
    """Serve a neuroglancer viewer on run RUN_NAME: its datasplit's raw, gt and
    mask, its training snapshots, its best validation outputs, what 'dacapo
    predict' and 'dacapo apply' wrote with it (layers outputs/...) and the
    arrays given, each at its voxel size and offset (nm). No browser is launched:
    open the printed URL. Layers marked * are shown at first; the others are
    listed in the viewer, one click away.

    \f
    Calls ``dacapo.view.view(run_name, iteration, arrays, bind_address, port)``.
    Needs the ``viewer`` extra (``pip install 'dacapo-ml[viewer]'``).
    """
    from dacapo.view import ViewArray
    from dacapo.view import view as view_function

    arrays = ([ViewArray(p) for p in predictions] + [ViewArray(i, "image") for i in images]
              + [ViewArray(a, "labels") for a in labels])
    viewer = view_function(run_name, iteration, arrays, bind_address, port)
    click.echo(f"run {run_name!r}: {len(viewer.layers)} layers (* shown at first)")
    width = max((len(layer.name) for layer in viewer.layers), default=0)
    for layer in viewer.layers:
        click.echo(_describe(layer, width))
    click.echo(f"neuroglancer viewer: {viewer.url}")
    if wait:
        click.echo("serving until Ctrl-C")
        _serve()


def _describe(layer: Any, width: int) -> str:
    """One line: shown or not, name, kind, voxel size, offset and shape."""
    array = layer.array
    shape = "x".join(str(int(s)) for s in array.roi.shape / array.voxel_size)
    kind = "segmentation" if layer.segmentation else "image"
    return (f"  {'*' if layer.visible else ' '} {layer.name:<{width}}  {kind:<12}  "
            f"{shape} voxels of {'x'.join(map(str, array.voxel_size))} nm at "
            f"({', '.join(map(str, array.roi.offset))}) nm")


def _serve() -> None:
    """Sleeps until Ctrl-C (the viewer's server runs in its own thread)."""
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        click.echo("viewer stopped")
