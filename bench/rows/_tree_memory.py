"""Peak resident memory of a process and all its descendants, sampled from /proc.

The sampling runs in a process of its own: a sampling thread would stall
whenever an extension holds the GIL (``mwatershed.agglom`` does, for
seconds, in the upstream release's main process) and miss that peak. The
peak reported is never below the largest single process's own peak
(``ru_maxrss``), which the kernel tracks exactly.

    python -P _tree_memory.py PID   # samples until stdin closes, prints the peak
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from typing import Dict, List

#: seconds between two samples
INTERVAL = 0.02


def _children() -> Dict[int, List[int]]:
    tree: Dict[int, List[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                parent = int(stat.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        tree.setdefault(parent, []).append(int(entry))
    return tree


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, IndexError, ValueError):
        return 0


def tree_rss(root: int, skip: int = -1) -> int:
    """Bytes resident in ``root`` and its descendants now (``skip`` and its
    descendants left out)."""
    tree, todo, total = _children(), [root], 0
    while todo:
        pid = todo.pop()
        if pid == skip:
            continue
        total += _rss(pid)
        todo.extend(tree.get(pid, []))
    return total


class PeakTreeMemory:
    """The peak of ``tree_rss(os.getpid())`` while active, sampled every
    ``INTERVAL`` s by a separate sampler process (itself not counted)."""

    def __init__(self):
        self.peak = 0
        self._sampler = None

    def __enter__(self) -> "PeakTreeMemory":
        self._sampler = subprocess.Popen(
            [sys.executable, "-P", __file__, str(os.getpid())],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )
        return self

    def __exit__(self, *exc) -> None:
        sampled, _ = self._sampler.communicate("")
        largest = max(resource.getrusage(who).ru_maxrss
                      for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)) * 1024
        self.peak = max(int(sampled or 0), largest, tree_rss(os.getpid(), self._sampler.pid))


def _sample(root: int) -> None:
    """Samples ``root``'s tree until stdin closes, then prints the peak."""
    import selectors

    selector = selectors.DefaultSelector()
    selector.register(sys.stdin, selectors.EVENT_READ)
    peak = 0
    while not selector.select(timeout=0):
        peak = max(peak, tree_rss(root, skip=os.getpid()))
        time.sleep(INTERVAL)
    print(peak, flush=True)


if __name__ == "__main__":
    _sample(int(sys.argv[1]))
