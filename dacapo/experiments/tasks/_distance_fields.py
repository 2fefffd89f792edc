"""Fields and checks shared by the distance task configs."""

from __future__ import annotations

import attr

from dacapo._checks import check_names, check_number


def channels_field():
    return attr.ib(
        metadata={
            "help_text": "One name per predicted class, e.g. ['mito', 'er']; the ground "
            "truth has one binary channel per name (or is one label volume for one name)."
        }
    )


def clip_distance_field():
    return attr.ib(
        metadata={
            "help_text": "Evaluation: distances (world units) are clipped at this value "
            "for the '*_clipped' metrics."
        }
    )


def tol_distance_field():
    return attr.ib(
        metadata={
            "help_text": "Evaluation: a voxel counts as an error in the '*_with_tolerance' "
            "metrics only farther than this (world units) from the other mask."
        }
    )


def scale_factor_field():
    return attr.ib(
        default=1.0,
        metadata={
            "help_text": "World units in which distances are normalised: the target is "
            "tanh(distance / scale_factor), so it saturates about 2 * scale_factor "
            "away from a boundary."
        },
    )


def validate_distance_fields(owner: str, config) -> None:
    """Checks ``channels``, ``clip_distance``, ``tol_distance`` and ``scale_factor``."""
    check_names(owner, "channels", config.channels)
    check_number(owner, "clip_distance", config.clip_distance, 0, strict=True)
    check_number(owner, "tol_distance", config.tol_distance, 0)
    check_number(owner, "scale_factor", config.scale_factor, 0, strict=True)
