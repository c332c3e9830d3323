"""The one result every field parser returns: values, which are blank, which are bad, and why."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

Mask = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Parsed:
    """A parsed column: ``values`` (meaningful where neither blank nor bad), masks, reasons.

    ``issues`` pairs a mask of bad values with the message reported for them; most fields
    have one reason, dates have several (not a date, not a real date, wrong order...).
    ``info`` carries what a parser learnt about the whole column (severity scale, date order).
    """

    values: npt.NDArray[Any]
    blank: Mask
    issues: tuple[tuple[Mask, str], ...] = ()
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def bad(self) -> Mask:
        """Values present but unreadable, for any reason."""
        out = np.zeros(self.blank.shape, bool)
        for mask, _ in self.issues:
            out |= mask
        return out

    @classmethod
    def single(
        cls, values: npt.NDArray[Any], blank: Mask, bad: Mask, message: str, **info: Any
    ) -> Parsed:
        """A field with one reason for a bad value."""
        return cls(values, blank, ((bad, message),), dict(info))
