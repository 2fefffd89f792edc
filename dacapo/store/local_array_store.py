"""The arrays of a run as zarr containers under ``<basedir>/<run>/``.

``snapshot.zarr`` holds training snapshots; ``validation.zarr`` holds
``inputs/<dataset>/{raw,gt}``, ``<iteration>/<dataset>/prediction``,
``<iteration>/<dataset>/output/<parameters>`` and the best outputs
``[<dataset>/]<criterion>``. ``outputs/`` holds a JSON record of each array
``predict`` and ``apply`` wrote elsewhere (``OutputRecord``), one file each.
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path
from typing import Any, List, Optional, Tuple, Union

from dacapo._array_identifiers import LocalArrayIdentifier, LocalContainerIdentifier
from dacapo.errors import ConfigError, StoreError
from dacapo.store._files import as_path, atomic_write_text, remove_tree, safe_name
from dacapo.store.array_store import ArrayStore
from dacapo.store.output_record import OutputRecord

logger = logging.getLogger(__name__)

# LocalArrayIdentifier and LocalContainerIdentifier are re-exported: this
# module is their public path.
__all__ = ["LocalArrayStore", "LocalArrayIdentifier", "LocalContainerIdentifier"]

_CONTAINER_SUFFIXES = (".zarr", ".n5")


class LocalArrayStore(ArrayStore):
    """Run arrays under ``<basedir>/<run>/``.

    Args:
        basedir: Usually ``runs_base_dir``; may be a URL such as ``s3://...``.
    """

    def __init__(self, basedir: Any):
        self.basedir = as_path(basedir)

    def __repr__(self) -> str:
        return f"LocalArrayStore({str(self.basedir)!r})"

    def snapshot_container(self, run_name: str) -> LocalContainerIdentifier:
        return LocalContainerIdentifier(self._run_dir(run_name) / "snapshot.zarr")

    def validation_container(self, run_name: str) -> LocalContainerIdentifier:
        return LocalContainerIdentifier(self._run_dir(run_name) / "validation.zarr")

    def validation_input_arrays(
        self, run_name: str, index_name: str
    ) -> Tuple[LocalArrayIdentifier, LocalArrayIdentifier]:
        container = self.validation_container(run_name)
        inputs = f"inputs/{safe_name('dataset', index_name)}"
        return (
            container.array_identifier(f"{inputs}/raw"),
            container.array_identifier(f"{inputs}/gt"),
        )

    def validation_prediction_array(
        self, run_name: str, iteration: int, dataset: str
    ) -> LocalArrayIdentifier:
        dataset = safe_name("dataset", dataset)
        return self.validation_container(run_name).array_identifier(
            f"{iteration}/{dataset}/prediction"
        )

    def validation_output_array(
        self, run_name: str, iteration: int, parameters: Any, dataset: str
    ) -> LocalArrayIdentifier:
        dataset = safe_name("dataset", dataset)
        parameters = safe_name("parameters", str(parameters))
        return self.validation_container(run_name).array_identifier(
            f"{iteration}/{dataset}/output/{parameters}"
        )

    def best_validation_array(
        self, run_name: str, criterion: str, index: Optional[str] = None
    ) -> LocalArrayIdentifier:
        criterion = safe_name("criterion", criterion)
        name = criterion if index is None else f"{safe_name('dataset', index)}/{criterion}"
        return self.validation_container(run_name).array_identifier(name)

    def remove(self, identifier: Union[LocalArrayIdentifier, LocalContainerIdentifier]) -> None:
        """Deletes an array (or a whole container); nothing happens when it is absent.

        Only paths inside ``.zarr``/``.n5`` containers are deleted, so a wrong
        identifier cannot remove an arbitrary directory.
        """
        container = identifier.container
        if not str(container).rstrip("/").endswith(_CONTAINER_SUFFIXES):
            raise ConfigError(
                f"remove: refusing to delete from {container}: it is not a zarr/N5 "
                f"container (name ending in {' or '.join(_CONTAINER_SUFFIXES)})"
            )
        target = container
        if isinstance(identifier, LocalArrayIdentifier):
            parts = str(identifier.dataset).strip("/").split("/")
            if not identifier.dataset.strip("/") or any(p in ("", ".", "..") for p in parts):
                raise ConfigError(
                    f"remove: dataset {identifier.dataset!r} in {container} must be a "
                    "non-empty path inside the container, without '.' or '..' parts"
                )
            target = container.joinpath(*parts)
        logger.debug("removing %s", target)
        remove_tree(target)

    def record_output(self, run_name: str, record: OutputRecord) -> None:
        key = hashlib.sha1(record.path.encode("utf-8")).hexdigest()[:16]
        path = self._outputs_dir(run_name) / f"{key}.json"
        atomic_write_text(path, json.dumps(record.to_dict(), indent=1))

    def recorded_outputs(self, run_name: str) -> List[OutputRecord]:
        folder = self._outputs_dir(run_name)
        if not folder.is_dir():
            return []
        records = []
        for path in sorted(folder.glob("*.json")):
            try:
                records.append(OutputRecord.from_dict(json.loads(path.read_text()), str(path)))
            except (OSError, ValueError, StoreError) as error:
                logger.warning("run %r: skipping the output record %s: %s", run_name, path,
                               error)
        return sorted(records, key=lambda record: record.written)

    def _outputs_dir(self, run_name: str) -> Path:
        return self._run_dir(run_name) / "outputs"

    def _run_dir(self, run_name: str) -> Path:
        return self.basedir / safe_name("run", run_name)
