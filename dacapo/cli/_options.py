"""click options of the ``dacapo`` commands: each long name is also accepted
with underscores (``--run_name``, upstream DaCapo's spelling), which ``--help``
and error messages leave out."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Callable, Iterator, List, Optional

import click

__all__ = ["Option", "option", "underscore_alias"]


def underscore_alias(name: str) -> Optional[str]:
    """``--run_name`` for ``--run-name``; None for names without a hyphen."""
    if not name.startswith("--") or "-" not in name[2:] or "/" in name:
        return None
    return "--" + name[2:].replace("-", "_")


def _shown(names: List[str]) -> List[str]:
    return [name for name in names if not (name.startswith("--") and "_" in name)]


class Option(click.Option):
    """An option whose underscore spellings work but are not shown."""

    @contextmanager
    def _without_aliases(self) -> Iterator[None]:
        opts, secondary = self.opts, self.secondary_opts
        self.opts, self.secondary_opts = _shown(opts) or opts, _shown(secondary)
        try:
            yield
        finally:
            self.opts, self.secondary_opts = opts, secondary

    def get_help_record(self, ctx: click.Context) -> Any:
        with self._without_aliases():
            return super().get_help_record(ctx)

    def get_error_hint(self, ctx: Any) -> str:
        with self._without_aliases():
            return super().get_error_hint(ctx)


def option(*names: str, **kwargs: Any) -> Callable[[Callable], Callable]:
    """``click.option`` with the underscore alias of each long name added,
    ``show_default=True`` and the ``Option`` class.

    ``names`` are the spellings (``"-r", "--run-name"``); the parameter name is
    the first long name, hyphens as underscores, unless ``kwargs["name"]``.
    """
    spellings = list(names)
    for name in names:
        alias = underscore_alias(name)
        if alias is not None and alias not in spellings:
            spellings.append(alias)
    explicit = kwargs.pop("name", None)
    if explicit is not None:
        spellings.append(explicit)
    kwargs.setdefault("show_default", True)
    return click.option(*spellings, cls=Option, **kwargs)
