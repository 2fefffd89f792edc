"""The gunpowder trainer: random, augmented samples of the training datasets."""

from __future__ import annotations

import ctypes
import logging
import multiprocessing.util
import os
import signal
import sys
import threading
from typing import Dict, List, NamedTuple, Optional, Tuple

import gunpowder as gp
import numpy as np
import torch
from funlib.geometry import Coordinate, Roi

from dacapo.errors import ConfigError, DacapoError
from dacapo.gp import DaCapoArraySource, DaCapoTargetFilter, DeviceGroundTruth, GraphSource
from dacapo.gp.elastic_draw import elastic_growth

from ._batch_feeder import pinned_array
from ._device_augment_plan import (
    device_augments_refusal,
    draw_keys,
    draw_nodes,
    elastic_index,
    followers,
    stored_raw_range,
)
from ._device_augments import DeviceAugments
from ._device_targets import DeviceTargets
from ._gp_sampling import ConstantSource, SampleLocation
from ._gt_checks import RefuseNegativeLabels, gt_where, needs_value_check, require_datasets_gt
from ._precache import PreCache
from ._snapshots import SnapshotArray, write_snapshot
from .trainer import Trainer

logger = logging.getLogger(__name__)

#: names of the arrays of a batch, which are also the snapshot dataset names
ARRAYS = ("raw", "gt", "mask", "target", "weight")
#: batches kept after they are made, for the snapshot of their step (made ahead on a GPU)
KEPT_BATCHES = 8


class Geometry(NamedTuple):
    """World sizes of a training sample: network input and output, and the
    ``context`` the input adds on each side of the output."""

    input_size: Coordinate
    output_size: Coordinate
    context: Coordinate
    raw_voxel_size: Coordinate
    output_voxel_size: Coordinate


