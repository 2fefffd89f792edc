"""Base class of evaluation scores."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

import attr

from dacapo._registry import RegisteredConfig
from dacapo.errors import UnknownTypeError


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
    def bounds(criterion: str) -> Tuple[float, Optional[float]]:
        """The range of values ``criterion`` can take (``None`` for unbounded)."""
        raise NotImplementedError

    @staticmethod
    def store_best(criterion: str) -> bool:
        """Whether the best checkpoint for ``criterion`` is kept."""
        raise NotImplementedError


class CriteriaTable:
    """Mixin (listed before ``EvaluationScores``) answering ``higher_is_better``,
    ``bounds`` and ``store_best`` from the class attribute ``_CRITERIA``:
    criterion -> (higher is better, bounds, keep best checkpoint)."""

    _CRITERIA: Dict[str, Tuple[bool, Tuple[float, Optional[float]], bool]] = {}

    @classmethod
    def higher_is_better(cls, criterion: str) -> bool:
        return cls._lookup(criterion)[0]

    @classmethod
    def bounds(cls, criterion: str) -> Tuple[float, Optional[float]]:
        return cls._lookup(criterion)[1]

    @classmethod
    def store_best(cls, criterion: str) -> bool:
        return cls._lookup(criterion)[2]

    @classmethod
    def _lookup(cls, criterion: str) -> Any:
        """``_CRITERIA[criterion]``; an unknown criterion names the known ones."""
        try:
            return cls._CRITERIA[criterion]
        except (KeyError, TypeError):
            raise UnknownTypeError(
                f"{cls.__name__}: unknown criterion {criterion!r}; known criteria: "
                f"{', '.join(cls._CRITERIA)}"
            ) from None
