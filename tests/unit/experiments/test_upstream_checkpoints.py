"""Checkpoints written by upstream DaCapo load into our CNNectome U-Net runs.

``upstream_checkpoints.json`` lists the parameter names and shapes of two
upstream models (see its ``_about``): a 3D U-Net with extra upsampling in the
layout of the released 0.3 versions, and a 2D U-Net with batch norm,
attention and transposed-convolution upsampling in the layout of upstream's
main branch. The checkpoints here are written as upstream writes them: a
pickled ``dacapo.store.weights_store.Weights`` holding the model's state dict
and a RAdam state dict, at ``<runs_base_dir>/<run>/checkpoints/iterations/<n>``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from funlib.geometry import Coordinate

from dacapo.errors import ConfigError
from dacapo.experiments import Run, RunConfig
from dacapo.experiments.architectures import CNNectomeUNetConfig
from dacapo.experiments.datasplits import DummyDataSplitConfig
from dacapo.experiments.model import Model, upstream_optimizer_state, upstream_state_dict
from dacapo.experiments.starts.start import load_matching_weights
from dacapo.experiments.tasks import DistanceTaskConfig
from dacapo.experiments.trainers import DummyTrainerConfig
from dacapo.store.create_store import (
    create_config_store,
    create_stats_store,
    create_weights_store,
)
from dacapo.store.weights_store import Weights
from dacapo.train import resume, train

FIXTURE = json.loads(Path(__file__).with_name("upstream_checkpoints.json").read_text())
CASES = [name for name in FIXTURE if not name.startswith("_")]
ITERATION = 3


def unet_config(case) -> CNNectomeUNetConfig:
    return CNNectomeUNetConfig(name="unet", **FIXTURE[case]["config"])


def model_of(case) -> Model:
    config = unet_config(case)
    dims = len(config.input_shape)
    head = {2: torch.nn.Conv2d, 3: torch.nn.Conv3d}[dims](
        config.fmaps_out, FIXTURE[case]["channels"], 1
    )
    return Model(config.architecture_type(config), head)


def run_config(case) -> RunConfig:
    channels = [f"class{i}" for i in range(FIXTURE[case]["channels"])]
    return RunConfig(
        name=f"upstream_{case.replace('.', '_')}",
        repetition=0,
        task_config=DistanceTaskConfig("distances", channels=channels, clip_distance=8.0,
                                       tol_distance=8.0, scale_factor=8.0),
        architecture_config=unet_config(case),
        trainer_config=DummyTrainerConfig("noise", 1, 1e-4, False),
        datasplit_config=DummyDataSplitConfig("split"),
        num_iterations=ITERATION + 1,
        validation_interval=100,
    )


def upstream_state(case, seed=0):
    """Random tensors of the fixture's shapes; names of one module share a tensor."""
    generator = torch.Generator().manual_seed(seed)
    state, by_module = {}, {}
    for key, shape in FIXTURE[case]["state_dict"].items():
        alias = key.replace("chain.1.", "prediction_head.").replace("chain.0.", "architecture.")
        if alias not in by_module:
            if key.endswith("num_batches_tracked"):
                by_module[alias] = torch.tensor(7)
            elif key.endswith("running_var"):
                by_module[alias] = torch.rand(shape, generator=generator) + 0.5
            else:
                by_module[alias] = torch.randn(shape, generator=generator) * 0.1
        state[key] = by_module[alias]
    return state


def upstream_optimizer(case, state):
    """A RAdam state dict after one step, numbered in upstream's parameter order."""
    parameters = [torch.nn.Parameter(state[key].clone()) for key in FIXTURE[case]["parameters"]]
    optimizer = torch.optim.RAdam(parameters, lr=1e-4)
    torch.optim.lr_scheduler.LinearLR(optimizer, start_factor=0.01, total_iters=1000)
    for parameter in parameters:
        parameter.grad = torch.ones_like(parameter)
    optimizer.step()
    return optimizer.state_dict()


def write_upstream_checkpoint(case, run_name, iteration=ITERATION):
    state = upstream_state(case)
    path = create_weights_store().basedir / run_name / "checkpoints" / "iterations"
    path.mkdir(parents=True, exist_ok=True)
    torch.save(Weights(state, upstream_optimizer(case, state)), path / str(iteration))
    return state


