"""Every public path and name of api-contract.md imports, is the documented
kind of object, and keeps the documented signature.

For each name: a module, a function or a class as its spelling says, defined
in the dacapo package under its own name (not an alias); a ``*Config`` is an
attrs class, and one with a runtime class in the same namespace (``XConfig``
and ``X``) builds exactly that class. ``SIGNATURES`` holds the call
signatures that api-contract.md spells out.

Names that later issues deliver are listed in PENDING with their issue;
they are strict xfails, so a name that starts to exist fails these tests
until it is moved out of PENDING.
"""

import ast
import importlib
import inspect

import attr
import pytest

from dacapo._registry import RegisteredConfig

MANIFEST = {
    "dacapo": "Options experiments utils apply train validate validate_run predict run_blockwise segment_blockwise predict_local",
    "dacapo.blockwise": "DaCapoBlockwiseTask run_blockwise segment_blockwise",
    "dacapo.compute_context": "ComputeContext create_compute_context LocalTorch Bsub Slurm",
    "dacapo.experiments": "Model Run RunConfig TrainingIterationStats TrainingStats ValidationIterationScores ValidationScores",
    "dacapo.experiments.architectures": "Architecture ArchitectureConfig DummyArchitectureConfig DummyArchitecture CNNectomeUNetConfig CNNectomeUNet WrappedArchitectureConfig ModelZooConfig",
    "dacapo.experiments.arraytypes": "AnnotationArray IntensitiesArray DistanceArray Mask EmbeddingArray ProbabilityArray BinaryArray",
    "dacapo.experiments.datasplits": "DataSplit DataSplitConfig DummyDataSplit DummyDataSplitConfig TrainValidateDataSplit TrainValidateDataSplitConfig DataSplitGenerator DatasetSpec SimpleDataSplitConfig",
    "dacapo.experiments.datasplits.datasets": "Dataset DatasetConfig DummyDataset DummyDatasetConfig RawGTDataset RawGTDatasetConfig",
    "dacapo.experiments.datasplits.datasets.arrays": (
        "Array ArrayConfig DummyArray DummyArrayConfig ZarrArray ZarrArrayConfig BinarizeArray "
        "BinarizeArrayConfig ResampledArray ResampledArrayConfig IntensitiesArray "
        "IntensitiesArrayConfig MissingAnnotationsMask MissingAnnotationsMaskConfig OnesArray "
        "OnesArrayConfig ConcatArray ConcatArrayConfig LogicalOrArray LogicalOrArrayConfig "
        "CropArray CropArrayConfig MergeInstancesArray MergeInstancesArrayConfig DVIDArray "
        "DVIDArrayConfig SumArray SumArrayConfig NumpyArray ConstantArray ConstantArrayConfig "
        "TiffArray TiffArrayConfig"
    ),
    "dacapo.experiments.datasplits.datasets.graphstores": "GraphStoreConfig",
    "dacapo.experiments.datasplits.keys": "ArrayKey GraphKey DataKey",
    "dacapo.experiments.starts": "Start StartConfig CosemStart CosemStartConfig",
    "dacapo.experiments.tasks": (
        "Task TaskConfig DummyTaskConfig DummyTask DistanceTaskConfig DistanceTask "
        "OneHotTaskConfig OneHotTask PretrainedTaskConfig PretrainedTask AffinitiesTaskConfig "
        "AffinitiesTask InnerDistanceTaskConfig InnerDistanceTask HotDistanceTaskConfig HotDistanceTask"
    ),
    "dacapo.experiments.tasks.evaluators": (
        "DummyEvaluationScores DummyEvaluator EvaluationScores Evaluator "
        "MultiChannelBinarySegmentationEvaluationScores BinarySegmentationEvaluationScores "
        "BinarySegmentationEvaluator InstanceEvaluationScores InstanceEvaluator"
    ),
    "dacapo.experiments.tasks.losses": "DummyLoss MSELoss Loss AffinitiesLoss HotDistanceLoss",
    "dacapo.experiments.tasks.post_processors": (
        "DummyPostProcessor DummyPostProcessorParameters PostProcessorParameters PostProcessor "
        "ThresholdPostProcessor ThresholdPostProcessorParameters ArgmaxPostProcessor "
        "ArgmaxPostProcessorParameters WatershedPostProcessor WatershedPostProcessorParameters"
    ),
    "dacapo.experiments.tasks.predictors": "DummyPredictor DistancePredictor OneHotPredictor Predictor AffinitiesPredictor InnerDistancePredictor HotDistancePredictor",
    "dacapo.experiments.tasks.predictors.dummy_predictor": "Predictor Model EmbeddingArray NumpyArray DummyPredictor",
    "dacapo.experiments.trainers": "Trainer TrainerConfig DummyTrainerConfig DummyTrainer GunpowderTrainerConfig GunpowderTrainer AugmentConfig",
    "dacapo.experiments.trainers.gp_augments": "AugmentConfig ElasticAugmentConfig SimpleAugmentConfig GammaAugmentConfig IntensityAugmentConfig IntensityScaleShiftAugmentConfig NoiseAugmentConfig",
    "dacapo.gp": "DaCapoArraySource DaCapoTargetFilter GammaAugment ElasticAugment RejectIfEmpty CopyMask GraphSource Product",
    "dacapo.store.create_store": "create_config_store create_stats_store create_weights_store create_array_store",
    "dacapo.store.local_array_store": "LocalArrayIdentifier LocalContainerIdentifier LocalArrayStore",
}

