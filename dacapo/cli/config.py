"""``dacapo config``: write ``./dacapo.yaml`` by answering questions.

The compute contexts offered, and the parameters asked for each, come from
the registered ``ComputeContext`` subclasses (their attrs fields, defaults
and ``help_text``)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Dict

import click
import yaml

from ._prompts import ask, parameters_of

__all__ = ["config"]

FILE_NAME = "dacapo.yaml"
_MONGO_HOST = "mongodb://localhost:27017"


@click.command(short_help="Write ./dacapo.yaml by answering a few questions.")
@click.pass_context
def config(ctx: click.Context) -> None:
    """Ask where runs are kept, which store holds configs and stats (files or
    MongoDB) and where blockwise workers run (the compute context and its
    parameters), check the answers, and write them to ./dacapo.yaml (asking
    before overwriting it).

    \f
    The answers are checked through ``dacapo.options.DaCapoConfig`` and
    ``dacapo.compute_context.create_compute_context`` before the file is
    written (atomically).
    """
    path = Path.cwd() / FILE_NAME
    current = _existing(path)
    if path.exists() and not click.confirm(f"{path} exists; overwrite it?", default=False):
        click.echo(f"{path} kept unchanged")
        return
    values: Dict[str, Any] = {"runs_base_dir": click.prompt(
        "Runs base directory (configs, stats, checkpoints)",
        default=str(current.get("runs_base_dir", "~/dacapo")))}
    values["type"] = click.prompt("Store for configs and stats", default=current.get(
        "type", "files"), type=click.Choice(["files", "mongo"]))
    if values["type"] == "mongo":
        values["mongo_db_host"] = click.prompt(
            "MongoDB host URL", default=current.get("mongo_db_host", _MONGO_HOST))
        values["mongo_db_name"] = click.prompt(
            "MongoDB database name", default=current.get("mongo_db_name", "dacapo"))
    values["compute_context"] = _ask_compute_context(current.get("compute_context"))
    _write(path, _checked(values))
    click.echo(f"wrote {path}")
    _warn_if_shadowed(path)


def _existing(path: Path) -> Dict[str, Any]:
    """The options of an existing file, as defaults for the questions."""
    try:
        values = yaml.safe_load(path.read_text()) if path.is_file() else None
    except (OSError, yaml.YAMLError):
        return {}
    return values if isinstance(values, dict) else {}


def _context_classes() -> Dict[str, type]:
    from dacapo.compute_context import ComputeContext

    return {cls.__name__: cls for cls in ComputeContext.registry().concrete()}


def _ask_compute_context(current: Any) -> Dict[str, Any]:
    """The compute context's type and parameters, asked until they are valid."""
    from dacapo.compute_context import create_compute_context
    from dacapo.errors import ConfigError

    classes = _context_classes()
    current = current if isinstance(current, dict) else {}
    default = current.get("type") if current.get("type") in classes else "LocalTorch"
    name = click.prompt("Compute context (where blockwise workers run)",
                        type=click.Choice(sorted(classes)), default=default)
    previous = current.get("config") if current.get("type") == name else None
    answers = dict(previous) if isinstance(previous, dict) else {}
    while True:
        answers = {p.name: ask(p, answers) for p in parameters_of(classes[name])}
        spec = {"type": name, "config": answers}
        try:
            create_compute_context(spec)
            return spec
        except ConfigError as error:
            click.echo(f"Error: {error}; answer again", err=True)


def _checked(values: Dict[str, Any]) -> Dict[str, Any]:
    """The options as the file stores them, after ``DaCapoConfig`` checked them."""
    from dacapo.options import DaCapoConfig

    return DaCapoConfig(**values).serialize()


def _write(path: Path, values: Dict[str, Any]) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(yaml.safe_dump(values, sort_keys=False))
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _warn_if_shadowed(path: Path) -> None:
    """Says so when ``DACAPO_OPTIONS_FILE`` names another file, which wins."""
    other = os.environ.get("DACAPO_OPTIONS_FILE")
    if other and Path(other).expanduser().resolve() != path.resolve():
        click.echo(f"note: DACAPO_OPTIONS_FILE={other} is read before {path}; unset it to "
                   "use the file just written", err=True)
