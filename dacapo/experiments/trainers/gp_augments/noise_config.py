"""Config of random noise added to raw intensities."""

from __future__ import annotations

from typing import Any, Dict, Optional

import attr

from dacapo.errors import ConfigError

from ._checks import check_probability
from .augment_config import AugmentConfig

# skimage.util.random_noise modes and the options each accepts
_MODE_OPTIONS = {
    "gaussian": ("mean", "var"),
    "speckle": ("mean", "var"),
    "poisson": (),
    "salt": ("amount",),
    "pepper": ("amount",),
    "s&p": ("amount", "salt_vs_pepper"),
}
_OPTIONS = ("mean", "var", "amount", "salt_vs_pepper")


@attr.s
class NoiseAugmentConfig(AugmentConfig):
    """Adds random noise to raw (``skimage.util.random_noise``).

    Builds ``gp.NoiseAugment`` on raw, which must be float in [0, 1] or
    [-1, 1]. Options left at ``None`` take skimage's defaults (``mean=0``,
    ``var=0.01``, ``amount=0.05``, ``salt_vs_pepper=0.5``).
    """

    mode: str = attr.ib(
        default="gaussian",
        metadata={
            "help_text": "Noise type: gaussian, speckle, poisson, salt, pepper or s&p."
        },
    )
    clip: bool = attr.ib(
        default=True,
        metadata={"help_text": "Clip the result to the input range ([0, 1] or [-1, 1])."},
    )
    mean: Optional[float] = attr.ib(
        default=None, metadata={"help_text": "Noise mean (gaussian, speckle)."}
    )
    var: Optional[float] = attr.ib(
        default=None, metadata={"help_text": "Noise variance (gaussian, speckle), >= 0."}
    )
    amount: Optional[float] = attr.ib(
        default=None,
        metadata={"help_text": "Fraction of voxels replaced (salt, pepper, s&p), in [0, 1]."},
    )
    salt_vs_pepper: Optional[float] = attr.ib(
        default=None, metadata={"help_text": "Share of salt among the replaced voxels (s&p)."}
    )
    augmentation_probability: float = attr.ib(
        default=1.0, metadata={"help_text": "Probability of adding noise to a batch at all."}
    )

    def __attrs_post_init__(self):
        self.validate()

    def validate(self) -> None:
        owner = "NoiseAugmentConfig"
        if self.mode not in _MODE_OPTIONS:
            raise ConfigError(
                f"{owner}: unknown `mode` {self.mode!r}; expected one of {sorted(_MODE_OPTIONS)}"
            )
        unused = [o for o in _OPTIONS if getattr(self, o) is not None]
        unused = [o for o in unused if o not in _MODE_OPTIONS[self.mode]]
        if unused:
            raise ConfigError(
                f"{owner}: {unused} do not apply to mode {self.mode!r} (it accepts "
                f"{list(_MODE_OPTIONS[self.mode]) or 'no options'}); remove them"
            )
        if self.var is not None and not (_number(self.var) and self.var >= 0):
            raise ConfigError(f"{owner}: `var` must be a number >= 0, got {self.var!r}")
        if self.mean is not None and not _number(self.mean):
            raise ConfigError(f"{owner}: `mean` must be a number, got {self.mean!r}")
        for name in ("amount", "salt_vs_pepper"):
            if getattr(self, name) is not None:
                check_probability(owner, name, getattr(self, name))
        check_probability(owner, "augmentation_probability", self.augmentation_probability)

    def options(self) -> Dict[str, Any]:
        """The noise options given (not ``None``), as ``random_noise`` keywords."""
        return {o: getattr(self, o) for o in _OPTIONS if getattr(self, o) is not None}

    def node(self, raw_key, gt_key, mask_key):
        """The ``gp.NoiseAugment`` node on ``raw_key``."""
        import gunpowder as gp

        return gp.NoiseAugment(
            raw_key, mode=self.mode, clip=self.clip, p=self.augmentation_probability,
            **self.options(),
        )


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)
