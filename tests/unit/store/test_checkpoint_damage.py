"""Damaged checkpoints: the size and sha256 record beside each checkpoint, and
every damaged file reported as a ``StoreError`` naming it (never torch's
``IndexError``, ``OSError``, ``RuntimeError`` or ``UnpicklingError``)."""

from __future__ import annotations

import hashlib
import json
import zipfile
from types import SimpleNamespace

import pytest
import torch

from dacapo.errors import ConfigError, StoreError
from dacapo.store.local_weights_store import LocalWeightsStore


def _run(name="run", seed=0, width=2):
    """A run with a ``width``->1 linear model and an Adam optimizer that has taken one step."""
    torch.manual_seed(seed)
    model = torch.nn.Linear(width, 1)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.1)
    model(torch.ones(1, width)).sum().backward()
    optimizer.step()
    return SimpleNamespace(name=name, model=model, optimizer=optimizer)


@pytest.fixture
def store(tmp_path):
    return LocalWeightsStore(tmp_path)


def checkpoint_file(tmp_path, iteration):
    return tmp_path / "run" / "checkpoints" / "iterations" / str(iteration)


def record_file(tmp_path, iteration):
    return tmp_path / "run" / "checkpoints" / "records" / f"{iteration}.json"


def test_each_checkpoint_gets_a_record_of_its_size_and_sha256(store, tmp_path):
    store.store_weights(_run(), 10)
    data = checkpoint_file(tmp_path, 10).read_bytes()
    record = json.loads(record_file(tmp_path, 10).read_text())
    assert record == {"iteration": 10, "size": len(data),
                      "sha256": hashlib.sha256(data).hexdigest()}
    assert sorted(p.name for p in record_file(tmp_path, 10).parent.iterdir()) == ["10.json"]


def test_storing_an_iteration_again_replaces_its_record(store, tmp_path):
    store.store_weights(_run(seed=0), 10)
    store.store_weights(_run(seed=1, width=5), 10)  # another size, another hash
    weights = store.retrieve_weights("run", 10)
    assert weights.model["weight"].shape == (1, 5)


def test_remove_deletes_the_record_too(store, tmp_path):
    store.store_weights(_run(), 10)
    store.remove("run", 10)
    assert not record_file(tmp_path, 10).exists()


def _truncate(path):
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _flip_a_byte(path):
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def test_a_truncated_checkpoint_is_found_by_its_size(store, tmp_path):
    store.store_weights(_run(), 10)
    _truncate(checkpoint_file(tmp_path, 10))
    with pytest.raises(StoreError, match=r"checkpoint .*iterations/10 is damaged \(it has \d+ "
                       r"bytes, its record .*records/10\.json says \d+.*delete it and its record"):
        store.retrieve_weights("run", 10)


def test_a_changed_byte_is_found_by_the_sha256(store, tmp_path):
    store.store_weights(_run(), 10)
    _flip_a_byte(checkpoint_file(tmp_path, 10))
    with pytest.raises(StoreError, match=r"iterations/10 is damaged \(its sha256 differs from "
                       r"the one in its record .*records/10\.json"):
        store.retrieve_weights("run", 10)


def _zip_with_garbage(path):
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("archive/data.pkl", b"\x80\x02garbage")


DAMAGES = {
    "empty": lambda path: path.write_bytes(b""),
    "one byte": lambda path: path.write_bytes(b"P"),
    "first 100 bytes": lambda path: path.write_bytes(path.read_bytes()[:100]),
    "half": _truncate,
    "all but the last byte": lambda path: path.write_bytes(path.read_bytes()[:-1]),
    "text": lambda path: path.write_text("not a checkpoint\n"),
    "json": lambda path: path.write_text('{"model": {}, "optimizer": {}}'),
    "random bytes": lambda path: path.write_bytes(bytes(range(256)) * 8),
    "zip of garbage": _zip_with_garbage,
    "legacy pickle of garbage": lambda path: path.write_bytes(b"\x80\x02}q\x00(X"),
}


@pytest.mark.parametrize("damage", DAMAGES.values(), ids=DAMAGES.keys())
@pytest.mark.parametrize("with_record", [True, False], ids=["record", "no record"])
def test_every_damage_is_a_store_error_naming_the_file(store, tmp_path, damage, with_record):
    store.store_weights(_run(), 10)
    damage(checkpoint_file(tmp_path, 10))
    if not with_record:  # a checkpoint of an older run: torch itself finds the damage
        record_file(tmp_path, 10).unlink()
    with pytest.raises(StoreError, match=r"checkpoint .*iterations/10 (is damaged|cannot be "
                       r"read as a dacapo checkpoint dict)"):
        store.retrieve_weights("run", 10)
    with pytest.raises(StoreError, match=r"iterations/10"):
        store.load_weights(_run(seed=1), 10)


