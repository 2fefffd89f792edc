"""Opening zarr and N5 containers and finding datasets in them."""

from __future__ import annotations

import logging
import warnings
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import zarr

from dacapo.errors import ArrayNotFoundError, ConfigError

logger = logging.getLogger(__name__)


def is_n5(container) -> bool:
    """Whether ``container`` names an N5 container (``.n5``)."""
    return str(container).rstrip("/").endswith(".n5")


def _is_url(container) -> bool:
    return "://" in str(container)


def open_store(container, mode: str = "a"):
    """The zarr store of ``container`` (N5 through ``zarr.N5FSStore``).

    ``ConfigError`` when a local ``container`` (or a folder above it) is a file.
    """
    path = str(container)
    if not _is_url(container):
        _refuse_files(Path(path))
    if is_n5(container):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)  # "N5FSStore is deprecated"
            return zarr.N5FSStore(path, mode="r" if mode == "r" else "a")
    if _is_url(container):
        return zarr.storage.FSStore(path, mode="r" if mode == "r" else "a")
    return zarr.DirectoryStore(path)


def _refuse_files(container: Path) -> None:
    """``ConfigError`` when ``container`` or the nearest existing folder above it is a file."""
    existing = next((p for p in (container, *container.parents) if p.exists()), None)
    if existing is None or existing.is_dir():
        return
    what = "is a file" if existing == container else f"lies inside the file {existing}"
    raise ConfigError(
        f"zarr/N5 container {container} {what}, not a directory: a container is a "
        "folder (e.g. data.zarr or data.n5); check the path (for a TIFF file use "
        "TiffArrayConfig)"
    )


def container_exists(container) -> bool:
    """Whether the container directory (or URL) exists."""
    if _is_url(container):
        from upath import UPath

        return UPath(str(container)).exists()
    return Path(container).exists()


def clean_dataset_path(dataset: str) -> str:
    return str(dataset).strip("/")


def dataset_exists(container, dataset: str) -> bool:
    """Whether ``container/dataset`` is an array or an OME-NGFF multiscale group."""
    if not container_exists(container):
        return False
    store = open_store(container, mode="r")
    try:
        return contains(store, clean_dataset_path(dataset)) or bool(
            read_multiscales(store, clean_dataset_path(dataset))
        )
    except ConfigError as error:
        raise error.with_context(f"container {container}") from None


def contains(store, path: str, group: bool = False) -> bool:
    """Whether ``store`` holds an array (``group``: a group) at ``path``;
    ``ConfigError`` when its metadata cannot be read (N5 keeps it, with the
    attributes, in ``attributes.json``)."""
    check = zarr.storage.contains_group if group else zarr.storage.contains_array
    try:
        return check(store, path)
    except (ValueError, KeyError, TypeError, AttributeError) as error:  # damaged JSON
        raise ConfigError(
            f"the metadata of {path or '/'!r} cannot be read ({type(error).__name__}: "
            f"{error}); repair or rewrite its attributes.json (N5) or .zarray/.zgroup"
        ) from None


def read_multiscales(store, group_path: str) -> List[Dict[str, Any]]:
    """The ``multiscales`` attribute of a group (``[]`` if none or not a list);
    ``ConfigError`` when the group's attributes are not a JSON object."""
    if not contains(store, group_path, group=True):
        return []
    try:
        attrs = zarr.open_group(store, path=group_path, mode="r").attrs.asdict()
    except (ValueError, KeyError, TypeError, AttributeError) as error:  # not JSON, not an object
        attrs = error
    if not isinstance(attrs, dict):
        raise ConfigError(
            f"the attributes of group {group_path or '/'!r} cannot be read ({attrs!r:.80}); "
            "they must be a JSON object: repair or rewrite the group's .zattrs "
            "(attributes.json for N5)"
        )
    value = attrs.get("multiscales")
    return value if isinstance(value, list) else []


def list_datasets(store, limit: int = 20) -> List[str]:
    """Paths of (up to ``limit``) arrays in a container, for error messages."""
    found: List[str] = []
    try:
        root = zarr.open_group(store, mode="r")
        root.visititems(
            lambda path, item: found.append(path) if isinstance(item, zarr.Array) else None
        )
    except Exception:  # a container we cannot walk: list nothing
        return []
    return sorted(found)[:limit]


def _first_level(multiscales: List[Any]) -> Optional[str]:
    """The path of the first level of the first multiscale image, if there is one."""
    first = multiscales[0] if multiscales and isinstance(multiscales[0], dict) else {}
    levels = first.get("datasets")
    level = levels[0] if isinstance(levels, list) and levels else None
    path = level.get("path") if isinstance(level, dict) else None
    return path if isinstance(path, str) else None


def open_zarr(container, dataset: str, mode: str, where: str) -> Tuple[zarr.Array, str]:
    """Opens ``container/dataset``; a multiscale group opens its first level."""
    if not container_exists(container):
        raise ArrayNotFoundError(
            f"{where}: container {container} does not exist; check the path (expected "
            "an existing .zarr or .n5 directory)"
        )
    try:
        store = open_store(container, mode)
    except ConfigError as error:
        raise error.with_context(where) from None
    dataset = clean_dataset_path(dataset)
    try:
        is_array = contains(store, dataset)
        multiscales = [] if is_array else read_multiscales(store, dataset)
    except ConfigError as error:
        raise error.with_context(where) from None
    if not is_array:
        level = _first_level(multiscales)
        if level is None:
            present = list_datasets(store)
            raise ArrayNotFoundError(
                f"{where}: dataset {dataset!r} not found in container {container}; "
                f"datasets present: {', '.join(present) or '(none)'}"
            )
        dataset = f"{dataset}/{level}".strip("/")
        logger.info("%s: %r is a multiscale group, opening its first level %r",
                    where, dataset.rsplit("/", 1)[0], dataset)
    try:
        array = zarr.open_array(store, path=dataset, mode="r" if mode == "r" else "r+")
        attrs = array.attrs.asdict()  # read once, so damaged attributes fail here
    except (ValueError, KeyError, TypeError, AttributeError) as error:  # damaged JSON
        raise ConfigError(
            f"{where}: the metadata of dataset {dataset!r} in container {container} "
            f"cannot be read ({type(error).__name__}: {error}); repair or rewrite the "
            "dataset's .zarray/.zattrs (attributes.json for N5)"
        ) from None
    _check_attributes(attrs, dataset, container, where)
    return array, dataset


def _check_attributes(attrs: Any, dataset: str, container, where: str) -> None:
    """``ConfigError`` unless the attributes (valid JSON) are a JSON object."""
    if not isinstance(attrs, dict):
        raise ConfigError(
            f"{where}: the attributes of dataset {dataset!r} in container {container} are "
            f"{type(attrs).__name__} {attrs!r:.60}, expected a JSON object (mapping names "
            "to values); rewrite the dataset's .zattrs (attributes.json for N5) as {...}"
        )
