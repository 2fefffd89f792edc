"""Builds a ``TrainValidateDataSplitConfig`` from a CSV list of crops.

Each CSV row names one crop (here split over two lines)::

    train, /data/jrc_hela.zarr, recon-1/em/fibsem-uint8,
           /data/jrc_hela.zarr, recon-1/labels/groundtruth/crop1/[mito&er]

``[mito&er]`` expands to one ground-truth dataset per class (``.../crop1/mito``
and ``.../crop1/er``). Raw data and labels are read at the scale level that
fits ``input_resolution`` and ``output_resolution`` and resampled if needed.
"""

from __future__ import annotations

import csv
import logging
import re
from enum import Enum
from math import prod
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple, Type, TypeVar

import attr
from funlib.geometry import Coordinate, Roi

from dacapo._build import build
from dacapo._paths import as_path
from dacapo.errors import ConfigError

from .datasets import DatasetConfig, RawGTDatasetConfig
from .datasets.arrays import (
    ArrayConfig,
    BinarizeArrayConfig,
    ConcatArrayConfig,
    ConstantArrayConfig,
    CropArrayConfig,
    IntensitiesArrayConfig,
    LogicalOrArrayConfig,
    ResampledArrayConfig,
    ZarrArrayConfig,
)
from .train_validate_datasplit_config import TrainValidateDataSplitConfig

logger = logging.getLogger(__name__)

_SCALE_LEVEL = re.compile(r"^s(\d+)$")


class DatasetType(Enum):
    """Whether a crop is used for training or validation."""

    train = "train"
    val = "val"


class SegmentationType(Enum):
    """Semantic: one (binary) channel per class. Instance: the label ids of one class."""

    semantic = "semantic"
    instance = "instance"


_E = TypeVar("_E", bound=Enum)


def _enum(enum: Type[_E], what: str, value: Any) -> _E:
    """``value`` (a member or its case-insensitive value) as a member of ``enum``."""
    if isinstance(value, enum):
        return value
    try:
        return enum(str(value).strip().lower())
    except ValueError:
        raise ConfigError(
            f"{what} {value!r} is not one of {[m.value for m in enum]}"
        ) from None


def _dataset_type(value: Any) -> DatasetType:
    """attrs converter of ``DatasetSpec.dataset_type``."""
    return _enum(DatasetType, "dataset type", value)


def _segmentation_type(value: Any) -> SegmentationType:
    """attrs converter of ``DataSplitGenerator.segmentation_type``."""
    return _enum(SegmentationType, "segmentation_type", value)


@attr.s(frozen=True)
class DatasetSpec:
    """One CSV row: a crop of raw data and its ground truth."""

    dataset_type: DatasetType = attr.ib(converter=_dataset_type)
    raw_container: Path = attr.ib(converter=as_path)
    raw_dataset: str = attr.ib()
    gt_container: Path = attr.ib(converter=as_path)
    gt_dataset: str = attr.ib()


def generate_dataspec_from_csv(csv_path: Path) -> List[DatasetSpec]:
    """Reads rows ``train|val, raw_container, raw_dataset, gt_container, gt_dataset``.

    Blank lines and lines starting with ``#`` are skipped.
    """
    csv_path = Path(csv_path)
    if not csv_path.is_file():
        raise ConfigError(f"datasplit CSV {csv_path} does not exist or is not a file")
    specs = []
    with open(csv_path, newline="") as handle:
        for number, row in enumerate(csv.reader(handle), start=1):
            cells = [cell.strip() for cell in row]
            if not any(cells) or cells[0].startswith("#"):
                continue
            specs.append(_spec_from_row(csv_path, number, cells))
    if not specs:
        raise ConfigError(f"datasplit CSV {csv_path} has no rows; add one row per crop")
    return specs


