"""CosemStart: pretrained weights from a local checkpoint file, head matching."""

import datetime
import logging
from pathlib import Path

import pytest
import torch

from dacapo import build
from dacapo.errors import ConfigError, DacapoError, NoSuchCheckpointError, StoreError
from dacapo.experiments.architectures import DummyArchitectureConfig
from dacapo.experiments.datasplits.datasplit_config import DataSplitConfig
from dacapo.experiments.run_config import RunConfig
from dacapo.experiments.starts import CosemStart, CosemStartConfig, StartConfig
from dacapo.experiments.tasks.task_config import TaskConfig
from dacapo.experiments.trainers.trainer_config import TrainerConfig
from dacapo.store.converter import converter
from dacapo.store.create_store import create_config_store


def tiny_model(head_channels: int = 3) -> torch.nn.Sequential:
    return torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3), torch.nn.Conv2d(2, head_channels, 1))


@pytest.fixture
def pretrained():
    torch.manual_seed(3)
    return tiny_model()


def test_config_names_cosem_start_and_round_trips(tmp_path):
    config = CosemStartConfig(
        "setup04", "1820500", "cosem", tmp_path / "w.pt", channels=["mito", "er"]
    )
    assert config.start_type == CosemStart and type(config).start_type is CosemStart
    data = converter.unstructure(config)
    assert data["__type__"] == "CosemStartConfig"
    assert data["weights_file"] == str(tmp_path / "w.pt")
    assert converter.structure(data, StartConfig) == config
    assert CosemStartConfig("setup04", "1820500", weights_file="w.pt").weights_file == Path("w.pt")


def test_loads_a_plain_state_dict(tmp_path, pretrained):
    path = tmp_path / "setup04.pt"
    torch.save(pretrained.state_dict(), path)
    model = tiny_model()
    CosemStart(CosemStartConfig("setup04", "1820500", weights_file=path)).initialize_weights(model)
    assert all(torch.equal(a, b) for a, b in zip(model.parameters(), pretrained.parameters()))


def test_model_dict_and_channels_give_head_matching(tmp_path, pretrained):
    path = tmp_path / "setup04.pt"
    torch.save({"model": pretrained.state_dict(), "iteration": 1820500}, path)
    config = CosemStartConfig(
        "setup04", "1820500", weights_file=path, channels=["mito", "er", "nucleus"]
    )
    model = tiny_model(head_channels=2)
    initial_row = model[1].weight.detach()[1].clone()
    CosemStart(config).initialize_weights(model, new_head=["nucleus", "cell"])
    assert torch.equal(model[1].weight.detach()[0], pretrained[1].weight.detach()[2])
    assert torch.equal(model[1].bias.detach()[0], pretrained[1].bias.detach()[2])
    assert torch.equal(model[1].weight.detach()[1], initial_row)
    assert torch.equal(model[0].weight, pretrained[0].weight)


def test_unknown_pretrained_channels_are_reported(tmp_path, pretrained, caplog):
    path = tmp_path / "setup04.pt"
    torch.save(pretrained.state_dict(), path)
    model = tiny_model(head_channels=1)
    initial_head = model[1].weight.detach().clone()
    start = CosemStart(CosemStartConfig("setup04", "1820500", weights_file=path))
    with caplog.at_level(logging.WARNING):
        start.initialize_weights(model, new_head=["mito"])
    assert torch.equal(model[1].weight.detach(), initial_head)
    assert "set CosemStartConfig.channels" in caplog.text


def test_without_weights_file_explains_how_to_give_one():
    start = CosemStart(CosemStartConfig("setup04", "1820500"))
    expected = r"'setup04/1820500': no weights_file given.*weights_file="
    with pytest.raises(DacapoError, match=expected):
        start.initialize_weights(tiny_model())


def test_missing_weights_file(tmp_path):
    config = CosemStartConfig("setup04", "1820500", name="cosem", weights_file=tmp_path / "no.pt")
    expected = r"'cosem': weights_file .*no\.pt does not exist"
    with pytest.raises(NoSuchCheckpointError, match=expected):
        CosemStart(config).initialize_weights(tiny_model())


def test_weights_file_without_a_state_dict(tmp_path):
    path = tmp_path / "tensor.pt"
    torch.save(torch.zeros(3), path)
    config = CosemStartConfig("setup04", "1820500", weights_file=path)
    with pytest.raises(ConfigError, match="holds Tensor; expected a state dict"):
        CosemStart(config).initialize_weights(tiny_model())


@pytest.mark.parametrize(
    "content", [b"not a torch file", None], ids=["damaged", "pickled-object"]
)
def test_unreadable_weights_file(tmp_path, content):
    path = tmp_path / "bad.pt"
    if content is None:  # a pickled object that weights_only refuses to load
        torch.save({"model": {}, "when": datetime.date(2020, 1, 1)}, path)
    else:
        path.write_bytes(content)
    config = CosemStartConfig("setup04", "1820500", weights_file=path)
    with pytest.raises(StoreError, match="cannot be read as torch weights"):
        CosemStart(config).initialize_weights(tiny_model())


@pytest.mark.parametrize(
    "channels, problem",
    [([], "non-empty list"), (["mito", ""], "non-empty list"), (["mito", "mito"], "repeat")],
)
def test_bad_channels(channels, problem):
    with pytest.raises(ConfigError, match=f"CosemStartConfig 'setup04': channels .*{problem}"):
        CosemStartConfig("setup04", "1820500", channels=channels)
    config = CosemStartConfig("setup04", "1820500", channels=["mito"])
    config.channels = channels  # changed after it was made: checked again when built
    assert config.verify()[0] is False
    with pytest.raises(ConfigError, match=problem):
        build(config)


def test_run_config_with_a_cosem_start_round_trips_through_the_store(runs_base_dir):
    start = CosemStartConfig("setup04", "1820500", weights_file=Path("w.pt"), channels=["er"])
    run_config = RunConfig(
        task_config=TaskConfig("task"),
        architecture_config=DummyArchitectureConfig("arch", 1, 2),
        trainer_config=TrainerConfig("trainer", batch_size=1, learning_rate=1e-3),
        datasplit_config=DataSplitConfig("split"),
        name="finetune",
        repetition=0,
        num_iterations=10,
        start_config=start,
    )
    create_config_store().store_run_config(run_config)
    retrieved = create_config_store().retrieve_run_config("finetune")
    assert type(retrieved.start_config) is CosemStartConfig
    assert retrieved.start_config == start
