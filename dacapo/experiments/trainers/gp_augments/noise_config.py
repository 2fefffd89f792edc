"""Config of random noise added to raw intensities."""

from __future__ import annotations

from typing import Any, Dict, Optional

import attr

from dacapo._checks import check_choice, check_fraction, check_number
from dacapo.errors import ConfigError

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
# upstream DaCapo's ``kwargs`` keys that are named differently here
#: skimage.util.random_noise's defaults of the options
_DEFAULTS = {"mean": 0.0, "var": 0.01, "amount": 0.05, "salt_vs_pepper": 0.5}
_UPSTREAM_KEYS = {"p": "augmentation_probability"}
_UPSTREAM_FIELDS = ("mode", "clip", "augmentation_probability") + _OPTIONS


def _field_name(upstream_key: str) -> str:
    """The field an upstream ``kwargs`` key sets here."""
    return _UPSTREAM_KEYS.get(upstream_key, upstream_key)


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

    @classmethod
    def upgrade_stored(cls, data: Dict[str, Any]) -> Dict[str, Any]:
        """A stored dict in upstream DaCapo's form as this class stores it.

        Upstream stores one ``kwargs`` dict of ``gp.NoiseAugment`` keywords,
        e.g. ``{"kwargs": {"mode": "gaussian", "var": 0.01}}``; its keys become
        the explicit fields (``p`` becomes ``augmentation_probability``). Other
        dicts are returned unchanged. The converter calls this on load.
        """
        if "kwargs" not in data:
            return data
        owner = "NoiseAugmentConfig (upstream form with `kwargs`)"
        upstream = data["kwargs"]
        if not isinstance(upstream, dict):
            raise ConfigError(
                f"{owner}: `kwargs` must be a mapping of gp.NoiseAugment keywords, got "
                f"{type(upstream).__name__} {upstream!r}"
            )
        names = {key: _field_name(key) for key in upstream}
        unknown = sorted(k for k, name in names.items() if name not in _UPSTREAM_FIELDS)
        if unknown:
            raise ConfigError(
                f"{owner}: unsupported keyword(s) {unknown}; expected some of "
                f"{sorted(set(_UPSTREAM_FIELDS) - {'augmentation_probability'}) + ['p']}"
            )
        rest = {k: v for k, v in data.items() if k != "kwargs"}
        both = sorted(name for name in names.values() if name in rest)
        if both:
            raise ConfigError(
                f"{owner}: {both} given both inside `kwargs` and as fields; keep one"
            )
        rest.update({names[key]: value for key, value in upstream.items()})
        return rest

    def check_values(self) -> None:
        owner = "NoiseAugmentConfig"
        check_choice(owner, "mode", self.mode, sorted(_MODE_OPTIONS))
        unused = [o for o in _OPTIONS if getattr(self, o) is not None]
        unused = [o for o in unused if o not in _MODE_OPTIONS[self.mode]]
        if unused:
            raise ConfigError(
                f"{owner}: {unused} do not apply to mode {self.mode!r} (it accepts "
                f"{list(_MODE_OPTIONS[self.mode]) or 'no options'}); remove them"
            )
        check_number(owner, "var", self.var, 0, allow_none=True)
        check_number(owner, "mean", self.mean, allow_none=True)
        check_fraction(owner, "amount", self.amount, allow_none=True)
        check_fraction(owner, "salt_vs_pepper", self.salt_vs_pepper, allow_none=True)
        check_fraction(owner, "augmentation_probability", self.augmentation_probability)

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

    def draw_node(self, draw_key, raw_key):
        """The ``dacapo.gp.NoiseDraw`` node: whether and with which seed, the
        noise added on the training device after an elastic deformation drawn
        before it."""
        from dacapo.gp.noise_draw import NoiseDraw

        return NoiseDraw(draw_key, array=raw_key, mode=self.mode, clip=self.clip,
                         p=self.augmentation_probability, **self.options())

    def option(self, name: str) -> float:
        """An option's value, skimage's default where not given."""
        value = getattr(self, name)
        return _DEFAULTS[name] if value is None else value
