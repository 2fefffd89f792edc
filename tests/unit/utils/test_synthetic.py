"""Tests of the synthetic EM-like volume generator."""

from __future__ import annotations

import numpy as np
import pytest
import zarr
from funlib.geometry import Coordinate, Roi

from dacapo.errors import ConfigError
from dacapo.utils import _synthetic_blocks
from dacapo.utils._synthetic_zarr import derived_seed
from dacapo.utils.synthetic import (
    CLASS_NAMES,
    SyntheticVolume,
    generate_volume,
    write_synthetic_container,
)

SHAPE = (40, 48, 48)


@pytest.fixture(scope="module")
def volume() -> SyntheticVolume:
    return generate_volume(
        SHAPE, seed=7, voxel_size=(4, 8, 8), offset=(40, 0, -16), cell_size=16
    )


# small cells with thin membranes stress the topology; 2D and 3D
TOPOLOGY_CASES = {
    "default": None,
    "thin-3d": {
        "shape": (36, 40, 44),
        "seed": 6,
        "cell_size": 6,
        "membrane_width": 0.5,
        "blur_sigma": 0.5,
    },
    "thin-2d": {
        "shape": (90, 100),
        "seed": 0,
        "cell_size": 6,
        "membrane_width": 0.5,
        "blur_sigma": 0,
    },
}


@pytest.fixture(scope="module", params=list(TOPOLOGY_CASES))
def any_volume(request, volume) -> SyntheticVolume:
    case = TOPOLOGY_CASES[request.param]
    return volume if case is None else generate_volume(**case)


