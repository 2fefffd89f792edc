"""Array and container identifiers keep local paths and URLs apart."""

from pathlib import Path

from dacapo.store.array_identifiers import LocalArrayIdentifier, LocalContainerIdentifier


def test_local_paths_become_paths():
    identifier = LocalArrayIdentifier("/runs/r/validation.zarr", "100/ds/prediction")
    assert identifier.container == Path("/runs/r/validation.zarr")
    assert str(identifier) == "/runs/r/validation.zarr/100/ds/prediction"


def test_urls_keep_their_protocol():
    container = LocalContainerIdentifier("s3://bucket/runs/r/snapshot.zarr")
    assert str(container.container) == "s3://bucket/runs/r/snapshot.zarr"
    array = container.array_identifier("volumes/raw")
    assert array == LocalArrayIdentifier("s3://bucket/runs/r/snapshot.zarr", "volumes/raw")
