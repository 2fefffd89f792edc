"""Checks every config runs when it is made: field types, then field values.

Each config base (``TaskConfig``, ``ArrayConfig``, ``RunConfig``, ...) lists
``CheckedConfig`` first among its bases. A subclass puts the checks of its own
field values (ranges, choices, fields that must agree) in ``check_values``;
they are pure (no files, stores or heavy imports), so making a config stays
cheap and works before its data exists. ``validate()`` runs them again (a
config may have been changed since) and, in subclasses that need it, then
opens the data the config names.
"""

from __future__ import annotations

from dacapo._checks import check_field_types


class CheckedConfig:
    """Mixin of the config bases: ``check_values`` runs when a config is made."""

    def __attrs_post_init__(self) -> None:
        check_field_types(self)  # every subclass's fields, when a config is made
        self.check_values()

    def check_values(self) -> None:
        """Raises ``ConfigError`` when a field's value is out of range or does not
        agree with another field; reads nothing but the fields."""

    def validate(self) -> None:
        """Raises ``ConfigError`` when the config cannot be used."""
        self.check_values()