def test_a_checkpoint_without_record_still_loads(store, tmp_path):
    """Checkpoints written before records existed (or whose writer was killed
    before the record) load when torch can read them."""
    trained = _run(seed=0)
    store.store_weights(trained, 10)
    record_file(tmp_path, 10).unlink()
    fresh = _run(seed=1)
    store.load_weights(fresh, 10)
    assert torch.equal(fresh.model.weight, trained.model.weight)


RECORDS = ["", "{", "[]", '{"size": 10}', '{"size": "10", "sha256": "ab"}',
           '{"size": true, "sha256": "ab"}', '{"sha256": 5, "size": 1}', "\xff\xfe"]


@pytest.mark.parametrize("content", RECORDS, ids=repr)
def test_a_damaged_record_is_a_store_error_naming_it(store, tmp_path, content):
    store.store_weights(_run(), 10)
    record_file(tmp_path, 10).write_text(content)
    with pytest.raises(StoreError, match=r"checkpoint record .*records/10\.json cannot be read.*"
                       r"delete the record to load the checkpoint unchecked"):
        store.retrieve_weights("run", 10)


def test_a_record_of_another_checkpoint_is_damage(store, tmp_path):
    store.store_weights(_run(seed=0), 10)
    store.store_weights(_run(seed=1), 20)
    record_file(tmp_path, 10).write_text(record_file(tmp_path, 20).read_text())
    with pytest.raises(StoreError, match=r"iterations/10 is damaged"):
        store.retrieve_weights("run", 10)


# --- a checkpoint that does not fit the run (its config changed under the same name)


def test_a_checkpoint_of_another_architecture_names_run_checkpoint_and_choices(store, tmp_path):
    store.store_weights(_run(width=2), 10)
    with pytest.raises(ConfigError) as raised:
        store.load_weights(_run(seed=1, width=3), 10)
    message = str(raised.value)
    assert message.startswith(f"run 'run': checkpoint {checkpoint_file(tmp_path, 10)} does not "
                              "fit the model and optimizer built from the run's config")
    assert "shapes differ: weight: checkpoint (1, 2), model (1, 3)" in message
    assert "new run name" in message
    assert f"delete the checkpoints under {tmp_path / 'run' / 'checkpoints'}" in message
    assert "Error(s) in loading state_dict" not in message  # not torch's dump


def test_missing_and_unexpected_keys_are_named(store):
    store.store_weights(_run(), 10)
    other = _run()
    other.model = torch.nn.Sequential(torch.nn.Linear(2, 1))
    with pytest.raises(ConfigError, match=r"missing in the checkpoint: 0\.weight, 0\.bias; "
                       r"not in the model: weight, bias\).*new run name"):
        store.load_weights(other, 10)


def test_many_differences_are_counted_not_listed(store):
    store.store_weights(_run(), 10)
    other = _run()
    other.model = torch.nn.Sequential(*[torch.nn.Linear(2, 2) for _ in range(4)])
    with pytest.raises(ConfigError, match=r"missing in the checkpoint: 0\.weight, 0\.bias, "
                       r"1\.weight and 5 more"):
        store.load_weights(other, 10)


def test_an_optimizer_state_that_does_not_fit_is_a_config_error(store):
    store.store_weights(_run(), 10)
    other = _run(seed=1)
    other.optimizer = torch.optim.Adam(
        [{"params": [other.model.weight]}, {"params": [other.model.bias]}]
    )
    with pytest.raises(ConfigError, match=r"run 'run': checkpoint .*iterations/10 does not fit"
                       r".*the optimizer state does not fit.*new run name"):
        store.load_weights(other, 10)


@pytest.mark.parametrize("content, message", [
    ({"model": [1], "optimizer": {}}, r"expected 'model' and 'optimizer' to be state dicts, "
                                      r"got 'model': list"),
    ({"model": {}, "optimizer": None}, r"expected .* got 'optimizer': NoneType"),
    ({1: 2, "a": 3}, r"expected a dict with 'model' and 'optimizer'.*with keys \[1, 'a'\]"),
    (torch.zeros(3), r"expected a dict with 'model' and 'optimizer'.*got Tensor"),
], ids=["model list", "optimizer None", "int keys", "tensor"])
def test_checkpoints_of_the_wrong_shape_are_store_errors(store, tmp_path, content, message):
    folder = tmp_path / "run" / "checkpoints" / "iterations"
    folder.mkdir(parents=True)
    torch.save(content, folder / "1")
    with pytest.raises(StoreError, match=rf"checkpoint .*iterations/1: {message}"):
        store.retrieve_weights("run", 1)
