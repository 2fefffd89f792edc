"""``feed``: batches in order with their tensors, made ahead on a GPU."""

import threading
import time

import numpy as np
import pytest
import torch

from dacapo.experiments.trainers._batch_feeder import (
    PREFETCH_DEPTH,
    batch_tensors,
    compact_tensor,
    feed,
)

needs_cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")


def make_batch(index):
    rng = np.random.default_rng(index)
    return {
        "raw": rng.integers(0, 255, (2, 8, 8), dtype=np.uint8),
        "target": rng.integers(0, 3, (2, 4, 4), dtype=np.uint16),
        "weight": rng.random((2, 4, 4)) > 0.5,
        "gt": np.full((2, 4, 4), index),
    }


def test_tensors_are_compact_inputs_int64_labels_and_float32_weights():
    tensors = batch_tensors(make_batch(0))
    assert tensors["raw"].dtype == torch.uint8  # a byte a voxel until the step
    assert torch.equal(tensors["raw"].float(), torch.as_tensor(make_batch(0)["raw"].astype(np.float32)))
    assert tensors["target"].dtype == torch.int64
    assert tensors["weight"].dtype == torch.float32
    assert set(tensors) == {"raw", "target", "weight"}
    assert "weight" not in batch_tensors({**make_batch(0), "weight": None})


def test_cpu_batches_come_in_iteration_order_when_asked_for():
    asked = []

    def record(index):
        asked.append(index)
        return make_batch(index)

    stream = feed(record, 5, 3, torch.device("cpu"))
    assert asked == []  # nothing made ahead on the CPU
    batches = [batch for batch, _ in stream]
    assert asked == [5, 6, 7]
    assert [int(b["gt"][0, 0, 0]) for b in batches] == [5, 6, 7]


def test_a_type_torch_cannot_hold_is_read_into_a_plain_array():
    from dacapo.experiments.trainers._batch_feeder import pinned_array

    swapped = np.dtype(">f4" if np.little_endian else "<f4")  # not this machine's order
    array = pinned_array((3,), swapped)
    assert isinstance(array, np.ndarray) and array.dtype == swapped and array.shape == (3,)


@needs_cuda
@pytest.mark.parametrize("dtype", [np.uint8, np.float32, np.uint16])
def test_pinned_arrays_are_page_locked_numpy_arrays_of_the_type_asked(dtype):
    from dacapo.experiments.trainers._batch_feeder import pinned_array

    array = pinned_array((3, 4), np.dtype(dtype))
    assert array.shape == (3, 4) and array.dtype == dtype
    assert torch.from_numpy(array).is_pinned()


@needs_cuda
def test_batches_read_into_pinned_arrays_go_to_the_gpu_unstaged():
    from dacapo.experiments.trainers._batch_feeder import pinned_array

    def pinned_batch(index):
        batch = make_batch(index)
        raw = pinned_array(batch["raw"].shape, batch["raw"].dtype)
        raw[...] = batch["raw"]
        return dict(batch, raw=raw)

    for (_, tensors), index in zip(feed(pinned_batch, 0, 4, torch.device("cuda")), range(4)):
        torch.testing.assert_close(tensors["raw"].cpu(), batch_tensors(make_batch(index))["raw"])


@needs_cuda
def test_gpu_batches_are_the_cpu_batches_on_the_device_in_order():
    device = torch.device("cuda")
    for (batch, tensors), index in zip(feed(make_batch, 3, 6, device), range(3, 9)):
        assert int(batch["gt"][0, 0, 0]) == index
        expected = batch_tensors(make_batch(index))
        for name, tensor in tensors.items():
            assert tensor.device.type == "cuda"
            torch.testing.assert_close(tensor.cpu(), expected[name])


@needs_cuda
def test_gpu_batch_errors_reach_the_training_thread():
    def failing(index):
        if index == 2:
            raise ValueError("batch 2 is broken")
        return make_batch(index)

    with pytest.raises(ValueError, match="batch 2 is broken"):
        for _ in feed(failing, 0, 5, torch.device("cuda")):
            pass


