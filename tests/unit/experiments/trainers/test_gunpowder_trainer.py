"""The gunpowder trainer on small in-memory 2D datasets (voxel size 1, 20x20
input, 16x16 output: the network adds 2 voxels of context per side)."""

from types import SimpleNamespace

import attr
import numpy as np
import pytest
import torch
import zarr
from funlib.geometry import Coordinate, Roi

from dacapo._build import build
from dacapo.errors import ConfigError
from dacapo.experiments.architectures import CNNectomeUNetConfig
from dacapo.experiments.datasplits.datasets.arrays.numpy_array import NumpyArray
from dacapo.experiments.tasks.distance_task_config import DistanceTaskConfig
from dacapo.experiments.trainers import (
    GunpowderTrainer,
    GunpowderTrainerConfig,
    _gp_sampling,
)
from dacapo.experiments.trainers.gp_augments import (
    ElasticAugmentConfig,
    GammaAugmentConfig,
    SimpleAugmentConfig,
)
from dacapo.experiments.trainers.gunpowder_trainer import (
    clipped_raw_roi,
    sample_geometry,
)
from dacapo.gp import DaCapoArraySource
from dacapo.store.array_identifiers import LocalContainerIdentifier

OUTPUT = 16 * 16  # voxels of the output region


def array(data, offset=(0, 0), voxel_size=(1, 1)):
    roi = Roi(offset, Coordinate(data.shape) * Coordinate(voxel_size))
    return NumpyArray.from_np_array(data, roi, voxel_size, ["y", "x"])


def dataset(name="d", raw=None, gt=None, mask=None, weight=1, sample_points=None, size=60):
    """A dataset of ``size``² voxels: noise raw, a labelled square, optional mask."""
    rng = np.random.default_rng(0)
    if raw is None:
        raw = rng.random((size, size), dtype=np.float32)
    if gt is None:
        gt = np.zeros((size, size), np.uint64)
        gt[10:40, 10:40] = 1
    return SimpleNamespace(
        name=name,
        raw=array(raw),
        gt=array(gt),
        mask=None if mask is None else array(mask),
        weight=weight,
        sample_points=sample_points,
    )


@pytest.fixture(scope="module")
def task():
    config = DistanceTaskConfig(
        "fg", channels=["fg"], clip_distance=10.0, tol_distance=10.0, scale_factor=4.0,
        mask_distances=False,
    )
    return config.task_type(config)


@pytest.fixture
def model(task):
    config = CNNectomeUNetConfig(
        "net", input_shape=(20, 20), fmaps_out=2, fmaps_in=1, num_fmaps=2,
        fmap_inc_factor=2, downsample_factors=[],
    )
    return task.create_model(config.architecture_type(config))


def trainer_config(**kwargs):
    defaults = dict(name="gp", batch_size=2, learning_rate=1e-3, num_data_fetchers=0)
    defaults.update(kwargs)
    return GunpowderTrainerConfig(**defaults)


def make_trainer(datasets, model, task, snapshot_container=None, **kwargs):
    config = trainer_config(**kwargs)
    trainer = config.trainer_type(config)
    trainer.build_batch_provider(datasets, model, task, snapshot_container)
    return trainer


def batches(trainer, count):
    with trainer:
        return [trainer.next_batch() for _ in range(count)]


# -- the pipeline ------------------------------------------------------------------


@pytest.mark.parametrize("fetchers", [0, 1])
def test_pipeline_is_built_once_for_many_batches(monkeypatch, model, task, fetchers):
    setups = []
    original = DaCapoArraySource.setup

    def counting_setup(self):
        setups.append(self.key)
        original(self)

    monkeypatch.setattr(DaCapoArraySource, "setup", counting_setup)
    mask = np.ones((60, 60), np.uint8)
    trainer = make_trainer([dataset(mask=mask)], model, task, num_data_fetchers=fetchers)
    batches(trainer, 6)
    assert sorted(map(str, setups)) == ["GT", "MASK", "RAW"]  # one setup per source