class GunpowderTrainer(Trainer):
    """Builds one gunpowder pipeline over the training datasets and draws batches from it.

    Per dataset: raw, ground truth, mask (ones when the dataset has none; all
    three zero-padded beyond their ROIs, so what augmentations read beyond the
    data is masked out) and sample points are merged; ``SampleLocation`` picks
    a location honouring ``min_masked`` and the sample strategy; the augments
    follow. Then::

        datasets -> RandomProvider (dataset weights) -> DaCapoTargetFilter
                 -> Stack (batch_size) -> PreCache (num_data_fetchers workers)

    Each data worker makes whole batches, so the training process receives
    one object a batch and does no stacking of its own.

    With targets on the device (``targets_on_device``; by default when
    training on a GPU with a predictor that can), ``DaCapoTargetFilter`` is
    left out: batches carry the ground truth and mask over the region the
    predictor needs, and ``prepare_on_device`` computes target and weights
    from them on the training device, sample by sample, with the same values.
    With augments on the device too (``augments_on_device``; by default with
    targets on a GPU when the device can apply every augment after the
    elastic one), the data workers read each array grown by the deformation's
    reach and only draw the elastic augment and those after it
    (``ElasticDraw``, ``SimpleDraw``, ``IntensityDraw``...); ``DeviceAugments``
    applies them on the device, before the targets are made.

    The pipeline is built once, when the trainer is entered (``with
    trainer:``), and torn down when it is left.
    """

    def __init__(self, trainer_config):
        super().__init__(
            trainer_config,
            mixed_precision=trainer_config.mixed_precision,
            warmup_iterations=trainer_config.warmup_iterations,
        )
        self.num_data_fetchers = trainer_config.num_data_fetchers
        self.augments = list(trainer_config.augments)
        self.snapshot_interval = trainer_config.snapshot_interval
        self.min_masked = trainer_config.min_masked or 0.0
        self.clip_raw = trainer_config.clip_raw
        self.sample_strategy = trainer_config.sample_strategy
        self.random_seed = trainer_config.random_seed
        self._keys = {name: gp.ArrayKey(name.upper()) for name in ARRAYS}
        self._points_key = gp.GraphKey("SAMPLE_POINTS")
        self._shift_key = gp.ArrayKey("SAMPLE_SHIFT")  # where each sample was taken
        self._pipeline = None
        self._request: Optional[gp.BatchRequest] = None
        self._build: Optional[gp.build] = None
        self.targets_on_device = trainer_config.targets_on_device
        self.augments_on_device = trainer_config.augments_on_device
        self._device_augments: Optional[DeviceAugments] = None
        self._draw_keys: Dict[str, gp.ArrayKey] = {}  # augment draws, applied on the device
        self._last_batch: Optional[gp.Batch] = None
        self._made: Dict[int, gp.Batch] = {}  # the latest batches made, by iteration
        self._snapshot_container = None
        self._device_targets: Optional[DeviceTargets] = None
        self._output: Optional[Tuple[Roi, Coordinate]] = None
        self._places: Dict[str, Tuple[Roi, Coordinate]] = {}

    def can_train(self, datasets) -> bool:
        """Whether every dataset has ground truth."""
        return bool(datasets) and all(d.gt is not None for d in datasets)

    # -- building the pipeline -------------------------------------------------

    def build_batch_provider(self, datasets, model, task, snapshot_container=None) -> None:
        """Builds the pipeline description; it starts when the trainer is entered."""
        if self._build is not None:
            raise RuntimeError(
                f"GunpowderTrainer {self.name!r}: the pipeline is running; leave the "
                "`with trainer:` block before building a new one"
            )
        self._check_datasets(datasets)
        require_datasets_gt(self.name, datasets, task)
        geometry = sample_geometry(model, datasets, self.name)
        self._device_targets = self._choose_device_targets(task.predictor, geometry)
        self._device_augments = self._choose_device_augments(geometry)
        if self._device_targets is not None:  # the augments run first
            self._device_targets.augments = self._device_augments
        if self._device_augments is not None:  # raw as stored, normalised there
            self._device_augments.raw_range = stored_raw_range(self.augments, datasets)
        sources = tuple(self._dataset_pipeline(d, geometry, task) for d in datasets)
        pipeline = sources + gp.RandomProvider(probabilities=[d.weight for d in datasets])
        if self._device_targets is not None:
            pipeline += DeviceGroundTruth(task.predictor, self._keys["gt"])
        else:
            pipeline += DaCapoTargetFilter(
                task.predictor,
                gt_key=self._keys["gt"],
                target_key=self._keys["target"],
                weights_key=self._keys["weight"],
                mask_key=self._keys["mask"],
            )
        pipeline += gp.Stack(self.batch_size)
        if self.num_data_fetchers > 0:  # whole batches: one hand-over per batch
            cache_size = max(2, self.num_data_fetchers)
            pipeline += PreCache(cache_size=cache_size, num_workers=self.num_data_fetchers,
                                 allocate=pinned_array if self._on_gpu() else None)
        self._pipeline = pipeline
        self._request = self._batch_request(geometry)
        self._loss = task.loss
        self._snapshot_container = snapshot_container

    def _on_gpu(self) -> bool:
        """Whether the trainer was told it trains on a GPU (``train_run`` sets
        ``device`` before the pipeline is built)."""
        return self.device is not None and torch.device(self.device).type == "cuda"

    def _choose_device_targets(self, predictor, geometry: Geometry) -> Optional[DeviceTargets]:
        """The device-side target maker when targets are computed on the device
        (see ``targets_on_device``), else None."""
        able = bool(getattr(predictor, "supports_device_targets", False))
        wanted = self.targets_on_device
        if wanted is None:
            wanted = able and self._on_gpu()
        elif wanted and not able:
            raise ConfigError(
                f"GunpowderTrainer {self.name!r}: targets_on_device is True but the task's "
                f"predictor {type(predictor).__name__} computes its targets on the CPU only; "
                "set targets_on_device=None (or False), or use a task whose predictor can "
                "(the distance task)"
            )
        if not wanted:
            return None
        return DeviceTargets(predictor, geometry.output_voxel_size)

    def _choose_device_augments(self, geometry: Geometry) -> Optional[DeviceAugments]:
        """The device-side elastic augment when it runs there (see
        ``augments_on_device``), else None; sets the draws' batch entries."""
        places = self._array_places(geometry)
        shapes = {name: roi.shape / voxel for name, (roi, voxel) in places.items()}
        refusal = device_augments_refusal(self.augments, self._device_targets is not None, shapes)
        wanted = self.augments_on_device
        if wanted is None:
            if self._on_gpu() and refusal is not None and elastic_index(self.augments) is not None:
                logger.info("GunpowderTrainer %r: the elastic augment runs in the data "
                            "workers: %s", self.name, refusal)
            wanted = self._on_gpu() and refusal is None
        elif wanted and refusal is not None:
            raise ConfigError(
                f"GunpowderTrainer {self.name!r}: augments_on_device is True but {refusal}; "
                "or set augments_on_device=None (or False)"
            )
        self._draw_keys = draw_keys(self.augments) if wanted else {}
        if not wanted:
            return None
        elastic = self.augments[elastic_index(self.augments)]
        growth = elastic_growth(
            {name: roi for name, (roi, _) in places.items()},
            {name: voxel for name, (_, voxel) in places.items()},
            elastic.control_point_displacement_sigma, elastic.rotation_interval,
            elastic.uniform_3d_rotation,
        )
        return DeviceAugments(
            elastic, followers(self.augments), {n: r for n, (r, _) in places.items()},
            growth, {n: v for n, (_, v) in places.items()},
        )

    def _check_datasets(self, datasets) -> None:
        if not datasets:
            raise ConfigError(f"GunpowderTrainer {self.name!r}: no training datasets given")
        for dataset in datasets:
            if dataset.gt is None:
                raise ConfigError(
                    f"GunpowderTrainer {self.name!r}: dataset {dataset.name!r} has no ground "
                    "truth; every training dataset needs gt"
                )
            if isinstance(dataset.weight, bool) or not dataset.weight >= 0:
                raise ConfigError(
                    f"GunpowderTrainer {self.name!r}: dataset {dataset.name!r} has weight "
                    f"{dataset.weight!r}; weights must be numbers >= 0"
                )
            if self.sample_strategy == "sample_points" and not dataset.sample_points:
                raise ConfigError(
                    f"GunpowderTrainer {self.name!r}: sample_strategy is 'sample_points' but "
                    f"dataset {dataset.name!r} has no sample points; give it some, or use "
                    "sample_strategy=None"
                )
            self._check_points(dataset)
        if sum(d.weight for d in datasets) <= 0:
            raise ConfigError(
                f"GunpowderTrainer {self.name!r}: the dataset weights sum to 0; give at "
                "least one dataset a positive weight"
            )

    def _check_points(self, dataset) -> None:
        """Every sample point lies inside the dataset's ground truth."""
        for point in dataset.sample_points or []:
            if len(point) != dataset.gt.dims or not dataset.gt.roi.contains(Coordinate(point)):
                raise ConfigError(
                    f"GunpowderTrainer {self.name!r}: dataset {dataset.name!r} has the "
                    f"sample point {tuple(point)} outside its ground truth {dataset.gt.name!r} "
                    f"(ROI {dataset.gt.roi}); `sample_points` are world coordinates (e.g. nm, "
                    "not voxels) inside the ground truth: fix or remove that point"
                )

    def _dataset_pipeline(self, dataset, geometry: Geometry, task):
        """Sources, sample location, ground-truth checks and augments of one dataset."""
        keys = self._keys
        use_points = self._uses_points(dataset)
        sources, data_rois = self._padded_sources(dataset, geometry, use_points)
        pipeline = sources + gp.MergeProvider()
        pipeline += SampleLocation(
            dataset.name,
            geometry.output_size,
            mask_key=keys["mask"] if dataset.mask is not None and self._checks_mask() else None,
            min_masked=self.min_masked,
            integral=self.sample_strategy == "integral_mask",
            points_key=self._points_key if use_points else None,
            reference_key=keys["mask"],
            random_shift_key=self._shift_key,
            data_rois=data_rois,
        )
        if needs_value_check(dataset, task):
            where = gt_where(self.name, dataset, task)
            pipeline += RefuseNegativeLabels(keys["gt"], task.predictor.gt_labels, where)
        for node in self._augment_nodes():
            pipeline += node
        return pipeline

    def _augment_nodes(self) -> List[gp.BatchFilter]:
        """The augments' nodes of one dataset; with augments on the device, those
        from the elastic one on only draw (see ``DeviceAugments``)."""
        keys = self._keys
        augments = self.augments
        if self._device_augments is not None:
            augments = augments[: elastic_index(augments)]
        nodes = [augment.node(keys["raw"], keys["gt"], keys["mask"]) for augment in augments]
        if self._device_augments is not None:
            nodes += draw_nodes(self.augments, keys, self._device_augments.growth)
        return nodes

    def _padded_sources(self, dataset, geometry: Geometry, use_points: bool):
        """The dataset's sources, each padded without end (raw, gt and mask
        with 0, so padding is never annotated), and the ROI of their data.

        Augmentations such as rotations may read beyond the data; the mask
        keeps that region out of the loss and ``SampleLocation`` samples by
        the data ROIs, so the padding is only read where it must be.
        """
        keys = self._keys
        raw_array = dataset.raw
        if self._device_augments is not None and self._device_augments.raw_range is not None:
            raw_array = dataset.raw.affine_source()[0]  # normalised on the device
        raw = DaCapoArraySource(raw_array, keys["raw"], interpolatable=True)
        if self.clip_raw:
            raw += gp.Crop(keys["raw"], clipped_raw_roi(dataset, geometry))
        gt = DaCapoArraySource(dataset.gt, keys["gt"])
        data_rois = {keys["gt"]: dataset.gt.roi}
        if dataset.mask is not None:
            mask = DaCapoArraySource(dataset.mask, keys["mask"])
            data_rois[keys["mask"]] = dataset.mask.roi
        else:
            mask = ConstantSource(keys["mask"], dataset.gt.roi, dataset.gt.voxel_size)
            data_rois[keys["mask"]] = dataset.gt.roi
        sources = [(raw, keys["raw"]), (gt, keys["gt"]), (mask, keys["mask"])]
        if use_points:
            sources.append((GraphSource(self._points_key, points_graph(dataset)), self._points_key))
            data_rois[self._points_key] = dataset.gt.roi
        return tuple(source + gp.Pad(key, None, value=0) for source, key in sources), data_rois

    def _uses_points(self, dataset) -> bool:
        if self.sample_strategy not in (None, "sample_points"):
            return False
        return bool(dataset.sample_points)

    def _checks_mask(self) -> bool:
        return self.sample_strategy != "anywhere" and self.min_masked > 0

    def _array_places(self, geometry: Geometry) -> Dict[str, Tuple[Roi, Coordinate]]:
        """ROI and voxel size of each array of a sample: raw over the network
        input, everything else over its output (gt and mask with the
        predictor's context when the targets are made on the device)."""
        raw_roi = Roi((0,) * geometry.input_size.dims, geometry.input_size)
        places = {"raw": (raw_roi, geometry.raw_voxel_size)}
        output = Roi(geometry.context, geometry.output_size)
        names = list(ARRAYS[1:])
        if self._device_targets is not None:
            names = ["gt", "mask"]
            padding = self._device_targets.padding
            output = output.grow(padding, padding)
        for name in names:
            places[name] = (output, geometry.output_voxel_size)
        return places

    def _batch_request(self, geometry: Geometry) -> gp.BatchRequest:
        """Each array over its place (``_array_places``), grown for the
        deformation when the device deforms them, and the draws."""
        request = gp.BatchRequest()
        self._output = (Roi(geometry.context, geometry.output_size), geometry.output_voxel_size)
        self._places = self._array_places(geometry)
        grown = self._device_augments.grown_rois() if self._device_augments is not None else {}
        for name, (roi, voxel_size) in self._places.items():
            request[self._keys[name]] = gp.ArraySpec(roi=grown.get(name, roi),
                                                     voxel_size=voxel_size)
        for key in [self._shift_key, *self._draw_keys.values()]:
            request[key] = gp.ArraySpec(nonspatial=True)
        return request

    # -- running it ------------------------------------------------------------

    def __enter__(self) -> "GunpowderTrainer":
        if self._pipeline is None:
            raise RuntimeError(  # called out of order: a programming error
                f"GunpowderTrainer {self.name!r}: call build_batch_provider(datasets, "
                "model, task) before starting the trainer"
            )
        if self._build is None:
            if self.num_data_fetchers > 0:
                multiprocessing.util.register_after_fork(self, _die_with_parent)
            self._build = gp.build(self._pipeline)
            self._build.__enter__()
        return self

    def __exit__(self, exc_type, exc_value, traceback) -> None:
        if self._build is not None:
            build, self._build = self._build, None
            build.__exit__(exc_type, exc_value, traceback)

    def next_batch(self) -> Dict[str, np.ndarray]:
        return self.next_batch_at(self.iteration)

    def next_batch_at(self, iteration: int) -> Dict[str, np.ndarray]:
        """The batch of ``iteration`` (its seed, with ``random_seed``)."""
        if self._build is None:
            raise RuntimeError(  # called out of order: a programming error
                f"GunpowderTrainer {self.name!r}: the pipeline is not running; use "
                "`with trainer:` around iterate() or next_batch()"
            )
        if self.random_seed is not None and self._request is not None:
            # gunpowder seeds random and numpy with the request's seed
            self._request._random_seed = batch_seed(self.random_seed, iteration)
        try:
            batch = self._pipeline.request_batch(self._request)
        except gp.PipelineRequestError as error:
            cause = _dacapo_error_in(error)
            if cause is None:
                raise
            raise cause from error
        self._last_batch = batch
        if self._snapshot_container is not None and self.snapshot_interval:
            self._made[iteration] = batch  # for the snapshot of its step
            for old in [i for i in self._made if i < iteration - KEPT_BATCHES]:
                del self._made[old]
        keys = {name: self._keys[name] for name in ARRAYS}
        keys.update(self._draw_keys)
        return {name: batch[key].data for name, key in keys.items() if key in batch}

    def prepare_on_device(self, device: torch.device) -> Optional[DeviceTargets]:
        """With targets on the device: computes each sample's target and weight
        from its ``gt`` and ``mask`` (see ``DeviceTargets``), after the
        augments that run there (``DeviceAugments``); else None."""
        return self._device_targets

    def after_step(self, iteration, batch, prediction) -> None:
        """Writes a snapshot every ``snapshot_interval`` iterations, each sample
        of the batch at the world position it was taken from."""
        if self._snapshot_container is None or not self.snapshot_interval:
            return
        made = self._made.get(iteration, self._last_batch)
        if iteration % self.snapshot_interval != 0 or made is None or self._output is None:
            return
        output, voxel_size = self._output
        deformed = self._places if self._device_augments is not None else {}
        arrays = {}
        for name in ARRAYS:
            if name in deformed and name in self.step_tensors:  # augmented on the device
                roi, size = deformed[name]
                arrays[name] = SnapshotArray(self.step_tensors[name].cpu().numpy(), roi, size)
            elif self._keys[name] in made:
                array = made[self._keys[name]]
                arrays[name] = SnapshotArray(array.data, array.spec.roi, array.spec.voxel_size)
            else:  # computed on the device
                data = self.step_tensors[name].float().cpu().numpy()
                arrays[name] = SnapshotArray(data, output, voxel_size)
        arrays["prediction"] = SnapshotArray(
            prediction.float().cpu().numpy(), output, voxel_size
        )
        container = getattr(self._snapshot_container, "container", self._snapshot_container)
        write_snapshot(container, iteration, arrays, made[self._shift_key].data)


