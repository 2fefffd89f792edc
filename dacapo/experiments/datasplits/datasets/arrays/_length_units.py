"""Exact conversion of stored lengths (voxel size, offset) to integer nanometres.

DaCapo's world unit is the nanometre. Metadata that names a length unit
(OME-NGFF's ``"micrometer"``, ``"um"``, ``"µm"``, ``"angstrom"``, ...) is
converted with exact decimal arithmetic, so a stored ``0.008`` micrometres is
8 nm, not 7.999999999999999. Values without a known unit are taken as world
units as they are.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Dict, List, Optional, Sequence, Tuple

from funlib.geometry import Coordinate

from dacapo.errors import ConfigError

__all__ = ["NANOMETER", "nm_per_unit", "to_nanometres"]

NANOMETER = "nanometer"  # the OME-NGFF spelling, written into new arrays

_PER_METRE = {  # unit -> metres, as exact fractions
    "meter": Fraction(1), "centimeter": Fraction(1, 10**2),
    "millimeter": Fraction(1, 10**3), "micrometer": Fraction(1, 10**6),
    "nanometer": Fraction(1, 10**9), "angstrom": Fraction(1, 10**10),
    "picometer": Fraction(1, 10**12),
}
_ALIASES = {
    "m": "meter", "metre": "meter", "cm": "centimeter", "centimetre": "centimeter",
    "mm": "millimeter", "millimetre": "millimeter", "um": "micrometer",
    "µm": "micrometer", "μm": "micrometer", "micron": "micrometer",
    "micrometre": "micrometer", "nm": "nanometer", "nanometre": "nanometer",
    "å": "angstrom", "ångström": "angstrom", "pm": "picometer", "picometre": "picometer",
}
_NM_PER_UNIT: Dict[str, Fraction] = {
    unit: metres * 10**9 for unit, metres in _PER_METRE.items()
}


def nm_per_unit(unit: object) -> Optional[Fraction]:
    """Nanometres in one ``unit`` (exact), or None when it is not a known length."""
    if not isinstance(unit, str):
        return None
    name = unit.strip().lower()
    for candidate in (name, name[:-1] if name.endswith("s") else name):  # plurals
        factor = _NM_PER_UNIT.get(_ALIASES.get(candidate, candidate))
        if factor is not None:
            return factor
    return None


def _exact(value: object) -> Fraction:
    """``value`` as an exact fraction; a float as the decimal it was written as."""
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int):
        return Fraction(value)
    text = repr(float(value)) if isinstance(value, float) else str(value)
    try:
        return Fraction(Decimal(text))  # "0.008" -> 1/125, not the binary float
    except (InvalidOperation, ValueError, OverflowError, TypeError):
        raise ValueError(value) from None


def to_nanometres(
    values: Sequence[object], units: Optional[Sequence[object]], what: str, where: str
) -> Tuple[Coordinate, Optional[List[str]]]:
    """``values`` in integer nanometres (per-axis ``units`` converted exactly).

    Returns the coordinate and the units after conversion (known lengths
    become ``"nanometer"``). Raises ``ConfigError`` when a value is not a
    number, or not a whole number of nanometres.
    """
    try:
        exact = [_exact(v) for v in values]
    except ValueError:
        raise ConfigError(f"{where}: {what} {list(values)!r} is not a list of numbers") from None
    if not units or len(units) != len(exact):
        units = None
    factors = [nm_per_unit(u) for u in units] if units else []
    if any(f is not None for f in factors):
        converted = [v * f if f is not None else v for v, f in zip(exact, factors)]
        if any(v.denominator != 1 for v in converted):
            raise _not_integral(
                f"{what} {list(values)} in {list(units or [])} is "
                f"{_show(converted)} nanometres, which is not integral", where)
        new_units = [NANOMETER if f is not None else str(u) for u, f in zip(units or [], factors)]
        return Coordinate(int(v) for v in converted), new_units
    if any(v.denominator != 1 for v in exact):
        raise _not_integral(f"{what} {list(values)} is not integral", where)
    return Coordinate(int(v) for v in exact), [str(u) for u in units] if units else None


def _show(values: List[Fraction]) -> str:
    return "[" + ", ".join(str(v.numerator) if v.denominator == 1 else f"{float(v):g}"
                           for v in values) + "]"


def _not_integral(described: str, where: str) -> ConfigError:
    return ConfigError(
        f"{where}: {described}; dacapo needs whole world units (nanometres for data "
        "with length units): store the voxel size and offset in a smaller unit (e.g. nm "
        "instead of um) or resample the data"
    )
