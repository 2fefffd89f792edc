"""LocalWeightsStore: checkpoints per iteration, best iterations, damaged files."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
import torch

from dacapo.errors import ConfigError, NoSuchCheckpointError, StoreError
from dacapo.store.local_weights_store import LocalWeightsStore
from dacapo.store.weights_store import Weights


def _run(name="run", seed=0):
    """A run with a 2->1 linear model and an Adam optimizer that has taken one step."""
    torch.manual_seed(seed)
    model = torch.nn.Linear(2, 1)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.1)
    model(torch.ones(1, 2)).sum().backward()
    optimizer.step()
    return SimpleNamespace(name=name, model=model, optimizer=optimizer)


@pytest.fixture
def store(tmp_path):
    return LocalWeightsStore(tmp_path)


def test_store_writes_a_versioned_checkpoint_dict(store, tmp_path):
    run = _run()
    store.store_weights(run, 10)
    path = tmp_path / "run" / "checkpoints" / "iterations" / "10"
    checkpoint = torch.load(path, weights_only=True)
    assert sorted(checkpoint) == ["dacapo_version", "iteration", "model", "optimizer"]
    assert checkpoint["iteration"] == 10
    assert torch.equal(checkpoint["model"]["weight"], run.model.weight.detach())
    assert [p.name for p in path.parent.iterdir()] == ["10"]  # no temporary files left


def test_retrieve_returns_model_and_optimizer_state(store):
    run = _run()
    store.store_weights(run, 3)
    weights = store.retrieve_weights("run", 3)
    assert isinstance(weights, Weights)
    assert torch.equal(weights.model["bias"], run.model.bias.detach())
    assert weights.optimizer["state"][0]["step"] == 1
    assert weights.optimizer["param_groups"][0]["lr"] == 0.1


def test_load_weights_restores_model_and_optimizer(store):
    trained = _run(seed=0)
    store.store_weights(trained, 5)
    fresh = _run(seed=1)
    assert not torch.equal(fresh.model.weight, trained.model.weight)
    store.load_weights(fresh, 5)
    assert torch.equal(fresh.model.weight, trained.model.weight)
    assert torch.equal(
        fresh.optimizer.state_dict()["state"][0]["exp_avg"],
        trained.optimizer.state_dict()["state"][0]["exp_avg"],
    )


def test_latest_iteration(store, tmp_path):
    assert store.latest_iteration("run") is None
    run = _run()
    for iteration in (5, 100, 20):
        store.store_weights(run, iteration)
    (tmp_path / "run" / "checkpoints" / "iterations" / ".100.xyz.tmp").write_bytes(b"partial")
    assert store.latest_iteration("run") == 100
    assert store.latest_iteration("other") is None


def test_retrieving_a_missing_iteration_raises_file_not_found(store):
    store.store_weights(_run(), 5)
    with pytest.raises(
        NoSuchCheckpointError,
        match=r"run 'run' has no checkpoint of iteration 7.*stored iterations: 5",
    ):
        store.retrieve_weights("run", 7)
    with pytest.raises(FileNotFoundError, match="stored iterations: none"):
        store.retrieve_weights("other", 0)


def test_remove(store):
    store.store_weights(_run(), 5)
    store.store_weights(_run(), 6)
    store.remove("run", 6)
    assert store.latest_iteration("run") == 5
    with pytest.raises(NoSuchCheckpointError, match=r"cannot remove iteration 6 of run 'run'"):
        store.remove("run", 6)


def test_best_is_stored_and_retrieved_at_one_place(store, tmp_path):
    store.store_best("run", 40, "crop_1", "voi")
    path = tmp_path / "run" / "checkpoints" / "best" / "crop_1" / "voi.json"
    assert json.loads(path.read_text()) == {"iteration": 40}
    assert store.retrieve_best("run", "crop_1", "voi") == 40
    store.store_best("run", 60, "crop_1", "voi")
    assert store.retrieve_best("run", "crop_1", "voi") == 60


def test_missing_best_raises(store):
    store.store_best("run", 40, "crop_1", "voi")
    with pytest.raises(
        NoSuchCheckpointError, match=r"no best iteration for dataset 'crop_2' and criterion 'voi'"
    ):
        store.retrieve_best("run", "crop_2", "voi")


def test_load_best_loads_the_best_checkpoint(store):
    trained = _run(seed=0)
    store.store_weights(trained, 40)
    store.store_weights(_run(seed=2), 50)
    store.store_best("run", 40, "crop_1", "f1")
    fresh = _run(seed=1)
    assert store.load_best(fresh, "crop_1", "f1") == 40
    assert torch.equal(fresh.model.weight, trained.model.weight)


def test_best_without_dataset_uses_the_only_one(store):
    store.store_best("run", 40, "crop_1", "voi")
    assert store.retrieve_best("run", None, "voi") == 40
    with pytest.raises(
        NoSuchCheckpointError, match=r"no best iteration for criterion 'f1' on any dataset"
    ):
        store.retrieve_best("run", None, "f1")
    store.store_best("run", 50, "crop_2", "voi")
    with pytest.raises(
        ConfigError, match=r"several datasets \['crop_1', 'crop_2'\]; name the dataset"
    ):
        store.retrieve_best("run", None, "voi")


@pytest.mark.parametrize("iteration", [-1, 1.5, True, "3", None], ids=repr)
def test_bad_iterations_are_rejected(store, iteration):
    with pytest.raises(ConfigError, match="iteration: expected a whole number >= 0"):
        store.store_weights(_run(), iteration)
    with pytest.raises(ConfigError, match="iteration: expected a whole number >= 0"):
        store.retrieve_weights("run", iteration)
    with pytest.raises(ConfigError, match="iteration: expected a whole number >= 0"):
        store.store_best("run", iteration, "crop", "voi")


@pytest.mark.parametrize("name", ["", "../escape", "a/b"], ids=repr)
def test_bad_names_are_rejected(store, name):
    with pytest.raises(ConfigError, match="run name"):
        store.store_weights(_run(name=name), 1)
    with pytest.raises(ConfigError, match="run name"):
        store.latest_iteration(name)
    with pytest.raises(ConfigError, match="dataset name"):
        store.store_best("run", 1, name, "voi")
    with pytest.raises(ConfigError, match="criterion name"):
        store.retrieve_best("run", "crop", name)


def test_damaged_checkpoint_raises_store_error(store, tmp_path):
    folder = tmp_path / "run" / "checkpoints" / "iterations"
    folder.mkdir(parents=True)
    (folder / "1").write_bytes(b"not a checkpoint")
    with pytest.raises(StoreError, match=r"checkpoint .*iterations/1 cannot be read"):
        store.retrieve_weights("run", 1)


def test_checkpoint_that_is_not_a_dict_raises_store_error(store, tmp_path):
    folder = tmp_path / "run" / "checkpoints" / "iterations"
    folder.mkdir(parents=True)
    torch.save([1, 2], folder / "1")
    torch.save({"model": {}}, folder / "2")
    with pytest.raises(StoreError, match=r"expected a dict with 'model' and 'optimizer'.*got list"):
        store.retrieve_weights("run", 1)
    with pytest.raises(StoreError, match=r"got dict with keys \['model'\]"):
        store.retrieve_weights("run", 2)


class _Pickled:
    """Not loadable with weights_only=True."""


def test_pickled_objects_are_not_loaded(store, tmp_path):
    folder = tmp_path / "run" / "checkpoints" / "iterations"
    folder.mkdir(parents=True)
    torch.save({"model": _Pickled(), "optimizer": {}}, folder / "1")
    with pytest.raises(StoreError, match=r"not loaded for safety \(weights_only=True\)"):
        store.retrieve_weights("run", 1)


@pytest.mark.parametrize("content", ["{", '{"it": 1}', "[40]", '{"iteration": -4}'])
def test_damaged_best_file_raises_store_error(store, tmp_path, content):
    folder = tmp_path / "run" / "checkpoints" / "best" / "crop"
    folder.mkdir(parents=True)
    (folder / "voi.json").write_text(content)
    with pytest.raises(StoreError, match=r"best-iteration file .*voi\.json cannot be read"):
        store.retrieve_best("run", "crop", "voi")


def test_upstream_weights_objects_are_read(store, tmp_path):
    """Upstream DaCapo pickles a ``Weights`` object instead of a dict."""
    run = _run()
    folder = tmp_path / "run" / "checkpoints" / "iterations"
    folder.mkdir(parents=True)
    torch.save(Weights(run.model.state_dict(), run.optimizer.state_dict()), folder / "5")
    assert store.latest_iteration("run") == 5
    weights = store.retrieve_weights("run", 5)
    assert torch.equal(weights.model["weight"], run.model.weight.detach())
    other = _run(seed=1)
    store.load_weights(other, 5)
    assert torch.equal(other.model.weight, run.model.weight)
    state = other.optimizer.state_dict()["state"]
    assert state.keys() == run.optimizer.state_dict()["state"].keys()


def test_other_objects_beside_upstream_weights_are_still_refused(store, tmp_path):
    folder = tmp_path / "run" / "checkpoints" / "iterations"
    folder.mkdir(parents=True)
    torch.save(Weights({"weight": _Pickled()}, {}), folder / "1")
    with pytest.raises(StoreError, match=r"not loaded for safety \(weights_only=True\)"):
        store.retrieve_weights("run", 1)


def test_a_checkpoint_is_read_from_disk_once_to_be_checked_and_loaded(store, monkeypatch):
    from pathlib import Path

    store.store_weights(_run(), 3)
    opened, real_open = [], Path.open

    def open_(path, mode="r", *args, **kwargs):
        if path.name == "3" and "b" in mode:
            opened.append(path.name)
        return real_open(path, mode, *args, **kwargs)

    monkeypatch.setattr(Path, "open", open_)
    weights = store.retrieve_weights("run", 3)
    assert opened == ["3"]  # checked against its record and loaded from the same bytes
    assert torch.equal(weights.model["weight"], _run().model.weight.detach())


def test_a_checkpoint_that_cannot_be_read_raises_store_error(store, monkeypatch):
    from pathlib import Path

    store.store_weights(_run(), 4)

    def failing(path):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(Path, "read_bytes", failing)
    with pytest.raises(StoreError, match=r"checkpoint .*iterations/4 cannot be read "
                                         r"\(\[Errno 5\] Input/output error\)"):
        store.retrieve_weights("run", 4)