@pytest.mark.parametrize("case", CASES)
def test_our_names_and_shapes_are_upstreams(case):
    model = model_of(case)
    ours = {key: list(value.shape) for key, value in model.state_dict().items()}
    expected = FIXTURE[case]["state_dict"]
    if FIXTURE[case]["layout"] == "v0.3":
        assert ours == expected
    else:  # upstream's main branch: the architecture only under chain.0, no `unet.`
        tensors = {key: torch.zeros(shape) for key, shape in expected.items()}
        renamed = upstream_state_dict(model, tensors)
        assert {key: list(value.shape) for key, value in renamed.items()} == ours
    assert list(model.output_shape) == FIXTURE[case]["output_shape"]


def test_released_layout_loads_strictly_without_renaming():
    model = model_of("v0.3_3d_upsample")
    state = upstream_state("v0.3_3d_upsample")
    assert upstream_state_dict(model, state).keys() == state.keys()
    model.load_state_dict(state, strict=True)
    for key, value in model.state_dict().items():
        assert torch.equal(value, state[key]), key


def test_main_branch_layout_loads_strictly_by_renaming():
    case = "head_2d_batch_norm_attention"
    model = model_of(case)
    state = upstream_state(case)
    model.load_state_dict(state, strict=True)
    unet = model.architecture.unet
    assert torch.equal(unet.r_up[0][1].up[0].weight, state["chain.0.r_up.0.1.up.0.weight"])
    assert torch.equal(unet.attention[0][0].psi.conv_pass[0].weight,
                       state["chain.0.attention.0.0.psi.conv_pass.0.weight"])
    assert torch.equal(model.prediction_head.weight, state["prediction_head.weight"])
    assert int(unet.l_conv[0].conv_pass[1].num_batches_tracked) == 7
    assert "architecture.unet.l_conv.0.conv_pass.0.weight" not in state  # not changed


def test_optimizer_state_follows_the_parameters():
    case = "head_2d_batch_norm_attention"
    model = model_of(case)
    state = upstream_state(case)
    optimizer = torch.optim.RAdam(model.parameters(), lr=1e-4)
    upstream = upstream_optimizer(case, state)
    optimizer.load_state_dict(upstream_optimizer_state(model, state, upstream))
    for parameter in model.parameters():
        assert optimizer.state[parameter]["exp_avg"].shape == parameter.shape


def test_optimizer_state_of_other_layouts_is_unchanged():
    case = "v0.3_3d_upsample"
    model, state = model_of(case), upstream_state(case)
    optimizer_state = upstream_optimizer(case, state)
    assert upstream_optimizer_state(model, state, optimizer_state) is optimizer_state


def test_a_start_from_an_upstream_checkpoint_renames_first():
    case = "head_2d_batch_norm_attention"
    model, state = model_of(case), upstream_state(case)
    load_matching_weights(model, state, source="upstream run")
    assert torch.equal(model.architecture.unet.l_conv[0].conv_pass[0].weight,
                       state["chain.0.l_conv.0.conv_pass.0.weight"])


def test_an_upstream_checkpoint_of_another_architecture_names_the_tensors():
    state = upstream_state("head_2d_batch_norm_attention")
    config = unet_config("head_2d_batch_norm_attention")
    other = CNNectomeUNetConfig(**{**{f: getattr(config, f) for f in (
        "name", "input_shape", "fmaps_in", "num_fmaps", "fmap_inc_factor", "fmaps_out",
        "downsample_factors", "constant_upsample", "use_attention")}, "batch_norm": False})
    model = Model(other.architecture_type(other), torch.nn.Conv2d(4, 1, 1))
    with pytest.raises(ConfigError, match=r"unexpected: .*conv_pass\.1\.running_mean"):
        load_matching_weights(model, state, source="upstream run")


@pytest.mark.parametrize("case", CASES)
def test_an_upstream_run_resumes_training(runs_base_dir, case):
    config = run_config(case)
    create_config_store().store_run_config(config)
    state = write_upstream_checkpoint(case, config.name)

    run = Run(config)
    assert resume(run, create_stats_store(), create_weights_store()) == ITERATION
    model_state = run.model.state_dict()
    for key, value in upstream_state_dict(run.model, state).items():
        assert torch.equal(model_state[key], value), key
    for parameter in run.model.parameters():
        assert run.optimizer.state[parameter]["exp_avg"].shape == parameter.shape

    train(config.name, do_validate=False)
    assert create_weights_store().latest_iteration(config.name) == ITERATION + 1
    resumed = create_weights_store().retrieve_weights(config.name, ITERATION + 1).model
    loaded = upstream_state_dict(run.model, state)
    first = next(key for key in loaded if key.startswith("architecture.unet."))
    assert resumed[first].shape == loaded[first].shape
    assert not torch.equal(resumed[first], loaded[first])  # one step of training moved it
    assert Coordinate(FIXTURE[case]["output_shape"]) == run.model.output_shape
