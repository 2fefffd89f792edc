"""Exporting a run's model as a bioimage.io model package: ``save_bioimage_io_model``.

The package (a zip, bioimage.io model spec 0.5) holds the PyTorch state dict
of the model at a checkpoint, test input and output tensors (the output is
what the model predicts for the input, with the task's eval activation, as
DaCapo predicts), the axes (batch, channel, z, y, x) with their valid sizes
and voxel sizes, the task's channel names, a README and a conda environment.
Its architecture is ``dacapo.experiments.bioimageio_network.BioImageIONetwork``
with the run's task and architecture configs as arguments, so bioimageio.core
(and ``ModelZooConfig``) rebuild the network wherever ``dacapo-ml`` is
installed, offline. Needs the ``bioimageio`` extra.
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
from pathlib import Path
from typing import Any, List, Optional, Sequence, Tuple, Union

import attr
import numpy as np
from funlib.geometry import Coordinate

from dacapo._bioimageio_description import (
    DACAPO_CITATION,
    Author,
    Citation,
    PackageContent,
    build_description,
    import_spec,
)
from dacapo._bioimageio_files import (
    make_test_input,
    make_test_output,
    readme_text,
    write_files,
)
from dacapo._bioimageio_geometry import measure_geometry
from dacapo.errors import ConfigError, DacapoError, NoSuchCheckpointError

logger = logging.getLogger(__name__)

__all__ = [
    "save_bioimage_io_model",
    "save_architecture_bioimage_io_model",
    "verify_bioimage_io_model",
]

Checkpoint = Union[None, int, str]


@attr.s(frozen=True, auto_attribs=True)
class _Request:
    """What the caller asked for, checked, plus where the network comes from."""

    path: Path
    authors: Sequence[Author]
    cite: Sequence[Citation]
    license: str
    tags: Sequence[str]
    title: str
    origin: str  # "run 'r', iteration 10", for the README and description
    summary: str
    voxel_size: Coordinate
    unit: Optional[str]
    input_path: Any
    output_path: Any


def save_bioimage_io_model(
    run: Any,
    path: Any,
    authors: Sequence[Author],
    cite: Optional[Sequence[Citation]] = None,
    license: str = "MIT",
    input_test_image_path: Any = None,
    output_test_image_path: Any = None,
    checkpoint: Checkpoint = None,
    in_voxel_size: Optional[Sequence[int]] = None,
    test_saved_model: bool = False,
    *,
    tags: Sequence[str] = (),
) -> Path:
    """Writes the model of ``run`` at ``checkpoint`` as a bioimage.io package.

    Args:
        run: A ``RunConfig``, or the name of a stored run.
        path: The package to write, a ``.zip`` file (replaced if it exists).
        authors: Names, or mappings of bioimage.io author fields (``name``,
            ``affiliation``, ``email``, ``orcid``, ``github_user``).
        cite: DOIs, URLs or mappings (``text`` and ``doi`` or ``url``); the
            DaCapo paper is always cited.
        license: An SPDX license id.
        input_test_image_path: A ``.npy`` test input (spatial, channel +
            spatial or batch + channel + spatial axes, a valid input size);
            default: random values in [0, 1) of the training input shape.
        output_test_image_path: A ``.npy`` expected output for that input;
            default: what the model predicts.
        checkpoint: An iteration, ``"latest"``, or None (iteration 0: a stored
            checkpoint of iteration 0 or the freshly initialised model, as
            ``predict`` uses it).
        in_voxel_size: Voxel size of the input; default: that of the run's
            first training dataset. The unit is nanometer when that data
            names a length unit.
        test_saved_model: Also run bioimageio.core's model test on the package.
        tags: More bioimage.io tags.

    Returns:
        The path of the package.
    """
    import_spec()  # fail early without the bioimageio extra
    run_config = _run_config(run)
    zip_path = _zip_path(path)
    iteration = _iteration(run_config.name, checkpoint)
    network = _run_network(run_config, iteration)
    dims = network.input_shape.dims
    voxel_size, unit = _input_voxel_size(run_config, in_voxel_size, dims)
    kind = type(run_config.task_config).__name__.replace("TaskConfig", "")
    origin = f"run {run_config.name!r}, iteration {iteration}"
    request = _Request(
        zip_path, _authors(authors), _citations(cite), license, ["dacapo", kind.lower(), *tags],
        f"DaCapo {run_config.name}", origin,
        f"{kind} task trained with DaCapo ({origin}); predicts {', '.join(network.channels)}.",
        voxel_size, unit, input_test_image_path, output_test_image_path,
    )
    written = _export(network, run_config.architecture_config, request)
    if test_saved_model:
        verify_bioimage_io_model(written)
    return written


def save_architecture_bioimage_io_model(
    architecture_config: Any,
    path: Any,
    authors: Sequence[Author],
    cite: Optional[Sequence[Citation]] = None,
    license: str = "MIT",
    input_test_image_path: Any = None,
    output_test_image_path: Any = None,
    checkpoint: Checkpoint = None,
    in_voxel_size: Optional[Sequence[int]] = None,
    test_saved_model: bool = False,
) -> Path:
    """Writes an architecture alone (its weights as built, no task head) as a
    bioimage.io package; arguments as for ``save_bioimage_io_model``, with
    voxel size 1 (no unit) unless ``in_voxel_size`` is given."""
    from dacapo.experiments.bioimageio_network import BioImageIONetwork
    from dacapo.store.converter import converter

    if checkpoint is not None:
        raise ConfigError(
            f"bioimage.io export of architecture {architecture_config.name!r}: an "
            f"architecture has no checkpoints (got checkpoint={checkpoint!r}); export a "
            "trained run with RunConfig.save_bioimage_io_model instead"
        )
    import_spec()
    zip_path = _zip_path(path)
    network = BioImageIONetwork(converter.unstructure(architecture_config)).eval()
    dims = network.input_shape.dims
    voxel_size = _voxel_size(in_voxel_size or (1,) * dims, dims)
    origin = f"architecture {architecture_config.name!r}"
    request = _Request(
        zip_path, _authors(authors), _citations(cite), license, ["dacapo"],
        f"DaCapo {architecture_config.name}", origin,
        f"A {type(architecture_config).__name__} network body from DaCapo ({origin}).",
        voxel_size, None, input_test_image_path, output_test_image_path,
    )
    written = _export(network, architecture_config, request)
    if test_saved_model:
        verify_bioimage_io_model(written)
    return written


def verify_bioimage_io_model(path: Any) -> Any:
    """Runs ``bioimageio.core.test_model`` on the package at ``path`` and
    returns its validation summary; ``DacapoError`` listing the failures."""
    try:
        from bioimageio.core import test_model
    except ImportError as error:
        raise DacapoError(
            "testing a bioimage.io package needs the optional package bioimageio.core; "
            "install it with `pip install dacapo-ml[bioimageio]`"
        ) from error
    summary = test_model(str(path))
    if summary.status != "passed":
        failures = [
            f"{detail.name}: {'; '.join(str(e.msg) for e in detail.errors)}"
            for detail in summary.details if detail.status == "failed"
        ]
        raise DacapoError(
            f"bioimage.io package {str(path)!r} fails bioimageio.core's model test: "
            + " | ".join(failures)
        )
    return summary


def _export(network: Any, architecture_config: Any, request: _Request) -> Path:
    """Measures the geometry, computes the test tensors and writes the package."""
    import torch

    geometry = measure_geometry(network, architecture_config, network.input_shape,
                                request.voxel_size)
    inputs = make_test_input(request.input_path, geometry, network.num_in_channels,
                             network.input_shape)
    with torch.no_grad():
        predicted = network(torch.from_numpy(inputs)).numpy()
    outputs = make_test_output(request.output_path, predicted)
    with tempfile.TemporaryDirectory(prefix="dacapo-bioimageio-") as folder:
        content = PackageContent(
            name=_title(request.title), description=request.summary[:512],
            authors=request.authors, cite=request.cite, license=request.license,
            tags=[*request.tags, "pytorch", f"{len(geometry.axes)}d"],
            geometry=geometry, unit=request.unit, in_channels=network.num_in_channels,
            out_channels=network.channels, network_kwargs=network.kwargs,
            files=write_files(Path(folder), network, inputs, outputs,
                              readme_text(network, request.title, request.origin, geometry,
                                          request.unit)),
        )
        _write_package(build_description(content), request.path)
    logger.info("bioimage.io export: wrote %s (%s)", request.path, request.origin)
    return request.path


def _write_package(description: Any, path: Path) -> None:
    """Zips the package next to ``path``, then moves it into place."""
    from bioimageio.spec import save_bioimageio_package

    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.stem}.partial.zip")
    try:
        save_bioimageio_package(description, output_path=partial)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def _run_config(run: Any) -> Any:
    if isinstance(run, str):
        from dacapo.store.create_store import create_config_store

        return create_config_store().retrieve_run_config(run)
    if not hasattr(run, "task_config") or not hasattr(run, "architecture_config"):
        raise ConfigError(
            f"bioimage.io export: expected a RunConfig or a run name, got "
            f"{type(run).__name__} {run!r}"
        )
    return run


def _iteration(run_name: str, checkpoint: Checkpoint) -> int:
    """The iteration ``checkpoint`` names (None: 0)."""
    if checkpoint is None:
        return 0
    if checkpoint == "latest":
        from dacapo.store.create_store import create_weights_store

        latest = create_weights_store().latest_iteration(run_name)
        if latest is None:
            raise NoSuchCheckpointError(
                f"bioimage.io export: run {run_name!r} has no checkpoints, so there is no "
                "latest one; train the run, or pass checkpoint=None for the untrained model"
            )
        return latest
    if isinstance(checkpoint, bool) or not isinstance(checkpoint, (int, np.integer)) \
            or checkpoint < 0:
        raise ConfigError(
            f"bioimage.io export: checkpoint must be an iteration (a whole number >= 0), "
            f"'latest' or None, got {checkpoint!r}"
        )
    return int(checkpoint)


def _run_network(run_config: Any, iteration: int) -> Any:
    """The run's ``BioImageIONetwork`` with the weights ``predict`` would use."""
    from dacapo._build import build
    from dacapo._inference_setup import load_model
    from dacapo.experiments.bioimageio_network import BioImageIONetwork
    from dacapo.store.converter import converter
    from dacapo.store.create_store import create_weights_store

    try:
        model = load_model(run_config, iteration)
    except NoSuchCheckpointError as error:
        latest = create_weights_store().latest_iteration(run_config.name)
        raise NoSuchCheckpointError(
            f"bioimage.io export: run {run_config.name!r} has no checkpoint of iteration "
            f"{iteration} (latest stored: {latest}); give a stored iteration, 'latest', "
            "or None for the untrained model"
        ) from error
    kwargs = {"architecture_config": converter.unstructure(run_config.architecture_config),
              "task_config": converter.unstructure(run_config.task_config)}
    channels = list(build(run_config.task_config).channels)
    return BioImageIONetwork.wrap(model, channels, kwargs).eval()