def test_batch_shapes_and_types(model, task):
    trainer = make_trainer([dataset()], model, task, batch_size=3)
    (batch,) = batches(trainer, 1)
    assert batch["raw"].shape == (3, 20, 20)
    assert batch["gt"].shape == (3, 16, 16)
    assert batch["mask"].shape == (3, 16, 16)
    assert batch["target"].shape == (3, 1, 16, 16)
    assert batch["weight"].shape == (3, 1, 16, 16)
    assert batch["raw"].dtype == np.float32
    assert (batch["mask"] == 1).all()  # no mask: everything annotated


def test_iterate_trains_and_counts_iterations(model, task):
    trainer = make_trainer([dataset()], model, task, learning_rate=1e-2)
    optimizer = trainer.create_optimizer(model)
    with trainer:
        stats = list(trainer.iterate(3, model, optimizer, "cpu"))
    assert [s.iteration for s in stats] == [0, 1, 2]
    assert trainer.iteration == 3
    assert all(np.isfinite(s.loss) and s.time > 0 for s in stats)


def test_augments_are_applied_and_keep_shapes(model, task):
    trainer = make_trainer([dataset()], model, task, augments=[SimpleAugmentConfig()])
    batch = batches(trainer, 1)[0]
    assert batch["raw"].shape == (2, 20, 20) and batch["target"].shape == (2, 1, 16, 16)


# -- sample locations --------------------------------------------------------------


def small_annotated_mask():
    """A 60x60 mask annotated only in a 20x20 square (11% of the area)."""
    mask = np.zeros((60, 60), np.uint8)
    mask[35:55, 35:55] = 1
    return mask


@pytest.mark.parametrize("strategy", [None, "reject", "integral_mask"])
def test_min_masked_rejects_mostly_unannotated_locations(model, task, strategy):
    data = dataset(mask=small_annotated_mask())
    trainer = make_trainer([data], model, task, min_masked=0.5, sample_strategy=strategy)
    fractions = [m.mean() for b in batches(trainer, 15) for m in b["mask"]]
    assert min(fractions) >= 0.5, fractions


def test_without_min_masked_locations_are_mostly_unannotated(model, task):
    # the control for the test above: anywhere, most samples miss the square
    data = dataset(mask=small_annotated_mask())
    trainer = make_trainer([data], model, task, min_masked=0, sample_strategy="anywhere")
    fractions = [m.mean() for b in batches(trainer, 15) for m in b["mask"]]
    assert min(fractions) < 0.5


def test_min_masked_that_no_location_meets_is_an_error(monkeypatch, model, task):
    monkeypatch.setattr(_gp_sampling, "MAX_ATTEMPTS", 30)
    data = dataset(mask=np.zeros((60, 60), np.uint8))
    trainer = make_trainer([data], model, task, min_masked=0.1, sample_strategy="reject")
    with pytest.raises(Exception, match="no sample location with at least min_masked=0.1"):
        batches(trainer, 1)


def test_sample_points_centre_every_sample(model, task):
    # gt holds each voxel's flat index, so the gt of a sample tells where it is
    gt = np.arange(60 * 60, dtype=np.uint64).reshape(60, 60)
    point = Coordinate(30, 25)
    data = dataset(gt=gt, sample_points=[point])
    trainer = make_trainer([data], model, task, sample_strategy="sample_points", min_masked=0)
    for batch in batches(trainer, 4):
        for sample in batch["gt"]:
            first = Coordinate(np.unravel_index(int(sample[0, 0]), (60, 60)))
            centre = first + Coordinate(8, 8)  # output region is 16x16
            assert max(abs(c - p) for c, p in zip(centre, point)) <= 1, (centre, point)


