"""Contract every datasplit meets, run over every registered concrete
``DataSplitConfig``: ``build(config)`` opens a ``DataSplit`` whose ``train``
and ``validate`` lists hold the configured datasets, each meeting the dataset
contract (``dataset_examples.check_dataset``).

Each registered class needs an entry in ``dataset_examples.DATASPLITS``.
"""

import pytest

from dacapo._build import build
from dacapo.experiments.datasplits import DataSplit
from dacapo.experiments.datasplits.datasplit_config import DataSplitConfig
from tests.contracts.dataset_examples import DATASPLITS, check_dataset, example_of

REGISTERED = [cls.__name__ for cls in DataSplitConfig.registry().concrete()]


@pytest.fixture(params=REGISTERED)
def example(request, tmp_path):
    return example_of("DataSplitConfig", DATASPLITS, request.param, tmp_path)


def test_every_registered_datasplit_has_an_example():
    assert "TrainValidateDataSplitConfig" in REGISTERED
    missing = set(REGISTERED) - set(DATASPLITS)
    assert not missing, f"datasplits without an example in dataset_examples.py: {missing}"


def test_builds_the_configured_train_and_validate_lists(example):
    config, train, validate = example
    datasplit = build(config)
    assert isinstance(datasplit, DataSplit)
    assert isinstance(datasplit.train, list) and isinstance(datasplit.validate, list)
    assert [d.name for d in datasplit.train] == train
    assert [d.name for d in datasplit.validate] == validate
    assert repr(datasplit) == f"{type(datasplit).__name__}(train={train}, validate={validate})"


def test_every_dataset_meets_the_dataset_contract(example):
    config, _, _ = example
    datasplit = build(config)
    for dataset in datasplit.train + datasplit.validate:
        check_dataset(dataset)
