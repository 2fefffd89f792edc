"""Task ids are the same for the same job in every run, and differ otherwise."""

import numpy as np
from funlib.geometry import Roi

from dacapo._array_identifiers import LocalArrayIdentifier
from dacapo.blockwise._task_id import make_task_id, stable_repr

ROIS = (Roi((0, 0), (40, 40)), Roi((0, 0), (10, 10)), Roi((0, 0), (10, 10)))


class _Opaque:
    pass


def test_stable_repr_ignores_addresses_and_key_order():
    assert stable_repr(_Opaque()) == stable_repr(_Opaque())
    assert stable_repr({"b": 1, "a": [1, 2]}) == stable_repr({"a": [1, 2], "b": 1})
    assert stable_repr(np.arange(3)) == stable_repr(np.arange(3))
    assert stable_repr(np.arange(3)) != stable_repr(np.arange(4))
    assert stable_repr(test_stable_repr_ignores_addresses_and_key_order).endswith(
        "test_stable_repr_ignores_addresses_and_key_order"
    )


def test_the_same_job_gets_the_same_id_and_another_job_another():
    output = LocalArrayIdentifier("/data/out.zarr", "mask")
    first = make_task_id("threshold_worker", "module m", ROIS, (), {"o": output, "t": 0.5})
    again = make_task_id("threshold_worker", "module m", ROIS, (), {"t": 0.5, "o": output})
    assert first == again and first.startswith("threshold_worker_")
    assert make_task_id("threshold_worker", "module m", ROIS, (), {"o": output, "t": 0.4}) != first
    moved = (Roi((10, 0), (40, 40)),) + ROIS[1:]
    assert make_task_id("threshold_worker", "module m", moved, (), {"o": output, "t": 0.5}) != first


def test_task_ids_are_safe_directory_names():
    task_id = make_task_id("my worker/<lambda>", "x", ROIS, (), {})
    assert "/" not in task_id and " " not in task_id and "<" not in task_id
