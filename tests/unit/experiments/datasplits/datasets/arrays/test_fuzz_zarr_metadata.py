"""Property-based fuzzing of zarr metadata (``hypothesis``).

Hypothesis writes a tiny zarr dataset, damages its metadata (``.zattrs``:
axes / axis_names, resolution / voxel_size, offset, units; ``.zarray``:
dtype, shape, chunks, as far as zarr itself still opens the array; the
OME-NGFF ``multiscales`` of its group) and opens it as users do, through a
``ZarrArrayConfig`` or ``ZarrArray.open_from_array_identifier``, then reads a
small ROI. Every example either opens and reads, or raises a ``DacapoError``
(never a ``TypeError``, ``ValueError``, ... from deep inside).
"""

from __future__ import annotations

import json
import math
import tempfile
import warnings
from pathlib import Path
from typing import Any, Dict

import numpy as np
import zarr
from funlib.geometry import Roi
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dacapo.errors import DacapoError
from dacapo.experiments.datasplits.datasets.arrays import ZarrArray, ZarrArrayConfig
from dacapo.store.array_identifiers import LocalArrayIdentifier

# the function-scoped autouse fixtures (private HOME, registry cleanup) hold no
# per-example state; each example writes its own temporary container
FUZZ = settings(
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

odd_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-4, 10), st.sampled_from(["", "x", "4", "nm"]),
    st.sampled_from([float("nan"), float("inf"), -0.0, 2.5, 1e30, 4.0]),
    st.just({}), st.just({"a": 1}),
)
numbers = st.one_of(st.integers(-4, 10), st.sampled_from([0, 1, 2, 4, 2.0, 0.5, -2,
                                                         float("nan"), 2**70]))
vectors = st.one_of(
    st.lists(st.integers(1, 4), min_size=1, max_size=5),  # mostly plausible
    st.lists(numbers, max_size=5),
    st.lists(st.one_of(numbers, odd_scalars, st.lists(numbers, max_size=2)), max_size=5),
    odd_scalars,
)
axis_names = st.sampled_from(["c", "z", "y", "x", "b", "t", "", "c^", "x^", "zz", "C"])
axes_values = st.one_of(
    st.lists(axis_names, min_size=1, max_size=5),
    st.sampled_from(["zyx", "czyx", "yx", "cyx", "xyz", "bczyx", "c"]),
    st.lists(st.sampled_from(["zyx", "czyx"]), min_size=1, max_size=1),
    st.lists(st.one_of(axis_names, odd_scalars,
                       st.fixed_dictionaries({"name": axis_names},
                                             optional={"type": st.sampled_from(
                                                 ["space", "channel", "time", 3])})),
             max_size=5),
    odd_scalars,
)
unit_values = st.one_of(
    st.lists(st.sampled_from(["nm", "um", "µm", "micrometer", "angstrom", "pixel", "",
                              "m", "km", "furlong"]), max_size=5),
    st.lists(st.one_of(st.sampled_from(["nm", "um"]), odd_scalars), max_size=4),
    odd_scalars,
)
FIELDS = {"axes": axes_values, "axis_names": axes_values, "resolution": vectors,
          "voxel_size": vectors, "offset": vectors, "units": unit_values,
          "dimension_units": unit_values}
SHAPES = [(4, 6, 6), (2, 4, 6, 6), (6, 6), (1, 3, 4, 4, 4), (6,), (0, 4, 4)]
SAME_SIZE_DTYPES = {1: ["|u1", "|i1", "|b1"], 2: ["<u2", "<i2", ">i2", "<f2"],
                    4: ["<u4", "<i4", "<f4", ">f4"], 8: ["<u8", "<i8", "<f8"]}


def _plausible(shape) -> Dict[str, Any]:
    dims = min(len(shape), 3)
    spatial = ["z", "y", "x"][-dims:]
    return {"axes": ["c"] * (len(shape) - dims) + spatial, "resolution": [2] * dims,
            "offset": [4] * dims, "units": ["nm"] * dims}


def _attrs(data: st.DataObject, shape) -> Dict[str, Any]:
    """Plausible attributes with some fields dropped or replaced by drawn values."""
    attrs = _plausible(shape)
    for field in data.draw(st.lists(st.sampled_from(sorted(FIELDS)), max_size=3, unique=True)):
        if data.draw(st.booleans()):
            attrs.pop(field, None)
        else:
            attrs[field] = data.draw(FIELDS[field])
    return attrs


def _write(data: st.DataObject, container: Path):
    """Writes dataset ``raw`` with drawn shape, chunks, dtype and attributes (and
    sometimes damages its ``.zattrs`` or that of the container's root group)."""
    shape = data.draw(st.sampled_from(SHAPES))
    chunks = tuple(data.draw(st.integers(1, 7)) for _ in shape)
    itemsize = data.draw(st.sampled_from(sorted(SAME_SIZE_DTYPES)))
    dtype = SAME_SIZE_DTYPES[itemsize][0]
    array = zarr.open_array(str(container / "raw"), mode="w", shape=shape, chunks=chunks,
                            dtype=dtype)
    array[...] = np.arange(math.prod(shape)).reshape(shape).astype(dtype)
    array.attrs.put(_attrs(data, shape))
    zarray = json.loads((container / "raw" / ".zarray").read_text())
    if data.draw(st.booleans()):  # chunks still decode: same item size, other dtype
        zarray["dtype"] = data.draw(st.sampled_from(SAME_SIZE_DTYPES[itemsize]))
    if data.draw(st.booleans()):  # missing chunks read as the fill value
        zarray["shape"] = [max(0, s + data.draw(st.integers(-2, 3))) for s in shape]
    (container / "raw" / ".zarray").write_text(json.dumps(zarray))
    _damage_whole_file(data, container / "raw" / ".zattrs")
    _damage_whole_file(data, container / ".zattrs")
    return shape


