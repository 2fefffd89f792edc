"""Config of a bioimage.io model-zoo network used as the network body."""

from __future__ import annotations

from pathlib import Path, PurePath
from typing import Optional, Union

import attr

from dacapo._build import runtime_type
from dacapo._checks import check_regex
from dacapo.errors import ConfigError

from .architecture_config import ArchitectureConfig

_DESCRIPTION_NAMES = ("rdf.yaml", "bioimageio.yaml")


def _text(value):
    """A path as text; anything but text or a path is left to the field type check."""
    return str(value) if isinstance(value, PurePath) else value


@attr.s
class ModelZooConfig(ArchitectureConfig):
    """A PyTorch (state dict) model from the bioimage.io model zoo as the body.

    Needs the optional ``bioimageio.core`` package (``pip install
    dacapo-ml[bioimageio]``). The model must have one input and one output
    tensor with axes (batch, channel, space...). Its pretrained weights are
    kept (``Model`` does not re-initialise them).
    """

    architecture_type = runtime_type(".model_zoo_architecture.ModelZooArchitecture")

    #: ``validate()`` opens data or files, so stores check this config in type only
    _validate_reads_files = True

    model_id: str = attr.ib(
        converter=_text,
        metadata={
            "help_text": "A local model package (.zip), description file (rdf.yaml) or "
            "folder holding one; or a bioimage.io id, DOI or URL (needs network access)."
        },
    )
    trainable_layers: Optional[str] = attr.ib(
        default=None,
        metadata={
            "help_text": "A regular expression: only parameters whose names match it "
            "(re.search) stay trainable, all others are frozen. Default: all trainable."
        },
    )

    def check_values(self) -> None:
        owner = f"ModelZooConfig {self.name!r}"
        check_regex(owner, "trainable_layers", self.trainable_layers, allow_none=True)

    def validate(self) -> None:
        """The fields, and that a local ``model_id`` exists."""
        super().validate()
        model_source(self.model_id, f"ModelZooConfig {self.name!r}")


def model_source(model_id: str, owner: str) -> Union[Path, str]:
    """The local description or package ``model_id`` names, or ``model_id``
    itself when it is remote; ``ConfigError`` for a missing local file."""
    path = Path(model_id).expanduser()
    if path.is_dir():
        for name in _DESCRIPTION_NAMES:
            if (path / name).is_file():
                return path / name
        raise ConfigError(
            f"{owner}: folder {model_id!r} holds no model description "
            f"({' or '.join(_DESCRIPTION_NAMES)}); give the description file or a .zip package"
        )
    if path.is_file():
        return path
    looks_local = path.suffix in (".yaml", ".yml", ".zip") or model_id.startswith(
        ("/", "./", "../", "~")
    )
    if looks_local and "://" not in model_id:
        raise ConfigError(
            f"{owner}: model file {model_id!r} does not exist; give the path of a "
            "bioimage.io package (.zip) or description (rdf.yaml)"
        )
    return model_id
