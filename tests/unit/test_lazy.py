import pytest

from dacapo._lazy import lazy_exports


def test_lazy_export_imports_the_submodule_on_first_access():
    getattr_, dir_ = lazy_exports("dacapo.experiments", {"RunConfig": "run_config"})

    from dacapo.experiments.run_config import RunConfig

    assert getattr_("RunConfig") is RunConfig
    assert "RunConfig" in dir_()
    assert "__name__" in dir_()


def test_unknown_name_raises_attribute_error_naming_the_package():
    getattr_, _ = lazy_exports("dacapo.experiments", {"RunConfig": "run_config"})

    with pytest.raises(AttributeError, match="'dacapo.experiments' has no attribute 'Nope'"):
        getattr_("Nope")


def test_package_dir_lists_eager_and_lazy_names():
    import dacapo.experiments.architectures as architectures

    assert {"CNNectomeUNetConfig", "CNNectomeUNet"} <= set(dir(architectures))
