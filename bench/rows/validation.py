"""P6: seconds for one ``validate`` call of a stored run at a stored checkpoint
(ours or the upstream release, whichever ``dacapo`` this interpreter imports);
prints JSON.

The run: a distance task on a 3D U-Net of 28³ voxels in (untrained, torch
seed 0), trained on ``train0`` and validated on ``val0`` and ``val1`` of
CONTAINER (``<name>/raw`` and ``<name>/mito``). Storing the run and its
checkpoint of iteration 1 is not timed; ``validate("p6", 1)`` is.

    python -P bench/rows/validation.py CONTAINER
"""

import argparse
import json
import logging
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import _runs  # noqa: E402

ITERATION = 1


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("container", type=Path)
    args = parser.parse_args()
    import torch

    from dacapo.validate import validate

    torch.manual_seed(0)
    split = _runs.datasplit(args.container, ["train0"], ["val0", "val1"])
    _runs.store_run("p6", _runs.tiny_unet(), split, checkpoint=ITERATION)
    errors = _ErrorLog()
    logging.getLogger("dacapo").addHandler(errors)
    start = time.perf_counter()
    scores = validate("p6", ITERATION)
    seconds = time.perf_counter() - start
    # upstream answers (None, None) when it cannot validate, and logs (and
    # skips) a failed evaluation
    validated = scores is not None and scores != (None, None) and not errors.messages
    print(json.dumps({"seconds": seconds, "validated": validated,
                      "errors": errors.messages[:1]}))


class _ErrorLog(logging.Handler):
    """The errors ``dacapo`` logs, each with the last line of its exception."""

    def __init__(self):
        super().__init__(logging.ERROR)
        self.messages = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            message += f" {type(error).__name__}: {error}"
        self.messages.append(message)


if __name__ == "__main__":
    main()
