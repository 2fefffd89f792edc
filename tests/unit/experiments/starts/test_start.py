"""Start: loading another run's checkpoint by iteration or criterion, head matching."""

import logging
from types import SimpleNamespace
from typing import List

import attr
import pytest
import torch

from dacapo.errors import ConfigError, NoSuchCheckpointError, StoreError
from dacapo.experiments import Model
from dacapo.experiments.architectures import DummyArchitectureConfig
from dacapo.experiments.datasplits.datasplit_config import DataSplitConfig
from dacapo.experiments.run_config import RunConfig
from dacapo.experiments.starts import Start, StartConfig
from dacapo.experiments.starts.start import task_channels
from dacapo.experiments.tasks.task_config import TaskConfig
from dacapo.experiments.trainers.trainer_config import TrainerConfig
from dacapo.store.converter import converter
from dacapo.store.create_store import create_config_store, create_weights_store
from tests._registries import registered_fixture, unregister


@attr.s
class _StartTestTaskConfig(TaskConfig, abstract=True):
    """A task config that declares its output channel names."""

    channels: List[str] = attr.ib(factory=list)


# test-only: registered (so that stored run configs read back) only while this module runs
unregister(_StartTestTaskConfig)
_start_test_task_registered = registered_fixture(_StartTestTaskConfig)


def tiny_model(head_channels: int = 3) -> torch.nn.Sequential:
    """A 2D body convolution (1 -> 2 channels) and a 1x1 head."""
    return torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3), torch.nn.Conv2d(2, head_channels, 1))


def store_run(name: str, model: torch.nn.Module, iteration: int) -> None:
    run = SimpleNamespace(
        name=name, model=model, optimizer=torch.optim.SGD(model.parameters(), lr=0.1)
    )
    create_weights_store().store_weights(run, iteration)


def same_tensors(a: torch.nn.Module, b: torch.nn.Module) -> bool:
    sa, sb = a.state_dict(), b.state_dict()
    return sa.keys() == sb.keys() and all(torch.equal(sa[k], sb[k]) for k in sa)


def store_run_config(name: str, channels: List[str]) -> None:
    create_config_store().store_run_config(
        RunConfig(
            task_config=_StartTestTaskConfig("task", channels=channels),
            architecture_config=DummyArchitectureConfig("arch", 1, 2),
            trainer_config=TrainerConfig("trainer", batch_size=1, learning_rate=1e-3),
            datasplit_config=DataSplitConfig("split"),
            name=name,
            repetition=0,
            num_iterations=10,
        )
    )


@pytest.fixture
def source(runs_base_dir):
    """Run ``source`` with checkpoints at iterations 100 and 200 (different weights)."""
    torch.manual_seed(0)
    models = {100: tiny_model(), 200: tiny_model()}
    for iteration, model in models.items():
        store_run("source", model, iteration)
    return models


def test_config_names_start_and_round_trips():
    config = StartConfig("source", "1000")
    assert config.start_type == Start and type(config).start_type is Start
    data = converter.unstructure(config)
    assert data == {"__type__": "StartConfig", "run": "source", "criterion": "1000"}
    assert converter.structure(data, StartConfig) == config


def test_start_by_iteration_loads_every_tensor(source):
    model = tiny_model()
    Start(StartConfig("source", "100")).initialize_weights(model)
    assert same_tensors(model, source[100])
    assert not same_tensors(model, source[200])


def test_start_by_criterion_loads_the_best_iteration(source):
    create_weights_store().store_best("source", 200, "crop_1", "voi")
    model = tiny_model()
    Start(StartConfig("source", "voi")).initialize_weights(model)
    assert same_tensors(model, source[200])


def test_dataset_prefix_picks_among_several_bests(source):
    store = create_weights_store()
    store.store_best("source", 100, "crop_1", "voi")
    store.store_best("source", 200, "crop_2", "voi")
    model = tiny_model()
    Start(StartConfig("source", "crop_1/voi")).initialize_weights(model)
    assert same_tensors(model, source[100])
    with pytest.raises(ConfigError, match=r"several datasets \['crop_1', 'crop_2'\]"):
        Start(StartConfig("source", "voi")).initialize_weights(tiny_model())