def _spec_from_row(csv_path: Path, number: int, cells: List[str]) -> DatasetSpec:
    where = f"datasplit CSV {csv_path}, row {number}"
    columns = "train|val, raw_container, raw_dataset, gt_container, gt_dataset"
    if len(cells) != 5:
        raise ConfigError(
            f"{where}: expected 5 comma-separated columns ({columns}), got {len(cells)}: {cells}"
        )
    empty = [name for name, cell in zip(columns.split(", "), cells) if not cell]
    if empty:
        raise ConfigError(f"{where}: column(s) {empty} are empty ({columns})")
    if cells[0].lower() not in ("train", "val"):
        raise ConfigError(
            f"{where}: first column is {cells[0]!r}; expected 'train' or 'val'"
        )
    return DatasetSpec(*cells)


def parse_gt_dataset(
    gt_dataset: str, separator_character: str = "&"
) -> Tuple[str, List[str]]:
    """Splits a ground-truth dataset into its prefix and classes.

    ``"crop1/[mito&er]"`` -> (``"crop1"``, ``["mito", "er"]``);
    ``"crop1/mito"`` -> (``"crop1"``, ``["mito"]``).
    """
    prefix, _, last = gt_dataset.strip("/").rpartition("/")
    if last.startswith("[") or last.endswith("]"):
        if not (last.startswith("[") and last.endswith("]")):
            raise ConfigError(
                f"ground-truth dataset {gt_dataset!r}: unbalanced brackets; write classes "
                f"as prefix/[a{separator_character}b]"
            )
        classes = [c.strip() for c in last[1:-1].split(separator_character)]
    else:
        classes = [last]
    if not all(classes) or len(set(classes)) != len(classes) or "[" in prefix:
        raise ConfigError(
            f"ground-truth dataset {gt_dataset!r}: class list {classes} has empty or "
            "repeated names, or brackets outside the last component; write "
            f"prefix/[a{separator_character}b]"
        )
    return prefix, classes


def format_class_name(
    class_name: str, separator_character: str = "&", targets: Optional[Sequence[str]] = None
) -> str:
    """``"crop1/[mito&er]"`` -> ``"mito_er"``; only ``targets`` (in their order) if given."""
    _, classes = parse_gt_dataset(class_name, separator_character)
    if targets is not None:
        classes = [t for t in targets if t in classes]
    return "_".join(classes)


def _to_coordinate(value) -> Coordinate:
    return Coordinate(value)


