"""The arrays of a run that ``dacapo view`` shows, each named as a layer and
marked as image or segmentation:

=======================================  ==========================================
layer                                    array
=======================================  ==========================================
``train/<dataset>/{raw,gt,mask}``        the datasplit's training datasets
``validate/<dataset>/{raw,gt,mask}``     its validation datasets
``snapshot/<iteration>/<array>/<i>``     sample ``i`` of a training snapshot
                                         (``snapshot.zarr``; raw, gt, mask,
                                         target, weight, prediction)
``best/<dataset>/<criterion>``           the best post-processed validation
                                         output of each criterion
``validation/<iteration>/<dataset>/...`` validation predictions and outputs kept
                                         in ``validation.zarr``
``outputs/<container>/<dataset>``       what ``predict`` and ``apply`` wrote for
                                         the run (recorded in its array store)
``<dataset path>``                       arrays given by the caller (predictions
                                         and segmentations of ``dacapo apply``)
=======================================  ==========================================

Ground truth, masks and post-processed outputs with integer values are
segmentation layers; everything else is an image layer.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Iterable, List, NamedTuple, Optional, Sequence

import numpy as np

from dacapo._array_identifiers import LocalArrayIdentifier
from dacapo._paths import absolute
from dacapo.errors import ConfigError, DacapoError

logger = logging.getLogger(__name__)

__all__ = ["RunLayer", "ViewArray", "KINDS", "array_layers", "datasplit_layers",
           "recorded_layers", "snapshot_layers", "validation_layers", "parse_array_path",
           "stored_iterations"]

#: kinds of arrays given by the caller: guessed, image or segmentation
KINDS = ("auto", "image", "labels")
_LABEL_NAMES = ("gt", "mask", "labels", "output")


class RunLayer(NamedTuple):
    """One layer: its name, the DaCapo ``Array`` it shows, whether it is a
    segmentation layer and whether it is shown when the viewer opens."""

    name: str
    array: Any
    segmentation: bool
    visible: bool = False


class ViewArray(NamedTuple):
    """An array the caller adds: where it is, and ``kind`` (see ``KINDS``)."""

    identifier: LocalArrayIdentifier
    kind: str = "auto"


def parse_array_path(text: Any) -> LocalArrayIdentifier:
    """``"/data/volume.zarr/prediction"`` as container and dataset: the
    container is the path up to its first component ending in ``.zarr`` or ``.n5``."""
    if isinstance(text, LocalArrayIdentifier):
        return text
    parts = Path(str(text)).parts
    ends = [i for i, part in enumerate(parts) if part.endswith((".zarr", ".n5"))]
    if not ends or ends[0] == len(parts) - 1:
        raise ConfigError(
            f"array {str(text)!r} is not CONTAINER/DATASET; expected a path through a "
            "zarr or N5 container to a dataset inside it, e.g. 'volume.zarr/prediction'"
        )
    return LocalArrayIdentifier(Path(*parts[: ends[0] + 1]), "/".join(parts[ends[0] + 1:]))


def open_stored(identifier: LocalArrayIdentifier, name: str) -> Any:
    """The stored array at ``identifier``, read-only (``ArrayNotFoundError``
    naming what the container holds when it is absent)."""
    from dacapo._build import build
    from dacapo.experiments.datasplits.datasets.arrays import ZarrArrayConfig

    return build(ZarrArrayConfig(name=name, file_name=identifier.container,
                                 dataset=identifier.dataset, mode="r"))


def _is_labels(name: str, array: Any) -> bool:
    kind = np.dtype(array.dtype).kind
    return name.split("/")[-1].split("_")[0] in _LABEL_NAMES and kind in "uib"


def datasplit_layers(datasplit: Any) -> List[RunLayer]:
    """The raw, gt and mask of each training and validation dataset."""
    layers = []
    for role, datasets in (("train", datasplit.train), ("validate", datasplit.validate or [])):
        for dataset in datasets:
            for key in ("raw", "gt", "mask"):
                array = getattr(dataset, key, None)
                if array is not None:
                    name = f"{role}/{dataset.name}/{key}"
                    layers.append(RunLayer(name, array, _is_labels(key, array)))
    return layers


def stored_iterations(container: Path) -> List[int]:
    """The iterations (groups named by a number) in ``container``, ascending."""
    if not container.is_dir():
        return []
    return sorted(int(p.name) for p in container.iterdir() if p.is_dir() and p.name.isdigit())


def snapshot_layers(container: Path, iteration: Optional[int]) -> List[RunLayer]:
    """Every sample of every array of the snapshot of ``iteration`` (default:
    the latest snapshot)."""
    import zarr

    iterations = stored_iterations(container)
    if iteration is None and iterations:
        iteration = iterations[-1]
    if iteration not in iterations:
        return []
    volumes = zarr.open_group(str(container), mode="r", path=f"{iteration}/volumes")
    layers = []
    for array_name in sorted(volumes.group_keys()):
        for sample in sorted(volumes[array_name].array_keys(), key=_number):
            path = f"{iteration}/volumes/{array_name}/{sample}"
            array = open_stored(LocalArrayIdentifier(container, path), path)
            name = f"snapshot/{iteration}/{array_name}/{sample}"
            layers.append(RunLayer(name, array, _is_labels(array_name, array)))
    return layers


def _number(text: str) -> Any:
    return (0, int(text), "") if text.isdigit() else (1, 0, text)


def validation_layers(container: Path, iteration: Optional[int]) -> List[RunLayer]:
    """The best output of each dataset and criterion, then the predictions and
    outputs validation kept (of ``iteration`` only, when given)."""
    import zarr

    if not container.is_dir():
        return []
    root = zarr.open_group(str(container), mode="r")
    layers = []
    for dataset in sorted(k for k in root.group_keys() if not k.isdigit() and k != "inputs"):
        for criterion in sorted(root[dataset].array_keys()):
            layers.append(_stored_layer(container, f"{dataset}/{criterion}",
                                        f"best/{dataset}/{criterion}", labels=True))
    for it in stored_iterations(container):
        if iteration is None or it == iteration:
            for path in _arrays_below(root[str(it)], str(it)):
                labels = "/output/" in f"/{path}/"
                layers.append(_stored_layer(container, path, f"validation/{path}", labels))
    return layers


def _arrays_below(group: Any, prefix: str) -> Iterable[str]:
    for name in sorted(group.array_keys()):
        yield f"{prefix}/{name}"
    for name in sorted(group.group_keys()):
        yield from _arrays_below(group[name], f"{prefix}/{name}")


def _stored_layer(container: Path, path: str, name: str, labels: bool) -> RunLayer:
    """Stored ``path`` as layer ``name``, a segmentation if ``labels`` and integer."""
    array = open_stored(LocalArrayIdentifier(container, path), name)
    return RunLayer(name, array, labels and np.dtype(array.dtype).kind in "uib")


def array_layers(arrays: Sequence[ViewArray], taken: Sequence[str] = ()) -> List[RunLayer]:
    """Layers of arrays given by the caller, all shown; ``kind`` "auto" makes
    a segmentation of integer arrays named ``output*`` (what ``dacapo apply``
    writes) or holding 32/64-bit integers."""
    layers: List[RunLayer] = []
    names = set(taken)
    for view_array in arrays:
        if view_array.kind not in KINDS:
            raise ConfigError(f"array {view_array.identifier}: kind {view_array.kind!r} is "
                              f"not one of {', '.join(KINDS)}")
        name = _unique(view_array.identifier.dataset.strip("/"), names)
        array = open_stored(view_array.identifier, name)
        layers.append(RunLayer(name, array, _segmentation(view_array.kind, name, array), True))
    return layers


def recorded_layers(records: Sequence[Any], given: Sequence[ViewArray] = (),
                    taken: Sequence[str] = ()) -> List[RunLayer]:
    """Layers of the outputs a run recorded (``OutputRecord`` s, newest last),
    hidden at first, except those also ``given`` and those gone since (logged)."""
    given_paths = {_key(view_array.identifier) for view_array in given}
    layers: List[RunLayer] = []
    names = set(taken)
    for record in records:
        identifier = LocalArrayIdentifier(record.container, record.dataset)
        if _key(identifier) in given_paths:
            continue
        stem = Path(str(record.container).rstrip("/")).stem
        name = f"outputs/{stem}/{record.dataset}"
        try:
            array = open_stored(identifier, name)
        except (DacapoError, OSError, ValueError) as error:  # deleted, moved, unreachable
            logger.info("%s, recorded by the run, is not shown: %s", record.path, error)
            continue
        name = _unique(name, names)
        layers.append(RunLayer(name, array, _segmentation("auto", record.dataset, array)))
    return layers


def _key(identifier: LocalArrayIdentifier) -> tuple:
    return (absolute(identifier.container), str(identifier.dataset).strip("/"))


def _segmentation(kind: str, name: str, array: Any) -> bool:
    if kind != "auto":
        return kind == "labels"
    dtype = np.dtype(array.dtype)
    return _is_labels(name, array) or (dtype.kind in "ui" and dtype.itemsize >= 4)


def _unique(name: str, taken: set) -> str:
    candidate, count = name, 1
    while candidate in taken:
        count += 1
        candidate = f"{name} ({count})"
    taken.add(candidate)
    return candidate