def test_head_matching_copies_rows_by_channel_name(source):
    old = source[100]
    model = tiny_model()
    initial = {k: v.clone() for k, v in model.state_dict().items()}
    start = Start(StartConfig("source", "100"), old_head=["a", "b", "c"])
    start.initialize_weights(model, new_head=["c", "x", "a"])
    new_w, new_b = model[1].weight.detach(), model[1].bias.detach()
    old_w, old_b = old[1].weight.detach(), old[1].bias.detach()
    # c: old row 2 -> new row 0; a: old row 0 -> new row 2; x stays as initialised
    assert torch.equal(new_w[0], old_w[2]) and torch.equal(new_b[0], old_b[2])
    assert torch.equal(new_w[2], old_w[0]) and torch.equal(new_b[2], old_b[0])
    assert torch.equal(new_w[1], initial["1.weight"][1])
    assert torch.equal(new_b[1], initial["1.bias"][1])
    assert torch.equal(model[0].weight, old[0].weight)  # body loaded as is
    assert torch.equal(model[0].bias, old[0].bias)


def test_head_matching_with_a_different_number_of_channels(source, caplog):
    old = source[100]
    model = tiny_model(head_channels=2)
    initial_row = model[1].weight.detach()[0].clone()
    start = Start(StartConfig("source", "100"), old_head=["a", "b", "c"])
    with caplog.at_level(logging.INFO, logger="dacapo.experiments.starts.start"):
        start.initialize_weights(model, new_head=["new", "b"])
    assert torch.equal(model[1].weight.detach()[1], old[1].weight.detach()[1])
    assert torch.equal(model[1].weight.detach()[0], initial_row)
    assert "copied b (old row 1 -> row 1)" in caplog.text
    assert "left as initialised: new" in caplog.text


def test_old_channel_names_come_from_the_stored_run_config(source):
    store_run_config("source", ["a", "b", "c"])
    old = source[100]
    model = tiny_model(head_channels=1)
    Start(StartConfig("source", "100")).initialize_weights(model, new_head=["c"])
    assert torch.equal(model[1].weight.detach()[0], old[1].weight.detach()[2])
    assert torch.equal(model[1].bias.detach()[0], old[1].bias.detach()[2])


def test_initialize_weights_old_head_overrides_the_stored_one(source):
    store_run_config("source", ["a", "b", "c"])
    old = source[100]
    model = tiny_model(head_channels=1)
    start = Start(StartConfig("source", "100"))
    start.initialize_weights(model, new_head=["c"], old_head=["c", "b", "a"])
    assert torch.equal(model[1].weight.detach()[0], old[1].weight.detach()[0])


def test_same_channel_names_load_the_whole_head(source):
    model = tiny_model()
    start = Start(StartConfig("source", "200"), old_head=["a", "b", "c"])
    start.initialize_weights(model, new_head=["a", "b", "c"])
    assert same_tensors(model, source[200])


def test_unknown_old_channels_and_other_head_shape_keep_the_head(source, caplog):
    model = tiny_model(head_channels=2)
    initial_head = model[1].weight.detach().clone()
    with caplog.at_level(logging.INFO, logger="dacapo.experiments.starts.start"):
        Start(StartConfig("source", "100")).initialize_weights(model, new_head=["a", "b"])
    assert torch.equal(model[1].weight.detach(), initial_head)
    assert torch.equal(model[0].weight, source[100][0].weight)
    assert "no config of run 'source' is stored" in caplog.text
    assert "head left as initialised (1.weight, 1.bias)" in caplog.text


def test_unreadable_run_config_is_reported_and_head_kept(source, caplog, monkeypatch):
    def broken_store():
        raise StoreError("configs are unreachable")

    monkeypatch.setattr("dacapo.store.create_store.create_config_store", broken_store)
    model = tiny_model(head_channels=2)
    initial_head = model[1].weight.detach().clone()
    with caplog.at_level(logging.WARNING, logger="dacapo.experiments.starts.start"):
        Start(StartConfig("source", "100")).initialize_weights(model, new_head=["a", "b"])
    assert torch.equal(model[1].weight.detach(), initial_head)
    assert "cannot read the config of run 'source' (configs are unreachable)" in caplog.text