def parent_cell(labels: np.ndarray) -> np.ndarray:
    """The id of the cell an instance belongs to (ids 3L+1, 3L+2, 3L+3 share cell 3L+1)."""
    return np.where(labels > 0, (labels - 1) // 3 * 3 + 1, 0)


def neighbour_pairs(array: np.ndarray):
    """(a, b) value pairs of all 6-neighbours."""
    for axis in range(array.ndim):
        yield np.moveaxis(array, axis, 0)[:-1], np.moveaxis(array, axis, 0)[1:]


# --- determinism ---------------------------------------------------------------


def test_same_seed_gives_the_same_volume(volume):
    again = generate_volume(
        SHAPE, seed=7, voxel_size=(4, 8, 8), offset=(40, 0, -16), cell_size=16
    )
    for name in ("raw", "labels", "semantic", "mask"):
        np.testing.assert_array_equal(getattr(again, name), getattr(volume, name))
    assert again.sample_points == volume.sample_points


def test_different_seed_gives_a_different_volume(volume):
    other = generate_volume(SHAPE, seed=8, cell_size=16)
    assert np.mean(other.raw != volume.raw) > 0.5
    assert not np.array_equal(other.labels, volume.labels)


def test_blocks_agree_with_a_volume_made_in_one_piece(volume, monkeypatch):
    monkeypatch.setattr(_synthetic_blocks, "MAX_BLOCK_VOXELS", 3 * 48 * 48)  # 14 slabs
    pieces = generate_volume(
        SHAPE, seed=7, voxel_size=(4, 8, 8), offset=(40, 0, -16), cell_size=16
    )
    for name in ("raw", "labels", "semantic", "mask"):
        np.testing.assert_array_equal(getattr(pieces, name), getattr(volume, name))
    assert pieces.sample_points == volume.sample_points


# --- arrays --------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(32, 33, 34), (50, 61)])
def test_dtypes_shapes_and_geometry(shape):
    result = generate_volume(shape, seed=1)
    assert {
        n: (getattr(result, n).dtype, getattr(result, n).shape)
        for n in ("raw", "labels", "semantic", "mask")
    } == {
        "raw": (np.uint8, shape),
        "labels": (np.uint64, shape),
        "semantic": (np.uint8, shape),
        "mask": (np.uint8, shape),
    }
    assert result.voxel_size == Coordinate((1,) * len(shape))
    assert result.roi == Roi((0,) * len(shape), shape)
    assert result.axes == ("z", "y", "x")[-len(shape) :]


def test_class_names():
    assert CLASS_NAMES == {
        0: "background",
        1: "membrane",
        2: "cytoplasm",
        3: "mitochondrion",
        4: "vesicle",
    }


def test_all_classes_occur(volume):
    assert set(np.unique(volume.semantic)) == {0, 1, 2, 3, 4}


def test_labels_are_zero_exactly_on_background_and_membrane(any_volume):
    np.testing.assert_array_equal(any_volume.labels == 0, any_volume.semantic <= 1)


def test_each_instance_has_one_class_given_by_its_id(any_volume):
    labels, semantic = any_volume.labels.ravel(), any_volume.semantic.ravel()
    inside = labels > 0
    # cell 3L+1 -> cytoplasm (2), 3L+2 -> mitochondrion (3), 3L+3 -> vesicle (4)
    expected = ((labels[inside] - 1) % 3 + 2).astype(np.uint8)
    np.testing.assert_array_equal(semantic[inside], expected)


def test_membrane_separates_every_pair_of_cells(any_volume):
    cells = parent_cell(any_volume.labels)
    for a, b in neighbour_pairs(cells):
        touching = (a > 0) & (b > 0)
        assert np.all(a[touching] == b[touching])


def test_cells_never_touch_extracellular_space(any_volume):
    for a, b in neighbour_pairs(any_volume.semantic):
        assert not np.any((a >= 2) & (b == 0)) and not np.any((a == 0) & (b >= 2))


def test_every_cell_is_bounded_by_membrane(any_volume):
    cells = parent_cell(any_volume.labels)
    next_to_membrane = set()
    for (ca, cb), (sa, sb) in zip(
        neighbour_pairs(cells), neighbour_pairs(any_volume.semantic)
    ):
        next_to_membrane |= set(np.unique(ca[sb == 1])) | set(np.unique(cb[sa == 1]))
    assert set(np.unique(cells)) - {0} <= next_to_membrane


def test_organelles_lie_inside_their_cells(any_volume):
    labels, semantic = any_volume.labels, any_volume.semantic
    for (la, lb), (sa, sb) in zip(neighbour_pairs(labels), neighbour_pairs(semantic)):
        for organelle, other, other_class in ((la, lb, sb), (lb, la, sa)):
            is_organelle = organelle % 3 != 1
            is_organelle &= organelle > 0
            # neighbours are cytoplasm or organelles of the same cell, never membrane
            assert np.all(other_class[is_organelle] >= 2)
            assert np.all(
                parent_cell(other[is_organelle]) == parent_cell(organelle[is_organelle])
            )
    organelle_cells = set(np.unique(parent_cell(labels[semantic >= 3])))
    assert organelle_cells <= set(np.unique(labels[semantic == 2]))


def test_raw_contrast(volume):
    raw, semantic = volume.raw.astype(float), volume.semantic
    membrane, cytoplasm, outside = (raw[semantic == k].mean() for k in (1, 2, 0))
    assert membrane < cytoplasm - 30
    assert outside > cytoplasm + 20
    assert raw[semantic == 3].mean() < cytoplasm - 20
    assert np.percentile(raw, 1) < 90 and np.percentile(raw, 99) > 180


def test_noise_and_blur_can_be_switched_off():
    clean = generate_volume((24, 24, 24), seed=3, noise_std=0, blur_sigma=0)
    # without noise, cytoplasm varies only by shading and grain (within +-30 of 150)
    cytoplasm = clean.raw[clean.semantic == 2].astype(int)
    assert cytoplasm.min() >= 120 and cytoplasm.max() <= 180
    assert np.all(clean.raw[clean.semantic == 0] == 200)


def test_mask_is_all_annotated_by_default(volume):
    assert np.all(volume.mask == 1)


def test_annotated_fraction_leaves_whole_cells_out():
    partial = generate_volume(
        (32, 48, 48), seed=2, cell_size=16, annotated_fraction=0.5
    )
    assert 0.2 < partial.mask.mean() < 0.8
    cells = parent_cell(partial.labels)
    for cell in np.unique(cells[cells > 0]):
        assert len(np.unique(partial.mask[cells == cell])) == 1
    none = generate_volume((16, 16, 16), seed=2, annotated_fraction=0.0)
    assert not none.mask.any()


def test_sample_points_are_organelle_centres_in_world_units(volume):
    assert len(volume.sample_points) == 8
    for point in volume.sample_points:
        assert volume.roi.contains(point)
        voxel = (point - volume.offset) / volume.voxel_size
        assert voxel * volume.voxel_size + volume.offset == point
        assert volume.semantic[tuple(voxel)] in (3, 4)


def test_sample_points_fall_back_to_cells_and_can_be_zero():
    cells_only = generate_volume(
        (24, 24, 24),
        seed=4,
        cell_size=12,
        mitochondria_probability=0,
        vesicle_probability=0,
        num_sample_points=3,
    )
    assert [cells_only.semantic[tuple(p)] for p in cells_only.sample_points] == [
        2,
        2,
        2,
    ]
    assert generate_volume((16, 16), seed=4, num_sample_points=0).sample_points == ()


# --- errors --------------------------------------------------------------------


@pytest.mark.parametrize(
    "shape, match",
    [
        ((16,), r"`shape` \(16,\) must list 2 or 3 sizes"),
        ((2, 2, 2, 2), r"`shape` \(2, 2, 2, 2\) must list 2 or 3"),
        (16, r"`shape` 16 must list 2 or 3"),
        ((16, 0, 16), r"`shape` \(16, 0, 16\) must contain positive integers"),
        ((16, -4), r"`shape` \(16, -4\) must contain positive integers"),
        ((16.0, 16), r"`shape` \(16.0, 16\) must contain positive integers"),
    ],
)
def test_bad_shape(shape, match):
    with pytest.raises(ConfigError, match=match):
        generate_volume(shape)


@pytest.mark.parametrize("seed", [-1, 2**64, 1.5, True, "0"])
def test_bad_seed(seed):
    with pytest.raises(
        ConfigError, match=r"`seed` must be an integer in \[0, 2\*\*64\)"
    ):
        generate_volume((8, 8), seed=seed)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"voxel_size": (8, 8)}, r"`voxel_size` \(8, 8\) must be 3 positive integers"),
        ({"voxel_size": (8, 0, 8)}, r"`voxel_size` \(8, 0, 8\) must be 3 positive"),
        ({"offset": (0, 0)}, r"`offset` \(0, 0\) must be 3 integers"),
        (
            {"voxel_size": (8, 8, 8), "offset": (0, 4, 0)},
            r"`offset` \(0, 4, 0\) is not a multiple of `voxel_size` \(8, 8, 8\)",
        ),
    ],
)
def test_bad_world_geometry(kwargs, match):
    with pytest.raises(ConfigError, match=match):
        generate_volume((8, 8, 8), **kwargs)