@pytest.mark.timeout(60)
def test_points_too_close_to_the_border_fall_back_to_random_locations(model, task, caplog):
    # no sample centred on (1, 1) fits inside the 60x60 data: gunpowder alone
    # would retry such points forever
    data = dataset(sample_points=[Coordinate(1, 1), Coordinate(58, 2)])
    trainer = make_trainer([data], model, task, sample_strategy="sample_points", min_masked=0)
    found = batches(trainer, 2)
    assert all(batch["raw"].shape[-2:] == (20, 20) for batch in found)
    assert "none of its 2 sample points can be the centre of a training sample" in caplog.text


@pytest.mark.parametrize("fetchers", [0, 1])
def test_a_sample_larger_than_the_data_is_a_clear_error(model, task, fetchers):
    # the 16x16 output does not fit into 14x14 data, rotated or not (a rotation
    # alone that grows it beyond the data is padded: test_gp_padding.py)
    data = dataset(size=14)
    rotate = ElasticAugmentConfig([10, 10], [0.0, 0.0], (0.785, 0.786))
    trainer = make_trainer(
        [data], model, task, augments=[rotate], min_masked=0, num_data_fetchers=fetchers
    )
    with pytest.raises(ConfigError, match=r"^dataset 'd': a training sample does not fit inside the data"):
        batches(trainer, 1)


def test_dataset_weights_set_how_often_each_dataset_is_sampled(model, task):
    zeros = dataset("zeros", raw=np.zeros((60, 60), np.float32), weight=1)
    ones = dataset("ones", raw=np.ones((60, 60), np.float32), weight=3)
    trainer = make_trainer([zeros, ones], model, task, batch_size=10)
    # raw over the output region is never padding
    means = [s[2:-2, 2:-2].mean() for b in batches(trainer, 20) for s in b["raw"]]
    assert set(means) == {0.0, 1.0}
    assert 0.6 < np.mean(means) < 0.9  # expected 3 / 4


def test_dataset_of_weight_zero_is_never_sampled(model, task):
    zeros = dataset("zeros", raw=np.zeros((60, 60), np.float32), weight=0)
    ones = dataset("ones", raw=np.ones((60, 60), np.float32), weight=1)
    trainer = make_trainer([zeros, ones], model, task, batch_size=10)
    assert all((b["raw"][:, 2:-2, 2:-2] == 1).all() for b in batches(trainer, 3))


# -- geometry and clip_raw ------------------------------------------------------------


def test_sample_geometry_of_the_model(model):
    geometry = sample_geometry(model, [dataset()], "gp")
    assert geometry.input_size == (20, 20)
    assert geometry.output_size == (16, 16)
    assert geometry.context == (2, 2)


def test_clip_raw_roi_is_gt_grown_by_context_within_raw(model):
    data = SimpleNamespace(
        name="d",
        raw=array(np.zeros((100, 100), np.float32), voxel_size=(2, 2)),  # [0, 200)
        gt=array(np.zeros((10, 40), np.uint64), offset=(20, 180), voxel_size=(2, 2)),
    )
    geometry = sample_geometry(model, [data], "gp")._replace(context=Coordinate(3, 3))
    # gt [20:40, 180:260] grown by 3 -> [17:43, 177:263], snapped to the 2-grid
    # -> [16:44, 176:264], within raw [0:200] -> [16:44, 176:200]
    assert clipped_raw_roi(data, geometry) == Roi((16, 176), (28, 24))


def test_clip_raw_trains(model, task):
    trainer = make_trainer([dataset()], model, task, clip_raw=True)
    assert batches(trainer, 1)[0]["raw"].shape == (2, 20, 20)


# -- snapshots ---------------------------------------------------------------------