def _input_voxel_size(
    run_config: Any, in_voxel_size: Optional[Sequence[int]], dims: int
) -> Tuple[Coordinate, Optional[str]]:
    """The input voxel size and its bioimage.io unit (or None)."""
    data_voxel_size, unit, problem = _training_data_geometry(run_config)
    if in_voxel_size is None:
        if data_voxel_size is None:
            raise ConfigError(
                f"bioimage.io export of run {run_config.name!r}: cannot read the input voxel "
                f"size from its training data ({problem}); pass in_voxel_size (e.g. "
                "(8, 8, 8)) or --voxel-size"
            )
        return data_voxel_size, unit
    voxel_size = _voxel_size(in_voxel_size, dims)
    if data_voxel_size is not None and data_voxel_size != voxel_size:
        logger.warning("bioimage.io export: in_voxel_size %s differs from the voxel size %s "
                       "of run %r's training data", voxel_size, data_voxel_size, run_config.name)
    return voxel_size, unit


def _training_data_geometry(run_config: Any) -> Tuple[Optional[Coordinate], Optional[str], str]:
    """Voxel size and unit of the first training raw array, or why not."""
    from dacapo._build import build

    try:
        raw = build(run_config.datasplit_config).train[0].raw
        voxel_size = raw.voxel_size
    except Exception as error:  # missing or unreadable data fails in many ways
        return None, None, f"{type(error).__name__}: {error}"
    units = None
    while raw is not None and units is None:  # wrapped arrays: ask their source
        units = getattr(raw, "units", None)
        raw = getattr(raw, "_source_array", None)
    named = bool(units) and all(u == "nanometer" for u in units or [])
    return voxel_size, "nanometer" if named else None, ""


