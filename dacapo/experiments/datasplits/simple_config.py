"""A datasplit found by convention inside one zarr container."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Dict, List, Tuple

import attr

from dacapo._build import runtime_type
from dacapo._checks import to_path
from dacapo.errors import ConfigError

from .datasets.simple_dataset import SimpleDataset, simple_dataset_config
from .datasplit import DataSplit
from .datasplit_config import DataSplitConfig
from .train_validate_datasplit_config import TrainValidateDataSplitConfig

logger = logging.getLogger(__name__)

# (dataset name, group path inside the container) of each dataset found
Found = List[Tuple[str, str]]


class SimpleDataSplit(DataSplit):
    """Opens the ``SimpleDataset`` s a ``SimpleDataSplitConfig`` finds."""

    def __init__(self, datasplit_config):
        config = datasplit_config
        self.name = config.name
        train, validate = config.discover()
        opened: Dict[str, SimpleDataset] = {}

        def dataset(name: str, group: str) -> SimpleDataset:
            if group not in opened:  # layout (a) shares one dataset
                opened[group] = SimpleDataset(
                    name,
                    config.path / group if group else config.path,
                    config.raw_name,
                    config.gt_name,
                    config.mask_name,
                )
                opened[group].trust_gt = config.trust_gt
            return opened[group]

        self.train = [dataset(name, group) for name, group in train]
        self.validate = [dataset(name, group) for name, group in validate]


@attr.s
class SimpleDataSplitConfig(DataSplitConfig):
    """Finds raw data, labels and masks in one container by naming convention.

    Exactly one of three layouts must match (``raw`` stands for ``raw_name``,
    ``train``/``test`` for the group names)::

        (a) <path>/raw                  one dataset, used to train and validate
        (b) <path>/train/raw            one training dataset ("train"),
            <path>/test/raw             one validation dataset ("test")
        (c) <path>/train/<crop>/raw     one dataset per crop, named by the crop
            <path>/test/<crop>/raw

    Each dataset holds ``raw``, ``labels`` and optionally ``mask`` side by
    side (see ``SimpleDataset`` for how raw data is normalised). The
    validation group may be absent in (b) and (c).
    """

    datasplit_type = runtime_type(SimpleDataSplit)

    path: Path = attr.ib(
        converter=to_path,
        metadata={"help_text": "The zarr or N5 container holding the data."},
    )
    train_group_name: str = attr.ib(
        default="train", metadata={"help_text": "The group holding the training data."}
    )
    validate_group_name: str = attr.ib(
        default="test", metadata={"help_text": "The group holding the validation data."}
    )
    raw_name: str = attr.ib(
        default="raw", metadata={"help_text": "Name of the raw intensity arrays."}
    )
    gt_name: str = attr.ib(
        default="labels", metadata={"help_text": "Name of the ground-truth label arrays."}
    )
    mask_name: str = attr.ib(
        default="mask",
        metadata={"help_text": "Name of the optional mask arrays (> 0 = annotated)."},
    )
    trust_gt: bool = attr.ib(
        default=False,
        kw_only=True,
        metadata={
            "help_text": "Use every dataset's ground truth values as they are stored (see "
            "RawGTDatasetConfig.trust_gt): tasks that read labels otherwise refuse float "
            "ground truth and negative ids."
        },
    )

    def discover(self) -> Tuple[Found, Found]:
        """The (name, group) of every training and every validation dataset found."""
        root = _open_group(self.path, self.name)
        layouts = self._layouts(root)
        matching = [layout for layout, (train, validate) in layouts.items() if train or validate]
        if len(matching) != 1:
            raise ConfigError(self._layout_message(root, layouts, matching))
        train, validate = layouts[matching[0]]
        if not train:
            raise ConfigError(
                f"SimpleDataSplitConfig {self.name!r}: {self.path} has validation data "
                f"({', '.join(g for _, g in validate)}) but no '{self.raw_name}' under "
                f"the training group {self.train_group_name!r}; add training data or "
                "set train_group_name"
            )
        if not validate:
            logger.warning(
                "SimpleDataSplitConfig %r: no validation data under %s/%s",
                self.name, self.path, self.validate_group_name,
            )
        return train, validate

    def _layouts(self, root) -> Dict[str, Tuple[Found, Found]]:
        name = self.path.name.rsplit(".", 1)[0] or self.name
        top: Found = [(name, "")] if self.raw_name in root else []
        layouts = {"a": (top, top), "b": ([], []), "c": ([], [])}
        for index, group_name in enumerate((self.train_group_name, self.validate_group_name)):
            group = root.get(group_name)
            if group is None or not hasattr(group, "group_keys"):
                continue
            if self.raw_name in group:
                layouts["b"][index].append((group_name, group_name))
            for crop in sorted(group.group_keys()):
                if self.raw_name in group[crop]:
                    layouts["c"][index].append((crop, f"{group_name}/{crop}"))
        return layouts

    def _layout_message(self, root, layouts, matching) -> str:
        where = f"SimpleDataSplitConfig {self.name!r}"
        if not matching:
            return (
                f"{where}: found no '{self.raw_name}' array in {self.path} at any of "
                f"<path>/{self.raw_name}, <path>/{self.train_group_name}/{self.raw_name} "
                f"or <path>/{self.train_group_name}/<crop>/{self.raw_name} (and the same "
                f"under {self.validate_group_name!r}); the container holds "
                f"{sorted(root.keys())}"
            )
        found = sorted(
            f"<path>/{group}/{self.raw_name}" if group else f"<path>/{self.raw_name}"
            for layout in matching
            for datasets in layouts[layout]
            for _, group in datasets
        )
        return (
            f"{where}: {self.path} mixes layouts: found {sorted(set(found))}; keep "
            "raw data at exactly one level (the container, its groups, or crops "
            "inside its groups)"
        )

    def to_train_validate_config(self) -> TrainValidateDataSplitConfig:
        """An equivalent ``TrainValidateDataSplitConfig`` of ``RawGTDatasetConfig`` s."""
        train, validate = self.discover()

        def configs(found: Found):
            return [
                simple_dataset_config(
                    name,
                    self.path / group if group else self.path,
                    self.raw_name,
                    self.gt_name,
                    self.mask_name,
                    array_prefix="_".join([self.name] + group.split("/")) if group else self.name,
                    trust_gt=self.trust_gt,
                )
                for name, group in found
            ]

        return TrainValidateDataSplitConfig(
            name=self.name, train_configs=configs(train), validate_configs=configs(validate)
        )

    def validate(self) -> None:
        """Checks the layout, the dtypes and the geometry of every dataset."""
        self.to_train_validate_config().validate()


def _open_group(path, name: str):
    import zarr

    from .datasets.arrays.zarr_array import container_exists, open_store

    where = f"SimpleDataSplitConfig {name!r}"
    if not container_exists(path):
        raise ConfigError(f"{where}: container {path} does not exist; check `path`")
    try:
        return zarr.open_group(open_store(path, mode="r"), mode="r")
    except (ValueError, KeyError, OSError) as error:
        raise ConfigError(
            f"{where}: cannot open {path} as a zarr or N5 group ({error}); `path` must "
            "name a container (or a group inside one), not an array"
        ) from error
