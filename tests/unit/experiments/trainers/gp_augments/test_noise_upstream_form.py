"""``NoiseAugmentConfig`` stored by upstream DaCapo (one ``kwargs`` dict) loads
as the explicit config."""

from __future__ import annotations

import pytest
import yaml

from dacapo.errors import ConfigError
from dacapo.experiments.trainers import GunpowderTrainerConfig
from dacapo.experiments.trainers.gp_augments import AugmentConfig, NoiseAugmentConfig
from dacapo.store.converter import converter
from dacapo.store.create_store import create_config_store

UPSTREAM = {"__type__": "NoiseAugmentConfig", "kwargs": {"mode": "gaussian", "var": 0.01}}


def test_upstream_dict_structures_as_the_explicit_config():
    loaded = converter.structure(UPSTREAM, AugmentConfig)
    assert loaded == NoiseAugmentConfig(mode="gaussian", var=0.01)
    assert converter.structure(dict(UPSTREAM), NoiseAugmentConfig) == loaded


def test_upstream_gp_keywords_map_to_fields():
    stored = {"__type__": "NoiseAugmentConfig",
              "kwargs": {"mode": "s&p", "clip": False, "p": 0.5, "amount": 0.2}}
    assert converter.structure(stored, AugmentConfig) == NoiseAugmentConfig(
        mode="s&p", clip=False, augmentation_probability=0.5, amount=0.2
    )
    empty = converter.structure({"__type__": "NoiseAugmentConfig", "kwargs": {}}, AugmentConfig)
    assert empty == NoiseAugmentConfig()


def test_upstream_trainer_loads_through_the_files_config_store(runs_base_dir):
    store = create_config_store()
    trainer = GunpowderTrainerConfig(
        name="noisy", batch_size=1, learning_rate=1e-4,
        augments=[NoiseAugmentConfig(mode="gaussian", var=0.01)],
    )
    store.store_trainer_config(trainer)
    # rewrite the stored file the way upstream DaCapo writes the augment
    path = runs_base_dir / "configs" / "trainers" / "noisy.yaml"
    document = yaml.safe_load(path.read_text())
    document["augments"] = [UPSTREAM]
    path.write_text(yaml.safe_dump(document))
    loaded = store.retrieve_trainer_config("noisy")
    assert loaded.augments == [NoiseAugmentConfig(mode="gaussian", var=0.01)]
    assert loaded == trainer


@pytest.mark.parametrize(
    "stored, message",
    [
        ({"kwargs": [0.01]}, r"`kwargs` must be a mapping of gp.NoiseAugment keywords, got list"),
        ({"kwargs": {"sigma": 2}}, r"unsupported keyword\(s\) \['sigma'\]; expected some of"),
        ({"kwargs": {"var": 0.1}, "var": 0.2},
         r"\['var'\] given both inside `kwargs` and as fields"),
        ({"kwargs": {"mode": "poisson", "var": 0.1}}, r"\['var'\] do not apply to mode 'poisson'"),
    ],
)
def test_bad_upstream_forms_raise(stored, message):
    # the form is refused on reading; its values when validated (or built)
    with pytest.raises(ConfigError, match=message):
        config = converter.structure({"__type__": "NoiseAugmentConfig", **stored}, AugmentConfig)
        config.validate()
