"""A float embedding with any meaning and a given number of channels."""

from __future__ import annotations

import attr

from .arraytype import ArrayType


@attr.s(frozen=True)
class EmbeddingArray(ArrayType):
    """A generic float model output with ``embedding_dims`` channels.

    It could represent almost anything; it is assumed to be float and
    interpolatable.
    """

    embedding_dims: int = attr.ib(metadata={"help_text": "The dimension of the embedding."})

    @property
    def interpolatable(self) -> bool:
        return True