def sample_geometry(model, datasets, trainer_name: str) -> Geometry:
    """The world sizes of a sample of ``model`` for ``datasets``; ``ConfigError``
    when the datasets' voxel sizes do not fit the model."""
    raw_voxel_size = datasets[0].raw.voxel_size
    output_voxel_size = model.scale(raw_voxel_size)
    for dataset in datasets:
        if dataset.raw.voxel_size != raw_voxel_size or dataset.gt.voxel_size != output_voxel_size:
            raise ConfigError(
                f"GunpowderTrainer {trainer_name!r}: dataset {dataset.name!r} has raw voxel "
                f"size {dataset.raw.voxel_size} and gt voxel size {dataset.gt.voxel_size}; "
                f"the model needs raw at {raw_voxel_size} (as in {datasets[0].name!r}) and "
                f"gt at {output_voxel_size}; resample the arrays"
            )
    input_size = Coordinate(model.input_shape) * raw_voxel_size
    output_size = Coordinate(model.output_shape) * output_voxel_size
    context = (input_size - output_size) / 2
    if any(c < 0 or c % v for c, v in zip(context, output_voxel_size)) or any(
        (i - o) % 2 for i, o in zip(input_size, output_size)
    ):
        raise ConfigError(
            f"GunpowderTrainer {trainer_name!r}: the model's output ({output_size}, world "
            f"units) does not sit centred on the voxel grid ({output_voxel_size}) inside its "
            f"input ({input_size}); choose an input shape for which it does"
        )
    return Geometry(input_size, output_size, context, raw_voxel_size, output_voxel_size)


