"""Contract of every stats store (files, MongoDB): training stats and validation scores."""

from __future__ import annotations

import json
import math

import pytest

from dacapo.errors import ConfigError, StoreError
from dacapo.experiments.training_iteration_stats import TrainingIterationStats
from dacapo.experiments.training_stats import TrainingStats
from dacapo.experiments.validation_iteration_scores import ValidationIterationScores
from dacapo.experiments.validation_scores import ValidationScores
from dacapo.store.file_stats_store import FileStatsStore
from dacapo.store.mongo_stats_store import MongoStatsStore
from dacapo.store.stats_store import TRAINING, VALIDATION, StatsStore
from tests.contracts.store_backends import store_backend, unreachable_mongo  # noqa: F401


def _open(backend) -> StatsStore:
    if backend.kind == "files":
        return FileStatsStore(backend.path)
    return MongoStatsStore(backend.db_host, backend.db_name)


@pytest.fixture
def open_store(store_backend):  # noqa: F811
    """Opens a new store object on the backend's (shared) storage at every call."""
    return lambda: _open(store_backend)


def _stats(*losses, start=0):
    """Stats of iterations start, start+1, ... with the given losses; time = iteration / 10."""
    return TrainingStats(
        [TrainingIterationStats(start + i, loss, (start + i) / 10) for i, loss in enumerate(losses)]
    )


def _losses(stats):
    return [(s.iteration, s.loss) for s in stats.iteration_stats]


class _Scores:
    """Evaluation scores with two criteria."""

    criteria = ["f1", "voi"]

    @staticmethod
    def higher_is_better(criterion):
        return criterion == "f1"


def _scores(*iterations, value=0.5):
    """One dataset, one parameter set, two criteria; f1 = value + iteration."""
    scores = ValidationScores(parameters=[None], datasets=["crop"], evaluation_scores=_Scores())
    scores.scores = [ValidationIterationScores(i, [[[value + i, 1.0]]]) for i in iterations]
    return scores


def _iterations(records):
    return [r.iteration for r in records]


# --- training stats -----------------------------------------------------------


def test_no_stats_yet(open_store):
    stats = open_store().retrieve_training_stats("run")
    assert isinstance(stats, TrainingStats)
    assert stats.iteration_stats == []
    assert open_store().retrieve_validation_iteration_scores("run") == []


def test_training_stats_round_trip(open_store):
    open_store().store_training_stats("run", _stats(0.9, 0.7, 0.4))
    stats = open_store().retrieve_training_stats("run")
    assert stats.iteration_stats == [
        TrainingIterationStats(0, 0.9, 0.0),
        TrainingIterationStats(1, 0.7, 0.1),
        TrainingIterationStats(2, 0.4, 0.2),
    ]
    assert stats.trained_until() == 3


def test_training_stats_keep_non_finite_losses(open_store):
    open_store().store_training_stats("run", _stats(float("nan"), float("inf"), -float("inf")))
    losses = [s.loss for s in open_store().retrieve_training_stats("run").iteration_stats]
    assert math.isnan(losses[0])
    assert losses[1:] == [float("inf"), -float("inf")]


def test_storing_longer_stats_appends_the_new_iterations(open_store):
    open_store().store_training_stats("run", _stats(0.9, 0.7))
    # iterations 0 and 1 are already stored: their (different) values are not rewritten
    open_store().store_training_stats("run", _stats(5.0, 5.0, 0.4, 0.3))
    assert _losses(open_store().retrieve_training_stats("run")) == [
        (0, 0.9),
        (1, 0.7),
        (2, 0.4),
        (3, 0.3),
    ]


def test_storing_only_new_iterations_appends_them(open_store):
    open_store().store_training_stats("run", _stats(0.9, 0.7))
    open_store().store_training_stats("run", _stats(0.4, start=2))
    assert _losses(open_store().retrieve_training_stats("run")) == [(0, 0.9), (1, 0.7), (2, 0.4)]


