"""Write catalogs back as YAML that loads to an equal catalog.

Example:
    >>> from configurator.catalog.models import Catalog
    >>> cat = Catalog.model_validate({"catalog": "c", "version": "1", "currency": "EUR", "locales": ["en"],
    ...     "modules": {"m": {"options": {"a": {"price": "9.90"}}}}, "rules": [{"id": "r", "if": "m.a", "requires": "m"}]})
    >>> print(dump_catalog(cat))
    catalog: c
    version: '1'
    currency: EUR
    locales:
    - en
    modules:
      m:
        options:
          a:
            price: 9.90
    rules:
    - id: r
      if: m.a
      requires: m
    <BLANKLINE>
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import yaml

from configurator.catalog.models import Catalog
from configurator.catalog.yamlsource import scalar_value

__all__ = ["dump_catalog"]


class _Dumper(yaml.SafeDumper):
    """Safe dumper that writes decimals as plain numbers and tuples as lists."""


def _decimal(dumper: yaml.SafeDumper, value: Decimal) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:float", str(value))


def _date(dumper: yaml.SafeDumper, value: dt.date) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:timestamp", value.isoformat())


def _tuple(dumper: yaml.SafeDumper, value: tuple[Any, ...]) -> yaml.SequenceNode:
    return dumper.represent_list(list(value))


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    # Quote any string our loader would read as something else (e.g. 1e3, which YAML 1.1 leaves plain).
    style = "'" if type(scalar_value(value, plain=True)) is not str else None
    if "\x85" in value:  # a NEL in a plain or single-quoted scalar is folded to a space when read back
        style = '"'
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)
_Dumper.add_representer(Decimal, _decimal)
_Dumper.add_representer(dt.date, _date)
_Dumper.add_representer(tuple, _tuple)


def dump_catalog(catalog: Catalog) -> str:
    """The catalog as YAML text (defaults left out, keys in declaration order)."""
    data = catalog.model_dump(mode="python", by_alias=True, exclude_defaults=True)
    text: str = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=120)
    return text
