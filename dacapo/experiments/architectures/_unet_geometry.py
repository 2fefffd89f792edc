"""Shape arithmetic of the CNNectome U-Net, without torch.

Sizes are traced one axis at a time (axes are independent)::

    level 0   s0 --convs--> d0 --pool f0--> s1            ... u0 <--convs-- crop <-- up x f0
    level 1   s1 --convs--> d1 --pool f1--> s2        u1 <--convs-- crop <-- up x f1
    level 2 (bottom)        s2 --convs--> b2 ----------^

With ``valid`` padding a convolution of size k removes k - 1 voxels, every
``d`` must be divisible by its pooling factor, and after upsampling to level
l the tensor is cropped so that (size - decoder conv crop) is a multiple of
the product of the factors below l (translation equivariance). With
``same`` padding only the divisibility matters.
"""

from __future__ import annotations

from typing import List, Optional, Sequence, Tuple

from dacapo.errors import ConfigError

Shape = Tuple[int, ...]


class _AxisProblem(Exception):
    """An input size that does not fit one axis of the network."""

    def __init__(self, where: str, detail: str):
        super().__init__(f"{where}: {detail}")
        self.where = where
        self.detail = detail


class UNetGeometry:
    """Kernel sizes and factors of a U-Net, per level, as plain tuples."""

    def __init__(
        self,
        downsample_factors: Sequence[Shape],
        kernel_size_down: Sequence[Sequence[Shape]],
        kernel_size_up: Sequence[Sequence[Shape]],
        upsample_factors: Sequence[Shape] = (),
        padding: str = "valid",
    ):
        self.downsample_factors = [tuple(f) for f in downsample_factors]
        self.kernel_size_down = [[tuple(k) for k in ks] for ks in kernel_size_down]
        self.kernel_size_up = [[tuple(k) for k in ks] for ks in kernel_size_up]
        self.upsample_factors = [tuple(f) for f in upsample_factors]
        self.padding = padding

    @property
    def num_levels(self) -> int:
        return len(self.downsample_factors) + 1

    @property
    def head_kernels(self) -> List[Shape]:
        """Kernels of the conv pass after each extra upsampling (top decoder level)."""
        return self.kernel_size_up[0] if self.kernel_size_up else self.kernel_size_down[0]

    def crop_factors(self) -> List[Shape]:
        """Per up level l: product of the downsampling factors from l to the bottom."""
        factors = []
        for level in range(len(self.downsample_factors)):
            product = [1] * len(self.downsample_factors[level])
            for factor in self.downsample_factors[level:]:
                product = [p * f for p, f in zip(product, factor)]
            factors.append(tuple(product))
        return factors

    def _shrink(self, kernels: Sequence[Shape], axis: int) -> int:
        if self.padding == "same":
            return 0
        return sum(k[axis] - 1 for k in kernels)

    def output_size(self, size: int, axis: int) -> int:
        """Output size along ``axis`` for input ``size``; raises ``_AxisProblem``."""
        skips = []
        for level, factor in enumerate(self.downsample_factors):
            where = f"level {level} (down path)"
            size = self._convs(size, self.kernel_size_down[level], axis, where)
            if size % factor[axis]:
                raise _AxisProblem(
                    where,
                    f"size {size} after the convolutions is not divisible by the "
                    f"downsampling factor {factor[axis]}",
                )
            skips.append(size)
            size //= factor[axis]
        bottom = self.num_levels - 1
        size = self._convs(size, self.kernel_size_down[bottom], axis, f"level {bottom} (bottom)")
        crop_factors = self.crop_factors()
        for level in reversed(range(len(self.downsample_factors))):
            size *= self.downsample_factors[level][axis]
            where = f"level {level} (up path)"
            if self.padding == "valid":
                size = self._crop_to_factor(size, crop_factors[level][axis], level, axis, where)
            size = self._convs(size, self.kernel_size_up[level], axis, where)
        for step, factor in enumerate(self.upsample_factors):
            size = self._convs(size * factor[axis], self.head_kernels, axis, f"upsampling {step}")
        return size

    def _convs(self, size: int, kernels: Sequence[Shape], axis: int, where: str) -> int:
        result = size - self._shrink(kernels, axis)
        if result < 1:
            raise _AxisProblem(
                where, f"size {size} shrinks to {result} in the valid convolutions"
            )
        return result

    def _crop_to_factor(self, size: int, factor: int, level: int, axis: int, where: str) -> int:
        shrink = self._shrink(self.kernel_size_up[level], axis)
        multiples = (size - shrink) // factor
        if multiples < 1:
            raise _AxisProblem(
                where,
                f"upsampled size {size} is too small to leave a multiple of {factor} "
                f"after the {shrink} voxels the convolutions remove",
            )
        return multiples * factor + shrink

    def output_shape(self, shape: Sequence[int]) -> Shape:
        """Output shape for ``shape``; raises ``_AxisProblem`` for the first bad axis."""
        return tuple(self.output_size(int(s), axis) for axis, s in enumerate(shape))

    def fits(self, size: int, axis: int) -> bool:
        try:
            self.output_size(size, axis)
        except _AxisProblem:
            return False
        return True

    def nearby_sizes(self, size: int, axis: int) -> Tuple[Optional[int], Optional[int]]:
        """The closest working input sizes below and above ``size`` (None if none)."""
        below = next((s for s in range(size - 1, 0, -1) if self.fits(s, axis)), None)
        above = next(
            (s for s in range(size + 1, size + 100_000) if self.fits(s, axis)), None
        )
        return below, above

    def check(self, shape: Sequence[int], owner: str, what: str = "input shape") -> Shape:
        """Output shape for ``shape``, or a ``ConfigError`` naming each bad axis."""
        problems = []
        for axis, size in enumerate(shape):
            try:
                self.output_size(int(size), axis)
            except _AxisProblem as problem:
                below, above = self.nearby_sizes(int(size), axis)
                near = " or ".join(str(s) for s in (below, above) if s is not None)
                problems.append(
                    f"along axis {axis} (size {size}), at {problem.where} the "
                    f"{problem.detail}; sizes near {size} that work: {near}"
                )
        if problems:
            raise ConfigError(
                f"{owner}: {what} {tuple(int(s) for s in shape)} does not fit the "
                f"network ({self.padding} padding): " + "; ".join(problems)
            )
        return self.output_shape(shape)