def test_snapshots_every_interval(tmp_path, model, task):
    container = LocalContainerIdentifier(tmp_path / "snapshot.zarr")
    trainer = make_trainer([dataset()], model, task, container, snapshot_interval=2)
    optimizer = trainer.create_optimizer(model)
    with trainer:
        list(trainer.iterate(3, model, optimizer, "cpu"))
    root = zarr.open_group(str(tmp_path / "snapshot.zarr"), mode="r")
    assert sorted(root.group_keys()) == ["0", "2"]
    volumes = root["2/volumes"]
    names = ["gt", "mask", "prediction", "raw", "target", "weight"]
    assert sorted(volumes.group_keys()) == names
    assert all(sorted(volumes[name].array_keys()) == ["0", "1"] for name in names)
    assert volumes["raw/0"].shape == (20, 20)
    assert volumes["prediction/1"].shape == (1, 16, 16)
    # each sample at its world position: the output 2 voxels inside the input
    for sample in ("0", "1"):
        raw_offset = volumes[f"raw/{sample}"].attrs["offset"]
        attrs = dict(volumes[f"target/{sample}"].attrs)
        assert {k: attrs[k] for k in ("resolution", "offset", "axes")} == {
            "resolution": [1, 1],
            "offset": [raw_offset[0] + 2, raw_offset[1] + 2],
            "axes": ["c", "y", "x"],
        }
    assert volumes["raw/0"].attrs["axes"] == ["y", "x"]
    # OME-NGFF too: each sample is an image of its group, at its world position
    images = {i["datasets"][0]["path"]: i for i in volumes["target"].attrs["multiscales"]}
    transforms = images["1"]["datasets"][0]["coordinateTransformations"]
    assert transforms[0] == {"type": "scale", "scale": [1.0, 1.0, 1.0]}
    offset = volumes["target/1"].attrs["offset"]
    assert transforms[1] == {"type": "translation", "translation": [0.0, *map(float, offset)]}


def test_snapshot_samples_lie_where_they_were_sampled(tmp_path, model, task):
    rng = np.random.default_rng(1)
    raw = rng.random((60, 60), dtype=np.float32)
    gt = rng.integers(0, 2, (60, 60)).astype(np.uint64)
    data = dataset()
    data.raw = array(raw, offset=(40, 60), voxel_size=(2, 2))
    data.gt = array(gt, offset=(40, 60), voxel_size=(2, 2))
    container = LocalContainerIdentifier(tmp_path / "snapshot.zarr")
    trainer = make_trainer([data], model, task, container, snapshot_interval=1, batch_size=4)
    optimizer = trainer.create_optimizer(model)
    with trainer:
        list(trainer.iterate(1, model, optimizer, "cpu"))
    volumes = zarr.open_group(str(tmp_path / "snapshot.zarr"), mode="r")["0/volumes"]
    offsets = set()
    for sample in map(str, range(4)):
        for name, source in (("raw", data.raw), ("gt", data.gt)):
            stored = volumes[f"{name}/{sample}"]
            assert stored.attrs["resolution"] == [2, 2]
            roi = Roi(stored.attrs["offset"], Coordinate(stored.shape) * 2)
            # raw is zero-padded beyond its ROI, as the pipeline pads it
            np.testing.assert_array_equal(stored[:], source.to_ndarray(roi, fill_value=0))
        offsets.add(tuple(volumes[f"raw/{sample}"].attrs["offset"]))
    assert len(offsets) > 1  # the samples were taken at different places


def test_no_snapshots_without_interval(tmp_path, model, task):
    container = LocalContainerIdentifier(tmp_path / "snapshot.zarr")
    trainer = make_trainer([dataset()], model, task, container)
    optimizer = trainer.create_optimizer(model)
    with trainer:
        list(trainer.iterate(2, model, optimizer, "cpu"))
    assert not (tmp_path / "snapshot.zarr").exists()


# -- errors ------------------------------------------------------------------------


def test_can_train_needs_gt(model):
    trainer = GunpowderTrainer(trainer_config())
    assert trainer.can_train([dataset()])
    assert not trainer.can_train([SimpleNamespace(gt=None)])
    assert not trainer.can_train([])


def without_gt():
    data = dataset()
    data.gt = None
    return [data]


