"""The ``Trainer`` base class: optimizer, learning-rate warm-up, training step."""

import ast
import inspect

import numpy as np
import pytest
import torch

from dacapo.experiments.trainers import DummyTrainerConfig, Trainer
from dacapo.experiments.trainers import trainer as trainer_module
from dacapo.experiments.trainers.trainer import WARMUP_START_FACTOR


class LinearTrainer(Trainer):
    """Fits y = 2x with batches of one random value per voxel."""

    def build_batch_provider(self, datasets, model, task, snapshot_container=None):
        self._loss = task

    def can_train(self, datasets):
        return True

    def next_batch(self):
        x = np.random.default_rng().random((4, 1, 3)).astype(np.float32)
        return {"raw": x, "target": 2 * x, "weight": None}


class MSE:
    def compute(self, prediction, target, weight=None):
        return ((prediction - target) ** 2).mean()


class Linear(torch.nn.Module):
    input_shape = type("Shape", (), {"dims": 1})()

    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv1d(1, 1, 1)

    def forward(self, x):
        return self.conv(x)


def make(warmup=10, rate=0.1):
    trainer = LinearTrainer(DummyTrainerConfig("lin", 4, rate, False), warmup_iterations=warmup)
    model = Linear()
    optimizer = trainer.create_optimizer(model)
    trainer.build_batch_provider([], model, MSE())
    return trainer, model, optimizer


def lr(optimizer):
    return optimizer.param_groups[0]["lr"]


def test_optimizer_is_radam_with_a_linear_warm_up():
    trainer, model, optimizer = make(warmup=10, rate=0.1)
    assert isinstance(optimizer, torch.optim.RAdam)
    assert lr(optimizer) == pytest.approx(0.1 * WARMUP_START_FACTOR)  # iteration 0
    list(trainer.iterate(5, model, optimizer, "cpu"))
    # iteration 5 of 10: halfway from 1% to 100%
    assert lr(optimizer) == pytest.approx(0.1 * (0.01 + 0.99 * 0.5))
    list(trainer.iterate(10, model, optimizer, "cpu"))
    assert lr(optimizer) == pytest.approx(0.1)


def test_resuming_positions_the_warm_up_at_the_iteration():
    trainer, model, optimizer = make(warmup=10, rate=0.1)
    trainer.iteration = 4  # e.g. loaded from a checkpoint of iteration 4
    stats = list(trainer.iterate(1, model, optimizer, "cpu"))
    assert stats[0].iteration == 4
    assert trainer.scheduler.last_epoch == 5
    assert lr(optimizer) == pytest.approx(0.1 * (0.01 + 0.99 * 0.5))


def test_the_scheduler_reports_the_learning_rate_it_set():
    trainer, model, optimizer = make(warmup=10, rate=0.1)
    list(trainer.iterate(7, model, optimizer, "cpu"))
    trainer.iteration = 2  # resumed from an earlier checkpoint
    list(trainer.iterate(1, model, optimizer, "cpu"))
    assert trainer.scheduler.last_epoch == 3
    assert lr(optimizer) == pytest.approx(0.1 * (0.01 + 0.99 * 0.3))
    assert trainer.scheduler.get_last_lr() == [lr(optimizer)]
    assert trainer.scheduler.optimizer is optimizer


def test_trainer_writes_no_private_scheduler_state():
    # torch's private attributes (e.g. ``_last_lr``) may change between versions
    source = inspect.getsource(trainer_module)
    private_writes = [
        ast.unparse(target)
        for node in ast.walk(ast.parse(source))
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign))
        for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
        if isinstance(target, ast.Attribute)
        and target.attr.startswith("_")
        and "scheduler" in ast.unparse(target.value)
    ]
    assert private_writes == []


def test_an_optimizer_made_elsewhere_gets_a_schedule_too():
    trainer, model, _ = make(warmup=10, rate=0.1)
    other = torch.optim.SGD(model.parameters(), lr=0.1)
    list(trainer.iterate(5, model, other, "cpu"))
    assert trainer.scheduler.optimizer is other
    assert lr(other) == pytest.approx(0.1 * (0.01 + 0.99 * 0.5))


def test_steps_learn():
    trainer, model, optimizer = make(warmup=0, rate=0.05)
    losses = [s.loss for s in trainer.iterate(300, model, optimizer, "cpu")]
    assert np.mean(losses[-10:]) < 0.2 * np.mean(losses[:10])


def test_mixed_precision_is_ignored_on_the_cpu():
    trainer = LinearTrainer(DummyTrainerConfig("lin", 4, 0.1, False), mixed_precision=True)
    model = Linear()
    optimizer = trainer.create_optimizer(model)
    trainer.build_batch_provider([], model, MSE())
    (stats,) = trainer.iterate(1, model, optimizer, "cpu")
    assert np.isfinite(stats.loss)


def test_iterating_without_a_loss_is_an_error():
    trainer = LinearTrainer(DummyTrainerConfig("lin", 4, 0.1, False))
    model = Linear()
    optimizer = trainer.create_optimizer(model)
    with pytest.raises(RuntimeError, match="no loss; call build_batch_provider"):
        list(trainer.iterate(1, model, optimizer, "cpu"))


def test_trainer_configs_import_neither_torch_nor_gunpowder():
    import subprocess
    import sys

    code = (
        "import sys; from dacapo.experiments.trainers import GunpowderTrainerConfig, "
        "DummyTrainerConfig; print(sorted(m for m in ('torch', 'gunpowder') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_losses_read_one_step_late_give_the_same_records(monkeypatch):
    torch.manual_seed(0)
    np.random.seed(0)
    trainer, model, optimizer = make()
    on_time = [(s.iteration, s.loss) for s in trainer.iterate(6, model, optimizer, "cpu")]
    monkeypatch.setattr(trainer_module, "_report_lag", lambda device: 1)
    late = list(trainer.iterate(6, model, optimizer, "cpu"))
    assert [s.iteration for s in late] == list(range(6, 12))
    assert [iteration for iteration, _ in on_time] == list(range(6))
    assert all(np.isfinite(s.loss) and s.time >= 0 for s in late)
    assert trainer.iteration == 12 and trainer.unreported() == []


def test_a_loop_left_early_keeps_the_unread_record(monkeypatch):
    monkeypatch.setattr(trainer_module, "_report_lag", lambda device: 1)
    trainer, model, optimizer = make()
    stream = trainer.iterate(5, model, optimizer, "cpu")
    first = next(stream)
    stream.close()
    assert first.iteration == 0
    assert trainer.iteration == 2  # step 1 ran before record 0 was handed out
    assert [s.iteration for s in trainer.unreported()] == [1]
    assert trainer.unreported() == []