def test_storing_shorter_stats_truncates_the_stored_ones(open_store):
    open_store().store_training_stats("run", _stats(0.9, 0.7, 0.4, 0.3))
    open_store().store_training_stats("run", _stats(0.9, 0.7))  # resumed from iteration 2
    assert _losses(open_store().retrieve_training_stats("run")) == [(0, 0.9), (1, 0.7)]
    open_store().store_training_stats("run", _stats(0.9, 0.7, 0.6))
    assert _losses(open_store().retrieve_training_stats("run"))[-1] == (2, 0.6)


def test_storing_empty_stats_truncates_everything(open_store):
    open_store().store_training_stats("run", _stats(0.9, 0.7))
    open_store().store_training_stats("run", TrainingStats())
    assert open_store().retrieve_training_stats("run").iteration_stats == []


def test_runs_are_separate_and_delete_only_touches_one(open_store):
    store = open_store()
    store.store_training_stats("a", _stats(0.9))
    store.store_training_stats("b", _stats(0.1, 0.2))
    store.store_validation_iteration_scores("a", _scores(0))
    store.delete_training_stats("a")
    assert open_store().retrieve_training_stats("a").iteration_stats == []
    assert _losses(open_store().retrieve_training_stats("b")) == [(0, 0.1), (1, 0.2)]
    assert _iterations(open_store().retrieve_validation_iteration_scores("a")) == [0]


def test_deleting_what_is_not_stored_does_nothing(open_store):
    open_store().delete_training_stats("never")
    open_store().delete_validation_scores("never")
    assert open_store().retrieve_training_stats("never").iteration_stats == []


def test_storing_what_has_no_records_is_rejected(open_store):
    with pytest.raises(
        ConfigError,
        match=r"store_training_stats: expected a TrainingStats \(anything with to_records\(\)\), "
        "got list",
    ):
        open_store().store_training_stats("run", [TrainingIterationStats(0, 0.5, 0.1)])
    with pytest.raises(
        ConfigError,
        match=r"store_validation_iteration_scores: expected a ValidationScores.*got dict",
    ):
        open_store().store_validation_iteration_scores("run", {10: [[[0.5]]]})
    assert open_store().retrieve_training_stats("run").iteration_stats == []


@pytest.mark.parametrize(
    "table, retrieve",
    [
        (TRAINING, "retrieve_training_stats"),
        (VALIDATION, "retrieve_validation_iteration_scores"),
    ],
)
def test_records_missing_a_field_raise_store_error(open_store, table, retrieve):
    open_store()._merge(table, "run", [{"iteration": 0}])  # written by something else
    with pytest.raises(
        StoreError, match=rf"{table} records of run 'run' in .* cannot be read .*delete_{table}"
    ):
        getattr(open_store(), retrieve)("run")


# --- validation scores ----------------------------------------------------------


def test_validation_scores_round_trip(open_store):
    open_store().store_validation_iteration_scores("run", _scores(10, 20))
    records = open_store().retrieve_validation_iteration_scores("run")
    assert records == [
        ValidationIterationScores(10, [[[10.5, 1.0]]]),
        ValidationIterationScores(20, [[[20.5, 1.0]]]),
    ]


def test_validation_scores_keep_nan(open_store):
    open_store().store_validation_iteration_scores("run", _scores(10, value=float("nan")))
    (record,) = open_store().retrieve_validation_iteration_scores("run")
    assert math.isnan(record.scores[0][0][0]) and record.scores[0][0][1] == 1.0


def test_validation_scores_append_and_truncate(open_store):
    open_store().store_validation_iteration_scores("run", _scores(10))
    open_store().store_validation_iteration_scores("run", _scores(10, 20, 30))
    assert _iterations(open_store().retrieve_validation_iteration_scores("run")) == [10, 20, 30]
    open_store().store_validation_iteration_scores("run", _scores(10, 20))
    assert _iterations(open_store().retrieve_validation_iteration_scores("run")) == [10, 20]