@pytest.mark.parametrize("device", ["cpu", pytest.param("cuda", marks=needs_cuda)])
def test_leaving_the_loop_early_stops_making_batches(device):
    asked = []

    def record(index):
        asked.append(index)
        return make_batch(index)

    stream = feed(record, 0, 100, torch.device(device), prefetch=True)
    next(stream)
    stream.close()
    # the batch used; each of the two threads' queues full, and one batch in
    # each thread's hands
    assert len(asked) <= 1 + 2 * PREFETCH_DEPTH + 2
    stopped = len(asked)
    time.sleep(0.3)
    assert len(asked) == stopped


def test_prefetched_batches_equal_the_batches_made_when_asked_for():
    device = torch.device("cpu")
    made = [(b, t) for b, t in feed(make_batch, 0, 5, device, prefetch=False)]
    ahead = [(b, t) for b, t in feed(make_batch, 0, 5, device, prefetch=True)]
    for (batch, tensors), (batch_ahead, tensors_ahead) in zip(made, ahead, strict=True):
        np.testing.assert_array_equal(batch["gt"], batch_ahead["gt"])
        for name in tensors:
            torch.testing.assert_close(tensors[name], tensors_ahead[name])


def test_data_workers_outlive_the_prefetch_threads(tmp_path):
    """Workers start on the first request; started from a prefetch thread (which
    ends with each ``iterate``), Linux's parent-death signal killed them with it
    and the next loop waited forever. Runs two loops, as warm-up and training do."""
    from dacapo.experiments import Run
    from dacapo.experiments.datasplits import SimpleDataSplitConfig
    from dacapo.experiments.trainers import GunpowderTrainerConfig
    from tests._validation_runs import distance_run_config, synthetic_container

    container = synthetic_container(tmp_path)
    run = Run(distance_run_config(container))
    config = GunpowderTrainerConfig("two_loops", 1, 1e-4, num_data_fetchers=1)
    trainer = config.trainer_type(config)
    split = SimpleDataSplitConfig("two_loops", container)
    trainer.build_batch_provider(split.datasplit_type(split).train, run.model, run.task)
    rounds = []

    def two_loops():
        for start in (0, 3):
            for _ in feed(trainer.next_batch_at, start, 3, torch.device("cpu"), prefetch=True):
                pass
            rounds.append(start)

    with trainer:
        thread = threading.Thread(target=two_loops, daemon=True)
        thread.start()
        thread.join(120)
    assert rounds == [0, 3], "the second loop got no batches: its data workers were killed"


def test_a_batch_without_target_gives_its_ground_truth_and_mask():
    batch = {"raw": np.zeros((2, 8, 8), np.uint8), "gt": np.ones((2, 6, 6), np.uint64),
             "mask": np.ones((2, 6, 6), np.uint8)}
    tensors = batch_tensors(batch)
    assert set(tensors) == {"raw", "gt", "mask"}
    # kept small for the copy to the device
    assert (tensors["gt"].dtype, tensors["mask"].dtype) == (torch.int64, torch.uint8)


@pytest.mark.parametrize(("dtype", "expected"), [
    (np.uint8, torch.uint8), (bool, torch.uint8), (np.int16, torch.int16),
    (np.uint16, torch.uint16), (np.uint32, torch.int64), (np.uint64, torch.int64),
    (np.float64, torch.float32), (np.float16, torch.float32),
])
def test_compact_tensors_keep_the_values_in_few_bytes(dtype, expected):
    values = np.array([0, 1, 2, 200], dtype=np.float64)
    values = values != 0 if dtype is bool else values.astype(dtype)
    tensor = compact_tensor(values)
    assert tensor.dtype == expected
    np.testing.assert_array_equal(tensor.to(torch.float64).numpy(), values.astype(np.float64))


