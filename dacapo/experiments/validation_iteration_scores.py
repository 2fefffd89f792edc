"""The validation scores of one iteration."""

from __future__ import annotations

from typing import List

import attr


@attr.s
class ValidationIterationScores:
    """Every score computed when validating one iteration."""

    iteration: int = attr.ib(metadata={"help_text": "The iteration that was validated."})
    scores: List[List[List[float]]] = attr.ib(
        metadata={
            "help_text": "Scores indexed [dataset][post-processing parameter set][criterion]."
        }
    )
