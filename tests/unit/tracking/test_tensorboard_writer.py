"""``TensorBoardWriter``: scalars read back with TensorBoard's EventAccumulator;
a resumed session hides what earlier sessions wrote from its purge step on."""

from dacapo.tracking.tensorboard_writer import TensorBoardWriter
from tests.unit.tracking._events import read_scalars


def test_scalars_are_read_back_by_tag_and_step(tmp_path):
    writer = TensorBoardWriter(tmp_path / "tb")
    writer.log_scalars({"train/loss": 0.5, "train/learning_rate": 1e-3}, step=0)
    writer.log_scalars({"train/loss": 0.25, "train/learning_rate": 1e-3}, step=1)
    writer.log_scalars({"validation/crop0/dice": 0.75}, step=1)
    writer.flush()
    scalars = read_scalars(tmp_path / "tb")
    writer.close()
    assert scalars["train/loss"] == [(0, 0.5), (1, 0.25)]
    assert scalars["validation/crop0/dice"] == [(1, 0.75)]
    assert [step for step, _ in scalars["train/learning_rate"]] == [0, 1]


def test_a_resumed_session_purges_the_steps_it_writes_again(tmp_path):
    first = TensorBoardWriter(tmp_path, purge_step=0)
    for step in range(8):  # e.g. crashed at 8 after a checkpoint at 5
        first.log_scalars({"train/loss": 1.0}, step)
    first.close()
    second = TensorBoardWriter(tmp_path, purge_step=5)
    for step in range(5, 10):
        second.log_scalars({"train/loss": 2.0}, step)
    second.close()
    assert read_scalars(tmp_path)["train/loss"] == [(s, 1.0) for s in range(5)] + [
        (s, 2.0) for s in range(5, 10)
    ]
    # TensorBoard reads files in name order; names start with the second they were
    # made in, so the second session waited for a later second than the first
    first_name, second_name = sorted(p.name for p in tmp_path.iterdir())
    assert int(first_name.split(".")[3]) < int(second_name.split(".")[3])
