"""create_compute_context: the options select the context."""

from __future__ import annotations

import pytest
import yaml

from dacapo.compute_context import LocalTorch, create_compute_context
from dacapo.errors import ConfigError, UnknownTypeError
from dacapo.options import Options


@pytest.fixture
def options_with(tmp_path, monkeypatch):
    """Writes an options file holding ``compute_context`` and points dacapo at it."""

    def write(compute_context):
        path = tmp_path / "dacapo.yaml"
        path.write_text(yaml.safe_dump({"compute_context": compute_context}))
        monkeypatch.setenv("DACAPO_OPTIONS_FILE", str(path))

    return write


def test_default_is_local_torch():
    assert create_compute_context() == LocalTorch()


def test_the_options_file_selects_the_context_and_its_parameters(options_with):
    options_with({"type": "LocalTorch",
                  "config": {"distribute_workers": True, "device": "cpu", "oom_limit": 2}})
    context = create_compute_context()
    assert context == LocalTorch(distribute_workers=True, device="cpu", oom_limit=2.0)
    assert context.device.type == "cpu"
    options_with({"type": "LocalTorch"})  # config may be left out
    assert create_compute_context() == LocalTorch()


def test_options_object_or_mapping():
    options = Options.instance(compute_context={"type": "LocalTorch", "config": {"device": "cpu"}})
    assert create_compute_context(options) == LocalTorch(device="cpu")
    assert create_compute_context({"type": "LocalTorch", "config": None}) == LocalTorch()


@pytest.mark.parametrize(
    "spec, error, match",
    [
        ({"type": "LocalTorc"}, UnknownTypeError,
         "unknown ComputeContext type 'LocalTorc'; did you mean 'LocalTorch'\\? Known: .*LocalTorch"),
        ({"type": "LocalTorch", "config": {"devise": "cpu"}}, ConfigError,
         "LocalTorch: unknown field\\(s\\) \\['devise'\\]; known fields: "
         "\\['device', 'distribute_workers', 'oom_limit'\\]"),
        ({"type": "LocalTorch", "config": {"device": 3}}, ConfigError,
         "LocalTorch, field 'device': expected str, got int 3"),
        ({"type": "LocalTorch", "config": {"device": "gpu"}}, ConfigError,
         "LocalTorch: `device` must be one of"),
        ({"type": "LocalTorch", "config": {"distribute_workers": "yes"}}, ConfigError,
         "field 'distribute_workers': expected bool, got str 'yes'"),
        ({"type": "LocalTorch", "config": ["cpu"]}, ConfigError,
         "config must be a mapping of LocalTorch parameters, got \\['cpu'\\]"),
        ({"type": "LocalTorch", "device": "cpu"}, ConfigError,
         "unknown key\\(s\\) \\['device'\\]; expected only 'type' and 'config'"),
        ({"type": 3}, ConfigError, "expected a mapping like \\{type: LocalTorch"),
        ("LocalTorch", ConfigError, "expected a mapping like"),
        ({"type": "ComputeContext"}, ConfigError, "ComputeContext"),
    ],
)
def test_bad_specs_name_the_valid_choices(spec, error, match):
    with pytest.raises(error, match=f"^options compute_context: .*{match}"):
        create_compute_context(spec)


def test_a_bad_options_file_entry_is_reported(options_with):
    options_with({"type": "Slurmm", "config": {}})
    with pytest.raises(UnknownTypeError, match="options compute_context: unknown ComputeContext "
                                               "type 'Slurmm'"):
        create_compute_context()
