#!/usr/bin/env bash
# Creates bench/.peer-venv with the upstream DaCapo release (dacapo-ml 0.3.5),
# separate from our .venv, for the side-by-side benchmarks (make bench).
# Not a test dependency. Follows ../shared/notes/upstream-release-install.md:
# - a plain `pip install dacapo-ml==0.3.5` does not resolve here (fibsem_tools
#   pins numpy<2 and pydantic<2; cellmap-models pulls torchvision, i.e. CUDA),
#   so the release goes in with --no-deps and its requirements are listed;
# - fibsem_tools and cellmap_models are imported by upstream only for
#   MissingAnnotationsMask and CosemStart: bench/.peer-stubs holds import-only
#   placeholders for them (put it on PYTHONPATH), so those two features are
#   not benchmarked;
# - daisy<2: dacapo-ml 0.3.5's METADATA asks for any daisy, but its blockwise
#   code was written for daisy 1.x: with daisy 2.0.0 its predict fails with
#   "TypeError: Task.__new__() got an unexpected keyword argument 'run_name'";
# - universal-pathlib<0.3 (its METADATA: >=0.2.2,<1.0.0): with 0.3.x its
#   options (a plain cattrs Converter) cannot structure UPath, so no store
#   opens ("StructureHandlerNotFoundError: Unsupported type: UPath"), not
#   even in the predict worker processes it spawns (P1).
# The stamp names the pins: a venv made with other pins is brought up to them.
# Usage: bash bench/peer-setup.sh   (PYTHON=python3.11 to choose the interpreter)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV="$HERE/.peer-venv"
STUBS="$HERE/.peer-stubs"
STAMP="$VENV/.installed-0.3.5-daisy1-upath02"
PYTHON="${PYTHON:-python3}"

if [ -f "$STAMP" ]; then
    echo "peer venv ready: $VENV"
    exit 0
fi

"$PYTHON" -m venv "$VENV"
PIP="$VENV/bin/python -m pip --quiet"
$PIP install --upgrade pip
# the CPU build of torch first, so no resolver pulls a CUDA build
$PIP install torch==2.13.0
$PIP install --no-deps dacapo-ml==0.3.5
$PIP install attrs bokeh cattrs click "daisy<2" funlib.geometry funlib.math \
    "funlib.persistence==0.5.4" "gunpowder>=1.4" lazy-property lsds matplotlib \
    mwatershed neuroglancer numpy-indexed pymongo pyyaml scipy simpleitk tqdm \
    "universal-pathlib>=0.2.2,<0.3" xarray "zarr==2.18.7"

mkdir -p "$STUBS/fibsem_tools/metadata" "$STUBS/cellmap_models"
: > "$STUBS/fibsem_tools/__init__.py"
: > "$STUBS/fibsem_tools/metadata/__init__.py"
echo "LabelList = None  # placeholder: MissingAnnotationsMask is not benchmarked" \
    > "$STUBS/fibsem_tools/metadata/groundtruth.py"
echo "cosem = None  # placeholder: CosemStart is not benchmarked" \
    > "$STUBS/cellmap_models/__init__.py"

# check: the release imports, with the classic API the benchmarks use
# (-P: not from the working directory, where our own dacapo lives)
PYTHONPATH="$STUBS" "$VENV/bin/python" -P - <<'PY'
import importlib.metadata as metadata
import dacapo
from dacapo.experiments import RunConfig  # noqa: F401
from dacapo.experiments.trainers import GunpowderTrainerConfig  # noqa: F401
print("upstream dacapo-ml", metadata.version("dacapo-ml"), "from", dacapo.__file__)
PY
touch "$STAMP"
echo "peer venv ready: $VENV (PYTHONPATH=$STUBS when running it)"
