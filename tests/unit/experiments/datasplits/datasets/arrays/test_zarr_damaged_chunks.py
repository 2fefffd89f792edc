"""A zarr array whose metadata no longer matches its stored chunks is reported as
such (naming the array and the fix), not as an error from inside the codecs."""

import json

import numpy as np
import pytest
import zarr

from dacapo.errors import ConfigError
from dacapo.experiments.datasplits.datasets.arrays import ZarrArrayConfig

CHANGES = {
    "larger chunks": {"chunks": [32, 32]},
    "smaller chunks": {"chunks": [8, 8]},
    "wider dtype": {"dtype": "<f8"},
    "no compressor": {"compressor": None},
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_changed_chunk_metadata_is_a_config_error_naming_array_and_fix(tmp_path, change):
    container = tmp_path / "data.zarr"
    group = zarr.open(str(container), mode="w")
    array = group.create_dataset(
        "raw", data=np.arange(64 * 64, dtype=np.uint8).reshape(64, 64), chunks=(16, 16)
    )
    array.attrs.update({"resolution": [4, 4], "offset": [0, 0], "axes": ["y", "x"]})
    metadata_file = container / "raw" / ".zarray"
    metadata = json.loads(metadata_file.read_text())
    metadata.update(CHANGES[change])
    metadata_file.write_text(json.dumps(metadata))
    config = ZarrArrayConfig(name="damaged", file_name=container, dataset="raw")
    opened = config.array_type(config)
    with pytest.raises(ConfigError, match=r"ZarrArray 'damaged' \(.*data.zarr, dataset 'raw'\): "
                       r"its stored chunks cannot be read .*restore it, or write the array "
                       r"again"):
        opened[opened.roi]
