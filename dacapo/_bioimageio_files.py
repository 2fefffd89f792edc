"""The files of a bioimage.io package: weights, test tensors, README, environment."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, Optional

import numpy as np
from funlib.geometry import Coordinate

from dacapo._bioimageio_geometry import TensorGeometry
from dacapo.errors import ArrayNotFoundError, ConfigError

__all__ = ["make_test_input", "make_test_output", "readme_text", "write_files"]

#: seed of the random test input
_SEED = 0
#: bioimage.io refuses test outputs whose values all lie within +-this
_TOO_SMALL = 1e-4


def make_test_input(path: Any, geometry: TensorGeometry, channels: int,
               input_shape: Coordinate) -> np.ndarray:
    """The test input, (batch, channel, *space) float32: the ``.npy`` file at
    ``path`` (spatial or channel + spatial axes get the missing ones), or
    random values in [0, 1) of ``input_shape``."""
    if path is None:
        rng = np.random.default_rng(_SEED)
        return rng.random((1, channels) + tuple(input_shape), dtype=np.float32)
    data = _load(path, "input_test_image_path")
    dims = len(geometry.axes)
    if data.ndim not in (dims, dims + 1, dims + 2):
        raise ConfigError(
            f"bioimage.io export: input_test_image_path {str(path)!r} has shape "
            f"{data.shape}; expected {dims} spatial axes, optionally after a channel "
            "axis or batch and channel axes"
        )
    data = data.reshape((1,) * (dims + 2 - data.ndim) + data.shape)
    if data.shape[1] != channels:
        raise ConfigError(
            f"bioimage.io export: input_test_image_path {str(path)!r} has {data.shape[1]} "
            f"channels (shape {data.shape}); the network reads {channels}"
        )
    geometry.check_input(data.shape[2:], f"input_test_image_path {str(path)!r}")
    return data.astype(np.float32)


def make_test_output(path: Any, predicted: np.ndarray) -> np.ndarray:
    """The expected output: ``predicted``, or the ``.npy`` file at ``path``
    (a missing batch axis added). bioimage.io cannot test an output whose
    values all lie within +-1e-4: ``ConfigError``."""
    data, what = predicted, "the network's prediction for the test input"
    if path is not None:
        data, what = _load(path, "output_test_image_path"), f"output_test_image_path {str(path)!r}"
        if data.ndim == predicted.ndim - 1:
            data = data[np.newaxis]
        if data.shape != predicted.shape:
            raise ConfigError(
                f"bioimage.io export: {what} has shape {data.shape}, but the network "
                f"predicts {predicted.shape} for the test input"
            )
    if np.all(np.abs(data) < _TOO_SMALL):
        raise ConfigError(
            f"bioimage.io export: {what} lies within +-{_TOO_SMALL:g} everywhere, too close "
            "to 0 for bioimage.io to test the package (an untrained network, or an input it "
            "does not respond to); give an input_test_image_path it predicts something for"
        )
    return data.astype(np.float32)


def _load(path: Any, what: str) -> np.ndarray:
    if not Path(path).is_file():
        raise ArrayNotFoundError(
            f"bioimage.io export: {what} {str(path)!r} does not exist; give a .npy file"
        )
    try:
        return np.asarray(np.load(path, allow_pickle=False))
    except (ValueError, OSError) as error:
        raise ConfigError(
            f"bioimage.io export: {what} {str(path)!r} is not a numpy .npy array ({error})"
        ) from error


def readme_text(network: Any, title: str, origin: str, geometry: TensorGeometry,
                unit: Optional[str]) -> str:
    """The package's README: what the network is, its axes, how to use it."""
    unit_text = f" {unit}" if unit else " (no unit)"
    sizes = ", ".join(
        f"{a}: {m}" + (f" + n*{s}" if s else "")
        for a, m, s in zip(geometry.axes, geometry.minimum, geometry.step)
    )
    return "\n".join([
        f"# {title}",
        "",
        f"Exported from DaCapo ({origin}).",
        "",
        "## Input and output",
        "",
        f"- input `raw`: {network.num_in_channels} channel(s), float32, normalised "
        "as the run's datasplit fed the network during training (e.g. intensities "
        f"scaled to [0, 1]); voxel size {tuple(geometry.input_voxel_size)}{unit_text}; "
        f"valid sizes {sizes}.",
        f"- output `prediction`: channels {', '.join(network.channels)}, after the "
        f"task's eval activation; voxel size {tuple(geometry.output_voxel_size)}"
        f"{unit_text}. With valid padding the output covers the centre of the input.",
        "",
        "## Use",
        "",
        "The architecture is `dacapo.experiments.bioimageio_network.BioImageIONetwork`: "
        "install `dacapo-ml` (see environment.yaml). In DaCapo, "
        "`ModelZooConfig(name=..., model_id=\"<this package>.zip\")` uses it as a "
        "pretrained network body.",
        "",
        "## Validation",
        "",
        "DaCapo validated the run on its validation datasets; the scores are stored "
        "with the run (`dacapo plot -r <run>`). The test tensors of this package are "
        "the network's prediction for its test input at the exported checkpoint.",
        "",
    ])


def write_files(folder: Path, network: Any, inputs: np.ndarray, outputs: np.ndarray,
                readme: str) -> Dict[str, Path]:
    """Writes the package's files into ``folder``; returns them by role."""
    import torch

    from dacapo import __version__

    files = {
        "weights": folder / "weights.pt",
        "test_input": folder / "test_input.npy",
        "test_output": folder / "test_output.npy",
        "readme": folder / "README.md",
        "environment": folder / "environment.yaml",
    }
    torch.save(network.state_dict(), files["weights"])
    np.save(files["test_input"], inputs)
    np.save(files["test_output"], outputs)
    files["readme"].write_text(readme, encoding="utf-8")
    files["environment"].write_text(
        "name: dacapo\nchannels:\n  - conda-forge\ndependencies:\n  - python>=3.10\n"
        f"  - pip\n  - pip:\n      - dacapo-ml>={__version__}\n",
        encoding="utf-8",
    )
    return files
