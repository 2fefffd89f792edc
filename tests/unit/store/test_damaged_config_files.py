"""Config files damaged by hand give a ``ConfigError`` naming the file or field."""

from __future__ import annotations

import pytest

from dacapo.errors import ConfigError
from dacapo.experiments.tasks import DistanceTaskConfig
from dacapo.store.file_config_store import FileConfigStore

GOOD = "__type__: DistanceTaskConfig\nname: t\nchannels: [mito]\nclip_distance: 40.0\n" \
       "tol_distance: 10.0\n"


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("__type__: [DistanceTaskConfig]\nname: t\n",
         r"__type__ of a stored TaskConfig must be a class name \(one of \[.*"
         r"'DistanceTaskConfig'.*\]\), got list \['DistanceTaskConfig'\]"),
        ("__type__: 5\nname: t\n", r"__type__ of a stored TaskConfig must be a class name"),
        (GOOD + "1: one\nextra: 2\n", r"DistanceTaskConfig: unknown field\(s\) \[1, 'extra'\]"),
        (GOOD + "when: 2024-13-45\n", r"tasks.t\.yaml is not valid YAML"),
        ("", r"tasks.t\.yaml: expected a mapping of field names to values, got NoneType"),
        (GOOD.replace("40.0", "'40'"), r"DistanceTaskConfig 't', field 'clip_distance'"),
        (GOOD.replace("[mito]", "mito"), r"field 'channels': expected a list, got the text"),
        (GOOD.replace("name: t", "name: u"), r"is named 'u' inside.*rename the file to u\.yaml"),
    ],
    ids=["type-list", "type-int", "int-key", "bad-date", "empty", "quoted-number",
         "text-for-list", "other-name"],
)
def test_a_damaged_file_names_the_problem(tmp_path, text, match):
    folder = tmp_path / "configs" / "tasks"
    folder.mkdir(parents=True)
    (folder / "t.yaml").write_text(text)
    with pytest.raises(ConfigError, match=match):
        FileConfigStore(tmp_path / "configs").retrieve_task_config("t")


def test_the_undamaged_file_loads(tmp_path):
    folder = tmp_path / "configs" / "tasks"
    folder.mkdir(parents=True)
    (folder / "t.yaml").write_text(GOOD)
    config = FileConfigStore(tmp_path / "configs").retrieve_task_config("t")
    assert config == DistanceTaskConfig("t", ["mito"], 40.0, 10.0)


def test_a_coordinate_with_an_empty_entry_is_refused(tmp_path):
    # a Coordinate with None entries could be read but never written back
    folder = tmp_path / "configs" / "arrays"
    folder.mkdir(parents=True)
    (folder / "a.yaml").write_text(
        "__type__: ZarrArrayConfig\nname: a\nfile_name: x.zarr\ndataset: raw\n"
        "snap_to_grid: [null, 4]\n"
    )
    with pytest.raises(ConfigError, match=r"arrays.a\.yaml: ZarrArrayConfig 'a', field "
                                          r"'snap_to_grid': .*got NoneType None"):
        FileConfigStore(tmp_path / "configs").retrieve_array_config("a")
