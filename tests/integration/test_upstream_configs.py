"""Config files as upstream DaCapo (classic generation) writes them load here.

The YAML below uses upstream's ``__type__`` names and field names, including
cattrs' habit of storing the private attribute ``_axes`` under its own name.
"""

import pytest
import yaml
from funlib.geometry import Coordinate

from dacapo.errors import ConfigError
from dacapo.experiments.run_config import RunConfig
from dacapo.store.converter import converter
from dacapo.store.file_config_store import FileConfigStore

UPSTREAM_RUN = """
name: mito_distance_run
repetition: 0
num_iterations: 100000
validation_interval: 5000
start_config: null
task_config:
  __type__: DistanceTaskConfig
  name: mito_distance
  channels: [mito]
  clip_distance: 40.0
  tol_distance: 40.0
  scale_factor: 80.0
  mask_distances: true
  clipmin: 0.05
  clipmax: 0.95
architecture_config:
  __type__: CNNectomeUNetConfig
  name: upsample_unet
  input_shape: [216, 216, 216]
  eval_shape_increase: [72, 72, 72]
  fmaps_in: 1
  num_fmaps: 12
  fmaps_out: 72
  fmap_inc_factor: 6
  downsample_factors: [[2, 2, 2], [3, 3, 3], [3, 3, 3]]
  kernel_size_down: null
  kernel_size_up: null
  upsample_factors: [[2, 2, 2]]
  constant_upsample: true
  padding: valid
  use_attention: false
  batch_norm: true
trainer_config:
  __type__: GunpowderTrainerConfig
  name: default_trainer
  batch_size: 2
  learning_rate: 0.0001
  num_data_fetchers: 20
  snapshot_interval: 10000
  min_masked: 0.15
  clip_raw: true
  augments:
    - __type__: ElasticAugmentConfig
      control_point_spacing: [100, 100, 100]
      control_point_displacement_sigma: [10.0, 10.0, 10.0]
      rotation_interval: [0.0, 1.5707963267948966]
      subsample: 8
      uniform_3d_rotation: true
    - __type__: IntensityAugmentConfig
      scale: [0.25, 1.75]
      shift: [-0.5, 0.35]
      clip: false
    - __type__: GammaAugmentConfig
      gamma_range: [0.5, 2.0]
    - __type__: IntensityScaleShiftAugmentConfig
      scale: 2.0
      shift: -1.0
datasplit_config:
  __type__: TrainValidateDataSplitConfig
  name: jrc_hela-2_mito
  train_configs:
    - __type__: RawGTDatasetConfig
      name: jrc_hela-2_crop1
      weight: 1
      raw_config:
        __type__: IntensitiesArrayConfig
        name: jrc_hela-2_raw
        min: 0.0
        max: 255.0
        source_array_config:
          __type__: ZarrArrayConfig
          name: jrc_hela-2_raw_uint8
          file_name: /nrs/cellmap/data/jrc_hela-2/jrc_hela-2.zarr
          dataset: recon-1/em/fibsem-uint8/s0
          snap_to_grid: null
          _axes: null
      gt_config:
        __type__: BinarizeArrayConfig
        name: jrc_hela-2_crop1_mito
        background: 0
        groupings:
          - [mito, [3, 4, 5]]
        source_array_config:
          __type__: ZarrArrayConfig
          name: jrc_hela-2_crop1_labels
          file_name: /nrs/cellmap/data/jrc_hela-2/jrc_hela-2.zarr
          dataset: recon-1/labels/groundtruth/crop1/all/s0
          snap_to_grid: [8, 8, 8]
          _axes: [z, y, x]
      mask_config: null
      sample_points: null
  validate_configs: []
"""


def _upstream_run() -> dict:
    return yaml.safe_load(UPSTREAM_RUN)


def test_an_upstream_run_config_loads_with_every_nested_config():
    run = converter.structure(_upstream_run(), RunConfig)
    assert run.task_config.channels == ["mito"]
    assert run.architecture_config.downsample_factors[1] == Coordinate(3, 3, 3)
    augments = run.trainer_config.augments
    assert [type(a).__name__ for a in augments] == [
        "ElasticAugmentConfig", "IntensityAugmentConfig", "GammaAugmentConfig",
        "IntensityScaleShiftAugmentConfig",
    ]
    gt = run.datasplit_config.train_configs[0].gt_config
    assert gt.groupings == [("mito", [3, 4, 5])]
    labels = gt.source_array_config
    assert labels.snap_to_grid == Coordinate(8, 8, 8)
    assert labels.axes == ["z", "y", "x"]


def test_an_upstream_run_config_round_trips_through_the_file_store(tmp_path):
    run = converter.structure(_upstream_run(), RunConfig)
    store = FileConfigStore(tmp_path / "configs")
    store.store_run_config(run)
    assert store.retrieve_run_config("mito_distance_run") == run


def test_a_typo_in_a_nested_type_names_the_closest_class():
    data = _upstream_run()
    data["trainer_config"]["augments"][0]["__type__"] = "ElasticAugmentConfg"
    with pytest.raises(ConfigError, match="did you mean 'ElasticAugmentConfig'"):
        converter.structure(data, RunConfig)