def clipped_raw_roi(dataset, geometry: Geometry) -> Roi:
    """The dataset's gt ROI grown by the network context, on the raw grid, within raw."""
    grown = dataset.gt.roi.grow(geometry.context, geometry.context)
    grown = grown.snap_to_grid(geometry.raw_voxel_size, mode="grow")
    return grown.intersect(dataset.raw.roi)


def points_graph(dataset) -> gp.Graph:
    """The dataset's sample points as a graph without edges, bounded by the gt ROI."""
    nodes = [
        gp.Node(id=index, location=np.asarray(point, dtype=np.float64))
        for index, point in enumerate(dataset.sample_points)
    ]
    return gp.Graph(nodes, [], gp.GraphSpec(roi=dataset.gt.roi))


def _die_with_parent(_trainer) -> None:
    """Runs in each forked data worker (and its watchdog): asks Linux to kill it when
    its parent dies, so a killed training leaves no workers behind.

    Linux ties that signal to the *thread* that forked, so a process forked from
    any thread but a main one is left to gunpowder's own parent checks: it
    would otherwise die when that thread ends (e.g. a batch-prefetch thread),
    and a watchdog killed while it waits leaves the pipeline's teardown hanging.
    """
    if not sys.platform.startswith("linux") or not _FORKED_FROM_MAIN_THREAD[0]:
        return
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # no prctl: gunpowder's own checks remain
        return


