"""Joining per-block segmentations (ids made unique per block by
``dacapo.utils.label_ids.unique_ids``): the faces of each block, the pairs
of ids to merge across faces, and the lookup table of a union-find over
those pairs. Pure numpy; memory is bounded by a block (faces:
by its surface; the table: by the number of pairs).

Across the face between block A (below) and block B (above) along an axis::

         A's write ROI        | B's write ROI
    ... a a a a [p] | [q] b b b ...
                    ^ face

A segments its read ROI, which reaches past the face (context), so A labels
both ``p`` and ``q``; so does B. The written ids of ``p`` (from A) and ``q``
(from B) are merged when A labels ``p`` and ``q`` alike and B does too. For
connected components this is exact; for a watershed it joins an object that
both blocks see crossing the face, but not two objects that merely touch
there. Without context (a block reads only its write ROI) any two non-zero
voxels touching across a face are merged.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Iterator, List, Optional, Sequence, Tuple

import numpy as np

ID_DTYPE = np.uint64


def face_planes(labels: np.ndarray, written: np.ndarray,
                write_slices: Sequence[slice]) -> dict:
    """The faces of one block.

    ``labels`` is the block's segmentation of its read region; ``written``
    the ids it writes (``labels[write_slices]`` made unique). For each axis
    ``d`` and side (``lo``: first written plane, ``hi``: last), the written
    ids of that plane (``{side}_ids_{d}``) and where the block labels that
    plane alike with the plane just outside it (``{side}_same_{d}``).
    """
    faces = {}
    for d, s in enumerate(write_slices):
        for side, inside, outside in (("lo", s.start, s.start - 1), ("hi", s.stop - 1, s.stop)):
            here = _plane(labels, write_slices, d, inside)
            if 0 <= outside < labels.shape[d]:
                same = (here == _plane(labels, write_slices, d, outside)) & (here != 0)
            else:  # no context on this side: touching is enough
                same = here != 0
            index = 0 if side == "lo" else written.shape[d] - 1
            faces[f"{side}_ids_{d}"] = np.take(written, index, axis=d)
            faces[f"{side}_same_{d}"] = same
    return faces


def _plane(labels: np.ndarray, write_slices: Sequence[slice], axis: int,
           index: int) -> np.ndarray:
    """Plane ``index`` of ``labels`` along ``axis``, cropped to the write
    region along the other axes."""
    slices: List[Any] = list(write_slices)
    slices[axis] = index
    return labels[tuple(slices)]


def face_file(faces_dir: Path, begin: Sequence[int]) -> Path:
    """The faces of the block whose write ROI begins at ``begin`` (world units)."""
    return faces_dir / ("_".join(str(int(b)) for b in begin) + ".npz")


def save_faces(faces_dir: Path, begin: Sequence[int], end: Sequence[int],
               faces: dict) -> None:
    """Writes a block's faces atomically (a rerun may overwrite them)."""
    faces_dir.mkdir(parents=True, exist_ok=True)
    path = face_file(faces_dir, begin)
    tmp = path.with_name(f".{path.stem}.{os.getpid()}.tmp.npz")
    np.savez(tmp, begin=np.asarray(begin), end=np.asarray(end), **faces)
    os.replace(tmp, path)


def face_pairs(faces_dir: Path) -> np.ndarray:
    """The ``(n, 2)`` uint64 pairs of written ids to merge, over all faces
    between blocks saved in ``faces_dir``; each pair once."""
    pairs: List[np.ndarray] = [np.empty((0, 2), dtype=ID_DTYPE)]
    for lower, upper, axis in _neighbours(faces_dir):
        with np.load(lower) as a, np.load(upper) as b:
            merge = a[f"hi_same_{axis}"] & b[f"lo_same_{axis}"]
            found = np.stack([a[f"hi_ids_{axis}"][merge], b[f"lo_ids_{axis}"][merge]], axis=1)
        pairs.append(np.unique(found.astype(ID_DTYPE), axis=0))
    return np.unique(np.concatenate(pairs), axis=0)


def _neighbours(faces_dir: Path) -> Iterator[Tuple[Path, Path, int]]:
    """``(lower block, upper block, axis)`` for every face between two blocks."""
    for path in sorted(faces_dir.glob("*.npz")):
        with np.load(path) as data:
            begin, end = data["begin"], data["end"]
        for axis in range(len(begin)):
            above = begin.copy()
            above[axis] = end[axis]
            neighbour = face_file(faces_dir, above)
            if neighbour.exists():
                yield path, neighbour, axis


def components_lut(pairs: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """Union-find over ``pairs``: ``(old, new)`` with ``old`` sorted, mapping
    every id that changes to the smallest id of its connected component."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    if len(pairs) == 0:
        empty = np.empty(0, dtype=ID_DTYPE)
        return empty, empty
    ids, inverse = np.unique(pairs, return_inverse=True)
    inverse = inverse.reshape(pairs.shape)
    graph = coo_matrix((np.ones(len(pairs), dtype=np.int8), (inverse[:, 0], inverse[:, 1])),
                       shape=(len(ids), len(ids)))
    _, component = connected_components(graph, directed=False)
    # ids are sorted: the first member of each component is its smallest id
    _, first = np.unique(component, return_index=True)
    new = ids[first][component]
    changed = new != ids
    return ids[changed], new[changed]


def block_lut(old: np.ndarray, new: np.ndarray, low: Any,
              high: Any) -> Tuple[np.ndarray, np.ndarray]:
    """The part of the table (``old`` sorted) for ids in ``[low, high]``:
    a block's non-zero ids are one range (``unique_ids``), so a block is
    searched against its own entries, not the whole volume's."""
    start = int(np.searchsorted(old, low, side="left"))
    stop = int(np.searchsorted(old, high, side="right"))
    return old[start:stop], new[start:stop]


def apply_lut(labels: np.ndarray, old: np.ndarray, new: np.ndarray) -> Optional[np.ndarray]:
    """``labels`` with ``old`` ids replaced by ``new`` ones; None when none
    of them occurs (nothing to write)."""
    if len(old) == 0 or labels.size == 0:
        return None
    objects = labels != 0  # 0 (background) is never in the table
    if not objects.any():
        return None
    low = labels.min(where=objects, initial=np.iinfo(labels.dtype).max)
    old, new = block_lut(old, new, low, labels.max())
    if len(old) == 0:
        return None
    index = np.minimum(np.searchsorted(old, labels), len(old) - 1)
    hit = old[index] == labels
    if not hit.any():
        return None
    relabelled = labels.copy()
    relabelled[hit] = new[index[hit]]
    return relabelled