@pytest.mark.parametrize(
    "params, match",
    [
        ({"cell_size": 4}, r"`cell_size` must be a number in \[6.0, "),
        (
            {"membrane_width": 7.0},
            r"`membrane_width` 7.0 is more than a quarter of `cell_size` 24",
        ),
        ({"membrane_width": 0}, r"`membrane_width` must be a number in \[0.5, "),
        (
            {"extracellular_fraction": 1.5},
            r"`extracellular_fraction` must be a number in \[0.0, 1.0\]",
        ),
        (
            {"annotated_fraction": float("nan")},
            r"`annotated_fraction` must be a number",
        ),
        ({"noise_std": -1}, r"`noise_std` must be a number in \[0.0, 255.0\], got -1"),
        (
            {"blur_sigma": "1"},
            r"`blur_sigma` must be a number in \[0.0, 10.0\], got '1'",
        ),
        (
            {"num_sample_points": -1},
            r"`num_sample_points` must be an integer >= 0, got -1",
        ),
        (
            {"cells": 3},
            r"unknown parameter\(s\) cells; known: cell_size, membrane_width",
        ),
    ],
)
def test_bad_parameters(params, match):
    with pytest.raises(ConfigError, match=match):
        generate_volume((8, 8), **params)


# --- container -----------------------------------------------------------------


def read_tree(path) -> dict:
    return {
        p.relative_to(path).as_posix(): p.read_bytes()
        for p in sorted(path.rglob("*"))
        if p.is_file()
    }


