"""An all-ones array shaped like its source (deprecated)."""

from __future__ import annotations

import logging

from ._wrapped import WrappedArray, open_source
from .constant_array import ConstantArray

logger = logging.getLogger(__name__)


class OnesArray(ConstantArray):
    """``ConstantArray`` with constant 1; kept so that stored configs still open."""

    def __init__(self, array_config):
        logger.warning(
            "OnesArrayConfig %r is deprecated; use ConstantArrayConfig(name, "
            "source_array_config, constant=1) instead",
            array_config.name,
        )
        WrappedArray.__init__(
            self, array_config, open_source(array_config.source_array_config)
        )
        self._constant = 1