@pytest.mark.parametrize(
    "datasets, kwargs, message",
    [
        (lambda: [], {}, "no training datasets"),
        (without_gt, {}, "dataset 'd' has no ground truth"),
        (lambda: [dataset(weight=0)], {}, "weights sum to 0"),
        (lambda: [dataset(weight=-1)], {}, "weights must be numbers >= 0"),
        (lambda: [dataset()], {"sample_strategy": "sample_points", "min_masked": 0},
         "dataset 'd' has no sample points"),
    ],
)
def test_bad_datasets_are_errors(model, task, datasets, kwargs, message):
    trainer = GunpowderTrainer(trainer_config(**kwargs))
    with pytest.raises(ConfigError, match=message):
        trainer.build_batch_provider(datasets(), model, task)


def test_gt_voxel_size_must_match_the_model_output(model, task):
    data = dataset()
    data.gt = array(np.zeros((30, 30), np.uint64), voxel_size=(2, 2))
    with pytest.raises(ConfigError, match=r"gt voxel size \(2, 2\).*needs.*gt at \(1, 1\)"):
        GunpowderTrainer(trainer_config()).build_batch_provider([data], model, task)


def test_batches_need_a_running_pipeline(model, task):
    trainer = GunpowderTrainer(trainer_config())
    with pytest.raises(RuntimeError, match="call build_batch_provider"):
        trainer.__enter__()
    trainer.build_batch_provider([dataset()], model, task)
    with pytest.raises(RuntimeError, match="use `with trainer:`"):
        trainer.next_batch()
    with trainer, pytest.raises(RuntimeError, match="the pipeline is running"):
        trainer.build_batch_provider([dataset()], model, task)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (
            {"batch_size": 0},
            "GunpowderTrainerConfig 'gp': `batch_size` must be an integer >= 1, got 0",
        ),
        ({"learning_rate": 0.0}, "'gp': `learning_rate` must be a finite number > 0, got 0.0"),
        ({"num_data_fetchers": -1}, "'gp': `num_data_fetchers` must be an integer >= 0, got -1"),
        (
            {"snapshot_interval": 0},
            r"'gp': `snapshot_interval` must be an integer >= 1 \(or None\), got 0",
        ),
        ({"min_masked": 1.5}, r"'gp': `min_masked` must be a number in \[0, 1\] .*, got 1.5"),
        ({"sample_strategy": "random"}, "unknown `sample_strategy` 'random'"),
        ({"sample_strategy": "anywhere"}, "'anywhere' ignores the mask but `min_masked` is 0.15"),
        ({"warmup_iterations": -5}, "'gp': `warmup_iterations` must be an integer >= 0, got -5"),
    ],
)
def test_out_of_range_values_are_refused_when_made(kwargs, message):
    with pytest.raises(ConfigError, match=message):
        trainer_config(**kwargs)


def test_a_value_changed_after_it_was_made_fails_verify_and_build():
    config = trainer_config()
    config.batch_size = 0  # configs are mutable; validate() checks the values again
    ok, reason = config.verify()
    assert not ok and "`batch_size` must be an integer >= 1, got 0" in reason
    with pytest.raises(ConfigError, match="'gp': `batch_size` must be an integer >= 1, got 0"):
        build(config)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"batch_size": True}, "'gp': `batch_size` must be an integer, got True"),
        ({"clip_raw": "yes"}, "'gp': `clip_raw` must be True or False, got 'yes'"),
        ({"augments": ["elastic"]}, r"'gp': `augments\[0\]` must be an AugmentConfig, got 'elastic'"),
        ({"augments": None}, "'gp': `augments` must be a list, each item an AugmentConfig, got None"),
    ],
)
def test_wrong_types_are_refused_when_made(kwargs, message):
    with pytest.raises(ConfigError, match=message):
        trainer_config(**kwargs)