@attr.s
class DataSplitGenerator:
    """Turns a list of ``DatasetSpec`` s into a ``TrainValidateDataSplitConfig``.

    For each crop: raw data at ``input_resolution``, normalised with
    ``raw_min``/``raw_max``; ground truth at ``output_resolution``, one channel
    per target (binarised with ``binarize_gt``) and a mask channel per target
    (1 where the class is annotated). A target the crop lacks is empty ground
    truth, annotated (``use_negative_class``) where any other class is
    labelled, else unknown everywhere. The ``max_*`` factors bound how far a
    scale level may be resampled; training crops below
    ``min_training_volume_size`` voxels are left out; validation crops above
    ``max_validation_volume_size`` voxels are centre-cropped.
    """

    name: str = attr.ib()
    datasets: List[DatasetSpec] = attr.ib()
    input_resolution: Coordinate = attr.ib(converter=_to_coordinate)
    output_resolution: Coordinate = attr.ib(converter=_to_coordinate)
    targets: Optional[List[str]] = attr.ib(default=None)
    segmentation_type: SegmentationType = attr.ib(
        default=SegmentationType.semantic, converter=_segmentation_type
    )
    max_gt_downsample: int = attr.ib(default=32)
    max_gt_upsample: int = attr.ib(default=4)
    max_raw_training_downsample: int = attr.ib(default=16)
    max_raw_training_upsample: int = attr.ib(default=2)
    max_raw_validation_downsample: int = attr.ib(default=8)
    max_raw_validation_upsample: int = attr.ib(default=2)
    min_training_volume_size: int = attr.ib(default=8000)
    raw_min: float = attr.ib(default=0)
    raw_max: float = attr.ib(default=255)
    classes_separator_character: str = attr.ib(default="&")
    use_negative_class: bool = attr.ib(default=False)
    max_validation_volume_size: Optional[int] = attr.ib(default=None)
    binarize_gt: bool = attr.ib(default=False)

    @classmethod
    def generate_from_csv(
        cls,
        csv_path: Path,
        input_resolution,
        output_resolution,
        name: Optional[str] = None,
        **kwargs,
    ) -> "DataSplitGenerator":
        """A generator over the rows of ``csv_path`` (named after the file by default)."""
        return cls(
            name or Path(csv_path).stem,
            generate_dataspec_from_csv(csv_path),
            input_resolution,
            output_resolution,
            **kwargs,
        )

    @property
    def class_names(self) -> List[str]:
        """The target classes: ``targets``, or every class named in the CSV."""
        if self.targets is not None:
            return list(self.targets)
        names: List[str] = []
        for spec in self.datasets:
            for name in self._classes(spec)[1]:
                if name not in names:
                    names.append(name)
        return names

    def compute(self) -> TrainValidateDataSplitConfig:
        """The datasplit config of every usable crop."""
        self._check()
        targets = self.class_names
        train: List[DatasetConfig] = []
        validate: List[DatasetConfig] = []
        used: Dict[str, int] = {}
        for spec in self.datasets:
            config = self._dataset_config(spec, targets, used)
            if config is None:
                continue
            (train if spec.dataset_type == DatasetType.train else validate).append(config)
        if not train:
            raise ConfigError(
                f"DataSplitGenerator {self.name!r}: no usable training crop (each has no "
                f"class of {targets} or fewer than {self.min_training_volume_size} voxels)"
            )
        return TrainValidateDataSplitConfig(
            name=self.name, train_configs=train, validate_configs=validate
        )

    def _check(self) -> None:
        where = f"DataSplitGenerator {self.name!r}"
        if not self.datasets:
            raise ConfigError(f"{where}: `datasets` is empty; give at least one DatasetSpec")
        if not self.raw_max > self.raw_min:
            raise ConfigError(
                f"{where}: raw_max ({self.raw_max}) must be greater than raw_min ({self.raw_min})"
            )
        targets = self.class_names
        if self.segmentation_type == SegmentationType.instance and len(targets) != 1:
            raise ConfigError(
                f"{where}: instance segmentation needs exactly one target class, got "
                f"{targets}; set `targets` to one class"
            )
        present = {c for spec in self.datasets for c in self._classes(spec)[1]}
        absent = [t for t in targets if t not in present]
        if absent and not self.use_negative_class:
            raise ConfigError(
                f"{where}: target(s) {absent} appear in no ground-truth dataset (classes "
                f"found: {sorted(present)}); fix `targets` or set use_negative_class=True"
            )

    def _classes(self, spec: DatasetSpec) -> Tuple[str, List[str]]:
        return parse_gt_dataset(spec.gt_dataset, self.classes_separator_character)

    def _dataset_config(
        self, spec: DatasetSpec, targets: List[str], used: Dict[str, int]
    ) -> Optional[RawGTDatasetConfig]:
        prefix, classes = self._classes(spec)
        present = [t for t in targets if t in classes]
        if not present:
            logger.warning("%s: skipped, it has none of the classes %s", spec.gt_dataset, targets)
            return None
        name = _unique(_dataset_name(spec, present), used)
        gts = {
            t: self._resolved(
                spec.gt_container, _join(prefix, t), self.output_resolution, f"{name}_{t}", "gt"
            )
            for t in present
        }
        if self.segmentation_type == SegmentationType.instance:
            gt = gts[present[0]]
            mask: ArrayConfig = _constant(f"{name}_mask", gt, 1)
        else:
            gt, mask = self._semantic(name, targets, gts)
        if spec.dataset_type == DatasetType.val:
            gt, mask = self._limit_validation_size(name, gt, mask)
        elif self._too_small(gt):
            logger.warning("%s: skipped, fewer than %d voxels", name, self.min_training_volume_size)
            return None
        raw = self._resolved(
            spec.raw_container, spec.raw_dataset, self.input_resolution, f"{name}_raw",
            f"raw_{spec.dataset_type.value}",
        )
        raw = IntensitiesArrayConfig(
            name=f"{name}_raw_normalised", source_array_config=raw,
            min=float(self.raw_min), max=float(self.raw_max),
        )
        return RawGTDatasetConfig(name=name, raw_config=raw, gt_config=gt, mask_config=mask)

    def _semantic(self, name: str, targets: List[str], gts: Dict[str, ArrayConfig]):
        if self.binarize_gt:
            gts = {t: _binary(f"{name}_{t}_binary", config, t) for t, config in gts.items()}
        any_gt = next(iter(gts.values()))
        channel_gts: Dict[str, ArrayConfig] = {}
        channel_masks: Dict[str, ArrayConfig] = {}
        for t in targets:
            if t in gts:
                channel_gts[t] = gts[t]
                channel_masks[t] = _constant(f"{name}_{t}_mask", gts[t], 1)
            else:
                channel_gts[t] = _constant(f"{name}_{t}_empty", any_gt, 0)
                channel_masks[t] = (
                    self._labelled(name, t, gts) if self.use_negative_class
                    else _constant(f"{name}_{t}_unknown", any_gt, 0)
                )
        return _concat(f"{name}_gt", targets, channel_gts), _concat(
            f"{name}_mask", targets, channel_masks
        )

    def _labelled(self, name: str, target: str, gts: Dict[str, ArrayConfig]) -> ArrayConfig:
        """1 where any present class is labelled (there ``target`` is known absent)."""
        binary = {
            c: config if self.binarize_gt else _binary(f"{name}_{c}_binary", config, c)
            for c, config in gts.items()
        }
        union = _concat(f"{name}_{target}_others", list(binary), binary)
        return LogicalOrArrayConfig(
            name=f"{name}_{target}_negative_mask", source_array_config=union
        )

    def _resolved(self, container, dataset, target, name, role) -> ArrayConfig:
        """``container/dataset`` at voxel size ``target``, via the best scale level."""
        levels = _scale_levels(container, dataset, name)
        source, voxel_size = _choose_level(levels, target)
        if voxel_size.dims != target.dims:
            raise ConfigError(
                f"DataSplitGenerator {self.name!r}: {container}/{source.dataset} has "
                f"{voxel_size.dims} spatial dimensions (voxel size {voxel_size}) but the "
                f"requested resolution {target} has {target.dims}"
            )
        if voxel_size == target:
            return source
        up, down = self._factors(voxel_size, target, role, container, source.dataset)
        return ResampledArrayConfig(
            name=f"{name}_resampled", source_array_config=source, upsample=up,
            downsample=down, interp_order=0 if role == "gt" else 1,
        )

    def _factors(self, voxel_size, target, role, container, path) -> Tuple[Coordinate, Coordinate]:
        where = f"DataSplitGenerator {self.name!r}: {container}/{path}"
        if any(max(v, t) % min(v, t) for v, t in zip(voxel_size, target)):
            raise ConfigError(
                f"{where} has voxel size {voxel_size}, which cannot be resampled to "
                f"{target} by integer factors; choose a resolution that divides or is a "
                "multiple of the data's"
            )
        up = Coordinate(max(v // t, 1) for v, t in zip(voxel_size, target))
        down = Coordinate(max(t // v, 1) for v, t in zip(voxel_size, target))
        limits = {
            "gt": ("max_gt_upsample", "max_gt_downsample"),
            "raw_train": ("max_raw_training_upsample", "max_raw_training_downsample"),
            "raw_val": ("max_raw_validation_upsample", "max_raw_validation_downsample"),
        }[role]
        for factor, limit in zip((up, down), limits):
            if max(factor) > getattr(self, limit):
                raise ConfigError(
                    f"{where} (voxel size {voxel_size}) would be resampled by {factor} to "
                    f"reach {target}, more than {limit}={getattr(self, limit)}; raise "
                    f"{limit} or provide data closer to that resolution"
                )
        return up, down

    def _too_small(self, gt: ArrayConfig) -> bool:
        array = build(gt)
        return prod(array.roi.shape / array.voxel_size) < self.min_training_volume_size

    def _limit_validation_size(self, name: str, gt: ArrayConfig, mask: ArrayConfig):
        if self.max_validation_volume_size is None:
            return gt, mask
        array = build(gt)
        roi = _centre_crop(array.roi, array.voxel_size, self.max_validation_volume_size)
        if roi == array.roi:
            return gt, mask
        return (
            CropArrayConfig(name=f"{name}_gt_cropped", source_array_config=gt, roi=roi),
            CropArrayConfig(name=f"{name}_mask_cropped", source_array_config=mask, roi=roi),
        )


def _scale_levels(container, dataset: str, name: str) -> List[Tuple[ZarrArrayConfig, Coordinate]]:
    """(config, voxel size) of every scale level (``s0``, ``s1``, ...) of ``container/dataset``."""
    import zarr

    from .datasets.arrays.zarr_array import container_exists, open_store

    dataset = dataset.strip("/")
    where = f"DataSplitGenerator: {container}/{dataset}"
    if not container_exists(container):
        raise ConfigError(f"{where}: container {container} does not exist; check the CSV row")
    store = open_store(container, mode="r")
    paths = []
    if zarr.storage.contains_array(store, dataset):
        paths = [dataset]
    elif zarr.storage.contains_group(store, dataset):
        keys = zarr.open_group(store, path=dataset, mode="r").array_keys()
        levels = sorted((int(m.group(1)), k) for k in keys if (m := _SCALE_LEVEL.match(k)))
        paths = [f"{dataset}/{key}" for _, key in levels]
    if not paths:
        raise ConfigError(
            f"{where} is neither an array nor a group of scale levels s0, s1, ...; check "
            "the CSV row"
        )
    configs = [
        ZarrArrayConfig(name=name, file_name=container, dataset=path, mode="r")
        for path in paths
    ]
    return [(config, build(config).voxel_size) for config in configs]


def _choose_level(levels, target: Coordinate):
    """The coarsest level at least as fine as ``target`` on every axis, else the finest."""
    finer = [level for level in levels if all(v <= t for v, t in zip(level[1], target))]
    if finer:
        return max(finer, key=lambda level: prod(level[1]))
    return min(levels, key=lambda level: prod(level[1]))


def _centre_crop(roi: Roi, voxel_size: Coordinate, max_voxels: int) -> Roi:
    """``roi`` halved along its largest axis, about its centre, until at most ``max_voxels``."""
    shape = list(roi.shape / voxel_size)
    while prod(shape) > max_voxels and max(shape) > 1:
        axis = shape.index(max(shape))
        shape[axis] //= 2
    margin = Coordinate((old - new) // 2 for old, new in zip(roi.shape / voxel_size, shape))
    return Roi(roi.offset + margin * voxel_size, Coordinate(shape) * voxel_size)


def _constant(name: str, source: ArrayConfig, value: int) -> ConstantArrayConfig:
    return ConstantArrayConfig(name=name, source_array_config=source, constant=value)


def _binary(name: str, source: ArrayConfig, label: str) -> BinarizeArrayConfig:
    return BinarizeArrayConfig(name=name, source_array_config=source, groupings=[(label, [])])


def _concat(name: str, channels, sources: Dict[str, ArrayConfig]) -> ConcatArrayConfig:
    return ConcatArrayConfig(name=name, channels=list(channels), source_array_configs=sources)


def _join(prefix: str, name: str) -> str:
    return f"{prefix}/{name}" if prefix else name


def _dataset_name(spec: DatasetSpec, classes: List[str]) -> str:
    container = spec.raw_container.name.rsplit(".", 1)[0]
    prefix = spec.gt_dataset.strip("/").rpartition("/")[0]
    parts = [container] + [p for p in prefix.split("/") if p] + ["_".join(classes)]
    return re.sub(r"[^A-Za-z0-9_.-]", "_", "_".join(parts))


def _unique(name: str, used: Dict[str, int]) -> str:
    used[name] = used.get(name, 0) + 1
    return name if used[name] == 1 else f"{name}_{used[name]}"
