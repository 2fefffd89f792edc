"""The converter: configs <-> plain data with a __type__ tag."""

from pathlib import Path
from typing import Dict, List, Optional, Tuple

import attr
import pytest
import yaml
from funlib.geometry import Coordinate, Roi

from dacapo._registry import RegisteredConfig
from dacapo.errors import ConfigError, UnknownTypeError
from dacapo.experiments.starts import StartConfig
from dacapo.store.converter import converter, to_plain
from tests._registries import unregister


@attr.s
class _ShapeBase(RegisteredConfig, registry_root=True, abstract=True):
    name: str = attr.ib()


@attr.s
class BoxShapeConfig(_ShapeBase):
    size: Coordinate = attr.ib()
    roi: Optional[Roi] = attr.ib(default=None)
    path: Path = attr.ib(default=Path("/data/box.zarr"))
    scale: float = attr.ib(default=1.0)
    groups: List[Tuple[str, List[int]]] = attr.ib(factory=list)
    enabled: bool = attr.ib(default=True)


@attr.s
class StackShapeConfig(_ShapeBase):
    parts: List[_ShapeBase] = attr.ib(factory=list)
    by_name: Dict[str, _ShapeBase] = attr.ib(factory=dict)
    _axes: Optional[List[str]] = attr.ib(default=None)


# a test-only registry: the converter finds it through _ShapeBase.registry()
unregister(_ShapeBase)


def _box():
    return BoxShapeConfig(
        name="box",
        size=Coordinate(4, 5, 6),
        roi=Roi((0, 8, 16), (32, 32, 32)),
        groups=[("mito", [3, 4]), ("er", [])],
    )


def test_nested_configs_round_trip_through_yaml():
    config = StackShapeConfig(
        name="stack", parts=[_box()], by_name={"b": _box()}, axes=["z", "y", "x"]
    )
    data = converter.unstructure(config)
    assert data["__type__"] == "StackShapeConfig"
    assert data["parts"][0]["__type__"] == "BoxShapeConfig"
    assert data["parts"][0]["size"] == [4, 5, 6]
    assert data["parts"][0]["roi"] == [[0, 8, 16], [32, 32, 32]]
    assert data["parts"][0]["path"] == "/data/box.zarr"
    assert data["axes"] == ["z", "y", "x"]  # stored under its init name
    text = yaml.safe_dump(data)  # plain data only: no tuples, no paths
    assert converter.structure(yaml.safe_load(text), _ShapeBase) == config


def test_roi_is_read_as_mapping_too():
    data = converter.unstructure(_box())
    data["roi"] = {"offset": [0, 8, 16], "shape": [32, 32, 32]}
    assert converter.structure(data, _ShapeBase).roi == Roi((0, 8, 16), (32, 32, 32))


def test_unknown_type_suggests_the_closest_name():
    data = converter.unstructure(_box())
    data["__type__"] = "BoxShapConfig"
    with pytest.raises(UnknownTypeError, match="did you mean 'BoxShapeConfig'"):
        converter.structure(data, _ShapeBase)


def test_missing_type_for_an_abstract_base_is_an_error():
    data = converter.unstructure(_box())
    del data["__type__"]
    with pytest.raises(ConfigError, match="has no '__type__' key"):
        converter.structure(data, _ShapeBase)


def test_concrete_class_needs_no_type_tag():
    assert converter.structure({"run": "r", "criterion": "voi"}, StartConfig) == StartConfig("r", "voi")


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("size", "big", r"field 'size'.*expected a list of integers"),
        ("size", [1.5, 2, 3], r"field 'size'.*non-integral float 1.5"),
        ("scale", "fast", r"field 'scale'.*expected float, got str 'fast'"),
        ("enabled", "yes", r"field 'enabled'.*expected bool, got str 'yes'"),
        ("name", 7, r"field 'name'.*expected str, got int 7"),
        ("roi", [[0, 0, 0]], r"field 'roi'.*expected a Roi"),
        ("path", 3, r"field 'path'.*expected a path string"),
    ],
)
def test_wrong_field_types_name_the_config_and_field(field, value, message):
    data = converter.unstructure(_box())
    data[field] = value
    with pytest.raises(ConfigError, match=message):
        converter.structure(data, _ShapeBase)


def test_unknown_fields_are_listed():
    data = converter.unstructure(_box())
    data["colour"] = "red"
    with pytest.raises(ConfigError, match=r"BoxShapeConfig: unknown field\(s\) \['colour'\]"):
        converter.structure(data, _ShapeBase)


def test_missing_required_field_names_the_config():
    with pytest.raises(ConfigError, match="BoxShapeConfig 'box'.*size"):
        converter.structure({"__type__": "BoxShapeConfig", "name": "box"}, _ShapeBase)


def test_a_type_of_another_base_is_rejected():
    with pytest.raises(UnknownTypeError, match="unknown _ShapeBase type 'StartConfig'"):
        converter.structure({"__type__": "StartConfig", "run": "a", "criterion": "b"}, _ShapeBase)


def test_non_mapping_is_rejected():
    with pytest.raises(ConfigError, match="expected a mapping describing a _ShapeBase"):
        converter.structure(["box"], _ShapeBase)


def test_to_plain_converts_tuples_paths_and_numpy_scalars():
    import numpy as np

    assert to_plain({"a": (1, (2, 3)), "p": Path("/x"), "n": np.float32(0.5)}) == {
        "a": [1, [2, 3]],
        "p": "/x",
        "n": 0.5,
    }


def test_url_paths_keep_their_protocol():
    data = converter.unstructure(_box())
    data["path"] = "s3://bucket/data/box.zarr"
    path = converter.structure(data, _ShapeBase).path
    assert str(path) == "s3://bucket/data/box.zarr"
    assert converter.unstructure(converter.structure(data, _ShapeBase))["path"] == "s3://bucket/data/box.zarr"


@pytest.mark.parametrize("field, value", [("channels", "mito"), ("channels", b"mito")])
def test_a_text_where_a_list_belongs_is_refused_not_split_into_characters(field, value):
    from dacapo.experiments.tasks.distance_task_config import DistanceTaskConfig

    data = converter.unstructure(DistanceTaskConfig(
        "dist", channels=["mito"], clip_distance=4.0, tol_distance=4.0, scale_factor=4.0))
    data[field] = value
    with pytest.raises(ConfigError, match=r"DistanceTaskConfig 'dist', field 'channels': "
                       r"expected a list, got the text b?'mito'; write a list, e\.g\. \[b?'mito'\]"):
        converter.structure(data, DistanceTaskConfig)


def test_optional_lists_are_checked_and_unions_with_text_are_not():
    from typing import List, Optional, Sequence, Tuple, Union

    from dacapo.store.converter import _is_collection_type

    assert _is_collection_type(Optional[List[str]]) and _is_collection_type(Sequence[int])
    assert _is_collection_type(Tuple[int, ...]) and _is_collection_type(list)
    assert not _is_collection_type(Union[str, List[str]]) and not _is_collection_type(str)