#: whether the latest fork of this process came from its main thread (set before each fork)
_FORKED_FROM_MAIN_THREAD = [True]


def _note_forking_thread() -> None:
    _FORKED_FROM_MAIN_THREAD[0] = threading.current_thread() is threading.main_thread()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(before=_note_forking_thread)


__all__: List[str] = ["GunpowderTrainer"]


def batch_seed(seed: int, iteration: int) -> int:
    """The seed of batch ``iteration`` of a pipeline seeded with ``seed``.

    >>> batch_seed(0, 0) != batch_seed(0, 1) != batch_seed(1, 0)
    True
    """
    return (seed * 1_000_003 + iteration * 7_919 + 1) % 2**32


def _dacapo_error_in(error: Exception) -> Optional[DacapoError]:
    """The ``DacapoError`` a pipeline node raised, without the pipeline dump:
    the exception itself when it is chained here (same process), else rebuilt
    from the traceback text gunpowder carries back from a worker process."""
    cause = error.__cause__ or error.__context__
    while cause is not None:
        if isinstance(cause, DacapoError):
            return cause
        cause = cause.__cause__ or cause.__context__
    return _dacapo_error_from_text(getattr(error, "original_traceback", None) or [])


def _dacapo_error_from_text(traceback_lines: List[str]) -> Optional[DacapoError]:
    import dacapo.errors

    for line in reversed("".join(traceback_lines).splitlines()):
        name, _, message = line.partition(": ")
        if not name.startswith("dacapo.errors."):
            continue
        cls = getattr(dacapo.errors, name.rsplit(".", 1)[-1], None)
        if isinstance(cls, type) and issubclass(cls, DacapoError):
            return cls(message)
    return None
