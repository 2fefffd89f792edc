"""Memory of ``segment_blockwise`` is bounded by a block, not by the volume:
the lookup table a block is relabelled with holds that block's ids only, and
the peak of a whole watershed run does not grow with the volume."""

import tracemalloc

import numpy as np
from funlib.geometry import Coordinate, Roi

from dacapo.blockwise import _faces, segment_blockwise, watershed_function
from dacapo.blockwise._faces import block_lut
from dacapo.experiments.datasplits.datasets.arrays.zarr_array import ZarrArray
from dacapo.utils.affinities import seg_to_affgraph
from dacapo.utils.label_ids import unique_ids

BLOCK = Coordinate(16, 16, 16)
CONTEXT = Coordinate(2, 2, 2)


def _volume_lut(blocks: int, voxels_per_block: int, ids_per_block: int):
    """A table joining the first ``ids_per_block`` ids of each block into
    the first id of block 0, as ``components_lut`` makes them."""
    old = np.concatenate([np.arange(2, ids_per_block + 1) + b * voxels_per_block
                          for b in range(blocks)]).astype(np.uint64)
    return old, np.ones_like(old)


def test_a_block_is_relabelled_with_its_own_part_of_the_table(monkeypatch):
    old, new = _volume_lut(blocks=1000, voxels_per_block=64, ids_per_block=5)
    labels = unique_ids(np.arange(8).reshape(2, 4) % 6, offset=7 * 64)  # block 7 and 0s
    searched = []

    def spy(*args):
        part = block_lut(*args)
        searched.append(part[0])
        return part

    monkeypatch.setattr(_faces, "block_lut", spy)
    relabelled = _faces.apply_lut(labels, old, new)
    expected = np.where(np.isin(labels, old), 1, labels)
    np.testing.assert_array_equal(relabelled, expected)
    # the block's 4 joined ids (449 is its first id: not in the table), not the volume's
    np.testing.assert_array_equal(searched, [np.arange(2, 6) + 7 * 64])


def _segment_volume(dataset, in_process, length: int) -> int:
    """Peak bytes traced while the watershed segments a 16 x 16 x ``length``
    volume (striped objects) in 16^3 blocks; checks the objects."""
    labels = (np.arange(length) // 12 + 1)[None, None, :] * np.ones((16, 16, 1), np.uint64)
    affinities = seg_to_affgraph(labels.astype(np.uint64), [(1, 0, 0), (0, 1, 0), (0, 0, 1)])
    total = Roi((0, 0, 0), (16, 16, length))
    source = dataset(f"affs_{length}", affinities.astype(np.float32), channels=3)
    output = dataset(f"seg_{length}", roi=total, dtype=np.uint64, write_size=BLOCK)
    tracemalloc.start()
    try:
        segment_blockwise(watershed_function, CONTEXT, total, Roi((0, 0, 0), BLOCK + CONTEXT * 2),
                          Roi(CONTEXT, BLOCK), 1, compute_context=in_process,
                          input_array_identifier=source, output_array_identifier=output)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    result = ZarrArray.open_from_array_identifier(output)[total]
    assert len(np.unique(result)) == len(np.unique(labels))  # one id per stripe
    return peak


def test_the_peak_memory_of_a_watershed_run_does_not_grow_with_the_volume(dataset,
                                                                          in_process):
    _segment_volume(dataset, in_process, 32)  # imports and caches: not traced below
    small = _segment_volume(dataset, in_process, 64)
    large = _segment_volume(dataset, in_process, 512)  # 8 x the voxels and blocks
    volume_bytes = 16 * 16 * 512 * 8  # one uint64 array of the large volume
    assert large - small < volume_bytes / 4, (small, large)
