"""The base class of compute contexts: where workers run and on which device."""

from __future__ import annotations

import os
import shlex
import subprocess
from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, List, Mapping, Optional, Sequence

import attr

from dacapo._registry import RegisteredConfig
from dacapo.errors import ConfigError, DacapoError

from ._run_command import run_streaming
from ._validators import boolean

if TYPE_CHECKING:
    import torch

__all__ = ["ComputeContext", "CommandError"]


class CommandError(DacapoError):
    """A command run through a compute context exited with a non-zero status."""

    def __init__(self, message: str, command: List[str], returncode: int, stderr_tail: str):
        super().__init__(message)
        self.command = command
        self.returncode = returncode
        self.stderr_tail = stderr_tail


@attr.s
class ComputeContext(RegisteredConfig, ABC, registry_root=True, abstract=True):
    """Where blockwise workers run and which device they compute on.

    Selected in the options by ``compute_context: {type: <class name>,
    config: {...}}`` (see ``create_compute_context``). Subclasses choose the
    device and may wrap worker commands (``bsub ...``, ``sbatch ...``) in
    ``_wrap_command``; ``execute`` runs the wrapped command.
    """

    distribute_workers: bool = attr.ib(
        default=False,
        validator=boolean,
        metadata={
            "help_text": "Whether blockwise workers run as separate processes (True) "
            "or inside the calling process (False)."
        },
    )

    @property
    @abstractmethod
    def device(self) -> "torch.device":
        """The torch device computations run on."""

    def _wrap_command(self, command: List[str]) -> List[str]:
        """``command`` as this context launches it; unchanged by default."""
        return command

    def wrap_command(self, command: Sequence[object]) -> List[str]:
        """``command`` (a list of arguments) wrapped by this context, as strings."""
        if isinstance(command, (str, bytes)) or not isinstance(command, Sequence):
            raise ConfigError(
                f"{type(self).__name__}.wrap_command: expected a list of arguments such as "
                f"[sys.executable, 'worker.py', 'start-worker'], got "
                f"{type(command).__name__} {command!r:.80}; split a command line with "
                "shlex.split"
            )
        if not command:
            raise ConfigError(f"{type(self).__name__}.wrap_command: the command is empty")
        return [str(part) for part in self._wrap_command([str(part) for part in command])]

    def execute(
        self, command: Sequence[object], env: Optional[Mapping[str, str]] = None
    ) -> subprocess.CompletedProcess:
        """Runs the wrapped ``command`` and waits for it.

        Its output is forwarded line by line to this process's ``sys.stdout``
        and ``sys.stderr`` (so daisy's per-worker log files see it). ``env``
        adds variables to the inherited environment (e.g. ``DAISY_CONTEXT``);
        ``DACAPO_OPTIONS_FILE`` is set to the options file in use, so the
        command reads the same options. Raises ``CommandError`` (a
        ``DacapoError``) naming the command, its exit status and the last
        lines of its stderr when it fails (status 127 when it cannot start);
        the returned process's ``stderr`` holds those last lines.
        """
        wrapped = self.wrap_command(command)
        try:
            returncode, tail = run_streaming(wrapped, _child_environment(env))
        except OSError as error:  # e.g. the program does not exist
            raise CommandError(
                f"{type(self).__name__}: cannot start command `{shlex.join(wrapped)}`: "
                f"{error}; check that {wrapped[0]!r} is installed and on PATH",
                wrapped, 127, str(error),
            ) from error
        if returncode != 0:
            raise CommandError(
                f"{type(self).__name__}: command `{shlex.join(wrapped)}` exited with status "
                f"{returncode}; last lines of its stderr:\n{tail or '(none)'}",
                wrapped,
                returncode,
                tail,
            )
        return subprocess.CompletedProcess(wrapped, returncode, stdout=None, stderr=tail)


def _child_environment(extra: Optional[Mapping[str, str]]) -> dict:
    from dacapo.options import Options

    env = dict(os.environ)
    options_file = Options.config_file()
    if options_file is not None:
        env["DACAPO_OPTIONS_FILE"] = str(options_file.resolve())
    env.update({str(k): str(v) for k, v in (extra or {}).items()})
    return env
