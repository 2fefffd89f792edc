"""Base class of evaluation scores."""

from __future__ import annotations

from typing import List, Tuple

import attr

from dacapo._registry import RegisteredConfig


@attr.s
class EvaluationScores(RegisteredConfig, registry_root=True, abstract=True):
    """Scores of one prediction against ground truth; each criterion is a field."""

    @property
    def criteria(self) -> List[str]:
        """Names of the criteria these scores hold."""
        return [a.name for a in attr.fields(type(self))]

    @staticmethod
    def higher_is_better(criterion: str) -> bool:
        """Whether a larger value of ``criterion`` is better."""
        raise NotImplementedError

    @staticmethod
    def bounds(criterion: str) -> Tuple[float, float]:
        """The range of values ``criterion`` can take (``None`` for unbounded)."""
        raise NotImplementedError

    @staticmethod
    def store_best(criterion: str) -> bool:
        """Whether the best checkpoint for ``criterion`` is kept."""
        raise NotImplementedError
