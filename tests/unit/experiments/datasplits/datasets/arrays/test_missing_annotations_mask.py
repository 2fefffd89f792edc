"""MissingAnnotationsMask: labels > 0 per group, zeroed for unannotated classes."""

from __future__ import annotations

import logging

import numpy as np
import pytest
import zarr

from dacapo.errors import ConfigError
from dacapo.experiments.datasplits.datasets.arrays import (
    MissingAnnotationsMaskConfig,
    ZarrArrayConfig,
)

LABELS = np.array([[0, 1, 2], [3, 1, 0]], np.uint8)
GROUPS = [("a", [1]), ("b", [2, 3]), ("any", [])]
ANNOTATED = [[0, 1, 1], [1, 1, 0]]
ZERO = np.zeros((2, 3))


def zarr_config(make_zarr, tmp_path, data=LABELS, attrs=None, dataset="labels"):
    make_zarr(tmp_path / "data.zarr", dataset, np.asarray(data), (1, 1), None)
    if attrs:
        zarr.open(str(tmp_path / "data.zarr"))[dataset].attrs.update(attrs)
    return ZarrArrayConfig(name="labels", file_name=tmp_path / "data.zarr", dataset=dataset)


def mask(source, groupings=GROUPS):
    config = MissingAnnotationsMaskConfig(
        name="mask", source_array_config=source, groupings=groupings
    )
    return config.array_type(config)


def label(value, present, annotated, key="value"):
    return {key: value, "name": {"short": f"c{value}", "long": f"class {value}"},
            "annotationState": {"present": present, "annotated": annotated}}


def test_without_metadata_everything_is_annotated(tmp_path, make_zarr):
    array = mask(zarr_config(make_zarr, tmp_path))
    assert array.axes == ["c", "y", "x"]
    assert array.dtype == np.uint8
    assert array.shape == (3, 2, 3)
    values = array[array.roi]
    assert values.dtype == np.uint8
    for channel in range(3):
        np.testing.assert_array_equal(values[channel], ANNOTATED)


def test_present_but_unannotated_label_zeroes_its_groups(tmp_path, make_zarr, caplog):
    labels = [label(1, True, True), label(2, True, False), label(3, False, False)]
    source = zarr_config(make_zarr, tmp_path, attrs={"labels": labels})
    with caplog.at_level(logging.INFO):
        values = mask(source)[mask(source).roi]
    np.testing.assert_array_equal(values[0], ANNOTATED)
    np.testing.assert_array_equal(values[1], ZERO)
    np.testing.assert_array_equal(values[2], ANNOTATED)  # a group without ids is kept
    assert "['b'] are not annotated" in caplog.text


@pytest.mark.parametrize(
    "annotated, zeroed", [("dense", False), ("sparse", True), ("empty", True), (True, False)]
)
def test_cellmap_annotation_states(tmp_path, make_zarr, annotated, zeroed):
    source = zarr_config(make_zarr, tmp_path, attrs={"labels": [label(1, True, annotated)]})
    values = mask(source, [("a", [1])])[mask(source).roi]
    np.testing.assert_array_equal(values[0], ZERO if zeroed else ANNOTATED)


def test_label_list_document_with_id_keys(tmp_path, make_zarr):
    document = {"labels": [label(3, True, False, key="id")], "annotation_type": "semantic"}
    source = zarr_config(make_zarr, tmp_path, attrs={"labels": document})
    values = mask(source)[mask(source).roi]
    np.testing.assert_array_equal(values[1], ZERO)
    np.testing.assert_array_equal(values[0], ANNOTATED)


def test_labels_attribute_of_the_enclosing_group(tmp_path, make_zarr):
    source = zarr_config(make_zarr, tmp_path, dataset="crop1/labels/all")
    zarr.open_group(str(tmp_path / "data.zarr"), path="crop1").attrs["labels"] = [
        label(1, True, False)
    ]
    values = mask(source)[mask(source).roi]
    np.testing.assert_array_equal(values[0], ZERO)
    np.testing.assert_array_equal(values[1], ANNOTATED)


def test_cellmap_unknown_value_is_not_annotated(tmp_path, make_zarr):
    attrs = {"cellmap": {"annotation": {
        "class_name": "mito",
        "complement_counts": {"absent": 1, "unknown": 2},
        "annotation_type": {"type": "semantic_segmentation",
                            "encoding": {"absent": 0, "present": 1, "unknown": 255}},
    }}}
    data = np.array([[0, 1, 255], [255, 1, 0]], np.uint8)
    source = zarr_config(make_zarr, tmp_path, data=data, attrs=attrs)
    values = mask(source, [("mito", [1])])[mask(source).roi]
    np.testing.assert_array_equal(values[0], [[0, 1, 0], [0, 1, 0]])


@pytest.mark.parametrize(
    "attrs, message",
    [
        ({"labels": "mito"}, "cannot read the CellMap `labels` attribute"),
        ({"labels": [{"value": 1}]}, "cannot read the CellMap `labels` attribute"),
        ({"labels": [3]}, "cannot read the CellMap `labels` attribute"),
        ({"cellmap": {"annotation": {"annotation_type": {"type": "semantic_segmentation"}}}},
         "has no `encoding` mapping"),
        ({"cellmap": {"annotation": {"annotation_type": {"encoding": {"unknown": "x"}}}}},
         "gives `unknown` = 'x'; expected an integer"),
    ],
)
def test_malformed_metadata(tmp_path, make_zarr, attrs, message):
    source = zarr_config(make_zarr, tmp_path, attrs=attrs)
    with pytest.raises(ConfigError, match=message):
        mask(source)


def test_source_must_be_labels_without_channels(tmp_path, make_zarr):
    source = zarr_config(make_zarr, tmp_path, data=np.zeros((2, 2, 2), np.uint8))
    with pytest.raises(ConfigError, match="MissingAnnotationsMask 'mask'.*has a channel axis"):
        mask(source)


def test_groupings_are_checked(tmp_path):
    source = ZarrArrayConfig(name="l", file_name=tmp_path / "c.zarr", dataset="l")
    with pytest.raises(ConfigError, match="MissingAnnotationsMaskConfig 'mask'.*non-empty"):
        MissingAnnotationsMaskConfig(name="mask", source_array_config=source, groupings=[])
