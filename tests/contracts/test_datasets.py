"""Contract every dataset meets, run over every registered concrete
``DatasetConfig``: ``build(config)`` opens a ``Dataset`` with the config's
name and weight, raw data, ground truth and mask as configured, and arrays
with consistent voxel sizes and ROIs (``dataset_examples.check_dataset``).

Each registered class needs an entry in ``dataset_examples.DATASETS``.
"""

import pytest

from dacapo._build import build
from dacapo.experiments.datasplits.datasets.dataset_config import DatasetConfig
from tests.contracts.dataset_examples import DATASETS, check_dataset, example_of

REGISTERED = [cls.__name__ for cls in DatasetConfig.registry().concrete()]


@pytest.fixture(params=REGISTERED)
def example(request, tmp_path):
    return example_of("DatasetConfig", DATASETS, request.param, tmp_path)


def test_every_registered_dataset_has_an_example():
    assert "RawGTDatasetConfig" in REGISTERED
    missing = set(REGISTERED) - set(DATASETS)
    assert not missing, f"datasets without an example in dataset_examples.py: {missing}"


def test_builds_the_configured_dataset(example):
    config, has_gt, has_mask = example
    dataset = build(config)
    assert (dataset.name, dataset.weight) == (config.name, config.weight)
    assert (dataset.gt is not None, dataset.mask is not None) == (has_gt, has_mask)
    check_dataset(dataset)


def test_datasets_are_equal_by_name(example):
    config, _, _ = example
    first, second = build(config), build(config)
    assert first == second and hash(first) == hash(second)
    assert config.name in repr(first)
