"""The bioimage.io (spec 0.5) model description of an exported DaCapo network.

Built with ``bioimageio.spec`` from plain values (``PackageContent``); the
files it names (weights, test tensors, README, environment) must exist, since
bioimageio.spec hashes them and checks the test tensors against the axes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence, Union

import attr

from dacapo._bioimageio_geometry import TensorGeometry
from dacapo.errors import ConfigError, DacapoError

__all__ = ["PackageContent", "build_description", "import_spec", "DACAPO_CITATION"]

#: cited by every exported model
DACAPO_CITATION = {
    "text": "Patton et al. 2024, DaCapo: a modular deep learning framework for scalable "
    "3D image segmentation",
    "doi": "10.48550/arXiv.2408.02834",
}
INPUT_ID, OUTPUT_ID = "raw", "prediction"
Author = Union[str, Mapping[str, Any]]
Citation = Union[str, Mapping[str, Any]]


@attr.s(frozen=True, auto_attribs=True)
class PackageContent:
    """Everything the description says, and the files it points to."""

    name: str
    description: str
    authors: Sequence[Author]
    cite: Sequence[Citation]
    license: str
    tags: Sequence[str]
    geometry: TensorGeometry
    unit: Optional[str]
    in_channels: int
    out_channels: Sequence[str]
    network_kwargs: Dict[str, Any]
    files: Dict[str, Path]  # weights, test_input, test_output, readme, environment


def import_spec() -> Any:
    """``bioimageio.spec.model.v0_5``, or a ``DacapoError`` naming the extra."""
    try:
        import bioimageio.spec.model.v0_5 as spec
    except ImportError as error:
        raise DacapoError(
            "bioimage.io export needs the optional package bioimageio.spec (with "
            "bioimageio.core), which is not installed; install it with "
            "`pip install dacapo-ml[bioimageio]`"
        ) from error
    return spec


def build_description(content: PackageContent) -> Any:
    """The ``ModelDescr``; ``ConfigError`` when bioimageio.spec rejects a value."""
    import pydantic

    spec = import_spec()
    try:
        return spec.ModelDescr(
            name=content.name,
            description=content.description,
            authors=[_author(a) for a in content.authors],
            cite=[_citation(c) for c in content.cite],
            license=content.license,
            tags=list(content.tags),
            documentation=spec.FileDescr(source=content.files["readme"]),
            inputs=[_input_tensor(spec, content)],
            outputs=[_output_tensor(spec, content)],
            weights=spec.WeightsDescr(pytorch_state_dict=_weights(spec, content)),
        )
    except pydantic.ValidationError as error:
        raise ConfigError(
            f"bioimage.io export of {content.name!r}: bioimageio.spec rejects the model "
            f"description ({error.error_count()} errors): {_errors(error)}; fix the "
            "values named (e.g. authors, cite, license)"
        ) from error


def _errors(error: Any) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) or 'model'}: {e['msg']}" for e in error.errors()
    )


def _author(author: Author) -> Dict[str, Any]:
    """An author's fields (bioimageio.spec checks them with the description)."""
    return {"name": author} if isinstance(author, str) else dict(author)


def _citation(entry: Citation) -> Dict[str, Any]:
    """A citation: a DOI, a URL, or a mapping with ``text`` and ``doi`` or ``url``."""
    if isinstance(entry, str):
        if entry.startswith("10."):
            return {"text": entry, "doi": entry}
        if entry.startswith(("http://", "https://")):
            return {"text": entry, "url": entry}
        raise ConfigError(
            f"bioimage.io export: citation {entry!r} is neither a DOI (10.xxx/...) nor a "
            "URL; give a DOI, a URL, or a mapping {'text': ..., 'doi': ...}"
        )
    return dict(entry)


def _space_axes(spec: Any, content: PackageContent, output: bool) -> List[Any]:
    geometry = content.geometry
    voxel_size = geometry.output_voxel_size if output else geometry.input_voxel_size
    axes = []
    for index, axis_id in enumerate(geometry.axes):
        if output:
            size: Any = geometry.fixed_output[index]
            if geometry.parameterized:
                size = spec.SizeReference(tensor_id=spec.TensorId(INPUT_ID),
                                          axis_id=spec.AxisId(axis_id),
                                          offset=geometry.offset[index])
            axis_type = spec.SpaceOutputAxis
        else:
            size = geometry.minimum[index]
            if geometry.parameterized:
                size = spec.ParameterizedSize(min=geometry.minimum[index],
                                              step=max(geometry.step[index], 1))
            axis_type = spec.SpaceInputAxis
        axes.append(axis_type(id=spec.AxisId(axis_id), size=size,
                              scale=float(voxel_size[index]), unit=content.unit))
    return axes


def _input_tensor(spec: Any, content: PackageContent) -> Any:
    names = ["raw"] if content.in_channels == 1 else [
        f"raw{i}" for i in range(content.in_channels)
    ]
    return spec.InputTensorDescr(
        id=spec.TensorId(INPUT_ID),
        description="raw intensities, normalised as the run's datasplit feeds them",
        axes=[spec.BatchAxis(), spec.ChannelAxis(channel_names=names)]
        + _space_axes(spec, content, output=False),
        test_tensor=spec.FileDescr(source=content.files["test_input"]),
    )


def _output_tensor(spec: Any, content: PackageContent) -> Any:
    return spec.OutputTensorDescr(
        id=spec.TensorId(OUTPUT_ID),
        description="the prediction, after the task's eval activation",
        axes=[spec.BatchAxis(), spec.ChannelAxis(channel_names=list(content.out_channels))]
        + _space_axes(spec, content, output=True),
        test_tensor=spec.FileDescr(source=content.files["test_output"]),
    )


def _weights(spec: Any, content: PackageContent) -> Any:
    import torch

    from dacapo.experiments.bioimageio_network import BioImageIONetwork

    return spec.PytorchStateDictWeightsDescr(
        source=content.files["weights"],
        architecture=spec.ArchitectureFromLibraryDescr(
            import_from=BioImageIONetwork.__module__,
            callable=spec.Identifier(BioImageIONetwork.__name__),
            kwargs=content.network_kwargs,
        ),
        pytorch_version=spec.Version(torch.__version__.split("+")[0]),
        dependencies=spec.FileDescr(source=content.files["environment"]),
    )