@pytest.mark.parametrize("device", ["cpu", pytest.param("cuda", marks=needs_cuda)])
def test_uint16_ids_travel_as_they_are_and_are_widened_on_the_device(device):
    from dacapo.experiments.trainers._batch_feeder import on_device, widened

    ids = np.array([[0, 1, 32767], [32768, 40000, 65535]], dtype=np.uint16)
    host = compact_tensor(ids)
    assert host.dtype == torch.uint16 and host.data_ptr() == ids.ctypes.data  # no copy
    moved = on_device(host, torch.device(device))
    assert moved.dtype == torch.int32 and moved.device.type == device
    assert moved.cpu().tolist() == ids.astype(np.int64).tolist()
    swapped = ids.astype(ids.dtype.newbyteorder())  # not this machine's order: widened here
    assert compact_tensor(swapped).tolist() == ids.astype(np.int64).tolist()
    kept = torch.arange(4)
    assert widened(kept) is kept


def test_prepare_gets_uint16_ground_truth_widened():
    from dacapo.experiments.trainers._device_targets import DeviceTargets

    class Predictor:
        def padding(self, voxel_size):
            return voxel_size * 0

        def device_targets(self, gt, mask, voxel_size, counts):
            self.seen = gt
            return gt.float(), gt.float(), counts

    predictor = Predictor()
    gt = np.array([[[0, 40000]]], dtype=np.uint16)
    DeviceTargets(predictor, (1, 1))({"raw": torch.zeros(1, 1, 2), "gt": compact_tensor(gt)})
    assert predictor.seen.dtype == torch.int32 and predictor.seen.tolist() == [[[0, 40000]]]


def test_compact_ids_above_2_to_the_63_keep_which_are_equal():
    ids = np.array([0, 2**63 + 5, 2**63 + 5, 7], dtype=np.uint64)
    tensor = compact_tensor(ids)
    assert [bool(tensor[i] == tensor[j]) for i, j in ((1, 2), (1, 3))] == [True, False]
    assert (tensor != 0).tolist() == [False, True, True, True]


def without_target(index):
    batch = make_batch(index)
    del batch["target"], batch["weight"]
    return batch


def test_prepare_makes_the_step_tensors_of_each_batch_in_order():
    prepared = []

    def prepare(tensors):
        prepared.append(int(tensors["gt"][0, 0, 0]))
        return {"raw": tensors["raw"], "target": tensors["gt"] * 2}

    stream = feed(without_target, 4, 3, torch.device("cpu"), prepare=prepare)
    steps = [tensors for _, tensors in stream]
    assert prepared == [4, 5, 6]
    assert [int(t["target"][0, 0, 0]) for t in steps] == [8, 10, 12]


@needs_cuda
def test_prepare_runs_on_the_gpu_ahead_of_the_step_in_order():
    prepared = []

    def prepare(tensors):
        assert tensors["gt"].device.type == "cuda"
        prepared.append(int(tensors["gt"][0, 0, 0]))
        return {"raw": tensors["raw"], "target": tensors["gt"] + 1}

    steps = [t for _, t in feed(without_target, 0, 5, torch.device("cuda"), prepare=prepare)]
    assert prepared == [0, 1, 2, 3, 4]
    assert [int(t["target"][0, 0, 0]) for t in steps] == [1, 2, 3, 4, 5]


def test_off_cuda_the_training_stream_changes_nothing():
    from dacapo.experiments.trainers._batch_feeder import training_stream

    with training_stream(torch.device("cpu")):
        assert torch.ones(2).sum() == 2


@needs_cuda
def test_training_steps_run_on_a_high_priority_stream_the_default_one_waits_for():
    from dacapo.experiments.trainers._batch_feeder import training_stream

    device = torch.device("cuda")
    default = torch.cuda.current_stream(device)
    with training_stream(device):
        stream = torch.cuda.current_stream(device)
        assert stream != default and stream.priority < default.priority
        values = torch.ones(1 << 24, device=device)
        for _ in range(20):  # work queued on the training stream
            values.mul_(2.0)
    assert torch.cuda.current_stream(device) == default
    assert float(values[-1]) == 2.0**20  # read on the default stream, after the wait