# (module, name) -> the issue that delivers it
PENDING = {}


# names that are modules, not classes or functions
MODULES = {("dacapo", "experiments"), ("dacapo", "utils")}

# (module, name, attribute or None) -> the documented parameters, in order
# (``name=default`` where api-contract.md gives the default); later
# parameters must have defaults, so the documented call keeps working
SIGNATURES = {
    ("dacapo", "Options", "instance"): "**overrides",
    ("dacapo", "Options", "config_file"): "",
    ("dacapo", "train", None): "run_name",
    ("dacapo", "validate", None): "run_name iteration",
    ("dacapo", "validate_run", None): "run iteration",
    ("dacapo", "predict", None): (
        "run_name iteration input_container input_dataset output_path output_roi=None"
    ),
    ("dacapo", "apply", None): "run_name input_container input_dataset output_path",
    ("dacapo.experiments", "RunConfig", None): (
        "task_config architecture_config trainer_config datasplit_config name repetition "
        "num_iterations validation_interval=1000 start_config=None"
    ),
    ("dacapo.experiments", "Run", None): "run_config",
    ("dacapo.experiments.trainers", "TrainerConfig", None): "name batch_size learning_rate",
    ("dacapo.experiments.trainers", "GunpowderTrainerConfig", None): (
        "name batch_size learning_rate num_data_fetchers=5 augments=[] "
        "snapshot_interval=None min_masked=0.15 clip_raw=False"
    ),
    ("dacapo.experiments.trainers", "DummyTrainerConfig", None): (
        "name batch_size learning_rate mirror_augment"
    ),
    ("dacapo.experiments.tasks.predictors.dummy_predictor", "NumpyArray", "from_np_array"): (
        "array roi voxel_size axes"
    ),
    ("dacapo.experiments.tasks.predictors.dummy_predictor", "Model", "compute_output_shape"): (
        "input_shape"
    ),
    ("dacapo.experiments.tasks.predictors.dummy_predictor", "Model", "scale"): "voxel_size",
    **{
        ("dacapo.store.create_store", name, None): ""
        for name in MANIFEST["dacapo.store.create_store"].split()
    },
}


def _marks(module, name):
    issue = PENDING.get((module, name))
    return [pytest.mark.xfail(strict=True, reason=f"delivered by {issue}")] if issue else []


def _cases():
    for module, names in MANIFEST.items():
        for name in names.split():
            yield pytest.param(module, name, id=f"{module}:{name}", marks=_marks(module, name))


def _signature_cases():
    for (module, name, attribute), documented in SIGNATURES.items():
        spelled = f"{module}:{name}" + (f".{attribute}" if attribute else "")
        yield pytest.param(
            module, name, attribute, documented, id=spelled, marks=_marks(module, name)
        )


def _function(obj, name):
    """``obj``, or the function a callable workflow module forwards to:
    ``dacapo.train`` is the module ``dacapo.train`` once that is imported,
    and calling it calls ``dacapo.train.train`` (see ``dacapo/_callable_module.py``)."""
    if inspect.ismodule(obj) and callable(obj):
        return getattr(obj, name)
    return obj


