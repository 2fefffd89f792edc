"""Array types: their fields and whether augmentations may interpolate them."""

import attr
import pytest

from dacapo.experiments.arraytypes import (
    AnnotationArray,
    ArrayType,
    BinaryArray,
    DistanceArray,
    EmbeddingArray,
    IntensitiesArray,
    Mask,
    ProbabilityArray,
)


@pytest.mark.parametrize(
    "array_type, interpolatable",
    [
        (AnnotationArray(classes={1: "mito"}), False),
        (BinaryArray(channels={0: "mito"}), False),
        (DistanceArray(classes={0: "mito"}), True),
        (EmbeddingArray(embedding_dims=10), True),
        (IntensitiesArray(channels={0: "em"}, min=0, max=255), True),
        (Mask(), False),
        (ProbabilityArray(classes=["bg", "mito"]), True),
    ],
)
def test_interpolatable(array_type, interpolatable):
    assert isinstance(array_type, ArrayType)
    assert array_type.interpolatable is interpolatable


def test_embedding_array_example_from_the_seed():
    embedding_array = EmbeddingArray(embedding_dims=10)
    assert embedding_array.embedding_dims == 10
    assert embedding_array.interpolatable is True


def test_fields_are_kept_and_compared_by_value():
    intensities = IntensitiesArray({0: "em"}, 0.0, 1.0)
    assert (intensities.channels, intensities.min, intensities.max) == ({0: "em"}, 0.0, 1.0)
    assert ProbabilityArray(["a", "b"]) == ProbabilityArray(["a", "b"])
    assert ProbabilityArray(["a", "b"]) != ProbabilityArray(["b", "a"])
    assert Mask() == Mask()


def test_array_types_are_immutable_values():
    embedding = EmbeddingArray(3)
    with pytest.raises(attr.exceptions.FrozenInstanceError):
        embedding.embedding_dims = 4


def test_array_type_base_is_abstract():
    with pytest.raises(TypeError, match="abstract"):
        ArrayType()
