"""Running a command while forwarding its output and keeping its stderr's tail."""

from __future__ import annotations

import collections
import subprocess
import sys
import threading
from typing import IO, Deque, Dict, List, Optional, Tuple

#: how many of the last stderr lines a failure reports
TAIL_LINES = 20


def _pump(stream: IO[str], target_name: str, tail: Optional[Deque[str]]) -> None:
    """Copies ``stream`` line by line to ``sys.<target_name>`` (looked up per
    line, so redirections made meanwhile, e.g. daisy's log files, apply)."""
    for line in stream:
        target = getattr(sys, target_name)
        target.write(line)
        target.flush()
        if tail is not None:
            tail.append(line)
    stream.close()


def run_streaming(command: List[str], env: Dict[str, str]) -> Tuple[int, str]:
    """Runs ``command``; returns its exit status and the last lines of its stderr.

    Memory stays bounded whatever the command prints: output is forwarded, and
    only the last ``TAIL_LINES`` lines of stderr are kept.
    """
    tail: Deque[str] = collections.deque(maxlen=TAIL_LINES)
    process = subprocess.Popen(  # OSError (no such program) propagates
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
        text=True, errors="replace", bufsize=1,
    )
    assert process.stdout is not None and process.stderr is not None  # both piped
    out = threading.Thread(target=_pump, args=(process.stdout, "stdout", None), daemon=True)
    out.start()
    try:
        _pump(process.stderr, "stderr", tail)
        returncode = process.wait()
    except BaseException:  # e.g. KeyboardInterrupt: do not leave the child running
        process.kill()
        process.wait()
        raise
    finally:
        out.join(timeout=5)
    return returncode, "".join(tail).rstrip("\n")