@pytest.mark.parametrize(
    "augment, field, value, message",
    [
        (
            GammaAugmentConfig((0.5, 2.0)), "gamma_range", (2.0, 0.5),
            r"GunpowderTrainerConfig 'gp': `augments\[1\]`: GammaAugmentConfig: `gamma_range` "
            r"must be a pair \(min, max\) .*, got \(2.0, 0.5\)",
        ),
        (
            ElasticAugmentConfig([4, 4], [1.0, 1.0], (0, 1)), "subsample", 0,
            r"'gp': `augments\[1\]`: ElasticAugmentConfig: `subsample` must be an integer >= 1, "
            "got 0",
        ),
    ],
)
def test_the_trainer_checks_each_augment(augment, field, value, message):
    # an augment is checked when made, and again (named by its place) with its trainer:
    # when the trainer config is made, verified and built
    with pytest.raises(ConfigError, match=message.split("`: ", 1)[1]):
        attr.evolve(augment, **{field: value})
    config = trainer_config(augments=[SimpleAugmentConfig(), augment])
    setattr(augment, field, value)  # configs are mutable
    with pytest.raises(ConfigError, match=message):
        trainer_config(augments=[SimpleAugmentConfig(), augment])
    ok, reason = config.verify()
    assert not ok and "`augments[1]`" in reason
    with pytest.raises(ConfigError, match=message):
        build(config)


def test_config_defaults_and_positional_order():
    config = GunpowderTrainerConfig("gp", 4, 1e-4)
    assert (config.num_data_fetchers, config.augments, config.snapshot_interval) == (5, [], None)
    assert (config.min_masked, config.clip_raw, config.sample_strategy) == (0.15, False, None)
    assert config.verify()[0]
    positional = GunpowderTrainerConfig("gp", 4, 1e-4, 2, [], 10, 0.3, True)
    assert (positional.num_data_fetchers, positional.snapshot_interval) == (2, 10)
    assert (positional.min_masked, positional.clip_raw) == (0.3, True)


# -- random_seed: the same batches each time ------------------------------------


def _raws(trainer, iterations):
    """The raw data of the batches for ``iterations``."""
    with trainer:
        raws = []
        for iteration in iterations:
            trainer.iteration = iteration
            raws.append(trainer.next_batch()["raw"])
        return raws


def _trainer(model, task, seed):
    return make_trainer([dataset()], model, task, random_seed=seed,
                        augments=[SimpleAugmentConfig()])


def test_a_seeded_pipeline_draws_the_same_batches(model, task):
    first = _raws(_trainer(model, task, 7), range(4))
    again = _raws(_trainer(model, task, 7), range(4))
    assert all(np.array_equal(a, b) for a, b in zip(first, again))
    assert not np.array_equal(first[0], first[1])  # each iteration its own batch
    other = _raws(_trainer(model, task, 8), range(4))
    assert not any(np.array_equal(a, b) for a, b in zip(first, other))


def test_a_resumed_seeded_pipeline_goes_on_with_the_same_batches(model, task):
    whole = _raws(_trainer(model, task, 3), range(5))
    resumed = _raws(_trainer(model, task, 3), range(3, 5))
    assert np.array_equal(resumed[0], whole[3]) and np.array_equal(resumed[1], whole[4])


@pytest.mark.parametrize("seed", [-1, 2**32, 1.5, "3"])
def test_the_seed_is_a_32_bit_count(seed):
    with pytest.raises(ConfigError, match="random_seed"):
        trainer_config(random_seed=seed).validate()


def test_a_snapshot_shows_its_own_steps_batch_when_batches_are_made_ahead(tmp_path, model, task):
    container = LocalContainerIdentifier(tmp_path / "snapshot.zarr")
    trainer = make_trainer([dataset()], model, task, container, snapshot_interval=1)
    with trainer:
        made = [trainer.next_batch_at(i) for i in range(3)]  # as a GPU's prefetch does
    prediction = torch.zeros((2, 1, 16, 16))
    trainer.after_step(0, made[0], prediction)
    volumes = zarr.open_group(str(tmp_path / "snapshot.zarr"), mode="r")["0/volumes"]
    np.testing.assert_array_equal(volumes["raw/1"][:], made[0]["raw"][1])
    np.testing.assert_array_equal(volumes["target/0"][:], made[0]["target"][0])
