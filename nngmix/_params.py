"""Parameter declarations with allowed ranges, checked at fit time with one message format.

"The 'k' parameter of NNGMix must be an int in [1, inf). Got 0 instead."
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from numbers import Integral, Real


class ParameterError(ValueError):
    """A parameter outside its allowed range; the message names the rule and the value."""


@dataclass(frozen=True)
class Interval:
    kind: type  # Integral or Real
    low: float | None
    high: float | None
    closed: str = "both"  # "both", "left", "right", "neither"
    help: str = ""

    def contains(self, value) -> bool:
        if isinstance(value, bool) or not isinstance(value, self.kind):
            return False
        if isinstance(value, Real) and math.isnan(value):
            return False
        lo_ok = self.low is None or (value >= self.low if self.closed in ("both", "left") else value > self.low)
        hi_ok = self.high is None or (value <= self.high if self.closed in ("both", "right") else value < self.high)
        return lo_ok and hi_ok

    def __str__(self) -> str:
        name = "an int" if self.kind is Integral else "a float"
        left = "[" if self.closed in ("both", "left") and self.low is not None else "("
        right = "]" if self.closed in ("both", "right") and self.high is not None else ")"
        low = "-inf" if self.low is None else f"{self.low:g}"
        high = "inf" if self.high is None else f"{self.high:g}"
        return f"{name} in {left}{low}, {high}{right}"


@dataclass(frozen=True)
class Options:
    values: tuple

    def contains(self, value) -> bool:
        return any(value is v or (type(value) is type(v) and value == v) for v in self.values)

    def __str__(self) -> str:
        return "one of " + ", ".join(repr(v) for v in self.values)


BOOL = Options((True, False))


def validate_params(owner: str, constraints: dict, values: dict) -> None:
    """Raise :class:`ParameterError` for the first value outside its constraint."""
    for name, constraint in constraints.items():
        value = values[name]
        if not constraint.contains(value):
            raise ParameterError(f"The '{name}' parameter of {owner} must be {constraint}. Got {value!r} instead.")