def test_container_layout_and_attributes(tmp_path):
    path = write_synthetic_container(
        tmp_path / "data.zarr",
        shape=(24, 32, 40),
        voxel_size=(4, 8, 8),
        offset=(40, 0, 8),
        chunk_size=16,
    )
    assert path == tmp_path / "data.zarr"
    root = zarr.open_group(str(path), mode="r")
    assert sorted(root.group_keys()) == ["test", "train"]
    assert sorted(root["train"].group_keys()) == ["crop0", "crop1"]
    assert sorted(root["test"].group_keys()) == ["crop0"]
    dtypes = {
        "raw": np.uint8,
        "labels": np.uint64,
        "mask": np.uint8,
        "semantic": np.uint8,
    }
    for crop in ("train/crop0", "train/crop1", "test/crop0"):
        for name, dtype in dtypes.items():
            array = root[f"{crop}/{name}"]
            assert (array.shape, array.dtype, array.chunks) == (
                (24, 32, 40),
                dtype,
                (16, 16, 16),
            )
            assert dict(array.attrs) | {"class_names": None} == {
                "resolution": [4, 8, 8],
                "offset": [40, 0, 8],
                "axes": ["z", "y", "x"],
                "units": ["nm", "nm", "nm"],
                "class_names": None,
            }
        points = root[crop].attrs["sample_points"]
        assert len(points) == 8
        for point in points:
            voxel = tuple((np.array(point) - [40, 0, 8]) // [4, 8, 8])
            assert root[f"{crop}/labels"][voxel] > 0
    assert root["train/crop0/semantic"].attrs["class_names"]["3"] == "mitochondrion"


def test_container_crops_are_the_generated_volumes_of_derived_seeds(tmp_path):
    path = write_synthetic_container(
        tmp_path / "c.zarr",
        train_crops=2,
        validate_crops=1,
        shape=(20, 24, 24),
        seed=5,
        chunk_size=8,
        cell_size=12,
    )
    root = zarr.open_group(str(path), mode="r")
    seeds = {
        "train/crop0": derived_seed(5, 0, 0),
        "train/crop1": derived_seed(5, 0, 1),
        "test/crop0": derived_seed(5, 1, 0),
    }
    assert len(set(seeds.values()) | {5}) == 4
    for crop, seed in seeds.items():
        expected = generate_volume(
            (20, 24, 24), seed=seed, voxel_size=(8, 8, 8), cell_size=12
        )
        for name in ("raw", "labels", "semantic", "mask"):
            np.testing.assert_array_equal(
                root[f"{crop}/{name}"][:], getattr(expected, name)
            )
        assert root[crop].attrs["sample_points"] == [
            list(p) for p in expected.sample_points
        ]


def test_container_is_byte_identical_for_the_same_seed(tmp_path):
    kwargs = {"shape": (16, 16, 16), "seed": 3, "cell_size": 8, "membrane_width": 1.0}
    first = read_tree(write_synthetic_container(tmp_path / "a.zarr", **kwargs))
    second = read_tree(write_synthetic_container(tmp_path / "b.zarr", **kwargs))
    other = read_tree(
        write_synthetic_container(tmp_path / "c.zarr", **{**kwargs, "seed": 4})
    )
    assert first == second
    assert other.keys() == first.keys() and other != first


def test_container_group_names_2d_and_no_validation(tmp_path):
    path = write_synthetic_container(
        tmp_path / "flat.zarr",
        train_crops=1,
        validate_crops=0,
        shape=(30, 40),
        voxel_size=(4, 4),
        train_group_name="training",
        validate_group_name="val",
    )
    root = zarr.open_group(str(path), mode="r")
    assert list(root.group_keys()) == ["training"]
    assert dict(root["training/crop0/raw"].attrs) == {
        "resolution": [4, 4],
        "offset": [0, 0],
        "axes": ["y", "x"],
        "units": ["nm", "nm"],
    }
    assert root["training/crop0/labels"].shape == (30, 40)


def test_container_overwrite(tmp_path):
    path = write_synthetic_container(
        tmp_path / "o.zarr", shape=(8, 8), voxel_size=(1, 1)
    )
    with pytest.raises(
        ConfigError, match=r"o.zarr' already exists; pass overwrite=True"
    ):
        write_synthetic_container(path, shape=(8, 8), voxel_size=(1, 1))
    write_synthetic_container(
        path,
        train_crops=1,
        validate_crops=0,
        shape=(8, 8),
        voxel_size=(1, 1),
        overwrite=True,
    )
    assert sorted(zarr.open_group(str(path), mode="r").group_keys()) == ["train"]
    assert [p.name for p in tmp_path.iterdir()] == ["o.zarr"]  # no temporary left


def test_container_refuses_to_replace_what_is_not_a_zarr_group(tmp_path):
    (tmp_path / "notes.txt").write_text("keep me")
    with pytest.raises(ConfigError, match=r"notes.txt' exists and is not a zarr group"):
        write_synthetic_container(tmp_path / "notes.txt", overwrite=True)
    assert (tmp_path / "notes.txt").read_text() == "keep me"


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"train_crops": 0}, r"`train_crops` must be an integer >= 1, got 0"),
        ({"validate_crops": -1}, r"`validate_crops` must be an integer >= 0, got -1"),
        ({"chunk_size": 0}, r"`chunk_size` must be an integer >= 1, got 0"),
        (
            {"train_group_name": "a/b"},
            r"group name 'a/b' must be a non-empty string without '/'",
        ),
        ({"validate_group_name": ""}, r"group name '' must be a non-empty string"),
        ({"validate_group_name": "train"}, r"`validate_group_name` are both 'train'"),
        ({"shape": (8, 0, 8)}, r"`shape` \(8, 0, 8\) must contain positive integers"),
        ({"shape": (8, 8)}, r"`voxel_size` \(8, 8, 8\) must be 2 positive integers"),
        ({"cell_size": 2}, r"`cell_size` must be a number in \[6.0, "),
    ],
)
def test_container_bad_arguments(tmp_path, kwargs, match):
    with pytest.raises(ConfigError, match=match):
        write_synthetic_container(tmp_path / "bad.zarr", **kwargs)
    assert not any(tmp_path.iterdir())
