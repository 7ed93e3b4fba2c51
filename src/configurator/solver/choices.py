"""What a configuration session is asked and answers: a choice, objective weights in catalog terms, a bundle.

Example:
    >>> Choice("frame", "carbon").key, Choice("motor", "hub", selected=False).selected
    ('frame.carbon', False)
    >>> Weights(options={"frame.carbon": 2.0}).scale
    1000
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from configurator.catalog.configuration import Configuration

__all__ = ["Bundle", "Choice", "Weights"]


@dataclass(frozen=True)
class Choice:
    """A user choice: ``module.option`` selected (optionally with a quantity) or explicitly excluded."""

    module: str
    option: str
    selected: bool = True
    qty: int | None = None

    @property
    def key(self) -> str:
        """``module.option``."""
        return f"{self.module}.{self.option}"


@dataclass(frozen=True)
class Weights:
    """Objective weights in catalog terms (the solver never sees customers: needs arrive as these numbers).

    Attributes:
        options: utility per selected option, by ``module.option``.
        attributes: utility per unit of an attribute (summed over selected options times quantity).
        price: utility per currency unit of list price (negative: cheaper is better).
        scale: integer scale applied to every weight before solving.
    """

    options: Mapping[str, float] = field(default_factory=dict)
    attributes: Mapping[str, float] = field(default_factory=dict)
    price: float = 0.0
    scale: int = 1000


@dataclass(frozen=True)
class Bundle:
    """A configuration proposed by the solver, with its status, utility and list price.

    The list price includes the options of its sub-assemblies, once per unit of the option that holds them.
    """

    configuration: Configuration
    status: str
    utility: float
    price: Decimal
