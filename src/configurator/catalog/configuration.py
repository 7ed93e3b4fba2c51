"""Configurations: what is selected in each module, with quantities and sub-assembly configurations.

Example:
    >>> cfg = Configuration.from_data({"selections": {"frame": "alu_m", "cages": {"cage": 2}, "extras": ["bell"]}})
    >>> sorted(cfg.items())
    [('cages', 'cage', 2), ('extras', 'bell', 1), ('frame', 'alu_m', 1)]
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from configurator.catalog.models import Catalog
from configurator.catalog.yamlsource import read_yaml
from configurator.errors import CatalogError, ConfigurationError, suggest

__all__ = ["Configuration", "load_configuration"]


@dataclass(frozen=True)
class Configuration:
    """Selected options by module (``{module: {option: quantity}}``) and sub-assembly configurations.

    Attributes:
        selections: quantities of the selected options, by module; quantity 0 means not selected.
        sub: the configuration of each selected sub-assembly option, by ``(module, option)``.
        catalog: the catalog id the configuration was made for, when known.
    """

    selections: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    sub: Mapping[tuple[str, str], Configuration] = field(default_factory=dict)
    catalog: str | None = None

    def items(self) -> Iterator[tuple[str, str, int]]:
        """``(module, option, quantity)`` for every selected option."""
        for module, options in self.selections.items():
            for option, qty in options.items():
                if qty > 0:
                    yield module, option, qty

    def quantity(self, module: str, option: str) -> int:
        """Selected quantity of ``module.option`` (0 when not selected)."""
        return self.selections.get(module, {}).get(option, 0)

    @classmethod
    def from_data(cls, data: Any, where: str = "configuration") -> Configuration:
        """Build a configuration from plain data (as read from YAML or JSON).

        Each module maps to an option id, a list of option ids, or a mapping ``option -> quantity`` (or
        ``option -> {qty: N, config: {...}}`` for a sub-assembly).

        Raises:
            ConfigurationError: when the data does not have that shape.
        """
        if not isinstance(data, Mapping):
            raise ConfigurationError(
                f"{where}: expected a mapping with 'selections:', got {type(data).__name__}"
            )
        unknown = set(data) - {"catalog", "selections"}
        if unknown:
            raise ConfigurationError(
                f"{where}: unknown key {sorted(unknown)[0]!r} (expected catalog, selections)"
            )
        raw = data.get("selections") or {}
        if not isinstance(raw, Mapping):
            raise ConfigurationError(f"{where}.selections: expected a mapping of module -> options")
        selections: dict[str, dict[str, int]] = {}
        sub: dict[tuple[str, str], Configuration] = {}
        for module, chosen in raw.items():
            here = f"{where}.selections.{module}"
            options: dict[str, int] = {}
            if chosen is None:
                pass
            elif isinstance(chosen, str):
                options[chosen] = 1
            elif isinstance(chosen, list):
                for item in chosen:
                    if not isinstance(item, str):
                        raise ConfigurationError(f"{here}: expected option ids, got {item!r}")
                    options[item] = options.get(item, 0) + 1
            elif isinstance(chosen, Mapping):
                for option, value in chosen.items():
                    if isinstance(value, Mapping):
                        extra = set(value) - {"qty", "config"}
                        if extra:
                            raise ConfigurationError(
                                f"{here}.{option}: unknown key {sorted(extra)[0]!r} (expected qty, config)"
                            )
                        qty = value.get("qty", 1)
                        if "config" in value:
                            sub[(str(module), str(option))] = cls.from_data(
                                value["config"], f"{here}.{option}.config"
                            )
                    else:
                        qty = value
                    if isinstance(qty, bool) or not isinstance(qty, int) or qty < 0:
                        raise ConfigurationError(f"{here}.{option}: expected a quantity >= 0, got {qty!r}")
                    options[str(option)] = qty
            else:
                raise ConfigurationError(
                    f"{here}: expected an option id, a list or a mapping, got {chosen!r}"
                )
            selections[str(module)] = options
        catalog = data.get("catalog")
        return cls(selections, sub, str(catalog) if catalog is not None else None)

    def check_references(self, catalog: Catalog) -> None:
        """Raise :class:`ConfigurationError` naming every unknown module or option (with suggestions)."""
        problems: list[str] = []
        if self.catalog is not None and self.catalog != catalog.catalog:
            problems.append(f"configuration is for catalog {self.catalog!r}, not {catalog.catalog!r}")
        for module, options in self.selections.items():
            if module not in catalog.modules:
                hint = suggest(module, catalog.modules)
                problems.append(f"unknown module {module!r}" + (f" ({hint})" if hint else ""))
                continue
            for option in options:
                if option not in catalog.modules[module].options:
                    hint = suggest(option, catalog.modules[module].options)
                    problems.append(f"unknown option {module}.{option}" + (f" ({hint})" if hint else ""))
        for (module, option), config in self.sub.items():
            product = catalog.products.get((module, option))
            if product is None:
                problems.append(f"{module}.{option} is not a sub-assembly but has a 'config'")
                continue
            try:
                config.check_references(product)
            except ConfigurationError as exc:
                problems.append(f"{module}.{option}: {exc}")
        if problems:
            raise ConfigurationError("; ".join(problems))


def load_configuration(path: str | os.PathLike[str]) -> Configuration:
    """Read a configuration YAML file.

    Raises:
        ConfigurationError: when the file cannot be read or has the wrong shape.
    """
    try:
        doc = read_yaml(os.fspath(path))
    except CatalogError as exc:
        raise ConfigurationError(str(exc)) from None
    return Configuration.from_data(doc.data, str(path))