def test_delete_validation_scores(open_store):
    open_store().store_validation_iteration_scores("run", _scores(10))
    open_store().store_training_stats("run", _stats(0.5))
    open_store().delete_validation_scores("run")
    assert open_store().retrieve_validation_iteration_scores("run") == []
    assert _losses(open_store().retrieve_training_stats("run")) == [(0, 0.5)]


@pytest.mark.parametrize("name", ["", "a/b", "..", "x\ny", None], ids=repr)
def test_bad_run_names_are_rejected(open_store, name):
    store = open_store()
    with pytest.raises(ConfigError, match="run name"):
        store.store_training_stats(name, _stats(0.5))
    with pytest.raises(ConfigError, match="run name"):
        store.retrieve_training_stats(name)
    with pytest.raises(ConfigError, match="run name"):
        store.store_validation_iteration_scores(name, _scores(1))
    with pytest.raises(ConfigError, match="run name"):
        store.retrieve_validation_iteration_scores(name)
    with pytest.raises(ConfigError, match="run name"):
        store.delete_training_stats(name)
    with pytest.raises(ConfigError, match="run name"):
        store.delete_validation_scores(name)


# --- files backend ----------------------------------------------------------------


def test_files_layout_is_standard_json(tmp_path):
    store = FileStatsStore(tmp_path / "stats")
    store.store_training_stats("run", _stats(0.5, float("nan")))
    store.store_validation_iteration_scores("run", _scores(10))

    def no_constants(name):
        raise AssertionError(f"non-standard JSON constant {name}")

    training = json.loads(
        (tmp_path / "stats" / "training_stats" / "run.json").read_text(),
        parse_constant=no_constants,
    )
    assert training == [
        {"iteration": 0, "loss": 0.5, "time": 0.0},
        {"iteration": 1, "loss": "nan", "time": 0.1},
    ]
    validation = json.loads((tmp_path / "stats" / "validation_scores" / "run.json").read_text())
    assert validation == [{"iteration": 10, "scores": [[[10.5, 1.0]]]}]
    assert [p.name for p in (tmp_path / "stats" / "training_stats").iterdir()] == ["run.json"]


@pytest.mark.parametrize(
    "content",
    ["{not json", '{"iteration": 1}', '[{"loss": 1.0}]'],
    ids=["syntax", "dict", "no-iteration"],
)
def test_files_damaged_file_names_the_file(tmp_path, content):
    folder = tmp_path / "stats" / "training_stats"
    folder.mkdir(parents=True)
    (folder / "run.json").write_text(content)
    with pytest.raises(
        StoreError, match=r"training_stats file .*run\.json of run 'run'.*delete_training_stats"
    ):
        FileStatsStore(tmp_path / "stats").retrieve_training_stats("run")


# --- mongo backend ------------------------------------------------------------------


MONGO_BACKENDS = ["mongomock", pytest.param("mongo_server", marks=pytest.mark.mongo_server)]


@pytest.mark.parametrize("store_backend", MONGO_BACKENDS, indirect=True)
def test_mongo_stores_one_document_per_iteration(store_backend):  # noqa: F811
    store = _open(store_backend)
    store.store_training_stats("run", _stats(0.9, 0.7))
    store.store_training_stats("run", _stats(0.9, 0.7, 0.5))
    documents = list(store.database["training_stats"].find({"run_name": "run"}, {"_id": 0}))
    assert sorted(d["iteration"] for d in documents) == [0, 1, 2]


def test_mongo_unreachable_server_raises_store_error(unreachable_mongo):  # noqa: F811
    with pytest.raises(StoreError, match=r"MongoStatsStore\('mongodb://db:1'.*no server"):
        MongoStatsStore("mongodb://db:1", "lab")
