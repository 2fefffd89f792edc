"""Contract every start meets, run over every registered concrete
``StartConfig``: ``build(config)`` gives a ``Start`` whose
``initialize_weights`` loads the source weights into a model of the same
architecture, matches head rows by channel name when both heads are named,
and refuses a model whose body does not fit.

The model is a DaCapo ``Model``: the dummy architecture (1 -> 2 channels)
and a 1x1x1 head with three channels. Each registered class needs an entry in
``EXAMPLES``: it stores the source weights where that kind of start reads
them and returns the config.
"""

from types import SimpleNamespace

import pytest
import torch

from dacapo._build import build
from dacapo.errors import ConfigError
from dacapo.experiments.architectures import DummyArchitectureConfig
from dacapo.experiments.model import Model
from dacapo.experiments.starts import CosemStartConfig, Start, StartConfig
from dacapo.store.create_store import create_weights_store


def model(seed: int, body_channels: int = 2) -> Model:
    torch.manual_seed(seed)
    architecture = build(DummyArchitectureConfig("arch", 1, body_channels))
    return Model(architecture, torch.nn.Conv3d(body_channels, 3, 1))


def _from_a_run(tmp_path, source: Model) -> StartConfig:
    """A checkpoint of iteration 100 of run ``source`` in the weights store."""
    optimizer = torch.optim.SGD(source.parameters(), lr=0.1)
    run = SimpleNamespace(name="source", model=source, optimizer=optimizer)
    create_weights_store().store_weights(run, 100)
    return StartConfig("source", "100")


def _from_a_file(tmp_path, source: Model) -> CosemStartConfig:
    """A pretrained state dict in a local file."""
    path = tmp_path / "setup04.pt"
    torch.save(source.state_dict(), path)
    return CosemStartConfig("setup04", "1820500", weights_file=path)


# config class name -> setup(tmp_path, source model) -> config
EXAMPLES = {"StartConfig": _from_a_run, "CosemStartConfig": _from_a_file}

REGISTERED = [cls.__name__ for cls in StartConfig.registry().concrete()]


@pytest.fixture
def source():
    return model(seed=1)


@pytest.fixture(params=REGISTERED)
def start(request, runs_base_dir, tmp_path, source):
    name = request.param
    if name not in EXAMPLES:
        pytest.fail(
            f"{name} is a registered StartConfig without an example; add one to "
            "EXAMPLES in tests/contracts/test_starts.py"
        )
    config = EXAMPLES[name](tmp_path, source)
    assert type(config).__name__ == name
    return build(config)


def test_every_registered_start_has_an_example():
    assert "CosemStartConfig" in REGISTERED
    missing = set(REGISTERED) - set(EXAMPLES)
    assert not missing, f"starts without an example in {__file__}: {missing}"


def test_initialize_weights_loads_the_source_weights(start, source):
    assert isinstance(start, Start)
    target = model(seed=2)
    assert not torch.equal(target.prediction_head.weight, source.prediction_head.weight)
    start.initialize_weights(target)
    expected = source.state_dict()
    for key, value in target.state_dict().items():
        assert torch.equal(value, expected[key]), key


def test_head_rows_are_matched_by_channel_name(start, source):
    target = model(seed=2)
    initial = target.prediction_head.weight.detach().clone()
    start.initialize_weights(target, new_head=["c", "x", "a"], old_head=["a", "b", "c"])
    new, old = target.prediction_head.weight.detach(), source.prediction_head.weight.detach()
    # c: old row 2 -> row 0; a: old row 0 -> row 2; x (row 1) stays as initialised
    assert torch.equal(new[0], old[2]) and torch.equal(new[2], old[0])
    assert torch.equal(new[1], initial[1])
    body = target.architecture.conv.weight
    assert torch.equal(body, source.architecture.conv.weight)


def test_a_model_with_another_body_is_refused(start):
    target = model(seed=2, body_channels=4)
    before = target.architecture.conv.weight.detach().clone()
    with pytest.raises(ConfigError, match="the network body does not fit the model"):
        start.initialize_weights(target)
    assert torch.equal(target.architecture.conv.weight, before)