def test_head_matching_in_a_model_with_a_prediction_head(runs_base_dir):
    def model_with_head(channels):
        arch_config = DummyArchitectureConfig("arch", 1, 2)
        return Model(arch_config.architecture_type(arch_config), torch.nn.Conv3d(2, channels, 1))

    torch.manual_seed(1)
    old = model_with_head(2)
    store_run("source", old, 5)
    model = model_with_head(3)
    initial = model.prediction_head.weight.detach().clone()
    Start(StartConfig("source", "5"), old_head=["mito", "er"]).initialize_weights(
        model, new_head=["er", "nucleus", "mito"]
    )
    head, old_head = model.prediction_head.weight.detach(), old.prediction_head.weight.detach()
    assert torch.equal(head[0], old_head[1])
    assert torch.equal(head[1], initial[1])
    assert torch.equal(head[2], old_head[0])
    assert torch.equal(model.chain[1].weight, model.prediction_head.weight)
    assert torch.equal(model.architecture.conv.weight, old.architecture.conv.weight)


def test_task_channels_reads_channels_or_classes():
    assert task_channels(SimpleNamespace(channels=["a", "b"])) == ["a", "b"]
    assert task_channels(SimpleNamespace(classes=("x",))) == ["x"]
    wrapped = SimpleNamespace(sub_task_config=SimpleNamespace(channels=["mito"]))
    assert task_channels(wrapped) == ["mito"]
    assert task_channels(SimpleNamespace(neighborhood=[(0, 1)])) is None


def test_missing_run(runs_base_dir):
    with pytest.raises(NoSuchCheckpointError, match="run 'nowhere' has no checkpoints"):
        Start(StartConfig("nowhere", "100")).initialize_weights(tiny_model())


def test_missing_iteration(source):
    with pytest.raises(NoSuchCheckpointError, match="no checkpoint of iteration 300.*100, 200"):
        Start(StartConfig("source", "300")).initialize_weights(tiny_model())


def test_unknown_criterion(source):
    with pytest.raises(
        NoSuchCheckpointError, match="no best iteration for criterion 'f1'.*iteration number"
    ):
        Start(StartConfig("source", "f1")).initialize_weights(tiny_model())


def test_body_with_other_shapes_is_refused(source):
    model = torch.nn.Sequential(torch.nn.Conv2d(1, 2, 5), torch.nn.Conv2d(2, 3, 1))
    with pytest.raises(ConfigError, match=r"body does not fit.*0\.weight: \(2, 1, 3, 3\) vs"):
        Start(StartConfig("source", "100")).initialize_weights(model)


def test_other_architecture_is_refused(source):
    model = torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3), torch.nn.ReLU(), torch.nn.Conv2d(2, 3, 1))
    with pytest.raises(ConfigError, match=r"missing: 2\.weight, 2\.bias; unexpected: 1\.weight"):
        Start(StartConfig("source", "100")).initialize_weights(model)


def test_old_head_that_does_not_fit_the_checkpoint(source):
    start = Start(StartConfig("source", "100"), old_head=["a", "b"])
    with pytest.raises(ConfigError, match="does not fit 2 old channel names"):
        start.initialize_weights(tiny_model(), new_head=["a", "x", "y"])


def test_new_head_that_does_not_fit_the_model(source):
    start = Start(StartConfig("source", "100"), old_head=["a", "b", "c"])
    with pytest.raises(ConfigError, match="new_head names 2 channels.*has 3 output channels"):
        start.initialize_weights(tiny_model(), new_head=["a", "x"])


def test_channel_names_must_be_a_list():
    with pytest.raises(ConfigError, match="old_head: expected a list of channel names, got 'abc'"):
        Start(StartConfig("source", "100"), old_head="abc")
    with pytest.raises(ConfigError, match=r"new_head: expected a list of channel names"):
        Start(StartConfig("source", "100")).initialize_weights(tiny_model(), new_head=[1, 2])