def _damage_whole_file(data: st.DataObject, path: Path) -> None:
    """Sometimes replaces a ``.zattrs`` by a truncation, or by JSON that is no object."""
    text = path.read_text() if path.exists() else "{}"
    choice = data.draw(st.integers(0, 9))
    if choice == 0:
        path.write_text(text[: data.draw(st.integers(0, max(0, len(text) - 1)))])
    elif choice == 1:
        path.write_text(json.dumps(data.draw(odd_scalars | st.lists(numbers, max_size=3))))


def _open(data: st.DataObject, container: Path) -> ZarrArray:
    if data.draw(st.booleans()):
        return ZarrArray.open_from_array_identifier(LocalArrayIdentifier(container, "raw"))
    axes = data.draw(axes_values) if data.draw(st.integers(0, 4)) == 0 else None
    snap = data.draw(st.one_of(st.none(), st.sampled_from([[2, 2, 2], [4, 4], [3, 3, 3]])))
    config = ZarrArrayConfig(name="fuzz", file_name=container, dataset="raw", mode="r",
                             axes=axes, snap_to_grid=snap)
    return config.array_type(config)


def _read_corner(array: ZarrArray) -> None:
    corner = Roi(array.roi.begin, array.voxel_size * 2).intersect(array.roi)
    if not corner.empty:
        values = array[corner]
        assert values.shape[-array.dims:] == tuple(corner.shape / array.voxel_size)


@settings(FUZZ, max_examples=450)
@given(data=st.data())
def test_fuzzed_zarr_attributes_open_or_raise_a_dacapo_error(data):
    with tempfile.TemporaryDirectory() as tmp:
        container = Path(tmp) / "c.zarr"
        zarr.open_group(str(container), mode="w")
        _write(data, container)
        try:
            array = _open(data, container)
            _read_corner(array)
        except DacapoError:
            pass


transform = st.one_of(odd_scalars, st.fixed_dictionaries(
    {"type": st.sampled_from(["scale", "translation", "identity", 1])},
    optional={"scale": vectors, "translation": vectors}))
transforms = st.one_of(odd_scalars, st.lists(transform, max_size=3))
level = st.fixed_dictionaries({"path": st.sampled_from(["s0"] * 6 + ["s1", 0, None])},
                              optional={"coordinateTransformations": transforms})
multiscale_fields = st.fixed_dictionaries({}, optional={
    "version": st.sampled_from(["0.4", 4, None]),
    "axes": axes_values,
    "datasets": st.one_of(st.lists(level, min_size=1, max_size=2), odd_scalars,
                          st.lists(st.one_of(odd_scalars, level), max_size=2)),
    "coordinateTransformations": transforms,
})


@settings(FUZZ, max_examples=250)
@given(data=st.data())
def test_fuzzed_ome_ngff_multiscales_open_or_raise_a_dacapo_error(data):
    with tempfile.TemporaryDirectory() as tmp:
        container = Path(tmp) / "c.zarr"
        group = zarr.open_group(str(container / "img"), mode="w")
        group.zeros("s0", shape=(2, 4, 4), chunks=(2, 2, 2), dtype="u1")
        multiscales = data.draw(st.one_of(
            st.lists(multiscale_fields, min_size=1, max_size=2), odd_scalars,
            st.lists(st.one_of(odd_scalars, multiscale_fields), min_size=1, max_size=2)))
        group.attrs["multiscales"] = multiscales
        config = ZarrArrayConfig(name="fuzz", file_name=container, dataset="img/s0", mode="r")
        try:
            _read_corner(config.array_type(config))
        except DacapoError:
            pass


@settings(FUZZ, max_examples=150)
@given(data=st.data())
def test_fuzzed_n5_attributes_open_or_raise_a_dacapo_error(data):
    with tempfile.TemporaryDirectory() as tmp:
        container = Path(tmp) / "c.n5"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            root = zarr.open_group(zarr.N5FSStore(str(container)), mode="a")
        shape = data.draw(st.sampled_from(SHAPES))
        array = root.create_dataset("raw", data=np.ones(shape, np.uint8), chunks=(2,) * len(shape))
        array.attrs.update(_attrs(data, shape))
        for folder in (container / "raw", container):
            if data.draw(st.integers(0, 4)) == 0:  # damage the whole attributes.json
                _damage_whole_file(data, folder / "attributes.json")
        try:
            array = _open(data, container)
            _read_corner(array)
        except DacapoError:
            pass