def _voxel_size(values: Sequence[int], dims: int) -> Coordinate:
    values = list(values)
    if len(values) != dims or not all(
        isinstance(v, (int, np.integer)) and not isinstance(v, bool) and v > 0 for v in values
    ):
        raise ConfigError(
            f"bioimage.io export: in_voxel_size must be {dims} whole numbers > 0 (one per "
            f"spatial axis), got {values!r}"
        )
    return Coordinate(int(v) for v in values)


def _zip_path(path: Any) -> Path:
    result = Path(path).expanduser()
    if result.suffix != ".zip" or result.is_dir():
        raise ConfigError(
            f"bioimage.io export: the package path must be a .zip file, got {str(path)!r}; "
            "e.g. model.zip"
        )
    return result


def _authors(authors: Sequence[Author]) -> list:
    """``authors`` as a list (one name alone too); ``ConfigError`` when empty."""
    entries = [authors] if isinstance(authors, (str, dict)) else list(authors or [])
    if not entries:
        raise ConfigError(
            "bioimage.io export: authors is empty; name at least one author (e.g. "
            "authors=['Jane Doe'], or --author on the command line)"
        )
    return entries


def _citations(cite: Optional[Sequence[Citation]]) -> list:
    """``cite`` as a list, with the DaCapo paper added unless it is there."""
    entries: List[Citation] = [cite] if isinstance(cite, (str, dict)) else list(cite or [])
    if not any(isinstance(e, dict) and e.get("doi") == DACAPO_CITATION["doi"]
               or e == DACAPO_CITATION["doi"] for e in entries):
        entries.append(dict(DACAPO_CITATION))
    return entries


def _title(title: str) -> str:
    """``title`` with the characters bioimage.io names may not hold replaced."""
    return re.sub(r"[^A-Za-z0-9_+\- ()]", "-", title)[:128]