def _check_kind(obj, module, name):
    if (module, name) in MODULES:
        assert inspect.ismodule(obj) and obj.__name__ == f"{module}.{name}", obj
        return
    if name[0].isupper():
        assert inspect.isclass(obj), f"{module}.{name} should be a class, is {obj!r}"
    else:
        obj = _function(obj, name)
        assert inspect.isfunction(obj), f"{module}.{name} should be a function, is {obj!r}"
    assert obj.__module__.split(".")[0] == "dacapo", f"{name} comes from {obj.__module__}"
    assert obj.__name__ == name, f"{module}.{name} is an alias of {obj.__qualname__}"


def _check_config(cls, module, name):
    """A ``*Config`` is an attrs class; ``XConfig`` builds ``X`` when both are exported."""
    assert attr.has(cls), f"{name} is not an attrs class"
    runtime_name = name[: -len("Config")]
    if not issubclass(cls, RegisteredConfig):
        return
    assert callable(cls.verify)
    attribute = cls.registry().runtime_attribute
    abstract = cls.__dict__.get("_abstract_config")  # a base class: no runtime class
    if attribute is None or abstract or runtime_name not in MANIFEST[module].split():
        return
    runtime = getattr(importlib.import_module(module), runtime_name)
    assert getattr(cls, attribute) is runtime, (
        f"{name}.{attribute} is {getattr(cls, attribute)!r}, expected {runtime!r}"
    )


@pytest.mark.parametrize("module, name", list(_cases()))
def test_public_name_is_the_documented_object(module, name):
    obj = getattr(importlib.import_module(module), name)
    _check_kind(obj, module, name)
    if name.endswith("Config"):
        _check_config(obj, module, name)


def _default(cls, parameter):
    """The default of ``parameter``; an attrs factory default is called."""
    default = parameter.default
    if inspect.isclass(cls) and attr.has(cls) and default is attr.NOTHING:
        field_default = attr.fields_dict(cls)[parameter.name].default
        if isinstance(field_default, attr.Factory):
            return field_default.factory()
    return default


def _parameters(obj):
    signature = inspect.signature(obj)
    return [p for p in signature.parameters.values() if p.name not in ("self", "cls")]


@pytest.mark.parametrize("module, name, attribute, documented", list(_signature_cases()))
def test_documented_signature(module, name, attribute, documented):
    owner = getattr(importlib.import_module(module), name)
    obj = getattr(owner, attribute) if attribute else _function(owner, name)
    parameters = _parameters(obj)
    expected = documented.split()
    if expected == ["**overrides"]:
        assert [p.kind for p in parameters] == [inspect.Parameter.VAR_KEYWORD]
        return
    names = [p.name for p in parameters]
    assert names[: len(expected)] == [e.split("=")[0] for e in expected], names
    for parameter, spelled in zip(parameters, expected):
        assert parameter.kind in (parameter.POSITIONAL_ONLY, parameter.POSITIONAL_OR_KEYWORD)
        if "=" in spelled:
            assert _default(owner, parameter) == ast.literal_eval(spelled.split("=", 1)[1])
    for parameter in parameters[len(expected):]:
        assert parameter.default is not parameter.empty or parameter.kind in (
            parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD
        ), f"{name}: new parameter {parameter.name} needs a default"


# store methods api-contract.md documents: method -> documented parameters
_KINDS = "run task architecture trainer datasplit array dataset".split()
STORE_SIGNATURES = {
    "create_config_store": {
        **{f"store_{kind}_config": "config" for kind in _KINDS},
        **{f"retrieve_{kind}_config": "name" for kind in _KINDS},
        **{f"retrieve_{kind}_config_names": "" for kind in _KINDS},
        **{f"delete_{kind}_config": "name" for kind in _KINDS},
    },
    "create_weights_store": {
        "store_weights": "run iteration",
        "retrieve_weights": "run_name iteration",
        "latest_iteration": "run_name",
    },
    "create_stats_store": {
        "store_training_stats": "run_name stats",
        "retrieve_training_stats": "run_name",
        "store_validation_iteration_scores": "run_name scores",
        "retrieve_validation_iteration_scores": "run_name",
    },
}


@pytest.mark.parametrize("factory", sorted(STORE_SIGNATURES))
def test_store_methods_keep_documented_signatures(runs_base_dir, factory):
    store = getattr(importlib.import_module("dacapo.store.create_store"), factory)()
    for method, documented in STORE_SIGNATURES[factory].items():
        parameters = _parameters(getattr(store, method))
        required = [p.name for p in parameters if p.default is p.empty]
        assert required == documented.split(), f"{type(store).__name__}.{method}: {required}"
