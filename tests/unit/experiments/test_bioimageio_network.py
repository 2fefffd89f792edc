"""The network of an exported package, rebuilt from configs as bioimage.io does."""

from __future__ import annotations

import torch

from dacapo.experiments.bioimageio_network import BioImageIONetwork
from dacapo.store.converter import converter
from tests._validation_runs import tiny_3d_run_config


def _kwargs(tmp_path):
    config = tiny_3d_run_config(tmp_path)
    return {"architecture_config": converter.unstructure(config.architecture_config),
            "task_config": converter.unstructure(config.task_config)}


def test_rebuilt_network_loads_the_state_and_predicts_alike(tmp_path):
    kwargs = _kwargs(tmp_path)
    network = BioImageIONetwork(**kwargs)
    assert network.kwargs == kwargs
    assert network.channels == ["cell"]
    assert isinstance(network.activation, torch.nn.Hardtanh)  # the distance task's
    rebuilt = BioImageIONetwork(**kwargs)
    rebuilt.load_state_dict(network.state_dict())
    x = torch.rand((1, 1, 20, 20, 20), generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        expected = network.model.eval()(x)  # the run's Model, as it predicts
        for mode in (True, False):  # the activation applies in both modes
            torch.testing.assert_close(rebuilt.train(mode)(x), expected, rtol=0, atol=0)


def test_architecture_alone(tmp_path):
    kwargs = _kwargs(tmp_path)
    network = BioImageIONetwork(kwargs["architecture_config"])
    assert network.channels == ["c0", "c1", "c2", "c3"]
    assert network.activation is None
    assert network.kwargs == {"architecture_config": kwargs["architecture_config"]}
    x = torch.rand((1, 1, 20, 20, 20))
    with torch.no_grad():
        torch.testing.assert_close(network(x), network.model(x))


def test_wrap_holds_a_built_model(tmp_path):
    kwargs = _kwargs(tmp_path)
    model = BioImageIONetwork(**kwargs).model
    network = BioImageIONetwork.wrap(model, ["cell"], kwargs)
    assert network.model is model and network.activation is model.eval_activation
    assert set(network.state_dict()) == set(BioImageIONetwork(**kwargs).state_dict())
